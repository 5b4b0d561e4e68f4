"""The row staged for a record: each mapped value as Eloqua text, in the definition's key order.

Pure functions: a value that cannot be sent raises ``RecordValueError`` naming its property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from target_eloqua.errors import RecordValueError
from target_eloqua.mapping.streams import StreamMapping
from target_eloqua.mapping.values import UnformattableValueError


def record_to_row(mapping: StreamMapping, record: Mapping[str, Any]) -> list[str]:
    """The row staged for one record: the text of every column, in the definition's key order.

    Properties the mapping does not name (``_sdc_*`` metadata among them) are left out. A
    mapped property missing from the record is sent blank, as if it were null.
    """
    return format_row(mapping, [record.get(prop) for prop in mapping.properties])


def format_row(
    mapping: StreamMapping,
    values: Sequence[Any],
    formatters: Sequence[Callable[[Any], str]] | None = None,
) -> list[str]:
    """The row of the mapped properties' values (in column order): each formatted as Eloqua
    text, by the column's formatter (``mapping.formatters``, unless ``formatters`` are given).
    A value longer than its column's ``max_length`` is refused.
    """
    formatters = formatters or mapping.formatters
    try:
        row = [format_(value) for format_, value in zip(formatters, values, strict=True)]
    except UnformattableValueError:  # which value? Formatted again, one by one, to name it
        for format_, prop, value in zip(formatters, mapping.properties, values, strict=True):
            try:
                format_(value)
            except UnformattableValueError as error:
                raise RecordValueError(mapping.stream, prop, str(error)) from error
        raise
    for position, prop, limit in mapping.length_limits:
        if len(row[position]) > limit:
            problem = f"{len(row[position])} characters, more than the {limit} its field holds"
            raise RecordValueError(mapping.stream, prop, problem)
    return row


def blank_identifier_reason(mapping: StreamMapping, record: Mapping[str, Any]) -> str:
    """Why the record has no identifier: ``the identifier is null`` (or missing, empty, blank)."""
    value = record.get(mapping.identifier)
    if mapping.identifier not in record:
        how = "missing"
    elif value is None:
        how = "null"
    else:
        how = "empty" if value == "" else "blank"
    return f"the identifier is {how}"
