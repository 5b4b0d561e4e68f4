"""Bad records told by their place in the input, whichever layer found them."""

from __future__ import annotations

from typing import Any

import pytest
from singer_sdk.exceptions import (
    InvalidRecord,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)
from singer_sdk.sinks.core import JSONSchemaValidator

from target_eloqua.errors import BadInputError, BadRecordError, RecordValueError
from target_eloqua.reading.bad_records import bad_record_error

POSITION = "stream 'accounts', record 1234 (input line 1240)"
SCHEMA = {
    "type": "object",
    "properties": {
        "revenue": {"type": "number"},
        "owners": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["revenue"],
}


def validation_error(record: dict[str, Any]) -> InvalidRecord:
    with pytest.raises(InvalidRecord) as raised:
        JSONSchemaValidator(SCHEMA).validate(record)
    return raised.value


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"revenue": "abc"}, "property 'revenue': 'abc' is not of type 'number'"),
        ({"revenue": 1, "owners": ["a", 2]}, "property 'owners.1': 2 is not of type 'string'"),
        ({}, "'revenue' is a required property"),
    ],
)
def test_a_validation_failure_names_the_property(record: dict[str, Any], problem: str) -> None:
    error = bad_record_error(validation_error(record), POSITION)

    assert str(error) == f"{POSITION}: {problem}"


def test_a_long_value_in_a_validation_message_is_cut() -> None:
    error = bad_record_error(validation_error({"revenue": "x" * 1000}), POSITION)

    assert str(error) == f"{POSITION}: property 'revenue': '{'x' * 199}..."


def test_a_value_the_mapping_refuses_names_its_property() -> None:
    refused = RecordValueError("accounts", "name", "the identifier is empty")

    assert str(bad_record_error(refused, POSITION)) == (
        f"{POSITION}: property 'name': the identifier is empty"
    )


@pytest.mark.parametrize(
    ("sdk_error", "problem"),
    [
        (RecordsWithoutSchemaException("..."), "a RECORD before any SCHEMA of its stream"),
        (MissingKeyPropertiesError("key property 'id' missing"), "key property 'id' missing"),
    ],
)
def test_the_sdks_record_errors_keep_their_type(sdk_error: Exception, problem: str) -> None:
    error = bad_record_error(sdk_error, POSITION)

    assert isinstance(error, type(sdk_error))
    assert isinstance(error, BadRecordError)
    assert isinstance(error, BadInputError)
    assert str(error) == f"{POSITION}: {problem}"
