"""Values read back from Eloqua: whether one is what was sent, and the export filters that find
records by their identifier (docs/verify.md).

Pure functions. Eloqua gives values back in its own form, so two texts are the same value when
they are after Eloqua's normalisations, and only those:

- email addresses in any letter case, around blanks (Eloqua matches and keeps them so);
- dates and date-times as the moment they name: ``2026-03-01 10:00:00`` sent is
  ``2026-03-01 10:00:00.000`` read back, and a date is its midnight;
- numbers as the number they name: ``1.50`` is ``1.5``, ``10`` is ``10.0``;
- booleans as ``true``/``false``, ``1``/``0`` or ``yes``/``no``, in any letter case.

Text of any other field must be the same text. A blank value sent is the same as a blank read back
and nothing else: a field Eloqua kept at its old value (``ifNewIsNotNull``, ``ifExistingIsNull``)
is a difference.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

MAX_FILTER_LENGTH = 1000
"""Eloqua's limit on an export filter, in characters:
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/Filtering.htm
"""

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_US_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%y")
"""Besides ISO 8601, forms of dates Eloqua reads (month first)."""
_JOINER = " OR "

Row = TypeVar("Row")


def same_value(data_type: str, sent: str, stored: str) -> bool:
    """Whether ``stored``, read back from a field of ``data_type``, is the value ``sent``."""
    if sent == stored:
        return True
    if not sent.strip() or not stored.strip():
        return False
    if data_type == "emailAddress":
        return sent.strip().casefold() == stored.strip().casefold()
    reader = _READERS.get(data_type)
    if reader is None:
        return False
    value = reader(sent)
    return value is not None and value == reader(stored)


def identity(data_type: str, text: str) -> str:
    """The form in which Eloqua matches an identifier value: any letter case, numbers by value."""
    if data_type == "number":
        number = read_number(text)
        if number is not None:
            return format(number.normalize(), "f")
    return text.strip().casefold() if data_type == "emailAddress" else text.casefold()


def read_moment(text: str) -> datetime.datetime | None:
    """The moment a date text names (in UTC, if it has an offset), or None."""
    cleaned = text.strip()
    moment: datetime.datetime | None
    try:
        moment = datetime.datetime.fromisoformat(cleaned)
    except ValueError:
        moment = next(filter(None, (_strptime(cleaned, form) for form in _US_DATE_FORMATS)), None)
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment


def read_number(text: str) -> decimal.Decimal | None:
    """The number a text names, or None."""
    try:
        number = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        return None
    return number if number.is_finite() else None


def read_boolean(text: str) -> bool | None:
    """The truth a text names, or None."""
    lowered = text.strip().lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def identifier_term(statement: str, value: str) -> str:
    """The filter term that finds records whose ``statement`` field is ``value``.

    Eloqua's filter syntax has no escape for a quote inside a value: a value with one is found
    with ``~`` (SQL Server's LIKE) instead, the quote matched by ``_`` and LIKE's own wildcards
    escaped; it may find more records than the one, which the caller tells apart by their value.
    https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/BulkLanguages/eloqua-expression-language.htm
    """
    if "'" not in value:
        return f"'{statement}' = '{value}'"
    pattern = "".join(f"[{c}]" if c in "%_[" else "_" if c == "'" else c for c in value)
    return f"'{statement}' ~ '{pattern}'"


def identifier_filters(
    statement: str,
    rows: Iterable[Row],
    value_of: Callable[[Row], str],
    limit: int = MAX_FILTER_LENGTH,
) -> Iterator[tuple[str, list[Row]]]:
    """The rows in groups, each with the filter (its terms joined by ``OR``, at most ``limit``
    characters) that finds the records whose ``statement`` field is one of their values."""
    terms: list[str] = []
    group: list[Row] = []
    length = 0
    for row in rows:
        term = identifier_term(statement, value_of(row))
        added = len(term) + (len(_JOINER) if terms else 0)
        if terms and length + added > limit:
            yield _JOINER.join(terms), group
            terms, group, length = [], [], 0
            added = len(term)
        if added > limit:
            raise ValueError(f"an identifier too long to find in a filter: {value_of(row)[:50]!r}")
        terms.append(term)
        group.append(row)
        length += added
    if terms:
        yield _JOINER.join(terms), group


_READERS: dict[str, Callable[[str], object]] = {
    "date": read_moment,
    "number": read_number,
    "boolean": read_boolean,
}


def _strptime(text: str, form: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(text, form)
    except ValueError:
        return None
