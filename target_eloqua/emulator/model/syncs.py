"""Syncs and what they leave behind: counts, log entries and rejected records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SyncStatus = Literal["pending", "active", "success", "warning", "error"]
Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class SyncCounts:
    """What a finished sync did with its rows. ``repeated`` is the emulator's own count (Eloqua
    logs none): rows whose identifier, in any letter case, an earlier row of the sync had.
    """

    processed: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    repeated: int = 0

    def to_json(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class LogEntry:
    """One aggregate line of ``/syncs/{id}/logs``."""

    code: str
    message: str
    count: int = 0
    severity: Severity = "information"


_SEVERITIES: Mapping[SyncStatus, Severity] = {
    "success": "information",
    "warning": "warning",
    "error": "error",
}


def summary_log(sync_id: int, status: SyncStatus) -> LogEntry:
    """The last entry of a sync's log, which tells how it ended."""
    message = f"Sync processed for sync {sync_id}, resulting in {status} status."
    return LogEntry("ELQ-00101", message, 0, _SEVERITIES[status])


@dataclass(frozen=True)
class Reject:
    """One rejected record, as ``/syncs/{id}/rejects`` shows it."""

    record_index: int
    field_values: Mapping[str, str]
    invalid_fields: Sequence[str]
    status_code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "fieldValues": dict(self.field_values),
            "message": self.message,
            "statusCode": self.status_code,
            "recordIndex": self.record_index,
            "invalidFields": list(self.invalid_fields),
        }


@dataclass(frozen=True)
class Outcome:
    """How a sync ended."""

    status: SyncStatus
    counts: SyncCounts
    logs: tuple[LogEntry, ...]
    rejects: tuple[Reject, ...] = ()


@dataclass(frozen=True)
class Sync:
    """A sync of an import definition. ``active_from`` and ``ends_at`` are clock readings."""

    id: int
    definition_uri: str
    created_by: str
    created_at: str
    active_from: float
    ends_at: float
    callback_url: str | None = None
    forced_status: SyncStatus | None = None
    """Set by the admin API: the sync ends so, whatever its rows."""
    status: SyncStatus = "pending"
    started_at: str | None = None
    ended_at: str | None = None
    outcome: Outcome | None = field(default=None, repr=False)
    """Set when the sync reaches its terminal status."""

    @property
    def uri(self) -> str:
        return f"/syncs/{self.id}"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"syncedInstanceUri": self.definition_uri}
        if self.started_at is not None:
            body["syncStartedAt"] = self.started_at
        if self.ended_at is not None:
            body["syncEndedAt"] = self.ended_at
        body.update(
            status=self.status, createdAt=self.created_at, createdBy=self.created_by, uri=self.uri
        )
        if self.callback_url is not None:
            body["callbackUrl"] = self.callback_url
        return body


def failed(code: str, message: str, sync_id: int) -> Outcome:
    """The outcome of a sync that ends ``error`` without processing anything."""
    logs = (LogEntry(code, message, 0, "error"), summary_log(sync_id, "error"))
    return Outcome("error", SyncCounts(), logs)
