"""Turn record values into the text Eloqua's Bulk API imports (design.md section 4).

Every value staged for Eloqua is text. The rules, in one place:

- strings as they are, minus NUL and other control characters except tab and newline (a
  carriage return becomes a newline);
- integers, floats and decimals as plain decimal text, never with an exponent;
- booleans as ``true`` / ``false``;
- date-times as ``YYYY-MM-DD HH:MM:SS`` in UTC without fractions (naive ones are taken as UTC);
- dates as ``YYYY-MM-DD``, times as ``HH:MM:SS``;
- ``None`` as an empty value, never the text ``null``;
- a list of ids for a user-link field joined with commas;
- other lists and objects as compact JSON text.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from singer_sdk.singerlib.json import serialize_json

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?")


class UnformattableValueError(ValueError):
    """A value that has no faithful text form for Eloqua (NaN, infinity, an unknown type)."""


def clean_text(text: str) -> str:
    """Remove NUL and the other control characters (C0 and C1), keeping tab and newline.

    A carriage return ends a line too (``\r\n`` or a lone ``\r``): it becomes a newline, so
    that lines are not run together.
    """
    return _CONTROL_CHARACTERS.sub("", _LINE_BREAKS.sub("\n", text))


def format_number(number: int | float | decimal.Decimal) -> str:
    """Plain decimal text: ``1e-07`` becomes ``0.0000001`` and ``1E+3`` becomes ``1000``."""
    if isinstance(number, int):
        return str(number)
    if isinstance(number, float):
        if not math.isfinite(number):
            raise UnformattableValueError(f"{number!r} is not a finite number")
        number = decimal.Decimal(repr(number))
    if not number.is_finite():
        raise UnformattableValueError(f"{number!r} is not a finite number")
    return format(number, "f")


def format_datetime(moment: datetime.datetime) -> str:
    """UTC, second precision: fractions are dropped, not rounded."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def format_value(value: Any, *, user_link: bool = False) -> str:
    """Format one record value for an import row.

    ``user_link`` marks a ``{{Account.User.Field(...)}}`` column, whose list of user ids
    Eloqua reads as one comma-separated value.
    """
    formatter = _FORMATTERS.get(type(value))
    if formatter is not None:
        return formatter(value)
    if isinstance(value, (Mapping, list, tuple)):
        if user_link and not isinstance(value, Mapping):
            return ",".join(format_value(item) for item in value if item is not None)
        return serialize_json(_clean_nested(value), ensure_ascii=False)
    for kind, formatter in _FORMATTERS.items():  # subclasses of the types above
        if isinstance(value, kind):
            return formatter(value)
    raise UnformattableValueError(f"values of type {type(value).__name__} are not supported")


# Looked up by exact type first; the order matters for subclasses (bool before int, datetime
# before date).
_FORMATTERS: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "",
    str: clean_text,
    bool: lambda value: "true" if value else "false",
    int: format_number,
    float: format_number,
    decimal.Decimal: format_number,
    datetime.datetime: format_datetime,
    datetime.date: datetime.date.isoformat,
    datetime.time: lambda value: value.strftime("%H:%M:%S"),
}


def _clean_nested(value: Any) -> Any:
    """Strip control characters from every string inside a list or object."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {clean_text(str(key)): _clean_nested(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_nested(item) for item in value]
    return value
