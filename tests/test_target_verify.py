"""End to end: ``verify`` reads back what each sync loaded and reports what Eloqua changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    admin,
    emulator_config,
    finish,
    record_message,
    run_target,
    schema_message,
    start_target,
    summary_in,
    wait_until,
)

STREAM = "people"
STATE = {"type": "STATE", "value": {"bookmarks": {STREAM: 1}}}
MAPPING: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {
        "email": "C_EmailAddress",
        "first_name": "C_FirstName",
        "birthday": "C_Birthday1",
        "revenue": "C_Annual_Revenue1",
        "opted_in": "C_Opted_In1",
    },
}
SCHEMA = {
    "type": "SCHEMA",
    "stream": STREAM,
    "key_properties": ["email"],
    "schema": {
        "type": "object",
        "properties": {
            "email": {"type": "string"},
            "first_name": {"type": ["string", "null"]},
            "birthday": {"type": ["string", "null"], "format": "date-time"},
            "revenue": {"type": ["number", "null"]},
            "opted_in": {"type": ["boolean", "null"]},
        },
    },
}


def person(n: int, **values: Any) -> dict[str, Any]:
    """A contact record; emails in mixed case, which Eloqua keeps in lower case."""
    return {
        "email": f"Person.{n}@Example.com",
        "first_name": f"First {n}",
        "birthday": "1990-02-03T04:05:06+01:00",
        "revenue": 1500.50,
        "opted_in": True,
        **values,
    }


def messages(*records: dict[str, Any]) -> list[dict[str, Any]]:
    return [SCHEMA, *({"type": "RECORD", "stream": STREAM, "record": r} for r in records), STATE]


def config(emulator: EmulatorServer, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    settings.setdefault("streams", {STREAM: MAPPING})
    return emulator_config(
        emulator,
        rejects_path=str(tmp_path / "rejects.jsonl"),
        summary_path=str(tmp_path / "summary.json"),
        **settings,
    )


def summary(tmp_path: Path) -> dict[str, Any]:
    result: dict[str, Any] = summary_in(tmp_path / "summary.json")["streams"][STREAM]
    return result


def verify_lines(tmp_path: Path) -> list[dict[str, Any]]:
    lines = (tmp_path / "rejects.jsonl").read_text().splitlines()
    return [line for line in map(json.loads, lines) if line["status_code"] == "VERIFY"]


def export_requests(emulator: EmulatorServer) -> list[dict[str, Any]]:
    """Every request of the Bulk API's export side the emulator received."""
    return [
        request
        for request in admin(emulator, "requests")
        if "/exports" in request["path"]
        or (request["path"].endswith("/data") and request["method"] == "GET")
    ]


def read_back_filters(emulator: EmulatorServer) -> list[str]:
    """The filter of every export definition the target created."""
    return [
        definition["filter"]
        for entity in ("contacts", "accounts")
        for definition in requests.get(
            f"{emulator.url}/api/bulk/2.0/{entity}/exports",
            auth=("ACME\\API.User", "emulator"),
            timeout=10,
        ).json()["items"]
    ]


