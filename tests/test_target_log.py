"""End to end: what the log of a run holds by default (INFO), and what only DEBUG adds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    COMPANIES,
    COMPANIES_MAPPING,
    admin,
    company_messages,
    emulator_config,
    run_target,
)

NAMES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")
"""Five records, which batches of two load in three syncs."""

PATHS = {
    "the target's fast path": {},
    "the SDK's path": {"flattening_enabled": True, "flattening_max_depth": 1},
}
"""Settings that send the records through each path: flattening takes the SDK's own."""


def multi_batch_run(
    emulator: EmulatorServer, tmp_path: Path, env: dict[str, str] | None = None, **settings: Any
) -> list[tuple[str, str]]:
    """Load ``NAMES`` in batches of two; the log's lines as (level, message)."""
    config = emulator_config(
        emulator, batch_size_rows=2, streams={COMPANIES: COMPANIES_MAPPING}, **settings
    )
    run = run_target(config, company_messages(*NAMES, state={"done": True}), tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert run.states == [{"done": True}]
    fields = [line.split(" | ") for line in run.stderr.splitlines()]
    return [(f[1].strip(), f[-1]) for f in fields if len(f) == 4]


def metrics(lines: list[tuple[str, str]]) -> list[tuple[str, dict[str, Any]]]:
    """The metric lines' levels and points."""
    return [
        (level, json.loads(message.split("METRIC: ", 1)[1]))
        for level, message in lines
        if message.startswith("METRIC: ")
    ]


@pytest.mark.parametrize("settings", PATHS.values(), ids=PATHS.keys())
def test_the_default_log_has_one_metric_and_two_lines_per_sync(
    emulator: EmulatorServer, tmp_path: Path, settings: dict[str, Any]
) -> None:
    lines = multi_batch_run(emulator, tmp_path, **settings)

    syncs = [sync["uri"] for sync in admin(emulator, "syncs")]
    assert len(syncs) == 3
    assert {level for level, _ in lines} == {"INFO"}
    job = {"stream": COMPANIES, "job_type": "eloqua_sync", "status": "success"}
    assert [(p["metric"], p["tags"]) for _, p in metrics(lines)] == [("job_duration", job)] * 3
    for uri in syncs:
        told = [message for _, message in lines if f"sync {uri} " in message]
        assert len(told) == 2, told
        assert told[0].startswith(f"Stream '{COMPANIES}': created sync {uri} for ")
        assert told[1].startswith(f"Stream '{COMPANIES}': sync {uri} ended success in ")
    messages = [message for _, message in lines]
    left_out = (" is pending after ", " is active after ", " is full", "Uploaded part")
    assert not [m for m in messages if any(words in m for words in left_out)]
    assert [COMPANIES, "5", "5"] in [m.split()[:3] for m in messages]  # the run's table
    assert [m for m in messages if m.startswith("Requests to Eloqua: ")]


def test_debug_adds_each_status_upload_drain_and_the_sdks_metrics(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    debug = {"TARGET_ELOQUA_LOGLEVEL": "DEBUG"}

    lines = multi_batch_run(emulator, tmp_path, env=debug, **PATHS["the SDK's path"])

    debug_lines = [message for level, message in lines if level == "DEBUG"]
    for uri in (sync["uri"] for sync in admin(emulator, "syncs")):
        assert any(f"sync {uri} is pending after " in m for m in debug_lines)
    assert len([m for m in debug_lines if m.startswith("Uploaded part 1: ")]) == 3
    assert len([m for m in debug_lines if m.startswith("Target sink for 'companies' is full")]) == 2
    drain_metrics = [
        (level, p["metric"]) for level, p in metrics(lines) if p["metric"] != "job_duration"
    ]
    assert sorted(drain_metrics) == [
        ("DEBUG", "batch_processing_time"),
        ("DEBUG", "batch_processing_time"),
        ("DEBUG", "batch_processing_time"),
        ("DEBUG", "record_count"),
    ]
