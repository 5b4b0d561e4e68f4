"""singer-sdk's own lines for each drain, logged at DEBUG, so that the default log tells the run.

At INFO, the SDK logs a line each time a sink is full, a ``batch_processing_time`` metric at
each drain (the time to hand the batch to the sync pipeline, not to load it) and a
``record_count`` metric per stream every minute and at the end of the input (the records read,
which the run's table counts). The run logs each sync's own lines and its ``job_duration``
metric (``loading.metrics``) instead. These lines are demoted to DEBUG by logging filters, the
public way the SDK offers (``MetricExclusionFilter``): they show when the target's logger is
enabled for DEBUG.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from singer_sdk.metrics import Metric, MetricExclusionFilter

SDK_FULL_SINK_LINE = "Target sink for '%s' is full. Current size is '%s'. Draining..."
"""The SDK's line (``Target._process_record_message``) before it drains a full sink."""

DRAIN_METRICS = MetricExclusionFilter(metrics=[Metric.BATCH_PROCESSING_TIME, Metric.RECORD_COUNT])
"""Keeps every record but the SDK's metrics of drains and records read."""


class DemotedToDebug(logging.Filter):
    """Logs the records that ``matches`` at DEBUG: shown only when ``shown_by`` (the target's
    logger, which follows the run's log level) is enabled for DEBUG.
    """

    def __init__(self, matches: Callable[[logging.LogRecord], bool], shown_by: logging.Logger):
        super().__init__()
        self.matches = matches
        self.shown_by = shown_by

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether the record is logged; a matching one is made a DEBUG record first."""
        if not self.matches(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return self.shown_by.isEnabledFor(logging.DEBUG)


def demote_sdk_drain_lines(target_logger: logging.Logger, metrics_logger: logging.Logger) -> None:
    """Log the SDK's lines for each drain at DEBUG (once per logger, however many targets)."""
    demoted: list[tuple[logging.Logger, Callable[[logging.LogRecord], bool]]] = [
        (target_logger, lambda record: record.msg == SDK_FULL_SINK_LINE),
        (metrics_logger, lambda record: not DRAIN_METRICS.filter(record)),
    ]
    for logger, matches in demoted:
        if not any(isinstance(f, DemotedToDebug) for f in logger.filters):
            logger.addFilter(DemotedToDebug(matches, shown_by=target_logger))
