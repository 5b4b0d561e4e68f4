"""System timestamps: when a record was created and last modified, and how exports give them.

Eloqua keeps, for each record, when it was created and when it was last modified, and shows them
under these names (Oracle's "System time stamps" reference):

- contacts: ``C_DateCreated`` and ``C_DateModified`` (fields ``/contacts/fields`` lists, read-only),
  also ``{{Contact.CreatedAt}}`` and ``{{Contact.UpdatedAt}}``;
- accounts: ``M_DateCreated`` and ``M_DateModified``, also ``{{Account.CreatedAt}}`` and
  ``{{Account.UpdatedAt}}``;
- custom object and event records: ``CreatedAt`` and ``UpdatedAt``
  (``{{CustomObject[9].CreatedAt}}``, ``{{Event[5].UpdatedAt}}``).

An export gives them in UTC when its definition has ``areSystemTimestampsInUTC: true``, and
otherwise in the instance's time zone: Eastern (North America) time, Eloqua's default ("By
default, Oracle Eloqua servers are set to Eastern Standard Time", observing daylight saving time;
"all Eloqua fields are in ET"). The emulator's instance is in that time zone.

https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/system-timestamps.htm
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-user/Help/General/TimeZonesAcrossEloqua.htm
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/RESTAPI/Tutorials/resources-faqs.htm
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

INSTANCE_TIME_ZONE = ZoneInfo("America/New_York")
"""The time zone of the emulated instance: Eastern time, Eloqua's default (see above)."""

Stamp = Literal["created", "modified"]

CREATED_AT = "CreatedAt"
UPDATED_AT = "UpdatedAt"
"""The names of the system statements ``{{X.CreatedAt}}`` and ``{{X.UpdatedAt}}``."""

_STATEMENTS: Mapping[str, Stamp] = {CREATED_AT: "created", UPDATED_AT: "modified"}
SYSTEM_TIMESTAMPS: Mapping[str, Mapping[str, Stamp]] = {
    "contacts": {"C_DateCreated": "created", "C_DateModified": "modified", **_STATEMENTS},
    "accounts": {"M_DateCreated": "created", "M_DateModified": "modified", **_STATEMENTS},
    "customObjects": _STATEMENTS,
    "events": _STATEMENTS,
}
"""Per kind of entity, the names its system timestamps are read under, and which each is."""


def stamp_of(kind: str, name: str) -> Stamp | None:
    """Which system timestamp of an entity's records ``name`` reads, if it reads one."""
    return SYSTEM_TIMESTAMPS.get(kind, {}).get(name)


@dataclass
class WriteTime:
    """The moment (in UTC) that records written from now on are stamped with. The instance sets
    it before each write: to the end of the sync whose rows are imported, or to now for an edit.
    One object is shared by every record a sync writes."""

    now: datetime


def shown_in(in_utc: bool) -> tzinfo:
    """The time zone an export gives system timestamps in."""
    return UTC if in_utc else INSTANCE_TIME_ZONE


def local_moment(moment: datetime, zone: tzinfo) -> datetime:
    """The moment as a wall-clock time (no offset) in ``zone``."""
    return moment.astimezone(zone).replace(tzinfo=None)


def export_form(moment: datetime) -> str:
    """A wall-clock time as exports give dates: ``YYYY-MM-DD HH:MM:SS.fff``."""
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"


def format_timestamp(ticks: int) -> str:
    """Eloqua's timestamp form in API bodies, for a count of 100 ns ticks since the Unix epoch.

    >>> format_timestamp(16257948103187286)
    '2021-07-09T01:40:10.3187286Z'
    """
    seconds, fraction = divmod(ticks, 10_000_000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction:07d}Z"


def ticks_of(moment: datetime) -> int:
    """The 100 ns ticks since the Unix epoch of an aware moment."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 10


def moment_of(ticks: int) -> datetime:
    """The moment (in UTC, to the microsecond) of 100 ns ticks since the Unix epoch."""
    return _EPOCH + timedelta(microseconds=ticks // 10)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
