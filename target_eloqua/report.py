"""The run's numbers: per stream and per sync, logged as a table and written as a JSON summary."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

COUNTERS = (
    "read",
    "merged",
    "uploaded",
    "uploaded_bytes",
    "syncs",
    "created",
    "updated",
    "rejected",
)
"""The per-stream counters, in the order the table and the summary show them."""


@dataclass(frozen=True)
class SyncRecord:
    """One sync of the run: what was staged for it, and how it ended.

    ``status`` is Eloqua's final status, or ``timeout`` for a sync the target stopped waiting
    for.
    """

    uri: str
    import_uri: str
    status: str
    seconds: float
    rows: int
    parts: int
    bytes: int
    created: int = 0
    updated: int = 0
    rejected: int = 0


@dataclass
class StreamReport:
    """What happened to one stream's records in this run."""

    read: int = 0
    merged: int = 0
    uploaded: int = 0
    uploaded_bytes: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    sync_records: list[SyncRecord] = field(default_factory=list)

    @property
    def syncs(self) -> int:
        """How many syncs the stream had."""
        return len(self.sync_records)

    def counters(self) -> dict[str, int]:
        """The counters by name, in ``COUNTERS`` order."""
        return {name: getattr(self, name) for name in COUNTERS}


class RunReport:
    """Thread-safe per-stream numbers: sinks drain in parallel threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started_at = datetime.now(UTC)
        self.streams: dict[str, StreamReport] = {}

    def add(self, stream: str, **amounts: int) -> None:
        """Add to the stream's counters, e.g. ``add("crm", read=1)``."""
        with self._lock:
            totals = self.streams.setdefault(stream, StreamReport())
            for name, amount in amounts.items():
                setattr(totals, name, getattr(totals, name) + amount)

    def add_sync(self, stream: str, sync: SyncRecord) -> None:
        """Record one sync of the stream, and add its outcome to the stream's counters."""
        with self._lock:
            totals = self.streams.setdefault(stream, StreamReport())
            totals.sync_records.append(sync)
            totals.created += sync.created
            totals.updated += sync.updated
            totals.rejected += sync.rejected

    def rejected(self) -> int:
        """Records rejected so far in the run, all streams together."""
        with self._lock:
            return sum(totals.rejected for totals in self.streams.values())

    def table(self) -> str:
        """The counters as a small fixed-width table: one row per stream, then the totals."""
        rows = [["stream", *COUNTERS]]
        with self._lock:
            for stream, totals in sorted(self.streams.items()):
                rows.append([stream, *map(str, totals.counters().values())])
            if len(self.streams) > 1:
                rows.append(["total", *map(str, self._totals().values())])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        )

    def summary(self, *, exit_code: int, error: str | None = None) -> dict[str, Any]:
        """The run summary written to ``summary_path``."""
        ended_at = datetime.now(UTC)
        with self._lock:
            streams = {
                stream: {
                    **totals.counters(),
                    "syncs": [asdict(sync) for sync in totals.sync_records],
                }
                for stream, totals in sorted(self.streams.items())
            }
            totals = self._totals()
        return {
            "status": "succeeded" if exit_code == 0 else "failed",
            "exit_code": exit_code,
            "error": error,
            "started_at": self.started_at.isoformat(),
            "ended_at": ended_at.isoformat(),
            "seconds": round((ended_at - self.started_at).total_seconds(), 3),
            "streams": streams,
            "totals": totals,
        }

    def _totals(self) -> dict[str, int]:
        return {
            name: sum(totals.counters()[name] for totals in self.streams.values())
            for name in COUNTERS
        }


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    """Write the summary as indented JSON, replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
