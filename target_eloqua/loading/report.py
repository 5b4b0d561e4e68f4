"""The run's numbers: per stream and per sync, logged as a table and written as a JSON summary."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from target_eloqua.loading.rejects import RejectTally

COUNTERS = (
    "read",
    "merged",
    "skipped",
    "unchanged",
    "unmatched",
    "uploaded",
    "uploaded_bytes",
    "syncs",
    "created",
    "updated",
    "matched",
    "rejected",
    "verified",
    "mismatched",
    "list_added",
    "list_removed",
    "subscriptions_changed",
    "marked_bounced",
)
"""The per-stream counters, in the order the table and the summary show them. Every record read
is one of: created, updated, matched, rejected, merged, skipped, unchanged or unmatched (see
``StreamReport``); what sync actions did (``list_added`` to ``marked_bounced``) stands apart.
"""

ACTION_COUNTERS = ("list_added", "list_removed", "subscriptions_changed", "marked_bounced")
"""What a sync's actions did, from its logs: members added to lists and removed from them,
subscriptions set, email addresses marked as bounced."""


@dataclass(frozen=True)
class SyncRecord:
    """One sync of the run: what was staged for it, and how it ended.

    ``status`` is Eloqua's final status; ``timeout`` for a sync the target stopped waiting
    for; ``unknown`` for one whose end the target did not see.
    """

    UNFINISHED: ClassVar[tuple[str, ...]] = ("unknown", "timeout")
    """The statuses of a sync that Eloqua may still be running: the run did not see it end."""

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
    unmatched: int = 0
    """Rows that ``import_rule`` (updateOnly, createOnly) left alone, or that matched no record
    for sync actions only to act on."""
    linked: int | None = None
    """Custom object records linked to a contact or account (``None`` without map_data_cards)."""
    matched: int = 0
    """Records of sync actions only that matched an Eloqua record, which the actions were taken
    on."""
    list_added: int = 0
    list_removed: int = 0
    subscriptions_changed: int = 0
    marked_bounced: int = 0
    mirror: bool = False
    """Whether the sync removed list members no version sent (``mirror``): its rows are not
    records read, so only what its actions did counts in the stream's numbers."""


@dataclass
class StreamReport:
    """What happened to one stream's records in this run.

    In a run that ends well, every record read is accounted for: ``read`` = ``created`` +
    ``updated`` + ``matched`` + ``rejected`` + ``merged`` + ``skipped`` + ``unchanged`` +
    ``unmatched``.
    """

    read: int = 0
    merged: int = 0
    """Records replaced by a later one with the same identifier in their batch."""
    skipped: int = 0
    """Records of a stream without a mapping, under ``unmapped_streams: skip``."""
    unchanged: int = 0
    """Records whose row is the one last loaded for their identifier (``change_store``): not
    sent."""
    refused: int = 0
    """Records the target rejected itself, never sent (no identifier): part of ``rejected``."""
    uploaded: int = 0
    uploaded_bytes: int = 0
    verified: int = 0
    """Records read back from Eloqua and compared with what was sent (``verify``)."""
    mismatched: int = 0
    """Of those, records read back different, or not found."""
    verify_seconds: float = 0.0
    sync_records: list[SyncRecord] = field(default_factory=list)

    @property
    def syncs(self) -> int:
        """How many syncs the stream had."""
        return len(self.sync_records)

    @property
    def created(self) -> int:
        """Records the stream's syncs created."""
        return sum(sync.created for sync in self._loads())

    @property
    def updated(self) -> int:
        """Records the stream's syncs updated."""
        return sum(sync.updated for sync in self._loads())

    @property
    def matched(self) -> int:
        """Records the stream's syncs of sync actions only matched and took the actions on."""
        return sum(sync.matched for sync in self._loads())

    @property
    def rejected(self) -> int:
        """Records the stream's syncs rejected, and those the target did (``refused``)."""
        return self.refused + sum(sync.rejected for sync in self._loads())

    @property
    def unmatched(self) -> int:
        """Rows the stream's syncs left alone under its ``import_rule``, or that matched no
        record for its sync actions."""
        return sum(sync.unmatched for sync in self._loads())

    def _loads(self) -> list[SyncRecord]:
        """The syncs of the stream's records (not those of ``mirror``)."""
        return [sync for sync in self.sync_records if not sync.mirror]

    def unlinked(self) -> tuple[int, int] | None:
        """Records loaded by the syncs that link them (map_data_cards), and how many of them
        were linked to nothing; ``None`` when no sync links records.
        """
        linking = [sync for sync in self.sync_records if sync.linked is not None]
        if not linking:
            return None
        loaded = sum(sync.created + sync.updated for sync in linking)
        return loaded, max(0, loaded - sum(sync.linked or 0 for sync in linking))

    def counters(self) -> dict[str, int]:
        """The counters by name, in ``COUNTERS`` order; what sync actions did is added up over
        every sync, those of ``mirror`` included."""
        return {
            name: sum(getattr(sync, name) for sync in self.sync_records)
            if name in ACTION_COUNTERS
            else getattr(self, name)
            for name in COUNTERS
        }


