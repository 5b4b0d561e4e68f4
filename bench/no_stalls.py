"""How much of Eloqua's sync time the target hides: ten drains of one stream, syncs of 3 s.

The same input is loaded twice into a fresh emulator whose syncs take SYNC_SECONDS: once with
``max_syncs_per_stream: 1`` (each drain waits for the previous sync before it uploads), once
with the default (the next batch uploads to a second definition while a sync runs). Prints both
wall times and their ratio.

    .venv/bin/python bench/no_stalls.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from target_eloqua.emulator import DEFAULT_PASSWORD, EloquaInstance, EmulatorServer

SYNC_SECONDS = 3.0
DRAINS = 10
BATCH_ROWS = 1000
TARGET = str(Path(sys.executable).with_name("target-eloqua"))


def input_lines() -> str:
    """One accounts stream, DRAINS batches of distinct accounts, then a STATE."""
    schema = {
        "type": "SCHEMA",
        "stream": "accounts",
        "key_properties": ["id"],
        "schema": {"properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
    }
    records = (
        {"type": "RECORD", "stream": "accounts", "record": {"id": f"A{n}", "name": f"Co {n}"}}
        for n in range(DRAINS * BATCH_ROWS)
    )
    state = {"type": "STATE", "value": {"bookmarks": {"accounts": DRAINS * BATCH_ROWS}}}
    return "".join(json.dumps(message) + "\n" for message in (schema, *records, state))


def config(url: str, syncs_per_stream: int) -> dict[str, Any]:
    return {
        "company": "ACME",
        "username": "API.User",
        "password": DEFAULT_PASSWORD,
        "login_url": url,
        "batch_size_rows": BATCH_ROWS,
        "poll_interval_seconds": 0.25,
        "max_syncs_per_stream": syncs_per_stream,
        "streams": {
            "accounts": {
                "entity": "accounts",
                "identifier": "id",
                "fields": {"id": "CompanyIDExt", "name": "M_CompanyName"},
            }
        },
    }


def timed_run(syncs_per_stream: int, lines: str, workdir: Path) -> float:
    """Seconds one run of the target takes; fails loudly if the run does."""
    with EmulatorServer(EloquaInstance(sync_seconds=SYNC_SECONDS)) as emulator:
        config_file = workdir / f"config-{syncs_per_stream}.json"
        config_file.write_text(json.dumps(config(emulator.url, syncs_per_stream)))
        started = time.monotonic()
        run = subprocess.run(
            [TARGET, "--config", str(config_file)],
            input=lines,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        seconds = time.monotonic() - started
    if run.returncode != 0 or not run.stdout.strip():
        sys.exit(f"the run failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return seconds


def main() -> None:
    lines = input_lines()
    with tempfile.TemporaryDirectory() as workdir:
        waiting = timed_run(1, lines, Path(workdir))
        overlapping = timed_run(2, lines, Path(workdir))
    print(f"{DRAINS} drains of {BATCH_ROWS} rows, syncs of {SYNC_SECONDS:g} s")
    print(f"{'each drain waits for its sync (max_syncs_per_stream 1)':<58} {waiting:6.1f} s")
    print(f"{'next batch uploads while a sync runs (default, 2)':<58} {overlapping:6.1f} s")
    print(f"{'ratio':<58} {overlapping / waiting:6.0%}")


if __name__ == "__main__":
    main()
