"""singer-sdk's lines for each drain: left out of the log at INFO, DEBUG lines at DEBUG."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from singer_sdk import metrics
from singer_sdk.metrics import Metric, Point

from target_eloqua.loading.metrics import log_sync_duration
from target_eloqua.loading.sdk_log import SDK_FULL_SINK_LINE, demote_sdk_drain_lines


@pytest.fixture
def loggers() -> Iterator[tuple[logging.Logger, logging.Logger]]:
    """A target's logger and a metrics logger at INFO (as the SDK sets it by default), with
    the SDK's drain lines demoted.
    """
    target_logger = logging.getLogger("test-target")
    metrics_logger = logging.getLogger("test-metrics")
    metrics_logger.setLevel(logging.INFO)
    demote_sdk_drain_lines(target_logger, metrics_logger)
    demote_sdk_drain_lines(target_logger, metrics_logger)  # a second target in the process
    yield target_logger, metrics_logger
    for logger in (target_logger, metrics_logger):
        logger.filters.clear()
        logger.setLevel(logging.NOTSET)


def logged_drain(
    loggers: tuple[logging.Logger, logging.Logger], caplog: pytest.LogCaptureFixture
) -> list[tuple[str, str]]:
    """What the SDK logs for a drain and at the end of the input, then a sync's metric: the
    records logged, as (level, metric name or message).
    """
    target_logger, metrics_logger = loggers
    target_logger.info(SDK_FULL_SINK_LINE, "crm_accounts", 10000)
    metrics.log(metrics_logger, Point("timer", Metric.BATCH_PROCESSING_TIME, 0.1))
    metrics.log(metrics_logger, Point("counter", Metric.RECORD_COUNT, 10000))
    log_sync_duration(metrics_logger, "crm_accounts", "success", 12.5)
    return [
        (r.levelname, r.args[0].metric if isinstance(r.args[0], Point) else r.getMessage())
        for r in caplog.records
        if isinstance(r.args, tuple)
    ]


def test_at_info_only_the_syncs_metric_is_logged(
    loggers: tuple[logging.Logger, logging.Logger], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="test-target")

    assert logged_drain(loggers, caplog) == [("INFO", Metric.JOB_DURATION)]


def test_at_debug_the_drains_lines_are_debug_lines(
    loggers: tuple[logging.Logger, logging.Logger], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="test-target")

    assert logged_drain(loggers, caplog) == [
        ("DEBUG", "Target sink for 'crm_accounts' is full. Current size is '10000'. Draining..."),
        ("DEBUG", Metric.BATCH_PROCESSING_TIME),
        ("DEBUG", Metric.RECORD_COUNT),
        ("INFO", Metric.JOB_DURATION),
    ]
