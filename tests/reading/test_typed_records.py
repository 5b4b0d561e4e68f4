"""Records decoded straight from JSON: the row the SDK's path gives, or a refusal to vouch."""

from __future__ import annotations

import datetime
import decimal
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from singer_sdk.contrib.msgspec import decoder as sdk_decoder
from singer_sdk.exceptions import InvalidRecord
from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import Sink
from singer_sdk.sinks.core import JSONSchemaValidator

from target_eloqua.errors import RecordValueError
from target_eloqua.mapping.rows import format_row, record_to_row
from target_eloqua.mapping.streams import parse_stream_mapping
from target_eloqua.reading.typed_records import SDK_METADATA_PROPERTIES, RecordDecoder
from target_eloqua.reading.validation import RecordValidator
from target_eloqua.sinks import sdk_datelike_properties

ACCOUNTS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "city": {"type": ["string", "null"]},
        "employees": {"type": ["integer", "null"]},
        "revenue": {"type": ["number", "null"]},
        "partner": {"type": ["boolean", "null"]},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
        "founded": {"type": "string", "format": "date"},
        "owners": {"type": ["array", "null"], "items": {"type": "string"}},
        "tier": {"enum": ["gold", "silver", None]},
        "code": {"type": "string", "maxLength": 4},
        "address": {
            "type": ["object", "null"],
            "properties": {"zip": {"type": "string"}},
            "required": ["zip"],
        },
        "seen_at": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        "notes": {},
    },
    "required": ["name"],
}
MAPPED = [
    "name",
    "city",
    "employees",
    "revenue",
    "partner",
    "updated_at",
    "founded",
    "owners",
    "tier",
    "address",
    "seen_at",
    "notes",
    "website",
]
"""Mapped properties; ``website`` is not in the schema (sent blank)."""
MAPPING = parse_stream_mapping(
    "accounts",
    {
        "identifier": "name",
        "link_users": True,
        "fields": {
            **{name: f"M_{name}" for name in MAPPED},
            "owners": "{{Account.User.Field(CRMOSCUserId)}}",
        },
    },
)

TYPICAL = {
    "name": "Acme",
    "city": None,
    "employees": 12,
    "revenue": 1234.50,
    "partner": True,
    "updated_at": "2026-11-28T10:00:00.5+02:00",
    "founded": "1999-12-31",
    "owners": ["u1", "u2"],
    "tier": "gold",
    "code": "AB",
    "address": {"zip": "8001"},
    "seen_at": "2026-01-01T00:00:00Z",
    "notes": [1, {"a": 2.5}],
}

RECORDS: list[dict[str, Any]] = [
    TYPICAL,
    {"name": "Bare"},
    {"name": "Nulls", **dict.fromkeys(["city", "employees", "revenue", "updated_at"])},
    {**TYPICAL, "website": None},
    {**TYPICAL, "_sdc_extracted_at": "not even a date", "_sdc_sequence": 7},
    {**TYPICAL, "revenue": 10},
    {**TYPICAL, "name": "Tab\tand \x00 NUL", "notes": None, "owners": []},
    *[
        {"name": "Dates", "updated_at": moment}
        for moment in [
            "2026-11-28T10:00:00Z",
            "2026-11-28T10:00:00+00:00",
            "2026-11-28t10:00:00.999999-00:00",
            "2026-11-28 23:59:59.9999999Z",
            "2026-11-28T10:00:00",
            "2026-11-28T10:00Z",
            "2026-11-28",
            "20261128T100000Z",
            "2026-11-28T23:30:00-01:00",
            "0001-01-01T00:30:00+01:00",  # out of range in UTC: refused either way
        ]
    ],
    # Records the SDK's path decides on (it accepts some, refuses others):
    {**TYPICAL, "employees": 12.0},
    {**TYPICAL, "employees": True},
    {**TYPICAL, "revenue": "12.5"},
    {**TYPICAL, "owners": ["u1", 2]},
    {**TYPICAL, "updated_at": "yesterday"},
    {**TYPICAL, "founded": "1999-02-30"},
    {**TYPICAL, "tier": "bronze"},
    {**TYPICAL, "code": "ABCDE"},
    {**TYPICAL, "address": {"street": "none"}},
    {**TYPICAL, "seen_at": 5},
    {**TYPICAL, "website": "acme.example"},
    {**TYPICAL, "unknown": 1},
    {key: value for key, value in TYPICAL.items() if key != "name"},
    {**TYPICAL, "name": None},
]
TAKEN = 16
"""The first ``TAKEN`` records are valid and plain: the decoder must take them itself."""


