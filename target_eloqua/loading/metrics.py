"""The run's metrics: its requests to Eloqua counted by endpoint, and each sync's duration.

Each request is logged at DEBUG only: a line per request would bury the run's story (a sync
alone makes several). Their counts and latencies by endpoint end the run's log as a table and go
into the run summary; each sync's duration is singer-sdk's ``job_duration`` metric.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from singer_sdk import metrics
from singer_sdk.metrics import Metric, Point, Tag

from target_eloqua.bulk.client import ResponseHook
from target_eloqua.loading.report import format_table


@dataclass
class _EndpointRequests:
    count: int = 0
    failed: int = 0
    seconds: float = 0.0
    longest: float = 0.0


class RequestStats:
    """How many requests the run made to each endpoint (``GET /syncs/{id}``), how many failed
    (an answer of 400 or more, retried or not), and how long they took. Thread-safe.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._lock = threading.Lock()
        self._by_endpoint: dict[str, _EndpointRequests] = {}

    def hook(self, stream: str | None = None) -> ResponseHook:
        """A hook that counts each answer, and logs it at DEBUG (with ``stream``, if given)."""
        about = f" (stream '{stream}')" if stream is not None else ""

        def on_response(method: str, endpoint: str, status: int, seconds: float) -> None:
            self.add(f"{method} {endpoint}", status, seconds)
            self.logger.debug(
                "%s %s answered %d in %.1f ms%s", method, endpoint, status, seconds * 1000, about
            )

        return on_response

    def add(self, endpoint: str, status: int, seconds: float) -> None:
        """Count one answer from ``endpoint``."""
        with self._lock:
            requests = self._by_endpoint.setdefault(endpoint, _EndpointRequests())
            requests.count += 1
            requests.failed += status >= 400
            requests.seconds += seconds
            requests.longest = max(requests.longest, seconds)

    def summary(self) -> dict[str, dict[str, Any]]:
        """By endpoint, in name order: ``requests``, ``failed``, ``seconds`` in all, and the
        mean and longest in milliseconds.
        """
        with self._lock:
            return {
                endpoint: {
                    "requests": r.count,
                    "failed": r.failed,
                    "seconds": round(r.seconds, 3),
                    "mean_ms": round(r.seconds * 1000 / r.count, 1),
                    "max_ms": round(r.longest * 1000, 1),
                }
                for endpoint, r in sorted(self._by_endpoint.items())
            }

    def lines(self) -> list[str]:
        """The summary as lines of the log: a sentence, then a table; none without requests."""
        summary = self.summary()
        if not summary:
            return []
        columns = ["requests", "failed", "seconds", "mean_ms", "max_ms"]
        rows = [["endpoint", *columns]]
        rows += [[endpoint, *(str(r[c]) for c in columns)] for endpoint, r in summary.items()]
        count = sum(r["requests"] for r in summary.values())
        seconds = sum(r["seconds"] for r in summary.values())
        return [
            f"Requests to Eloqua: {count} in {seconds:.1f} s, by endpoint:",
            *format_table(rows).splitlines(),
        ]


def log_sync_duration(
    metrics_logger: logging.Logger, stream: str, status: str, seconds: float
) -> None:
    """Log a sync's duration, from its creation to its end, as a ``job_duration`` metric."""
    tags: dict[str, Any] = {Tag.STREAM: stream, Tag.JOB_TYPE: "eloqua_sync", Tag.STATUS: status}
    metrics.log(metrics_logger, Point("timer", Metric.JOB_DURATION, seconds, tags))
