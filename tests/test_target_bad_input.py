"""End to end: bad input stops the run, naming where it is, after loading what came before it.

Every run here reads the same good start: two records that fill a batch (a drain, sync 1), a
STATE (written when sync 1 ends, unless a newer one is due by then), a third record and a second
STATE. Then comes the bad line (line 7), a STATE the target must never write, and a record it
must never load.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from tests.support import admin, emulator_config, run_target

STREAM = "crm_accounts"
MAPPING = {
    "identifier": "name",
    "fields": {"name": "M_CompanyName", "city": "M_City", "revenue": "M_Annual_Revenue1"},
}
SCHEMA = {
    "type": "SCHEMA",
    "stream": STREAM,
    "key_properties": [],
    "schema": {
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"]},
            "city": {"type": ["string", "null"]},
            "revenue": {"type": ["number", "null"]},
            "since": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}
STATE_FIRST_BATCH = {"bookmarks": {STREAM: "B"}}
STATE_BEFORE = {"bookmarks": {STREAM: "C"}}
STATE_AFTER = {"bookmarks": {STREAM: "after the bad line"}}


def record(stream: str = STREAM, **values: Any) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": {"city": "Toronto", **values}}


def state(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "STATE", "value": value}


def around(*bad_lines: dict[str, Any] | str) -> list[dict[str, Any] | str]:
    """The good start, the bad lines, then a STATE and a record that come too late."""
    return [
        SCHEMA,
        record(name="A"),
        record(name="B"),
        state(STATE_FIRST_BATCH),
        record(name="C"),
        state(STATE_BEFORE),
        *bad_lines,
        state(STATE_AFTER),
        record(name="D"),
    ]


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """An emulated Eloqua whose syncs are quick: each run here has two."""
    with EmulatorServer(EloquaInstance(sync_seconds=0.05)) as server:
        yield server


def error_lines(stderr: str) -> list[str]:
    return [line.rsplit(" | ", 1)[-1] for line in stderr.splitlines() if " | ERROR    | " in line]


TOO_LONG = "x" * 32_001
BAD_INPUT = {
    "schema violation": (
        [record(name="E", revenue="abc")],
        "stream 'crm_accounts', record 4 (input line 7): property 'revenue': 'abc' is not of "
        "type 'number', 'null'",
    ),
    "date-time unreadable": (
        [record(name="E", since="someday")],
        "stream 'crm_accounts', record 4 (input line 7): Could not parse value 'someday' for "
        "field 'since'.",
    ),
    "record before schema": (
        [record("crm_contacts", name="E")],
        "stream 'crm_contacts', record 1 (input line 7): a RECORD before any SCHEMA of its stream",
    ),
    "key property missing": (
        [{**SCHEMA, "key_properties": ["city"]}, {**record(name="E"), "record": {"name": "E"}}],
        "stream 'crm_accounts', record 4 (input line 8): key property 'city' missing from the "
        "record",
    ),
    "value too long": (
        [record(name="E", city=TOO_LONG)],
        "stream 'crm_accounts', record 4 (input line 7): property 'city': 32001 characters, more "
        "than the 32000 its field holds",
    ),
    "not JSON": (
        ['{"type": "RECORD", "stream": "crm_accounts", "record": {"name": "E", "city": "Tor'],
        "input line 7: not JSON (Unterminated string starting at: line 1 column 78 (char 77)): "
        '\'{"type": "RECORD", "stream": "crm_accounts", "record": {"name": "E", "city": "To\''
        "... (81 characters)",
    ),
    "not a Singer message": (
        [{"name": "E"}],
        "input line 7: not a Singer message (a JSON object with a 'type'): '{\"name\": \"E\"}'",
    ),
}


@pytest.mark.parametrize(("bad_lines", "error"), BAD_INPUT.values(), ids=list(BAD_INPUT))
def test_bad_input_stops_the_run_after_loading_what_came_before_with_its_state(
    emulator: EmulatorServer, tmp_path: Path, bad_lines: list[dict[str, Any] | str], error: str
) -> None:
    summary_path = tmp_path / "summary.json"
    config = emulator_config(
        emulator, streams={STREAM: MAPPING}, batch_size_rows=2, summary_path=str(summary_path)
    )

    run = run_target(config, around(*bad_lines), tmp_path)

    assert run.returncode == 1
    assert error_lines(run.stderr) == [error]
    assert "Traceback" not in run.stderr
    assert TOO_LONG not in run.stderr
    # STATE B too, if sync 1 ended before the second batch was loaded
    assert run.states in ([STATE_FIRST_BATCH, STATE_BEFORE], [STATE_BEFORE])
    stored = [account["fields"]["M_CompanyName"] for account in admin(emulator, "records/accounts")]
    assert sorted(stored) == ["A", "B", "C"]
    assert [sync["status"] for sync in admin(emulator, "syncs")] == ["success", "success"]
    summary = json.loads(summary_path.read_text())
    assert (summary["status"], summary["exit_code"], summary["error"]) == ("failed", 1, error)
    assert summary["streams"][STREAM]["uploaded"] == 3


def test_bad_input_before_any_state_loads_what_came_before_and_writes_no_state(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams={STREAM: MAPPING})

    run = run_target(config, [SCHEMA, record(name="A"), "not json", state(STATE_AFTER)], tmp_path)

    assert run.returncode == 1
    assert error_lines(run.stderr) == [
        "input line 3: not JSON (Expecting value: line 1 column 1 (char 0)): 'not json'"
    ]
    assert run.states == []
    assert [a["fields"]["M_CompanyName"] for a in admin(emulator, "records/accounts")] == ["A"]


def test_a_failure_loading_what_came_before_is_logged_and_the_bad_input_stays_the_cause(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    summary_path = tmp_path / "summary.json"
    config = emulator_config(emulator, streams={STREAM: MAPPING}, summary_path=str(summary_path))
    plan = {"count": 1, "status": "error"}
    requests.post(f"{emulator.url}/_emulator/syncs/next", json=plan, timeout=10).raise_for_status()

    run = run_target(config, [SCHEMA, record(name="A"), state(STATE_BEFORE), "{"], tmp_path)

    assert run.returncode == 1
    load_failure, bad_input = error_lines(run.stderr)[-2:]
    assert load_failure == (
        "Loading the records read before the bad input failed: "
        f"stream '{STREAM}': sync /syncs/1 ended 'error'; Eloqua's log of it is at /syncs/1/logs"
    )
    assert bad_input.startswith("input line 4: not JSON")
    assert run.states == []
    summary = json.loads(summary_path.read_text())
    assert (summary["exit_code"], summary["error"]) == (1, bad_input)


def test_a_blank_external_id_is_not_bad_input_but_asks_for_new_records(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    purchases = {
        "entity": "customObjects/9",
        "identifier": "external_id",
        "fields": {"external_id": "{{CustomObject[9].ExternalId}}", "order": "Order_Number1"},
    }
    schema = {
        "type": "SCHEMA",
        "stream": "purchases",
        "key_properties": [],
        "schema": {
            "properties": {p: {"type": ["string", "null"]} for p in ("external_id", "order")}
        },
    }
    blank_ids = [
        record("purchases", external_id=blank, order=f"O-{n}") for n, blank in enumerate(["", None])
    ]

    run = run_target(
        emulator_config(emulator, streams={"purchases": purchases}), [schema, *blank_ids], tmp_path
    )

    assert run.returncode == 0, run.stderr
    stored = admin(emulator, "records/customObjects/9")
    assert sorted(purchase["fields"]["Order_Number1"] for purchase in stored) == ["O-0", "O-1"]
