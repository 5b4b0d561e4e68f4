"""End to end: each STATE is written as soon as the records read before it are in Eloqua, also
during the load, and a run that fails or is stopped keeps the progress its syncs made.

The tap here is a stream of companies (Eloqua accounts) that checkpoints every few records with
a STATE whose bookmark is the number of companies sent so far; some tests add a stream of
people (contacts), which load after the companies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    COMPANIES,
    COMPANIES_MAPPING,
    CONTACTS_BY_EMAIL,
    TARGET_COMMAND,
    admin,
    emulator_config,
    plan_next_syncs,
    run_target,
    stored_companies,
    summary_in,
    wait_until,
)

PEOPLE = "people"
NAME_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}}
EMAIL_SCHEMA = {"type": "object", "properties": {"email": {"type": "string"}}}


def companies(first: int, last: int, *, state_every: int) -> Iterator[dict[str, Any]]:
    """RECORDs of companies ``first`` to ``last``, with a STATE after every ``state_every``."""
    for n in range(first, last + 1):
        yield {"type": "RECORD", "stream": COMPANIES, "record": {"name": company(n)}}
        if n % state_every == 0:
            yield {"type": "STATE", "value": bookmark(n)}


def company(n: int) -> str:
    return f"Company {n:06d}"


def bookmark(n: int) -> dict[str, Any]:
    return {"bookmarks": {COMPANIES: n}}


def schema(stream: str, properties: dict[str, Any], key: str) -> dict[str, Any]:
    return {"type": "SCHEMA", "stream": stream, "schema": properties, "key_properties": [key]}


def config(emulator: EmulatorServer, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    return emulator_config(
        emulator,
        **{
            "streams": {COMPANIES: COMPANIES_MAPPING, PEOPLE: CONTACTS_BY_EMAIL},
            "summary_path": str(tmp_path / "summary.json"),
            "rejects_path": str(tmp_path / "rejects.jsonl"),
            **settings,
        },
    )


def summary(tmp_path: Path) -> dict[str, Any]:
    return summary_in(tmp_path / "summary.json")


def records_synced(emulator: EmulatorServer) -> int:
    """Records the emulator's syncs have imported so far."""
    return sum(
        sync["counts"]["processed"]
        for sync in admin(emulator, "syncs")
        if sync["status"] in ("success", "warning")
    )