class RunReport:
    """Thread-safe per-stream numbers: sinks drain in parallel threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started_at = datetime.now(UTC)
        self.streams: dict[str, StreamReport] = {}
        self._rejects: dict[str, RejectTally] = {}
        self._merged: dict[str, RejectTally] = {}

    def add(self, stream: str, **amounts: float) -> None:
        """Add to the stream's counters, e.g. ``add("crm", read=1)``."""
        with self._lock:
            totals = self.streams.setdefault(stream, StreamReport())
            for name, amount in amounts.items():
                setattr(totals, name, getattr(totals, name) + amount)

    def record_sync(self, stream: str, sync: SyncRecord) -> None:
        """Record a sync of the stream as it is now: a sync already recorded under the same
        uri is replaced, so that a sync is in the report from its creation to its end.
        """
        with self._lock:
            records = self.streams.setdefault(stream, StreamReport()).sync_records
            known = [n for n, record in enumerate(records) if record.uri == sync.uri]
            if known:
                records[known[0]] = sync
            else:
                records.append(sync)

    def add_rejects(self, stream: str, tally: RejectTally) -> None:
        """Count one sync's rejects per status code, for the stream's lines in the log."""
        with self._lock:
            self._rejects.setdefault(stream, RejectTally()).merge(tally)

    def reject_summary(self) -> list[str]:
        """Per stream and status code, the records rejected in the run, with a few
        identifier values: ``Stream 'crm' rejected 2 records ELQ-00002 (...), e.g. ...``.
        """
        with self._lock:
            return [
                f"Stream '{stream}' rejected {line}"
                for stream, tally in sorted(self._rejects.items())
                for line in tally.lines()
            ]

    def reject_tallies(self) -> dict[str, RejectTally]:
        """Each stream's rejects per status code, copied, in stream name order."""
        with self._lock:
            copies = {stream: RejectTally() for stream in sorted(self._rejects)}
            for stream, copy in copies.items():
                copy.merge(self._rejects[stream])
        return copies

    def add_merged(self, stream: str, tally: RejectTally) -> None:
        """Note a few identifiers of the stream's merged records, for its line in the log."""
        with self._lock:
            self._merged.setdefault(stream, RejectTally()).merge(tally)

    def merge_summary(self) -> list[str]:
        """Per stream, the records merged in the run, with a few identifier values:
        ``Stream 'crm' merged 2 records into a later one with the same identifier, e.g. ...``.
        """
        with self._lock:
            return [
                f"Stream '{stream}' merged {count} record{'s' if count != 1 else ''} into a "
                f"later one with the same identifier, e.g. {', '.join(tally.samples[code])}"
                for stream, tally in sorted(self._merged.items())
                for code, count in tally.counts.items()
            ]

    def link_summary(self) -> list[str]:
        """Per stream whose records are linked (map_data_cards), how many were linked to
        nothing: Eloqua's logs count the records linked.
        """
        lines = []
        with self._lock:
            for stream, totals in sorted(self.streams.items()):
                counts = totals.unlinked()
                if counts is not None and counts[1]:
                    lines.append(
                        f"Stream '{stream}': {counts[1]} of {counts[0]} records loaded were "
                        "linked to no contact or account (map_data_cards found no match)"
                    )
        return lines

    def rejected(self) -> int:
        """Records rejected so far in the run, all streams together."""
        with self._lock:
            return sum(totals.rejected for totals in self.streams.values())

    def mismatched(self) -> int:
        """Records read back different from what was sent so far, all streams together."""
        with self._lock:
            return sum(totals.mismatched for totals in self.streams.values())

    def unfinished_syncs(self) -> list[tuple[str, SyncRecord]]:
        """The syncs the run did not see end, with their streams: Eloqua finishes them."""
        with self._lock:
            return self._unfinished_syncs()

    def table(self) -> str:
        """The counters as a small fixed-width table: one row per stream, then the totals.

        Its columns are ``read`` and the counters that are not 0 in every stream, so that the
        log stays narrow; the summary (``summary_path``) has them all.
        """
        with self._lock:
            rows = {stream: totals.counters() for stream, totals in sorted(self.streams.items())}
            if len(self.streams) > 1:
                rows["total"] = self._totals()
        columns = [c for c in COUNTERS if c == "read" or any(r[c] for r in rows.values())]
        return format_table(
            [["stream", *columns]]
            + [[name, *(str(counts[c]) for c in columns)] for name, counts in rows.items()]
        )

    def summary(
        self,
        *,
        exit_code: int,
        error: str | None = None,
        requests: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The run summary written to ``summary_path``, with the run's ``requests`` to Eloqua by
        endpoint.
        """
        ended_at = datetime.now(UTC)
        with self._lock:
            streams = {
                stream: {
                    **totals.counters(),
                    "verify_seconds": round(totals.verify_seconds, 3),
                    "syncs": [asdict(sync) for sync in totals.sync_records],
                }
                for stream, totals in sorted(self.streams.items())
            }
            totals = self._totals()
            unfinished = [
                {"stream": stream, "uri": sync.uri, "status": sync.status}
                for stream, sync in self._unfinished_syncs()
            ]
        return {
            "status": "succeeded" if exit_code == 0 else "failed",
            "exit_code": exit_code,
            "error": error,
            "started_at": self.started_at.isoformat(),
            "ended_at": ended_at.isoformat(),
            "seconds": round((ended_at - self.started_at).total_seconds(), 3),
            "streams": streams,
            "totals": totals,
            "requests": requests or {},
            "unfinished_syncs": unfinished,
        }

    def _unfinished_syncs(self) -> list[tuple[str, SyncRecord]]:
        return [
            (stream, sync)
            for stream, totals in sorted(self.streams.items())
            for sync in totals.sync_records
            if sync.status in SyncRecord.UNFINISHED
        ]

    def _totals(self) -> dict[str, int]:
        per_stream = [totals.counters() for totals in self.streams.values()]
        return {name: sum(counters[name] for counters in per_stream) for name in COUNTERS}


def format_table(rows: list[list[str]]) -> str:
    """Rows of cells as a fixed-width table, its columns two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    """Write the summary as indented JSON, replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


def error_text(error: BaseException) -> str:
    """What the summary says went wrong: the message, with each problem of a config error."""
    problems = getattr(error, "errors", None)  # the SDK's ConfigValidationError lists them
    if isinstance(problems, list):
        return "\n".join([str(error), *map(str, problems)])
    return str(error) or type(error).__name__


def exit_code_of(error: BaseException) -> int:
    """The exit status a run that ended with ``error`` has."""
    if isinstance(error, SystemExit):
        return error.code if isinstance(error.code, int) else int(error.code is not None)
    return 1
