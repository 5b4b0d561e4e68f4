"""Whether a staged value fits its field, as Eloqua checks each record when a sync runs."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from target_eloqua.emulator.model.catalog import Field


@dataclass(frozen=True)
class Problem:
    """Why a record is rejected: an ELQ code and a message.

    Invalid email addresses are ELQ-00002 (Eloqua's documented code and message); other invalid
    values are ELQ-00040, the code real rejects carry (its message text is not documented, so the
    emulator's own messages say what is wrong). ``DUPLICATE_EMAIL`` and ``EMAIL_TAKEN`` are the
    importer's: they depend on the other rows and the stored contacts, not on the value alone.
    """

    code: str
    message: str


INVALID_EMAIL = Problem("ELQ-00002", "Invalid email address.")
INVALID_STAGE = Problem("ELQ-00039", "Invalid opportunity stage.")
INVALID_NUMBER = Problem("ELQ-00040", "Invalid field value: not a number.")
INVALID_DATE = Problem("ELQ-00040", "Invalid field value: not a date.")
INVALID_BOOLEAN = Problem("ELQ-00040", "Invalid field value: not a boolean.")
INVALID_ID = Problem("ELQ-00040", "Invalid field value: not a record id.")
BLANK_IDENTIFIER = Problem("ELQ-00061", "Missing identifier value.")
BLANK_REQUIRED = Problem("ELQ-00061", "Missing value for a required field.")
DUPLICATE_EMAIL = Problem("ELQ-00011", "Duplicate email address.")
EMAIL_TAKEN = Problem("ELQ-00048", "Contact already exists.")

Check = Callable[[str], "Problem | None"]

_EMAIL = re.compile(r"[^@\s\"(),:;<>\[\]\\]+@[^@\s\"(),:;<>\[\]\\]+\.[A-Za-z]{2,}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_FRACTION = re.compile(r"(?<=\d\d:\d\d:\d\d)\.(\d+)(?=Z?$)")
_BOOLEANS = frozenset({"true", "false", "1", "0", "yes", "no"})
_DATE_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
)
"""Besides ISO 8601, what Eloqua's upload parser takes (month first, as in the US)."""


def check_for(field: Field) -> Check:
    """The check of values written to ``field``. A blank value always fits: blank identifiers and
    blank not-null fields are the importer's business."""
    if field.data_type == "emailAddress":
        return _email
    if field.data_type == "number":
        return _number
    if field.data_type == "date":
        return _date
    if field.data_type == "boolean":
        return _boolean
    return _text(field.length)


def text_length(field: Field) -> int | None:
    """The most characters a text field takes; None for fields of other types."""
    return field.length if field.data_type == "string" else None


def too_long(length: int) -> Problem:
    return Problem("ELQ-00040", f"Invalid field value: longer than {length} characters.")


def check_record_id(value: str) -> Problem | None:
    """``{{Account.Id}}``-like identifiers: a positive integer."""
    return None if not value or value.strip().isdigit() else INVALID_ID


def opportunity_stage(stages: Sequence[str]) -> Check:
    """The check of an opportunity's stage: one of the instance's stages, in any letter case."""
    known = {stage.casefold() for stage in stages}

    def check(value: str) -> Problem | None:
        return None if value.strip().casefold() in known else INVALID_STAGE

    return check


def parses_as_date(value: str) -> bool:
    """Whether Eloqua would read ``value`` as a date (at most 3 fractional digits of seconds)."""
    return bool(value) and _date(value) is None


def _strptime(text: str, form: str) -> datetime | None:
    try:
        return datetime.strptime(text, form)
    except ValueError:
        return None


def _email(value: str) -> Problem | None:
    return None if not value or _EMAIL.fullmatch(value.strip()) else INVALID_EMAIL


def _number(value: str) -> Problem | None:
    # Decimal digits with at most one point fully match _NUMBER (whose \d is what isdecimal
    # takes): only other values need the pattern.
    if not value or value.replace(".", "", 1).isdecimal() or _NUMBER.fullmatch(value.strip()):
        return None
    return INVALID_NUMBER


def read_date(value: str) -> datetime | None:
    """The moment Eloqua reads in ``value`` (ISO 8601, or a form of its upload parser, with at
    most 3 fractional digits of seconds), or None if it reads none."""
    moment, milliseconds = _parse_date(value)
    if moment is None or not milliseconds:
        return moment
    return moment.replace(microsecond=int(milliseconds.ljust(3, "0")) * 1000)


def _parse_date(value: str) -> tuple[datetime | None, str]:
    """The moment in ``value`` but for its fraction of a second, and that fraction's digits."""
    text = value.strip()
    fraction = _FRACTION.search(text) if "." in text else None
    milliseconds = ""
    if fraction is not None:
        milliseconds = fraction.group(1)
        if len(milliseconds) > 3:
            return None, ""
        text = text[: fraction.start()] + text[fraction.end() :]
    text = text.removesuffix("Z")
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = next(filter(None, (_strptime(text, form) for form in _DATE_FORMATS)), None)
    return moment, milliseconds


def _date(value: str) -> Problem | None:
    return None if not value or _parse_date(value)[0] is not None else INVALID_DATE


def _boolean(value: str) -> Problem | None:
    if not value or value in _BOOLEANS or value.strip().lower() in _BOOLEANS:
        return None
    return INVALID_BOOLEAN


def _text(length: int) -> Check:
    problem = too_long(length)

    def check(value: str) -> Problem | None:
        return problem if len(value) > length else None

    return check
