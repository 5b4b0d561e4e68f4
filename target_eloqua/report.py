"""The run's numbers per stream, collected by the sinks and logged as a table at the end."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields

from target_eloqua.bulk.logs import SyncCounts


@dataclass
class StreamTotals:
    """What happened to one stream's records in this run."""

    read: int = 0
    merged: int = 0
    uploaded: int = 0
    uploaded_bytes: int = 0
    syncs: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0


class RunReport:
    """Thread-safe per-stream totals: sinks drain in parallel threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.streams: dict[str, StreamTotals] = {}

    def add(self, stream: str, **amounts: int) -> None:
        """Add to the stream's counters, e.g. ``add("crm", read=1)``."""
        with self._lock:
            totals = self.streams.setdefault(stream, StreamTotals())
            for name, amount in amounts.items():
                setattr(totals, name, getattr(totals, name) + amount)

    def add_sync(self, stream: str, counts: SyncCounts) -> None:
        """Count one finished sync of the stream."""
        self.add(
            stream,
            syncs=1,
            created=counts.created,
            updated=counts.updated,
            rejected=counts.rejected,
        )

    def table(self) -> str:
        """The totals as a small fixed-width table, one row per stream."""
        columns = [field.name for field in fields(StreamTotals)]
        rows = [["stream", *columns]]
        with self._lock:
            for stream, totals in sorted(self.streams.items()):
                rows.append([stream, *(str(getattr(totals, name)) for name in columns)])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            for row in rows
        )
