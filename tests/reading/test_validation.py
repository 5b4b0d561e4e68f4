"""Record validation: the compiled checks judge every record as the SDK's validator does."""

from __future__ import annotations

import decimal
from typing import Any

import pytest
from singer_sdk.exceptions import InvalidRecord
from singer_sdk.sinks.core import JSONSchemaValidator

from target_eloqua.reading.validation import RecordValidator

SINGER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": ["string", "null"]},
        "revenue": {"type": ["number", "null"]},
        "partner": {"type": ["boolean", "null"]},
        "updated_at": {
            "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
        },
        "owners": {"type": ["array", "null"], "items": {"type": "string"}},
        "address": {
            "type": ["object", "null"],
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
    "required": ["id"],
}

# Each property schema with values on both sides of it: the SDK's verdict is the reference.
PROPERTY_CASES: list[tuple[dict[str, Any] | bool, list[Any]]] = [
    ({"type": "integer"}, [1, -7, 2.0, 2.5, True, decimal.Decimal("2"), "1", None]),
    ({"type": "number"}, [1, 2.5, decimal.Decimal("1.50"), float("nan"), False, "1", None]),
    ({"type": ["string", "null"]}, ["x", "", None, 1, ["x"]]),
    ({"type": "boolean"}, [True, False, 0, 1, "true", None]),
    ({"type": "array", "items": {"type": "string"}}, [[], ["a"], ["a", 1], "a", None]),
    ({"items": {"type": "integer"}}, [[1, 2], [1, "2"], "not an array", 3]),
    ({"type": "object"}, [{}, {"a": 1}, [], None]),
    ({"type": "string", "format": "date-time"}, ["2026-01-02T03:04:05Z", "not a date", 5]),
    ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, [1, None, 1.5, "1"]),
    ({"allOf": [{"type": "number"}, {"type": "integer"}]}, [1, 1.5, "1"]),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1, 1.5, "1"]),
    ({"not": {"type": "string"}}, ["x", 1, None]),
    ({"type": "string", "maxLength": 3}, ["abc", "abcd", 1]),
    ({"enum": [1, "a", None]}, [1, True, "a", "b", None, 1.0]),
    ({"const": False}, [False, 0, None]),
    ({"type": "integer", "minimum": 0, "maximum": 10}, [0, 10, 11, -1, 5.0]),
    ({"type": "string", "pattern": "^[A-Z]+$"}, ["ABC", "abc", ""]),
    ({"type": "array", "items": {"enum": ["x", "y"]}, "maxItems": 2}, [["x"], ["z"], ["x"] * 3]),
    (
        {"properties": {"x": {"type": "integer"}}, "required": ["x"]},
        [{"x": 1}, {"x": "1"}, {}, {"y": 1}, "not an object"],
    ),
    ({"additionalProperties": {"type": "string"}}, [{"a": "b"}, {"a": 1}, {}]),
    (
        {"patternProperties": {"^s_": {"type": "string"}}, "additionalProperties": False},
        [{"s_a": "x"}, {"s_a": 1}, {"b": "x"}],
    ),
    ({}, [1, "x", None, {"a": [1]}]),
    (True, [1, None]),
    (False, [1, None]),
    ({"title": "Name", "description": "ignored", "x-unknown": 5}, [1, None]),
]


def verdict(validator: JSONSchemaValidator | RecordValidator, record: dict[str, Any]) -> bool:
    try:
        validator.validate(record)
    except InvalidRecord:
        return False
    return True


def assert_same_verdicts(schema: dict[str, Any], records: list[dict[str, Any]]) -> None:
    compiled, reference = RecordValidator(schema), JSONSchemaValidator(schema)
    for record in records:
        assert verdict(compiled, record) == verdict(reference, record), record


@pytest.mark.parametrize(("property_schema", "values"), PROPERTY_CASES)
def test_each_value_gets_the_sdk_validators_verdict(
    property_schema: dict[str, Any] | bool, values: list[Any]
) -> None:
    schema = {"type": "object", "properties": {"v": property_schema}}
    assert_same_verdicts(schema, [{"v": value} for value in values])


def test_singer_schemas_are_compiled_and_judged_as_the_sdk_judges_them() -> None:
    valid: dict[str, Any] = {"id": 1, "name": "Acme", "revenue": decimal.Decimal("1.5")}
    valid["owners"] = ["a"]
    records = [
        valid,
        {**valid, "updated_at": "2026-01-02T03:04:05Z", "partner": None},
        {**valid, "address": {"city": "Toronto"}},
        {**valid, "address": {"city": "Toronto", "zip": "M5V"}},
        {**valid, "address": {}},
        {**valid, "id": None},
        {**valid, "owners": [1]},
        {**valid, "not_in_schema": object()},
        {"name": "no id"},
    ]

    assert RecordValidator(SINGER_SCHEMA).compiled
    assert_same_verdicts(SINGER_SCHEMA, records)


def test_an_invalid_record_is_refused_with_the_sdk_validators_message() -> None:
    record = {"id": "seven"}

    with pytest.raises(InvalidRecord) as ours:
        RecordValidator(SINGER_SCHEMA).validate(record)
    with pytest.raises(InvalidRecord) as sdks:
        JSONSchemaValidator(SINGER_SCHEMA).validate(record)

    assert str(ours.value) == str(sdks.value)
    assert "'seven' is not of type 'integer'" in str(ours.value)


def test_schemas_with_references_are_left_to_the_sdk_validator_whole() -> None:
    schema = {
        "type": "object",
        "$defs": {"name": {"type": "string", "maxLength": 5}},
        "properties": {"name": {"$ref": "#/$defs/name"}},
    }

    assert not RecordValidator(schema).compiled
    assert_same_verdicts(schema, [{"name": "Acme"}, {"name": "Acme Inc."}, {"name": 5}])


def test_another_dialect_below_the_root_is_left_to_the_sdk_validator_whole() -> None:
    nested = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}
    schema = {"type": "object", "properties": {"n": nested}}

    assert not RecordValidator(schema).compiled
    assert_same_verdicts(schema, [{"n": 1}, {"n": 1.0}, {"n": "1"}])


def test_the_root_dialect_is_read_as_the_sdk_reads_it() -> None:
    schema = {**SINGER_SCHEMA, "$schema": "http://json-schema.org/draft-07/schema#"}

    assert RecordValidator(schema).compiled
    assert_same_verdicts(schema, [{"id": 1}, {"id": 1.0}, {"id": "1"}])


def test_formats_are_checked_only_when_the_sink_asks_for_it() -> None:
    schema = {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}}
    record = {"email": "not an email address"}

    assert verdict(RecordValidator(schema), record)
    checked = RecordValidator(schema, validate_formats=True)
    assert not verdict(checked, record)
    assert verdict(checked, {"email": "ada@example.com"})