def sdk_row(
    schema: dict[str, Any],
    record_json: bytes,
    key_properties: list[str],
    *,
    validate: bool = True,
) -> list[str] | None:
    """The row the SDK's path gives (its decoder, validator and date parsing, the key check,
    then the mapping), or ``None`` if it refuses the record or warns about it.
    """
    record = sdk_decoder.decode(record_json)
    for name in SDK_METADATA_PROPERTIES:
        record.pop(name, None)
    if any(record[name] is not None for name in record.keys() - schema["properties"].keys()):
        return None  # the SDK warns of a property the schema lacks; the decoder leaves it be
    try:
        if validate:
            JSONSchemaValidator(schema).validate(record)
        sink = SimpleNamespace(logger=logging.getLogger("sdk"), _warned_missing_fields=set())
        Sink._parse_timestamps_in_record(  # noqa: SLF001 (the SDK's own date parsing)
            sink,  # type: ignore[arg-type]
            record,
            schema,
            DatetimeErrorTreatmentEnum.ERROR,
        )
    except (InvalidRecord, ValueError, TypeError):
        return None
    if any(key not in record for key in key_properties):
        return None
    try:
        return record_to_row(MAPPING, record)
    except RecordValueError:
        return None


def direct_row(decoder: RecordDecoder, record_json: bytes) -> list[str] | None:
    """The row the decoder and its formatters give, as ``EloquaSink.add_record_json`` makes it."""
    values = decoder.values(record_json)
    try:
        return None if values is None else format_row(MAPPING, values, decoder.formatters)
    except ValueError:
        return None


def as_json(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode()


@pytest.mark.parametrize("validate", [True, False])
@pytest.mark.parametrize("key_properties", [["name"], ["name", "city"]])
def test_the_decoder_gives_the_sdk_paths_row_or_leaves_the_record_to_it(
    validate: bool, key_properties: list[str]
) -> None:
    validator = RecordValidator(ACCOUNTS) if validate else None
    decoder = RecordDecoder.for_stream(
        ACCOUNTS, MAPPING, key_properties, validator, sdk_datelike_properties(ACCOUNTS)
    )
    assert decoder is not None

    for number, record in enumerate(RECORDS):
        record_json = as_json(record)
        row = direct_row(decoder, record_json)
        if row is not None:
            assert row == sdk_row(ACCOUNTS, record_json, key_properties, validate=validate)
        if number < TAKEN and set(key_properties) <= record.keys():
            assert row is not None, record


def test_values_come_in_column_order_decimals_exact_and_date_times_as_text() -> None:
    decoder = RecordDecoder.for_stream(
        ACCOUNTS, MAPPING, ["name"], RecordValidator(ACCOUNTS), sdk_datelike_properties(ACCOUNTS)
    )
    assert decoder is not None
    record_json = (
        b'{"name": "Acme", "revenue": 1.50, "founded": "1999-12-31", '
        b'"seen_at": "2026-11-28T10:00Z"}'
    )

    values = decoder.values(record_json)
    huge = decoder.values(b'{"name": "Acme", "revenue": 1e400, "updated_at": "2026-11-28"}')

    assert values is not None
    assert dict(zip(MAPPED, values, strict=True)) == {
        **dict.fromkeys(MAPPED),
        "name": "Acme",
        "revenue": decimal.Decimal("1.50"),
        "founded": datetime.date(1999, 12, 31),
        "seen_at": datetime.datetime(2026, 11, 28, 10, tzinfo=datetime.UTC),  # checked: parsed
    }
    assert str(values[MAPPED.index("revenue")]) == "1.50"
    assert huge is not None
    assert str(huge[MAPPED.index("revenue")]) == "1E+400"
    assert huge[MAPPED.index("updated_at")] == "2026-11-28"  # its formatter parses it


def test_json_the_decoder_cannot_read_is_left_to_the_sdk_path() -> None:
    decoder = RecordDecoder.for_stream(
        ACCOUNTS, MAPPING, ["name"], None, sdk_datelike_properties(ACCOUNTS)
    )
    assert decoder is not None

    assert decoder.values(b'{"name": NaN}') is None
    assert decoder.values(b'["not", "an", "object"]') is None
    assert decoder.values(b'{"name": "unended') is None


@pytest.mark.parametrize(
    "schema",
    [
        {**ACCOUNTS, "patternProperties": {"^x": {"type": "string"}}},
        {**ACCOUNTS, "properties": {**ACCOUNTS["properties"], "ref": {"$ref": "#/$defs/x"}}},
        {**ACCOUNTS, "required": ["name", "missing_from_properties"]},
        {**ACCOUNTS, "required": ["name", "_sdc_deleted_at"]},
        {**ACCOUNTS, "type": "array"},
    ],
    ids=["pattern properties", "a reference", "an unknown required", "required metadata", "array"],
)
def test_schemas_saying_more_than_the_decoder_checks_take_the_sdk_path(
    schema: dict[str, Any],
) -> None:
    assert (
        RecordDecoder.for_stream(
            schema, MAPPING, ["name"], RecordValidator(schema), sdk_datelike_properties(schema)
        )
        is None
    )


def test_a_mapped_sdk_metadata_property_takes_the_sdk_path() -> None:
    """The SDK removes it from each record before it is mapped: always sent blank."""
    fields = {"name": "M_name", "_sdc_extracted_at": "M_extracted"}
    mapping = parse_stream_mapping("accounts", {"identifier": "name", "fields": fields})

    assert (
        RecordDecoder.for_stream(
            ACCOUNTS,
            mapping,
            ["name"],
            RecordValidator(ACCOUNTS),
            sdk_datelike_properties(ACCOUNTS),
        )
        is None
    )
