"""Parse a record's date, date-time and time values as the SDK does, with the schema read once.

The SDK's sink looks up the type of every property of every record before it parses its
date-like values. ``DatelikeProperties`` finds the date-like properties of a schema once (with
the SDK's own function, which the sink hands it), and parses a record's values with the parsers
the SDK uses on Python 3.11 and later: the standard library's ``fromisoformat``. It hands a
record back to the SDK's loop whenever that loop would do more than parse: when it would warn
about a property the schema lacks, or when a value does not parse (the SDK then repairs it, or
raises, naming the first bad value in the record's order). So the outcome is always the SDK's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping
from typing import Any

PARSERS: dict[str, Callable[[Any], Any]] = {
    "date-time": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "time": datetime.time.fromisoformat,
}
"""The SDK's parser of each date-like format (its own names for these, on Python 3.11 and on)."""

DatelikeType = Callable[[Any], str | None]
"""Which date-like format a property's schema has (``date-time``, ``date``, ``time``), if any."""


class DatelikeProperties:
    """The date-like properties of one schema, with the parser of each."""

    def __init__(self, schema: Mapping[str, Any], datelike_type: DatelikeType) -> None:
        self.schema = schema
        self.open = bool(schema.get("additionalProperties", False))
        """Records may carry properties the schema lacks: the SDK never warns then."""
        self.names: frozenset[str] = frozenset()
        self.parsers: tuple[tuple[str, Callable[[Any], Any]], ...] | None
        try:
            self.names = frozenset(schema["properties"])
            self.parsers = tuple(
                (name, PARSERS[kind])
                for name, property_schema in schema["properties"].items()
                if (kind := datelike_type(property_schema))
            )
        except Exception:  # a schema the SDK's loop fails on too, when a record uses it
            self.parsers = None

    def parsed(self, record: Mapping[str, Any], warned: Collection[str]) -> dict[str, Any] | None:
        """The record's date-like values, parsed; ``None`` when the SDK's loop must see the
        record: it holds a property the SDK would warn about (one not in the schema, with a
        value, not yet in ``warned``), or a value that does not parse.
        """
        if self.parsers is None:
            return None
        if not self.open and not record.keys() <= self.names and self._would_warn(record, warned):
            return None
        parsed = {}
        try:
            for name, parse in self.parsers:
                value = record.get(name)
                if value is not None:
                    parsed[name] = parse(value)
        except Exception:  # the SDK's loop decides what a bad value leads to
            return None
        return parsed

    def _would_warn(self, record: Mapping[str, Any], warned: Collection[str]) -> bool:
        return any(
            record[name] is not None and name not in warned for name in record.keys() - self.names
        )
