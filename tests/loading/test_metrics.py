"""The run's metrics: requests counted by endpoint and logged at DEBUG, each sync's duration."""

from __future__ import annotations

import json
import logging

import pytest

from target_eloqua.loading.metrics import RequestStats, log_sync_duration


def test_requests_are_counted_by_endpoint_with_their_failures_and_latency() -> None:
    stats = RequestStats(logging.getLogger("test"))
    hook = stats.hook("crm_accounts")
    hook("GET", "/syncs/{id}", 200, 0.010)
    hook("GET", "/syncs/{id}", 503, 0.030)
    stats.hook()("GET", "/id", 200, 0.002)

    assert stats.summary() == {
        "GET /id": {"requests": 1, "failed": 0, "seconds": 0.002, "mean_ms": 2.0, "max_ms": 2.0},
        "GET /syncs/{id}": {
            "requests": 2,
            "failed": 1,
            "seconds": 0.04,
            "mean_ms": 20.0,
            "max_ms": 30.0,
        },
    }
    lines = stats.lines()
    assert lines[0] == "Requests to Eloqua: 3 in 0.0 s, by endpoint:"
    assert [line.split() for line in lines[1:]] == [
        ["endpoint", "requests", "failed", "seconds", "mean_ms", "max_ms"],
        ["GET", "/id", "1", "0", "0.002", "2.0", "2.0"],
        ["GET", "/syncs/{id}", "2", "1", "0.04", "20.0", "30.0"],
    ]


def test_each_request_is_logged_at_debug_only(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.requests")
    caplog.set_level(logging.DEBUG, logger="test.requests")

    RequestStats(logger).hook("crm_accounts")("POST", "/syncs", 201, 0.0042)

    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.DEBUG, "POST /syncs answered 201 in 4.2 ms (stream 'crm_accounts')")
    ]


def test_no_requests_no_lines() -> None:
    assert RequestStats(logging.getLogger("test")).lines() == []


def test_a_sync_is_a_job_duration_metric_with_its_tags(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.metrics")
    caplog.set_level(logging.INFO, logger="test.metrics")

    log_sync_duration(logger, "crm_accounts", "success", 1.5)

    [record] = caplog.records
    point = json.loads(record.getMessage().split("METRIC: ", 1)[1])
    assert (point["metric"], point["value"]) == ("job_duration", 1.5)
    tags = {"stream": "crm_accounts", "job_type": "eloqua_sync", "status": "success"}
    assert point["tags"] == tags
