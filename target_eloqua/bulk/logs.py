"""What a sync's logs (``GET /syncs/{id}/logs``) say it did, from their ELQ status codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PROCESSED = frozenset({"ELQ-00001"})
CREATED = frozenset({"ELQ-00004", "ELQ-00005", "ELQ-00007"})  # contacts, accounts, custom objects
UPDATED = frozenset({"ELQ-00022", "ELQ-00023", "ELQ-00012"})
REJECTED = frozenset({"ELQ-00060"})


@dataclass(frozen=True)
class SyncCounts:
    """The records a sync processed, created, updated and rejected."""

    processed: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0


def count_sync_logs(logs: Iterable[Mapping[str, Any]]) -> SyncCounts:
    """Add up the counters of a sync's log items."""
    totals = {"processed": 0, "created": 0, "updated": 0, "rejected": 0}
    for item in logs:
        code, count = item.get("statusCode"), int(item.get("count") or 0)
        for name, codes in (
            ("processed", PROCESSED),
            ("created", CREATED),
            ("updated", UPDATED),
            ("rejected", REJECTED),
        ):
            if code in codes:
                totals[name] += count
    return SyncCounts(**totals)


def problem_messages(logs: Iterable[Mapping[str, Any]]) -> list[str]:
    """Eloqua's warning and error lines of a sync, as ``ELQ-xxxxx: message (count)``."""
    return [
        f"{item.get('statusCode')}: {item.get('message')} ({item.get('count')})"
        for item in logs
        if item.get("severity") in ("warning", "error")
    ]
