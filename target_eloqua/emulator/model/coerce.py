"""How decoded JSON values become Eloqua's: text as stored, booleans as Eloqua accepts them."""

from __future__ import annotations

import decimal
import json


def as_text(value: object) -> str:
    """Text as Eloqua stores it: None as "", booleans as true/false, numbers and others as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # plain decimals, as for 1e16 Eloqua stores 10000000000000000
        return format(decimal.Decimal(repr(value)), "f")
    return json.dumps(value, ensure_ascii=False)


def as_bool(value: object) -> bool | None:
    """A boolean, or the strings "true"/"false" in any case; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None