def test_all_reads_back_every_record_and_eloquas_own_forms_are_no_difference(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    records = [person(n) for n in range(30)] + [person(30, email="o'neil@example.com")]

    run = run_target(config(emulator, tmp_path, verify="all"), messages(*records), tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE["value"]]
    assert (summary(tmp_path)["verified"], summary(tmp_path)["mismatched"]) == (31, 0)
    assert summary(tmp_path)["verify_seconds"] > 0
    filters = read_back_filters(emulator)
    assert all(len(text) <= 1000 for text in filters)
    assert len(filters) > 1  # 31 emails do not fit in one filter
    assert not (tmp_path / "rejects.jsonl").read_text()


def test_a_field_eloqua_kept_at_its_old_value_is_a_verify_line_counted_against_max_rejects(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert run_target(config(emulator, tmp_path), messages(person(1), person(2)), tmp_path).states
    keeping = {STREAM: {**MAPPING, "update_rule": "ifExistingIsNull"}}
    changed = [person(1, first_name="Renamed"), person(2)]

    run = run_target(
        config(emulator, tmp_path, verify="all", streams=keeping), messages(*changed), tmp_path
    )

    assert run.returncode == 1
    assert run.stdout == ""  # the batch went over max_rejects: no STATE
    assert "1 read back different from what was sent" in run.stderr
    [line] = verify_lines(tmp_path)
    assert line["identifier"] == "Person.1@Example.com"
    assert line["differences"] == {"first_name": {"sent": "Renamed", "stored": "First 1"}}
    assert line["record"]["first_name"] == "Renamed"
    assert (summary(tmp_path)["verified"], summary(tmp_path)["mismatched"]) == (2, 1)
    stored = admin(emulator, "records/contacts")[0]["fields"]
    assert stored["C_FirstName"] == "First 1"


def test_a_record_changed_after_its_sync_is_found_changed(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    hold_exports = {
        "method": "POST",
        "path": "/api/bulk/2.0/contacts/exports",
        "delaySeconds": 1.5,
    }
    requests.post(f"{emulator.url}/_emulator/faults", json=hold_exports, timeout=10)
    target = start_target(
        config(emulator, tmp_path, verify="all", max_rejects=5),
        messages(person(1), person(2)),
        tmp_path,
    )
    wait_until(lambda: [s["status"] for s in admin(emulator, "syncs")] == ["success"])
    edit = {"fields": {"C_Annual_Revenue1": "99"}}
    requests.patch(f"{emulator.url}/_emulator/records/contacts/2", json=edit, timeout=10)

    run = finish(target)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE["value"]]
    [line] = verify_lines(tmp_path)
    assert line["identifier"] == "Person.2@Example.com"
    assert line["differences"] == {"revenue": {"sent": "1500.5", "stored": "99"}}
    assert (summary(tmp_path)["verified"], summary(tmp_path)["mismatched"]) == (2, 1)


def test_a_stream_whose_schema_changes_its_columns_is_read_back_column_by_column(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    narrowed = json.loads(json.dumps(SCHEMA))  # without a column in the middle of the row
    del narrowed["schema"]["properties"]["birthday"]
    second = {key: value for key, value in person(2).items() if key != "birthday"}
    messages = [
        SCHEMA,
        {"type": "RECORD", "stream": STREAM, "record": person(1)},
        narrowed,
        {"type": "RECORD", "stream": STREAM, "record": second},
        STATE,
    ]
    settings = {"verify": "all", "missing_properties": "skip", "max_rejects": 5}

    run = run_target(config(emulator, tmp_path, **settings), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert verify_lines(tmp_path) == []
    assert (summary(tmp_path)["verified"], summary(tmp_path)["mismatched"]) == (2, 0)


def test_activities_which_no_identifier_finds_are_not_read_back(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    attendance = schema_message(
        "attendance",
        {
            **{name: {"type": "string"} for name in ("email", "webinar", "type", "asset_type")},
            "at": {"type": "string", "format": "date-time"},
        },
    )
    streams = {
        STREAM: MAPPING,
        "attendance": {
            "entity": "activities",
            "fields": {
                "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
                "webinar": "{{Activity.Asset.Name}}",
                "type": "{{Activity.Type}}",
                "asset_type": "{{Activity.Asset.Type}}",
                "at": "{{Activity.CreatedAt}}",
            },
        },
    }
    attended = {
        "email": "Person.1@Example.com",
        "webinar": "Launch",
        "type": "Attended",
        "asset_type": "Webinar",
        "at": "2026-03-01T10:00:00Z",
    }
    loaded = [*messages(person(1))[:-1], attendance, record_message("attendance", **attended)]

    run = run_target(
        config(emulator, tmp_path, streams=streams, verify="all"), [*loaded, STATE], tmp_path
    )

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE["value"]]
    streams_read = json.loads((tmp_path / "summary.json").read_text())["streams"]
    assert (streams_read[STREAM]["verified"], streams_read["attendance"]["verified"]) == (1, 0)
    assert streams_read["attendance"]["created"] == 1


def test_sample_reads_back_at_most_verify_sample_size_records_per_stream(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    records = [person(n) for n in range(40)]
    settings = {"verify": "sample", "verify_sample_size": 7, "batch_size_rows": 15}

    run = run_target(config(emulator, tmp_path, **settings), messages(*records), tmp_path)

    assert run.returncode == 0, run.stderr
    assert (summary(tmp_path)["verified"], summary(tmp_path)["mismatched"]) == (7, 0)
    looked_up = sum(text.count(" = '") for text in read_back_filters(emulator))
    assert looked_up == 7
    data_reads = [r for r in export_requests(emulator) if r["path"].endswith("/data")]
    assert data_reads
    assert all(int(r["query"]["limit"]) == 50000 for r in data_reads)


def test_none_makes_no_export_call(emulator: EmulatorServer, tmp_path: Path) -> None:
    run = run_target(config(emulator, tmp_path), messages(person(1)), tmp_path)

    assert run.returncode == 0, run.stderr
    assert admin(emulator, "records/contacts")
    assert export_requests(emulator) == []
    assert (summary(tmp_path)["verified"], summary(tmp_path)["mismatched"]) == (0, 0)


def test_a_record_eloqua_rejected_is_not_read_back(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    records = [person(1), person(2, email="not-an-email")]

    run = run_target(
        config(emulator, tmp_path, verify="all", max_rejects=1), messages(*records), tmp_path
    )

    assert run.returncode == 0, run.stderr
    assert (summary(tmp_path)["rejected"], summary(tmp_path)["verified"]) == (1, 1)
    assert verify_lines(tmp_path) == []
    assert read_back_filters(emulator) == [
        "'{{Contact.Field(C_EmailAddress)}}' = 'Person.1@Example.com'"
    ]


def test_an_export_eloqua_refuses_fails_the_run_with_its_message(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    refuse = {"method": "POST", "path": "/api/bulk/2.0/contacts/exports", "status": 403}
    requests.post(f"{emulator.url}/_emulator/faults", json=refuse, timeout=10)

    run = run_target(config(emulator, tmp_path, verify="sample"), messages(person(1)), tmp_path)

    assert run.returncode == 1
    assert run.stdout == ""
    assert "reading back what sync /syncs/1 loaded failed" in run.stderr
    assert "Eloqua answered 403" in run.stderr
    assert (
        "reading back what sync /syncs/1 loaded failed"
        in json.loads((tmp_path / "summary.json").read_text())["error"]
    )
