"""Records the target cannot load, told by their place in the input.

The SDK and the mapping each raise their own error about a bad record: a schema violation, a
RECORD before its stream's SCHEMA, a key property missing, a value that cannot be sent.
``bad_record_error`` turns each into one message naming the stream, the record's position and,
where there is one, the property: ``stream 'accounts', record 12 (input line 14): property
'revenue': 'abc' is not of type 'number'``.
"""

from __future__ import annotations

from singer_sdk.exceptions import (
    InvalidRecord,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)

from target_eloqua.errors import (
    BadRecordError,
    RecordBeforeSchemaError,
    RecordValueError,
    RecordWithoutKeyError,
)

PROBLEM_LENGTH = 200
"""How many characters of a validation message are kept: it quotes the value, which may be long."""

RECORD_PROBLEMS = (
    InvalidRecord,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
    RecordValueError,
)
"""The errors that mean the record itself cannot be loaded."""


def bad_record_error(error: Exception, position: str) -> BadRecordError:
    """One of ``RECORD_PROBLEMS``, as an error that says where the record is."""
    if isinstance(error, RecordsWithoutSchemaException):
        return RecordBeforeSchemaError(f"{position}: a RECORD before any SCHEMA of its stream")
    if isinstance(error, MissingKeyPropertiesError):
        return RecordWithoutKeyError(f"{position}: {error}")
    if isinstance(error, RecordValueError):
        return BadRecordError(f"{position}: property '{error.property}': {error.problem}")
    assert isinstance(error, InvalidRecord)  # the last of RECORD_PROBLEMS
    return BadRecordError(f"{position}: {validation_problem(error)}")


def validation_problem(error: InvalidRecord) -> str:
    """What a failed validation says, after the property it is about when the validator
    tells (jsonschema's errors carry the path to the value).
    """
    problem = error.error_message
    if len(problem) > PROBLEM_LENGTH:
        problem = f"{problem[:PROBLEM_LENGTH]}..."
    path = getattr(error.__cause__, "absolute_path", None)
    if path:
        return f"property '{'.'.join(map(str, path))}': {problem}"
    return problem
