"""Turn record values into the text Eloqua's Bulk API imports (docs/checks-and-values.md).

Every value staged for Eloqua is text. The rules, in one place:

- strings as they are, minus NUL and other control characters (C0 and C1) except tab and
  newline (a carriage return becomes a newline, a lone surrogate the replacement character);
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
import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
MAX_EXPONENT = 1000
"""Numbers beyond 10**1000 would be written out as thousands of digits: they are refused."""


class UnformattableValueError(ValueError):
    """A value that has no faithful text form for Eloqua (NaN, infinity, an unknown type)."""


def clean_text(text: str) -> str:
    """Remove NUL and the other control characters (C0 and C1), keeping tab and newline.

    A carriage return ends a line too (``\r\n`` or a lone ``\r``): it becomes a newline, so
    that lines are not run together. A lone surrogate, which UTF-8 cannot carry, becomes the
    replacement character.
    """
    if text.isprintable():  # nothing to remove: the usual case, checked at C speed
        return text
    text = _SURROGATES.sub("\ufffd", _LINE_BREAKS.sub("\n", text))
    return _CONTROL_CHARACTERS.sub("", text)


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
    if abs(number.adjusted()) > MAX_EXPONENT:
        raise UnformattableValueError(f"{number!r} is too large or too small to send")
    text = str(number)  # plain already unless it has an exponent, and quicker than format()
    return format(number, "f") if "E" in text else text


def format_datetime(moment: datetime.datetime) -> str:
    """UTC, second precision: fractions are dropped, not rounded."""
    if moment.tzinfo is not None and moment.tzinfo is not datetime.UTC:
        try:
            moment = moment.astimezone(datetime.UTC)
        except OverflowError as error:
            raise UnformattableValueError(f"{moment.isoformat()} is out of range in UTC") from error
    # %-formatting is quicker here than isoformat() (with or without the offset) and f-strings.
    return "%04d-%02d-%02d %02d:%02d:%02d" % (  # noqa: UP031
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def format_datetime_read_from(text: str, moment: datetime.datetime) -> str:
    """``format_datetime(moment)``, for a moment read from the ISO text ``text``: text in UTC
    down to the second (``2026-11-28T10:00:00Z``, the usual case) is only cut to its form.
    """
    if (
        (moment.tzinfo is datetime.UTC or moment.tzinfo is None)
        and len(text) >= 19
        and text[4] == text[7] == "-"
        and text[13] == text[16] == ":"
        and text[11:13] != "24"
    ):
        return text[:10] + " " + text[11:19]
    return format_datetime(moment)


def format_time(moment: datetime.time) -> str:
    """``HH:MM:SS`` in UTC when the time has an offset, without fractions."""
    offset = moment.utcoffset()
    if offset:
        shifted = datetime.datetime.combine(datetime.date(2000, 1, 1), moment) - offset
        moment = shifted.time()
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def format_value(value: Any) -> str:
    """Format one record value for an import row."""
    formatter = _FORMATTERS.get(type(value))
    if formatter is not None:
        return formatter(value)
    if isinstance(value, (Mapping, list, tuple)):
        return _json_text(value)
    for kind, formatter in _FORMATTERS.items():  # subclasses of the types above
        if isinstance(value, kind):
            return formatter(value)
    raise UnformattableValueError(f"values of type {type(value).__name__} are not supported")


def format_user_links(value: Any) -> str:
    """A ``{{Account.User.Field(...)}}`` column's value: a list of user ids, which Eloqua reads
    as one comma-separated value.
    """
    if isinstance(value, (list, tuple)):
        return ",".join([format_value(item) for item in value if item is not None])
    return format_value(value)


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
    datetime.time: format_time,
}


def formatter_for(kinds: Collection[type]) -> Callable[[Any], str]:
    """The formatter of values whose type is one of ``kinds`` (exactly: ``NoneType`` for
    null): the text ``format_value`` gives them, with less work per value.
    """
    others = set(kinds) - {type(None)}
    if len(others) != 1:
        return format_value
    (kind,) = others
    formatter = str if kind is int else _FORMATTERS.get(kind)
    if formatter is None:
        return format_value
    if type(None) not in kinds:
        return formatter
    return _text_or_blank if formatter is clean_text else partial(_or_blank, formatter)


def _or_blank(formatter: Callable[[Any], str], value: Any) -> str:
    return "" if value is None else formatter(value)


def _text_or_blank(value: str | None) -> str:
    """``clean_text``, or blank for null: the usual column, without a ``partial``."""
    return "" if value is None else clean_text(value)


def _json_text(value: Any) -> str:
    """Compact JSON whose strings are cleaned and whose numbers are plain decimals, as their
    own values would be: ``{"p": 1E-7}`` becomes ``{"p":0.0000001}``.
    """
    if isinstance(value, Mapping):
        members = (f"{_json_string(str(key))}:{_json_text(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json_text(item) for item in value) + "]"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float, decimal.Decimal)):
        return format_number(value)
    if isinstance(value, str):
        return _json_string(value)
    return _json_string(format_value(value))


def _json_string(text: str) -> str:
    return json.dumps(clean_text(text), ensure_ascii=False)