@dataclass
class Running:
    """A ``target-eloqua`` process, whose STATE lines the test reads as they are written."""

    process: subprocess.Popen[str]
    stderr_path: Path

    def next_state(self) -> Any:
        """The next STATE line, as it is written; ``None`` once stdout is closed."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def rest(self) -> tuple[list[Any], str]:
        """The STATEs still to come and the whole log, once the process has ended."""
        states = list(iter(self.next_state, None))
        self.process.wait(timeout=60)
        return states, self.stderr_path.read_text()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Any]:
    """Start ``target-eloqua`` with a config and messages; its log goes to a file, so that
    a full pipe never stalls it while the test reads stdout. Killed after 60 s, if still there.
    """
    started: list[subprocess.Popen[str]] = []
    watchdogs: list[threading.Timer] = []

    def run(config: dict[str, Any], messages: list[dict[str, Any]]) -> Running:
        config_file = tmp_path / "config.json"
        config_file.write_text(json.dumps(config))
        input_file = tmp_path / "input.jsonl"
        input_file.write_text("".join(json.dumps(m) + "\n" for m in messages))
        stderr_path = tmp_path / f"stderr-{len(started)}.log"
        with input_file.open() as stdin, stderr_path.open("w") as stderr:
            process = subprocess.Popen(
                [TARGET_COMMAND, "--config", str(config_file)],
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        started.append(process)
        watchdog = threading.Timer(60, process.kill)
        watchdog.daemon = True
        watchdog.start()
        watchdogs.append(watchdog)
        return Running(process, stderr_path)

    yield run
    for watchdog in watchdogs:
        watchdog.cancel()
    for process in started:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_state_comes_out_during_the_load_as_each_sync_ends(
    emulator: EmulatorServer, tmp_path: Path, start: Any
) -> None:
    plan_next_syncs(emulator, count=5, seconds=0.6)  # one after the other: the test reads between
    settings = {"batch_size_rows": 4000, "max_syncs_per_stream": 1}
    messages = [schema(COMPANIES, NAME_SCHEMA, "name"), *companies(1, 20_000, state_every=1000)]

    target = start(config(emulator, tmp_path, **settings), messages)
    written: list[Any] = []
    while (state := target.next_state()) is not None:
        synced = records_synced(emulator)  # at least as many as when the line was written
        written.append(state)
        count = state["bookmarks"][COMPANIES]
        assert count <= synced  # every company before the bookmark is in Eloqua
        assert count >= synced - 4000  # at most one batch behind the syncs that ended
        assert count == 20_000 or synced < 20_000  # written during the load, not at its end

    assert target.process.wait(timeout=60) == 0
    assert written == [bookmark(n) for n in (4000, 8000, 12_000, 16_000, 20_000)]
    assert len(stored_companies(emulator)) == 20_000


def people_messages(*emails: str) -> list[dict[str, Any]]:
    return [
        schema(PEOPLE, EMAIL_SCHEMA, "email"),
        *({"type": "RECORD", "stream": PEOPLE, "record": {"email": e}} for e in emails),
    ]


def sync_error(emulator: EmulatorServer) -> dict[str, Any]:
    plan_next_syncs(emulator, count=1)  # the companies' sync
    plan_next_syncs(emulator, status="error")
    return {}


def too_many_rejects(emulator: EmulatorServer) -> dict[str, Any]:
    return {"bad_email": True}


def sync_timeout(emulator: EmulatorServer) -> dict[str, Any]:
    plan_next_syncs(emulator, count=1)
    plan_next_syncs(emulator, seconds=30)
    return {"sync_timeout_seconds": 1}


def status_unreadable(emulator: EmulatorServer) -> dict[str, Any]:
    fault = {"method": "GET", "path": "/api/bulk/2.0/syncs/2", "status": 503, "retryAfter": 0}
    fault["count"] = 6  # every try
    requests.post(f"{emulator.url}/_emulator/faults", json=fault, timeout=10).raise_for_status()
    return {}


FAILURES = {
    "sync error": (sync_error, "stream 'people': sync /syncs/2 ended 'error'", "error"),
    "rejects over max_rejects": (
        too_many_rejects,
        "1 record rejected in this run, more than max_rejects (0)",
        "warning",
    ),
    "sync timeout": (
        sync_timeout,
        "stream 'people': sync /syncs/2 did not end within 1 s",
        "timeout",
    ),
    "Eloqua faults past their retries": (
        status_unreadable,
        "Eloqua answered 503",
        "unknown",
    ),
}


@pytest.mark.parametrize(("cause", "message", "status"), FAILURES.values(), ids=list(FAILURES))
def test_when_the_second_stream_fails_the_state_of_the_first_is_written(
    emulator: EmulatorServer, tmp_path: Path, cause: Any, message: str, status: str
) -> None:
    settings = cause(emulator)
    email = "not an email" if settings.pop("bad_email", False) else "ann@example.com"
    messages = [
        schema(COMPANIES, NAME_SCHEMA, "name"),
        *companies(1, 3, state_every=3),
        *people_messages(email),
        {"type": "STATE", "value": {"bookmarks": {COMPANIES: 3, PEOPLE: 1}}},
    ]

    run = run_target(config(emulator, tmp_path, **settings), messages, tmp_path)

    assert run.returncode == 1
    assert run.states == [bookmark(3)]
    assert message in run.stderr
    assert sorted(stored_companies(emulator)) == [company(n) for n in (1, 2, 3)]
    report = summary(tmp_path)
    assert [s["status"] for s in report["streams"][COMPANIES]["syncs"]] == ["success"]
    assert [s["status"] for s in report["streams"][PEOPLE]["syncs"]] == [status]
    left_running = [{"stream": PEOPLE, "uri": "/syncs/2", "status": status}]
    assert report["unfinished_syncs"] == (left_running if status in ("timeout", "unknown") else [])


def test_the_failure_message_counts_the_rejects_of_every_sync_as_the_summary_does(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, count=1, seconds=0)
    plan_next_syncs(emulator, count=1, seconds=1.5)  # ends after the first went over
    other = "partners"
    messages = [
        schema(COMPANIES, NAME_SCHEMA, "name"),
        schema(other, NAME_SCHEMA, "name"),
        *(
            {"type": "RECORD", "stream": stream, "record": {"name": "x" * 101 + str(n)}}
            for stream, count in ((COMPANIES, 2), (other, 3))
            for n in range(count)
        ),  # M_CompanyName holds 100 characters: each of them is rejected
    ]
    settings = {"streams": {COMPANIES: COMPANIES_MAPPING, other: COMPANIES_MAPPING}}

    run = run_target(config(emulator, tmp_path, max_rejects=1, **settings), messages, tmp_path)

    assert run.returncode == 1
    error_line = [line for line in run.stderr.splitlines() if " | ERROR " in line][-1]
    assert error_line.endswith(
        "5 records rejected in this run, more than max_rejects "
        f"(1); they are listed in {tmp_path / 'rejects.jsonl'}"
    )
    report = summary(tmp_path)
    assert report["totals"]["rejected"] == 5
    assert report["error"] == error_line.rsplit(" | ", 1)[-1]
    assert len((tmp_path / "rejects.jsonl").read_text().splitlines()) == 5


def slow_third_sync(emulator: EmulatorServer) -> None:
    plan_next_syncs(emulator, count=2, seconds=0.1)
    plan_next_syncs(emulator, seconds=30)


def polled(emulator: EmulatorServer, sync_uri: str) -> bool:
    """Whether the target has asked the emulator for the status of the sync at ``sync_uri``."""
    return any(
        request["method"] == "GET" and request["path"].endswith(sync_uri)
        for request in admin(emulator, "requests")
    )


def read_until(target: Running, wanted: dict[str, Any]) -> list[Any]:
    """The STATEs written up to ``wanted``."""
    written: list[Any] = []
    while written[-1:] != [wanted]:
        state = target.next_state()
        assert state is not None, f"{wanted} was never written"
        written.append(state)
    return written


LOAD = [schema(COMPANIES, NAME_SCHEMA, "name"), *companies(1, 5000, state_every=500)]
"""5,000 companies in batches of 1,000, one sync at a time; a STATE after every 500."""
LOAD_SETTINGS = {"batch_size_rows": 1000, "max_syncs_per_stream": 1}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_load_leaves_the_state_ended_syncs_cover_and_lists_the_running_sync(
    emulator: EmulatorServer, tmp_path: Path, start: Any, signum: int
) -> None:
    slow_third_sync(emulator)
    target = start(config(emulator, tmp_path, **LOAD_SETTINGS), LOAD)
    written = read_until(target, bookmark(2000))
    wait_until(lambda: polled(emulator, "/syncs/3"))  # the target knows of the sync by then

    target.process.send_signal(signum)
    later, log = target.rest()

    assert target.process.returncode == 128 + signum
    assert [*written, *later] == [bookmark(1000), bookmark(2000)]
    assert summary(tmp_path)["unfinished_syncs"] == [
        {"stream": COMPANIES, "uri": "/syncs/3", "status": "unknown"}
    ]
    assert (
        f"Stream '{COMPANIES}': sync /syncs/3 was not seen to end (unknown); Eloqua finishes it "
        "on its own, and GET /api/bulk/2.0/syncs/3 tells its outcome" in log
    )
    assert admin(emulator, "syncs")[2]["status"] in ("pending", "active")  # Eloqua goes on


def test_after_sigkill_the_next_run_resumes_from_the_last_state_written(
    emulator: EmulatorServer, tmp_path: Path, start: Any
) -> None:
    slow_third_sync(emulator)
    killed = start(config(emulator, tmp_path, **LOAD_SETTINGS), LOAD)
    written = read_until(killed, bookmark(2000))
    wait_until(lambda: len(admin(emulator, "syncs")) == 3)

    killed.process.kill()
    later, _ = killed.rest()
    resume_from = [*written, *later][-1]["bookmarks"][COMPANIES]
    plan_next_syncs(emulator, count=10, seconds=0.05)
    resumed = run_target(
        config(emulator, tmp_path, **LOAD_SETTINGS),
        [
            schema(COMPANIES, NAME_SCHEMA, "name"),
            *companies(resume_from + 1, 5000, state_every=500),
        ],
        tmp_path,
    )

    assert killed.process.returncode == -signal.SIGKILL
    assert resume_from == 2000
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.states[-1] == bookmark(5000)
    assert summary(tmp_path)["totals"]["uploaded"] == 3000  # sent again: the slow sync's 1,000
    assert sorted(stored_companies(emulator)) == [company(n) for n in range(1, 5001)]


def test_a_state_that_cannot_be_written_fails_the_run(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config(emulator, tmp_path)))
    messages = [schema(COMPANIES, NAME_SCHEMA, "name"), *companies(1, 2, state_every=2)]
    read_end, write_end = os.pipe()
    os.close(read_end)  # the orchestrator has gone

    try:
        run = subprocess.run(
            [TARGET_COMMAND, "--config", str(config_file)],
            input="".join(json.dumps(m) + "\n" for m in messages),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)

    assert run.returncode == 1
    assert run.stderr.endswith(
        "STATE could not be written to standard output: [Errno 32] Broken pipe\n"
    )
    assert summary(tmp_path)["status"] == "failed"
