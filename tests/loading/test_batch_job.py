"""A batch job's log of the wait for its sync: each status at DEBUG, a long sync at INFO."""

from __future__ import annotations

import logging

import pytest

from target_eloqua.loading.batch_job import SyncWaitLog


def test_each_new_status_is_a_debug_line_and_a_long_sync_an_info_line_now_and_then(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="test.wait")
    wait_log = SyncWaitLog(logging.getLogger("test.wait"), "crm_accounts", 5000)

    for status, seconds in [
        ("pending", 0.0),
        ("active", 1.5),
        ("active", 30.0),
        ("active", 61.0),
        ("active", 91.0),
        ("active", 360.0),
        ("active", 361.0),
        ("success", 390.0),
    ]:
        wait_log({"uri": "/syncs/7", "status": status}, seconds)

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("DEBUG", "Stream 'crm_accounts': sync /syncs/7 is pending after 0.0 s (5000 rows)"),
        ("DEBUG", "Stream 'crm_accounts': sync /syncs/7 is active after 1.5 s (5000 rows)"),
        ("INFO", "Stream 'crm_accounts': sync /syncs/7 is still active after 61 s (5000 rows)"),
        ("INFO", "Stream 'crm_accounts': sync /syncs/7 is still active after 361 s (5000 rows)"),
    ]
