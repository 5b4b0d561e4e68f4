"""End to end: uploads in parts, syncs, rejects, the reject policy and the run summary."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EmulatorServer
from tests import support
from tests.support import (
    TARGET_COMMAND,
    admin,
    data_uploads,
    emulator_config,
    plan_next_syncs,
    rejects_in,
    run_target,
    summary_in,
    summary_row,
    wait_until,
)

STREAM = "crm_accounts"
STATE = {"bookmarks": {STREAM: {"replication_key_value": "2026-11-28T10:00:00Z"}}}
STATE_MESSAGE = {"type": "STATE", "value": STATE}

MAPPING: dict[str, Any] = {
    "entity": "accounts",
    "identifier": "name",
    "fields": {
        "name": "M_CompanyName",
        "city": "M_City",
        "billing_email": "M_Billing_Email1",
        "revenue": "M_Annual_Revenue1",
        "customer_since": "M_Customer_Since1",
    },
}
SCHEMA_MESSAGE = {
    "type": "SCHEMA",
    "stream": STREAM,
    "key_properties": ["name"],
    "schema": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "city": {"type": ["string", "null"]},
            "billing_email": {"type": ["string", "null"]},
            "revenue": {"type": ["string", "number", "null"]},
            "customer_since": {"type": ["string", "null"]},
        },
    },
}


def account(name: str, **values: Any) -> dict[str, Any]:
    """A valid account record, with ``values`` replacing its defaults."""
    return {
        "name": name,
        "city": "Toronto",
        "billing_email": f"billing@{name.lower().replace(' ', '-')}.example",
        "revenue": 1000,
        "customer_since": "2020-01-31",
        **values,
    }


def messages(*records: dict[str, Any], state: bool = True) -> list[dict[str, Any]]:
    lines = [SCHEMA_MESSAGE, *({"type": "RECORD", "stream": STREAM, "record": r} for r in records)]
    return [*lines, STATE_MESSAGE] if state else lines


def config(emulator: EmulatorServer, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    return emulator_config(
        emulator,
        **{
            "streams": {STREAM: MAPPING},
            "rejects_path": str(tmp_path / "out" / "rejects.jsonl"),
            "summary_path": str(tmp_path / "out" / "summary.json"),
            **settings,
        },
    )


def rejects_file(tmp_path: Path) -> list[dict[str, Any]]:
    return rejects_in(tmp_path / "out" / "rejects.jsonl")


def summary_file(tmp_path: Path) -> dict[str, Any]:
    return summary_in(tmp_path / "out" / "summary.json")


def stored_accounts(emulator: EmulatorServer) -> dict[str, dict[str, str]]:
    return {a["fields"]["M_CompanyName"]: a["fields"] for a in admin(emulator, "records/accounts")}


BAD_RECORDS = [
    account("Bad Email", billing_email="not-an-email"),
    account("Bad Revenue", revenue="lots"),
    account("Bad Date", customer_since="someday"),
]


def encoded_size(record: dict[str, Any], upload_format: str) -> int:
    """The bytes one record takes in an upload, in the definition's key order."""
    row = {key: str(record[key]) for key in MAPPING["fields"]}
    if upload_format == "json":
        return len(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(row.values())
    return len(buffer.getvalue().encode())


@pytest.mark.parametrize("upload_format", ["csv", "json"])
def test_a_batch_over_max_upload_bytes_is_uploaded_in_parts_to_one_sync(
    emulator: EmulatorServer, tmp_path: Path, upload_format: str
) -> None:
    city = 'City, "quoted"\nline 2'
    records = [account(f"Company {n:03d}", city=city) for n in range(168)]  # all one size
    settings = {"max_upload_bytes": 2048, "upload_format": upload_format}
    row_size = encoded_size(records[0], upload_format)
    if upload_format == "csv":  # each part: the header row, then whole rows
        header = len("name,city,billing_email,revenue,customer_since\r\n")
        rows_per_part = (2048 - header) // row_size
    else:  # each part: [row,row,...]
        rows_per_part = (2048 - 1) // (row_size + 1)

    run = run_target(config(emulator, tmp_path, **settings), messages(*records), tmp_path)

    assert run.returncode == 0, run.stderr
    uploads = data_uploads(emulator)
    assert len(uploads) == -(-168 // rows_per_part)  # as few parts as the limit allows
    assert all(upload["bytes"] <= 2048 for upload in uploads)
    [sync] = admin(emulator, "syncs")
    assert sync["counts"]["processed"] == 168
    stored = stored_accounts(emulator)
    assert sorted(stored) == sorted(r["name"] for r in records)
    assert stored["Company 007"]["M_City"] == city
    assert run.states == [STATE]


def test_each_csv_part_has_the_header_row(emulator: EmulatorServer, tmp_path: Path) -> None:
    dry_run_dir = tmp_path / "dry"
    settings = {"max_upload_bytes": 1024, "dry_run": True, "dry_run_dir": str(dry_run_dir)}
    records = [account(f"Company {n:03d}") for n in range(100)]

    run = run_target(config(emulator, tmp_path, **settings), messages(*records), tmp_path)

    assert run.returncode == 0, run.stderr
    parts = sorted(dry_run_dir.glob(f"{STREAM}.*.csv"))
    assert len(parts) >= 4
    rows = []
    for part in parts:
        assert part.stat().st_size <= 1024
        reader = csv.reader(io.StringIO(part.read_text(), newline=""))
        assert next(reader) == ["name", "city", "billing_email", "revenue", "customer_since"]
        rows += [row[0] for row in reader]
    assert rows == [r["name"] for r in records]


def test_a_sink_is_full_at_max_sync_bytes(emulator: EmulatorServer, tmp_path: Path) -> None:
    records = [account(f"Company {n:03d}") for n in range(50)]

    run = run_target(config(emulator, tmp_path, max_sync_bytes=1000), messages(*records), tmp_path)

    assert run.returncode == 0, run.stderr
    processed = [sync["counts"]["processed"] for sync in admin(emulator, "syncs")]
    assert len(processed) >= 3
    assert sum(processed) == 50
    assert len(stored_accounts(emulator)) == 50
    assert run.states == [STATE]


def test_rejects_are_written_with_their_records_and_tolerated_up_to_max_rejects(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    records = [account("Good One"), *BAD_RECORDS, account("Good Two")]

    run = run_target(config(emulator, tmp_path, max_rejects=3), messages(*records), tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert sorted(stored_accounts(emulator)) == ["Good One", "Good Two"]
    assert rejects_file(tmp_path) == [
        {
            "stream": STREAM,
            "identifier": "Bad Email",
            "status_code": "ELQ-00002",
            "message": "Invalid email address.",
            "invalid_fields": ["billing_email"],
            "sync_uri": "/syncs/1",
            "record_index": 2,
            "record": BAD_RECORDS[0],
        },
        {
            "stream": STREAM,
            "identifier": "Bad Revenue",
            "status_code": "ELQ-00040",
            "message": "Invalid field value: not a number.",
            "invalid_fields": ["revenue"],
            "sync_uri": "/syncs/1",
            "record_index": 3,
            "record": BAD_RECORDS[1],
        },
        {
            "stream": STREAM,
            "identifier": "Bad Date",
            "status_code": "ELQ-00040",
            "message": "Invalid field value: not a date.",
            "invalid_fields": ["customer_since"],
            "sync_uri": "/syncs/1",
            "record_index": 4,
            "record": BAD_RECORDS[2],
        },
    ]
    assert f"Stream '{STREAM}' rejected 2 records ELQ-00040" in run.stderr
    assert "e.g. Bad Revenue, Bad Date" in run.stderr
    assert "someday" not in run.stderr  # rejected values stay out of the log
    assert summary_row(run.stderr, STREAM)["rejected"] == 3


def test_one_reject_more_than_max_rejects_fails_the_run_after_writing_them_all(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    run = run_target(
        config(emulator, tmp_path, max_rejects=2),
        messages(account("Good One"), *BAD_RECORDS),
        tmp_path,
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert "3 records rejected in this run, more than max_rejects (2)" in run.stderr
    assert "Traceback" not in run.stderr
    assert [line["identifier"] for line in rejects_file(tmp_path)] == [
        "Bad Email",
        "Bad Revenue",
        "Bad Date",
    ]
    summary = summary_file(tmp_path)
    assert (summary["status"], summary["exit_code"]) == ("failed", 1)
    assert "more than max_rejects" in summary["error"]
    assert summary["streams"][STREAM]["rejected"] == 3


def test_rejects_of_every_page_are_read(emulator: EmulatorServer, tmp_path: Path) -> None:
    bad = [account(f"Bad {n:04d}", billing_email="nope") for n in range(1005)]

    run = run_target(config(emulator, tmp_path, max_rejects=2000), messages(*bad), tmp_path)

    assert run.returncode == 0, run.stderr
    lines = rejects_file(tmp_path)
    assert [line["identifier"] for line in lines] == [r["name"] for r in bad]
    assert lines[-1]["record_index"] == 1005
    rejects_pages = [
        request["query"]["offset"]
        for request in admin(emulator, "requests")
        if request["path"].endswith("/rejects")
    ]
    assert rejects_pages == ["0", "1000"]


def test_rejects_hold_records_as_the_tap_sent_them_whichever_way_they_were_read(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    schema = json.loads(json.dumps(SCHEMA_MESSAGE))
    schema["schema"]["properties"]["customer_since"]["format"] = "date-time"
    moment = "2020-01-31T08:00:00.5+02:00"
    direct = account("Direct Bad", billing_email="bad", customer_since=moment)
    by_sdk = account("Sdk Bad", billing_email="bad", customer_since=moment, extra="unknown")
    records = [
        direct,
        by_sdk,  # a property its schema lacks: read the SDK's way, which warns of it
        account("Direct Good", customer_since=moment),
        account("Sdk Good", customer_since=moment, extra="unknown"),
    ]
    lines = [schema, *({"type": "RECORD", "stream": STREAM, "record": r} for r in records)]

    run = run_target(config(emulator, tmp_path, max_rejects=2), lines, tmp_path)

    assert run.returncode == 0, run.stderr
    assert "No schema for record field 'extra'" in run.stderr
    assert [(line["identifier"], line["record"]) for line in rejects_file(tmp_path)] == [
        ("Direct Bad", direct),
        ("Sdk Bad", by_sdk),
    ]
    stored = {
        record["fields"]["M_CompanyName"]: record["fields"]["M_Customer_Since1"]
        for record in admin(emulator, "records/accounts")
    }
    assert stored == {"Direct Good": "2020-01-31 06:00:00", "Sdk Good": "2020-01-31 06:00:00"}


def test_rejects_map_back_to_records_across_parts_and_merges(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    records = [
        account("Twice", city="first"),
        *[account(f"Company {n:03d}") for n in range(40)],
        account("Twice", city="last", billing_email="bad"),
        account("Last Bad", revenue="many"),
    ]

    run = run_target(
        config(emulator, tmp_path, max_rejects=5, max_upload_bytes=1024),
        messages(*records),
        tmp_path,
    )

    assert run.returncode == 0, run.stderr
    assert len(data_uploads(emulator)) > 1
    lines = rejects_file(tmp_path)
    assert [(line["status_code"], line["identifier"], line["record"]) for line in lines] == [
        ("MERGED", "Twice", records[0]),
        ("ELQ-00002", "Twice", records[41]),
        ("ELQ-00040", "Last Bad", records[42]),
    ]
    summary = summary_file(tmp_path)["streams"][STREAM]
    assert (summary["read"], summary["merged"], summary["uploaded"]) == (43, 1, 42)


def test_a_sync_that_ends_in_error_fails_the_run_without_state(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, status="error")

    run = run_target(config(emulator, tmp_path), messages(account("Acme")), tmp_path)

    assert run.returncode == 1
    assert run.stdout == ""
    assert f"stream '{STREAM}': sync /syncs/1 ended 'error'" in run.stderr
    assert "Traceback" not in run.stderr
    [sync] = summary_file(tmp_path)["streams"][STREAM]["syncs"]
    assert (sync["uri"], sync["status"], sync["rows"]) == ("/syncs/1", "error", 1)


def test_a_sync_that_outlives_its_timeout_fails_the_run_without_state(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, seconds=5)

    run = run_target(
        config(emulator, tmp_path, sync_timeout_seconds=0.5), messages(account("Acme")), tmp_path
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert f"stream '{STREAM}': sync /syncs/1 did not end within 0.5 s" in run.stderr
    [sync] = summary_file(tmp_path)["streams"][STREAM]["syncs"]
    assert sync["status"] == "timeout"


def test_a_failed_drain_holds_back_the_state_after_it_not_the_one_before(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    first = [account(f"First {n}") for n in range(2)]
    later = [account("Later", billing_email="bad")]
    input_messages = [
        *messages(*first),
        *({"type": "RECORD", "stream": STREAM, "record": r} for r in later),
        {"type": "STATE", "value": {"bookmarks": {STREAM: "later"}}},
    ]

    run = run_target(config(emulator, tmp_path, batch_size_rows=2), input_messages, tmp_path)

    assert run.returncode == 1
    assert run.states == [STATE]  # it came after the first drain, which loaded
    assert sorted(stored_accounts(emulator)) == ["First 0", "First 1"]


def test_the_summary_file_holds_the_runs_numbers(emulator: EmulatorServer, tmp_path: Path) -> None:
    settings = {"batch_size_rows": 3, "max_rejects": 1}
    records = [account("A"), account("B"), account("a", city="merged"), account("C")]
    records.append(account("D", billing_email="bad"))
    run_target(config(emulator, tmp_path), messages(account("C")), tmp_path)

    run = run_target(config(emulator, tmp_path, **settings), messages(*records), tmp_path)

    assert run.returncode == 0, run.stderr
    summary = summary_file(tmp_path)
    assert (summary["status"], summary["exit_code"], summary["error"]) == ("succeeded", 0, None)
    stream = summary["streams"][STREAM]
    assert {name: stream[name] for name in ("read", "merged", "uploaded", "rejected")} == {
        "read": 5,
        "merged": 1,
        "uploaded": 4,
        "rejected": 1,
    }
    assert (stream["created"], stream["updated"]) == (2, 1)
    # The two batches share no identifier, so either sync may be created first.
    assert sorted(s["uri"] for s in stream["syncs"]) == ["/syncs/2", "/syncs/3"]
    assert sorted((s["status"], s["rows"]) for s in stream["syncs"]) == [
        ("success", 2),
        ("warning", 2),
    ]
    assert all(s["seconds"] > 0 and s["parts"] == 1 for s in stream["syncs"])
    assert summary["totals"]["read"] == 5
    assert summary["totals"]["syncs"] == 2
    assert summary_row(run.stderr, STREAM) == {
        "read": 5,
        "merged": 1,
        "skipped": 0,
        "unchanged": 0,
        "unmatched": 0,
        "uploaded": 4,
        "uploaded_bytes": stream["uploaded_bytes"],
        "syncs": 2,
        "created": 2,
        "updated": 1,
        "matched": 0,
        "rejected": 1,
        "verified": 0,
        "mismatched": 0,
        "list_added": 0,
        "list_removed": 0,
        "subscriptions_changed": 0,
        "marked_bounced": 0,
    }


def test_a_config_problem_still_writes_a_failed_summary(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    broken = config(emulator, tmp_path)
    broken["streams"] = {STREAM: {**MAPPING, "fields": {"name": "M_NoSuchField"}}}

    run = run_target(broken, messages(account("Acme")), tmp_path)

    assert run.returncode == 1
    summary = summary_file(tmp_path)
    assert summary["status"] == "failed"
    totals = summary["totals"]
    assert (totals["read"], totals["uploaded"], totals["syncs"]) == (0, 0, 0)
    assert "M_NoSuchField" in summary["error"]


def test_a_run_refused_for_its_config_leaves_the_last_runs_rejects_file_as_it_was(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rejects_path = tmp_path / "out" / "rejects.jsonl"
    rejects_path.parent.mkdir()
    rejects_path.write_text('{"identifier": "from the last run"}\n')
    broken = config(emulator, tmp_path)
    broken["streams"] = {STREAM: {**MAPPING, "fields": {"name": "M_NoSuchField"}}}

    run = run_target(
        broken,
        messages(account("Acme")),
        tmp_path,
        env={"PYTHONWARNINGS": "always::ResourceWarning"},
    )

    assert run.returncode == 1
    assert "M_NoSuchField" in run.stderr
    assert rejects_path.read_text() == '{"identifier": "from the last run"}\n'
    assert "ResourceWarning" not in run.stderr


def test_callback_url_is_passed_to_every_sync(emulator: EmulatorServer, tmp_path: Path) -> None:
    settings = {"callback_url": "https://hooks.example/eloqua", "batch_size_rows": 1}

    run = run_target(
        config(emulator, tmp_path, **settings), messages(account("A"), account("B")), tmp_path
    )

    assert run.returncode == 0, run.stderr
    assert [s.get("callbackUrl") for s in admin(emulator, "syncs")] == [
        "https://hooks.example/eloqua"
    ] * 2


def test_each_sync_is_a_metric_and_requests_are_counted_by_endpoint(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    run = run_target(config(emulator, tmp_path), messages(account("Acme")), tmp_path)

    points = [
        json.loads(line.split("METRIC: ", 1)[1])
        for line in run.stderr.splitlines()
        if "METRIC: " in line
    ]
    [job] = [p for p in points if p["metric"] == "job_duration"]
    assert job["tags"] == {"stream": STREAM, "job_type": "eloqua_sync", "status": "success"}
    assert not [p for p in points if p["metric"] == "http_request_duration"]
    requests_made = summary_file(tmp_path)["requests"]
    assert {endpoint: r["failed"] for endpoint, r in requests_made.items()} == {
        "GET /id": 0,
        "GET /accounts/fields": 0,
        "POST /accounts/imports": 0,
        "POST /accounts/imports/{id}/data": 0,
        "POST /syncs": 0,
        "GET /syncs/{id}": 0,
        "GET /syncs/{id}/logs": 0,
    }
    assert requests_made["POST /syncs"]["requests"] == 1
    assert requests_made["GET /syncs/{id}"]["requests"] >= 2  # pending, then ended
    table = [line.rsplit(" | ", 1)[-1].split() for line in run.stderr.splitlines()]
    assert ["POST", "/syncs", "1", "0"] in [row[:4] for row in table]


def test_each_request_is_logged_at_debug_with_its_stream(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    debug = {"TARGET_ELOQUA_LOGLEVEL": "DEBUG"}

    run = run_target(config(emulator, tmp_path), messages(account("Acme")), tmp_path, env=debug)

    requests_logged = {
        line.rsplit(" | ", 1)[-1].split(" in ")[0]
        for line in run.stderr.splitlines()
        if " | DEBUG    | " in line and " answered " in line
    }
    assert requests_logged >= {
        "GET /accounts/fields answered 200",
        "POST /accounts/imports answered 201",
        "POST /accounts/imports/{id}/data answered 204",
        "POST /syncs answered 201",
        "GET /syncs/{id} answered 200",
        "GET /syncs/{id}/logs answered 200",
    }
    assert any(
        "POST /syncs answered 201" in line and f"(stream '{STREAM}')" in line
        for line in run.stderr.splitlines()
    )


def test_a_batch_is_loaded_when_it_fills_500_parts(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    wide = "x" * 600  # one row per part of at most 1024 bytes
    records = [account(f"Company {n:03d}", notes=wide) for n in range(620)]
    mapping = {**MAPPING, "fields": {**MAPPING["fields"], "notes": "M_Account_Notes1"}}
    settings = {"max_upload_bytes": 1024, "streams": {STREAM: mapping}}
    [schema, *rest] = messages(*records)
    schema = json.loads(json.dumps(schema))  # a copy, with notes among the properties
    schema["schema"]["properties"]["notes"] = {"type": "string"}

    run = run_target(config(emulator, tmp_path, **settings), [schema, *rest], tmp_path)

    assert run.returncode == 0, run.stderr
    assert sorted(sync["counts"]["processed"] for sync in admin(emulator, "syncs")) == [120, 500]
    assert len(data_uploads(emulator)) == 620
    assert len(stored_accounts(emulator)) == 620


def test_a_failing_stream_lets_the_others_finish_their_syncs_and_report_them(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, count=1, seconds=0)
    plan_next_syncs(emulator, count=1, seconds=2)
    other = "erp_accounts"
    input_messages = [
        *messages(account("Fast Bad", billing_email="bad"), state=False),
        {**SCHEMA_MESSAGE, "stream": other},
        {"type": "RECORD", "stream": other, "record": account("Slow Bad", revenue="x")},
        {"type": "RECORD", "stream": other, "record": account("Slow Good")},
        STATE_MESSAGE,
    ]
    settings = {"streams": {STREAM: MAPPING, other: MAPPING}}

    run = run_target(config(emulator, tmp_path, **settings), input_messages, tmp_path)

    assert run.returncode == 1
    assert run.states == []
    assert sorted(line["identifier"] for line in rejects_file(tmp_path)) == [
        "Fast Bad",
        "Slow Bad",
    ]
    streams = summary_file(tmp_path)["streams"]
    assert [s["status"] for s in streams[STREAM]["syncs"]] == ["warning"]
    assert [s["status"] for s in streams[other]["syncs"]] == ["warning"]
    assert "Slow Good" in stored_accounts(emulator)


def start_target(
    emulator: EmulatorServer, tmp_path: Path, records: list[dict[str, Any]], **settings: Any
) -> subprocess.Popen[str]:
    """``target-eloqua`` started on ``records``, left running for the test to signal."""
    settings = config(emulator, tmp_path, **settings)
    return support.start_target(settings, messages(*records), tmp_path)


def sync_polled(emulator: EmulatorServer) -> bool:
    """Whether the target has asked for the status of a sync."""
    return any(
        request["method"] == "GET" and "/syncs/" in request["path"]
        for request in admin(emulator, "requests")
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_sync_stops_the_run_without_state(
    emulator: EmulatorServer, tmp_path: Path, signum: int
) -> None:
    plan_next_syncs(emulator, seconds=30)

    with start_target(emulator, tmp_path, [account("Acme")]) as target:
        wait_until(lambda: sync_polled(emulator))  # the target knows of its sync by then
        target.send_signal(signum)
        stdout, stderr = target.communicate(timeout=30)

    assert target.returncode == 128 + signum
    assert stdout == ""
    assert f"Signal {signum} received: stopping without loading what is buffered" in stderr
    summary = summary_file(tmp_path)
    assert (summary["status"], summary["exit_code"]) == ("failed", 128 + signum)
    assert [s["status"] for s in summary["streams"][STREAM]["syncs"]] == ["unknown"]


def test_a_signal_during_uploads_stops_them_before_any_sync(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    records = [account(f"Company {n:05d}") for n in range(20_000)]

    with start_target(emulator, tmp_path, records, max_upload_bytes=1024) as target:
        wait_until(lambda: len(data_uploads(emulator)) >= 3)
        target.send_signal(signal.SIGTERM)
        target.communicate(timeout=30)
        uploads_when_stopped = len(data_uploads(emulator))

    assert target.returncode == 143
    assert admin(emulator, "syncs") == []
    assert len(data_uploads(emulator)) == uploads_when_stopped < 1000
    summary = summary_file(tmp_path)
    assert 0 < summary["streams"][STREAM]["read"] <= 20_000
    assert summary["streams"][STREAM]["syncs"] == []


def test_a_decimal_in_state_is_written_as_it_came(emulator: EmulatorServer, tmp_path: Path) -> None:
    state_line = '{"type": "STATE", "value": {"bookmarks": {"crm_accounts": 1.50}}}'
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config(emulator, tmp_path)))
    lines = [json.dumps(m) for m in messages(account("Acme"), state=False)] + [state_line]

    run = subprocess.run(
        [TARGET_COMMAND, "--config", str(config_file)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout == '{"bookmarks":{"crm_accounts":1.50}}\n'


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("max_rejects", -1, "-1 is less than the minimum of 0"),
        ("max_upload_bytes", 40_000_000, "is greater than the maximum of 32000000"),
    ],
)
def test_a_setting_out_of_range_is_a_config_error_with_a_failed_summary(
    emulator: EmulatorServer, tmp_path: Path, setting: str, value: int, problem: str
) -> None:
    run = run_target(
        config(emulator, tmp_path, **{setting: value}), messages(account("Acme")), tmp_path
    )

    assert run.returncode == 1
    assert problem in run.stderr
    summary = summary_file(tmp_path)
    assert summary["status"] == "failed"
    assert problem in summary["error"]
    assert admin(emulator, "definitions") == []


def test_an_unwritable_summary_path_fails_before_anything_is_loaded(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    settings = config(emulator, tmp_path)
    settings["summary_path"] = str(tmp_path)  # a directory

    run = run_target(settings, messages(account("Acme")), tmp_path)

    assert run.returncode == 1
    assert f"summary_path: cannot write {tmp_path}" in run.stderr
    assert "Traceback" not in run.stderr
    assert admin(emulator, "definitions") == []


def test_the_summary_and_the_rejects_file_must_be_two_files(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    settings = config(emulator, tmp_path)
    settings["rejects_path"] = settings["summary_path"]

    run = run_target(settings, messages(account("Acme")), tmp_path)

    assert run.returncode == 1
    assert "summary_path and rejects_path must be different files" in run.stderr
    assert admin(emulator, "definitions") == []


def test_records_read_but_not_loaded_are_in_the_summary(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    records = [account(f"Company {n}") for n in range(5)] + [account("Huge", city="x" * 2000)]

    run = run_target(
        config(emulator, tmp_path, max_upload_bytes=1024), messages(*records), tmp_path
    )

    assert run.returncode == 1
    assert "stream 'crm_accounts', record name='Huge': the row takes" in run.stderr
    stream = summary_file(tmp_path)["streams"][STREAM]
    assert (stream["read"], stream["uploaded"]) == (5, 0)


def test_a_sync_whose_logs_cannot_be_read_is_still_in_the_summary(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fault = {"method": "GET", "path": "/api/bulk/2.0/syncs/1/logs*", "status": 404}
    requests.post(f"{emulator.url}/_emulator/faults", json=fault, timeout=10).raise_for_status()

    run = run_target(config(emulator, tmp_path), messages(account("Acme")), tmp_path)

    assert run.returncode == 1
    assert "Eloqua answered 404 The requested resource was not found. to GET /syncs/1/logs" in (
        run.stderr
    )
    [sync] = summary_file(tmp_path)["streams"][STREAM]["syncs"]
    assert (sync["uri"], sync["status"]) == ("/syncs/1", "success")


def test_records_of_a_skipped_stream_are_counted_as_read(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    skipped = [
        {**SCHEMA_MESSAGE, "stream": "other"},
        {"type": "RECORD", "stream": "other", "record": account("Not Sent")},
    ]
    settings = {"unmapped_streams": "skip"}

    run = run_target(
        config(emulator, tmp_path, **settings), [*skipped, *messages(account("A"))], tmp_path
    )

    assert run.returncode == 0, run.stderr
    other = summary_file(tmp_path)["streams"]["other"]
    assert (other["read"], other["uploaded"], other["syncs"]) == (1, 0, [])
    assert sorted(stored_accounts(emulator)) == ["A"]
