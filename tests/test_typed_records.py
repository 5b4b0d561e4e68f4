"""Records decoded straight from JSON: the values the SDK's path gives, or a refusal to vouch."""

from __future__ import annotations

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

from target_eloqua.typed_records import SDK_METADATA_PROPERTIES, RecordDecoder
from target_eloqua.validation import RecordValidator

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
MAPPED = ["name", "employees", "revenue", "updated_at", "owners", "tier", "seen_at", "website"]
"""Mapped properties in column order; ``website`` is not in the schema (sent blank)."""

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
TAKEN = 6
"""The first ``TAKEN`` records are valid and plain: the decoder must take them itself."""


def sdk_path(
    schema: dict[str, Any],
    record_json: bytes,
    key_properties: list[str],
    *,
    validate: bool = True,
) -> list[Any] | None:
    """The mapped values the SDK's path gives (its decoder, validator and date parsing, the
    key check), or ``None`` if it refuses the record or warns about it.
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
        Sink._parse_timestamps_in_record(
            sink,  # type: ignore[arg-type]
            record,
            schema,
            DatetimeErrorTreatmentEnum.ERROR,
        )
    except (InvalidRecord, ValueError, TypeError):
        return None
    if any(key not in record for key in key_properties):
        return None
    return [record.get(name) for name in MAPPED]


def as_json(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode()


@pytest.mark.parametrize("validate", [True, False])
@pytest.mark.parametrize("key_properties", [["name"], ["name", "city"]])
def test_the_decoder_gives_the_sdk_paths_values_or_leaves_the_record_to_it(
    validate: bool, key_properties: list[str]
) -> None:
    validator = RecordValidator(ACCOUNTS) if validate else None
    decoder = RecordDecoder.for_stream(ACCOUNTS, MAPPED, key_properties, validator)
    assert decoder is not None

    for number, record in enumerate(RECORDS):
        record_json = as_json(record)
        values = decoder.values(record_json)
        expected = sdk_path(ACCOUNTS, record_json, key_properties, validate=validate)
        if values is not None:  # exactly the same values: types, decimals' digits, offsets
            assert repr(values) == repr(expected), record
        if number < TAKEN and set(key_properties) <= record.keys():
            assert values is not None, record


def test_values_come_in_the_mapped_order_with_dates_parsed_and_decimals_exact() -> None:
    decoder = RecordDecoder.for_stream(ACCOUNTS, MAPPED, ["name"], RecordValidator(ACCOUNTS))
    assert decoder is not None

    values = decoder.values(b'{"name": "Acme", "revenue": 1.50, "updated_at": "2026-11-28T10:00Z"}')
    huge = decoder.values(b'{"name": "Acme", "revenue": 1e400}')

    assert values is not None
    assert huge is not None
    assert str(huge[2]) == "1E+400"
    assert [str(value) for value in values] == [
        "Acme",
        "None",
        "1.50",
        "2026-11-28 10:00:00+00:00",
        "None",
        "None",
        "None",
        "None",
    ]


def test_json_the_decoder_cannot_read_is_left_to_the_sdk_path() -> None:
    decoder = RecordDecoder.for_stream(ACCOUNTS, MAPPED, ["name"], None)
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
    assert RecordDecoder.for_stream(schema, MAPPED, ["name"], RecordValidator(schema)) is None


def test_a_mapped_sdk_metadata_property_takes_the_sdk_path() -> None:
    """The SDK removes it from each record before it is mapped: always sent blank."""
    mapped = ["name", "_sdc_extracted_at"]
    assert RecordDecoder.for_stream(ACCOUNTS, mapped, ["name"], RecordValidator(ACCOUNTS)) is None
