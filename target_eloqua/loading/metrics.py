"""The run's metrics, as singer-sdk's metric lines: each answer from Eloqua, and each sync."""

from __future__ import annotations

import logging
from typing import Any

from singer_sdk import metrics
from singer_sdk.metrics import Metric, Point, Tag

from target_eloqua.bulk.client import ResponseHook


def request_metric(metrics_logger: logging.Logger, stream: str | None = None) -> ResponseHook:
    """A hook that logs each answer from Eloqua as an ``http_request_duration`` metric, tagged
    with ``stream`` if given.
    """

    def log_request(method: str, endpoint: str, status: int, seconds: float) -> None:
        tags: dict[str, Any] = {Tag.ENDPOINT: f"{method} {endpoint}", Tag.HTTP_STATUS_CODE: status}
        if stream is not None:
            tags[Tag.STREAM] = stream
        metrics.log(metrics_logger, Point("timer", Metric.HTTP_REQUEST_DURATION, seconds, tags))

    return log_request


def log_sync_duration(
    metrics_logger: logging.Logger, stream: str, status: str, seconds: float
) -> None:
    """Log a sync's duration, from its creation to its end, as a ``job_duration`` metric."""
    tags: dict[str, Any] = {Tag.STREAM: stream, Tag.JOB_TYPE: "eloqua_sync", Tag.STATUS: status}
    metrics.log(metrics_logger, Point("timer", Metric.JOB_DURATION, seconds, tags))
