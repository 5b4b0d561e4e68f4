"""Eloqua's ``q`` and ``orderBy`` list parameters, over the items as the API shows them."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from target_eloqua.emulator.http.wire import VALIDATION_ERROR, BadRequestError
from target_eloqua.emulator.model.coerce import as_text
from target_eloqua.emulator.model.errors import Failure

_TERM = re.compile(r"(?P<name>\w+)(?P<op>!=|<=|>=|=|<|>)(?P<value>'[^']*'|[^\s']*)(?:\s+|$)")
_ORDER = re.compile(r"(?P<name>\w+)(?:\s+(?P<direction>ASC|DESC))?", re.IGNORECASE)
_ORDERING: Mapping[str, Callable[[str, str], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}

Term = tuple[str, str, str, "re.Pattern[str] | None"]


def search(items: Sequence[Mapping[str, Any]], query: Mapping[str, str]) -> list[Any]:
    """The items that match every term of ``q``, in ``orderBy`` order.

    ``q`` is one or more terms ``name<operator>value`` separated by spaces, optionally quoted as a
    whole (``q="name=*Test*"``, as Oracle's example writes it); a value with spaces goes in single
    quotes. Operators: ``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=``. Names are case-sensitive, as
    Eloqua's are. ``=`` and ``!=`` compare text in any letter case, with ``*`` as a wildcard (the
    emulator's reading); the others compare text as it is, which puts Eloqua's timestamps in time
    order. An item without the named property matches no term. ``orderBy`` is ``name ASC`` or
    ``name DESC`` (ASC when left out); items without the property come first in ascending order.
    """
    terms = _terms(query.get("q"))
    found = [item for item in items if all(_matches(item, term) for term in terms)]
    order_by = query.get("orderBy")
    if order_by:
        name, descending = _order(order_by)
        found.sort(key=lambda item: (name in item, as_text(item.get(name))), reverse=descending)
    return found


def _terms(raw: str | None) -> list[Term]:
    text = (raw or "").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    terms: list[Term] = []
    position = 0
    while position < len(text):
        term = _TERM.match(text, position)
        if term is None:
            raise _invalid("q", raw, "Must be terms such as name=value, separated by spaces.")
        value = term["value"].strip("'")
        terms.append((term["name"], term["op"], value, _wildcard(value, term["op"])))
        position = term.end()
    return terms


def _wildcard(value: str, op: str) -> re.Pattern[str] | None:
    """The pattern an ``=`` or ``!=`` term compares with: any letter case, ``*`` for anything."""
    if op not in ("=", "!="):
        return None
    pattern = ".*".join(re.escape(part) for part in value.split("*"))
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


def _matches(item: Mapping[str, Any], term: Term) -> bool:
    name, op, value, pattern = term
    if name not in item:
        return False
    text = as_text(item[name])
    if pattern is not None:
        return (pattern.fullmatch(text) is not None) == (op == "=")
    return _ORDERING[op](text, value)


def _order(raw: str) -> tuple[str, bool]:
    order = _ORDER.fullmatch(raw.strip())
    if order is None:
        raise _invalid("orderBy", raw, "Must be a property name, then ASC or DESC.")
    return order["name"], (order["direction"] or "ASC").upper() == "DESC"


def _invalid(name: str, value: str | None, constraint: str) -> BadRequestError:
    return BadRequestError(Failure(name, value or "", constraint), VALIDATION_ERROR)
