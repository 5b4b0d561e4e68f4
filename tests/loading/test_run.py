"""The run object that sinks and batch jobs share: here, how it counts rejects against
``max_rejects`` and tells the error that ends the run."""

from __future__ import annotations

import logging
from typing import Any

from target_eloqua.bulk.auth import EloquaBasicAuth
from target_eloqua.bulk.connection import Connection
from target_eloqua.errors import TooManyRejectsError
from target_eloqua.loading.metrics import RequestStats
from target_eloqua.loading.report import SyncRecord
from target_eloqua.loading.run import Run
from target_eloqua.settings import CONFIG_SCHEMA

logger = logging.getLogger(__name__)
DEFAULTS = {
    name: spec["default"] for name, spec in CONFIG_SCHEMA["properties"].items() if "default" in spec
}


def new_run(**config: Any) -> Run:
    connection = Connection(
        "https://login.example.com",
        EloquaBasicAuth("Company", "user", "secret"),
        base_url="https://pod.example.com",
    )
    return Run(
        {**DEFAULTS, **config},
        connection,
        write_state=lambda state: None,
        flush_earlier_entities=lambda load_rank: None,
        logger=logger,
        metrics_logger=logger,
        requests=RequestStats(logger),
    )


def rejecting_sync(uri: str, rejected: int) -> SyncRecord:
    return SyncRecord(uri, "/contacts/imports/1", "warning", 1.0, 10, 1, 100, rejected=rejected)


def test_the_sync_that_goes_over_max_rejects_fails_and_those_before_it_do_not() -> None:
    run = new_run(max_rejects=3)

    assert run.count_rejects(rejected=2) is None
    error = run.count_rejects(rejected=2)

    assert isinstance(error, TooManyRejectsError)
    assert str(error).startswith("4 records rejected in this run, more than max_rejects (3)")


def test_the_ending_error_counts_the_rejects_of_every_sync_the_run_saw_end() -> None:
    run = new_run(max_rejects=1, rejects_path="out/rejects.jsonl")
    run.report.record_sync("people", rejecting_sync("/syncs/1", rejected=2))
    first = run.count_rejects(rejected=2)
    run.report.record_sync("people", rejecting_sync("/syncs/2", rejected=3))
    run.count_rejects(rejected=3)
    assert first is not None

    ending = run.ending_error(first)

    assert str(first).startswith("2 records rejected")
    assert str(ending) == (
        "5 records rejected in this run, more than max_rejects (1); they are listed in "
        "out/rejects.jsonl"
    )


def test_other_errors_end_the_run_as_they_are() -> None:
    error = ValueError("bad input")

    assert new_run().ending_error(error) is error
