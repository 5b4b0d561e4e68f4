"""End to end: the installed ``target-eloqua`` command against a running emulator."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EmulatorServer
from target_eloqua.sinks import EloquaSink
from target_eloqua.target import TargetEloqua
from tests.support import (
    ACCOUNT_TUTORIAL_MAPPING,
    admin,
    data_uploads,
    emulator_config,
    run_target,
)

STATE = {"bookmarks": {"crm_accounts": {"replication_key_value": "2026-11-28T10:00:00Z"}}}


def tutorial_config(emulator: EmulatorServer, **settings: Any) -> dict[str, Any]:
    """The account-import tutorial (docs/mapping.md), pointed at the emulator."""
    streams = {"crm_accounts": copy.deepcopy(ACCOUNT_TUTORIAL_MAPPING)}
    return emulator_config(emulator, streams=streams, **settings)


def schema_message(stream: str = "crm_accounts") -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "key_properties": ["company_name"],
        "schema": {
            "type": "object",
            "properties": {
                "company_name": {"type": ["string", "null"]},
                "owner_crm_ids": {"type": ["array", "null"], "items": {"type": "string"}},
            },
        },
    }


def record(company_name: str, *owner_crm_ids: str, stream: str = "crm_accounts") -> dict[str, Any]:
    return {
        "type": "RECORD",
        "stream": stream,
        "record": {"company_name": company_name, "owner_crm_ids": list(owner_crm_ids)},
    }


TUTORIAL_INPUT = [
    schema_message(),
    record("Eloqua", "754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"),
    record("Globex", "754a1a4baadb4ace991ee"),
    {"type": "STATE", "value": STATE},
]


def linked_users_by_account(emulator: EmulatorServer) -> dict[str, list[str]]:
    return {
        account["fields"]["M_CompanyName"]: sorted(
            user["fields"]["CRMOSCUserId"] for user in account["linkedUsers"]
        )
        for account in admin(emulator, "records/accounts")
    }


@pytest.mark.parametrize("upload_format", ["csv", "json"])
def test_the_account_tutorial_loads_and_links_users(
    emulator: EmulatorServer, tmp_path: Path, upload_format: str
) -> None:
    config = tutorial_config(emulator, upload_format=upload_format)

    run = run_target(config, TUTORIAL_INPUT, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert linked_users_by_account(emulator) == {
        "Eloqua": ["754a1a4baadb4ace991ea", "754a1a4baadb4ace991ee"],
        "Globex": ["754a1a4baadb4ace991ee"],
    }
    [definition] = admin(emulator, "definitions")
    assert definition["fields"] == config["streams"]["crm_accounts"]["fields"]
    assert definition["identifierFieldName"] == "company_name"
    assert definition["linkUsers"] is True
    assert definition["isSyncTriggeredOnImport"] is False
    [sync] = admin(emulator, "syncs")
    assert (sync["syncedInstanceUri"], sync["status"]) == (definition["uri"], "success")


def test_a_rerun_updates_the_same_accounts(emulator: EmulatorServer, tmp_path: Path) -> None:
    config = tutorial_config(emulator)
    run_target(config, TUTORIAL_INPUT, tmp_path)

    rerun = run_target(
        config, [*TUTORIAL_INPUT[:2], record("Globex", "754a1a4baadb4ace991ea")], tmp_path
    )

    assert rerun.returncode == 0, rerun.stderr
    assert linked_users_by_account(emulator) == {
        "Eloqua": ["754a1a4baadb4ace991ea", "754a1a4baadb4ace991ee"],
        "Globex": ["754a1a4baadb4ace991ea", "754a1a4baadb4ace991ee"],
    }
    assert [sync["counts"] for sync in admin(emulator, "syncs")][-1] == {
        "processed": 2,
        "created": 0,
        "updated": 2,
        "rejected": 0,
        "repeated": 0,
    }


def test_base_url_skips_discovery(emulator: EmulatorServer, tmp_path: Path) -> None:
    config = tutorial_config(emulator, login_url="http://127.0.0.1:9", base_url=emulator.url)

    run = run_target(config, TUTORIAL_INPUT, tmp_path)

    assert run.returncode == 0, run.stderr
    assert sorted(linked_users_by_account(emulator)) == ["Eloqua", "Globex"]


def test_each_drain_is_one_sync_and_state_comes_after_all_of_them(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    messages = [
        schema_message(),
        *[record(f"Company {n}", "754a1a4baadb4ace991ee") for n in range(5)],
        {"type": "STATE", "value": STATE},
    ]

    run = run_target(tutorial_config(emulator, batch_size_rows=2), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert [sync["counts"]["processed"] for sync in admin(emulator, "syncs")] == [2, 2, 1]
    assert len(admin(emulator, "definitions")) in (1, 2)  # a second while the first syncs
    assert len(admin(emulator, "records/accounts")) == 5


def test_a_rejected_record_fails_the_run_without_state_by_default(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    too_long = "x" * 101  # M_CompanyName holds 100 characters; /fields does not say so
    messages = [
        schema_message(),
        record("Eloqua"),
        record(too_long),
        {"type": "STATE", "value": STATE},
    ]

    run = run_target(tutorial_config(emulator), messages, tmp_path)

    assert run.returncode == 1
    assert run.stdout == ""
    assert "1 record rejected in this run, more than max_rejects (0)" in run.stderr


def test_a_mapping_problem_stops_the_run_before_anything_is_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = tutorial_config(emulator)
    config["streams"]["crm_accounts"]["identifier"] = "company_id"

    run = run_target(config, TUTORIAL_INPUT, tmp_path)

    assert run.returncode == 1
    assert "stream 'crm_accounts', property 'company_id': the identifier is not among" in run.stderr
    assert run.stdout == ""
    assert admin(emulator, "definitions") == []


def test_an_unmapped_stream_is_named_and_nothing_is_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    messages = [schema_message("crm_contacts"), record("x", stream="crm_contacts")]

    run = run_target(tutorial_config(emulator), messages, tmp_path)

    assert run.returncode == 1
    assert "stream 'crm_contacts' has no mapping" in run.stderr
    assert data_uploads(emulator) == []
    assert admin(emulator, "syncs") == []


def test_refused_credentials_are_explained_and_never_echoed(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = tutorial_config(emulator, password="wrong-password-123")

    run = run_target(config, TUTORIAL_INPUT, tmp_path)

    assert run.returncode == 1
    assert "Not authenticated." in run.stderr
    assert "allow-list" in run.stderr
    assert "wrong-password-123" not in run.stderr
    assert admin(emulator, "records/accounts") == []


def test_a_record_that_breaks_its_schema_stops_the_run_and_is_never_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    broken = record("Initech")
    broken["record"]["owner_crm_ids"] = [754]
    messages = [*TUTORIAL_INPUT[:-1], broken, TUTORIAL_INPUT[-1]]

    run = run_target(tutorial_config(emulator), messages, tmp_path)

    assert run.returncode == 1
    assert "754 is not of type 'string'" in run.stderr
    assert run.states == []  # the STATE came after the broken record
    assert sorted(linked_users_by_account(emulator)) == ["Eloqua", "Globex"]


def test_nothing_but_state_reaches_stdout(emulator: EmulatorServer, tmp_path: Path) -> None:
    run = run_target(tutorial_config(emulator), TUTORIAL_INPUT, tmp_path)

    [line] = run.stdout.splitlines(keepends=True)
    assert (json.loads(line), line.endswith("\n")) == (STATE, True)
    assert "Stream 'crm_accounts': sync /syncs/1 ended success" in run.stderr


def test_number_settings_may_come_as_text_from_environment_variables(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = tutorial_config(emulator)
    del config["poll_interval_seconds"]
    env = {
        "TARGET_ELOQUA_POLL_INTERVAL_SECONDS": "0.05",
        "TARGET_ELOQUA_SYNC_TIMEOUT_SECONDS": "60",
    }

    run = run_target(config, TUTORIAL_INPUT, tmp_path, env=env)

    assert run.returncode == 0, run.stderr
    assert sorted(linked_users_by_account(emulator)) == ["Eloqua", "Globex"]


def test_a_batch_message_stops_the_run_without_state(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    batch = {
        "type": "BATCH",
        "stream": "crm_accounts",
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "manifest": [(tmp_path / "part.jsonl.gz").as_uri()],
    }

    run = run_target(
        tutorial_config(emulator),
        [schema_message(), batch, {"type": "STATE", "value": STATE}],
        tmp_path,
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert "stream 'crm_accounts': BATCH messages are not supported" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_sync_that_outlives_its_timeout_fails_the_run_naming_the_stream(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    slow = requests.post(f"{emulator.url}/_emulator/syncs/next", json={"seconds": 5}, timeout=10)
    slow.raise_for_status()

    run = run_target(tutorial_config(emulator, sync_timeout_seconds=0.5), TUTORIAL_INPUT, tmp_path)

    assert run.returncode == 1
    assert run.stdout == ""
    assert "stream 'crm_accounts': sync /syncs/1 did not end within 0.5 s" in run.stderr


def test_records_of_a_plain_stream_go_straight_from_json_to_rows(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def sdk_path(*_: Any) -> None:
        raise AssertionError("a record took the SDK's path")

    monkeypatch.setattr(EloquaSink, "process_record", sdk_path)
    target = TargetEloqua(config=tutorial_config(emulator))
    lines = "".join(json.dumps(message) + "\n" for message in TUTORIAL_INPUT)

    target.listen(io.BytesIO(lines.encode()))  # type: ignore[arg-type]  # bytes, as stdin gives

    assert linked_users_by_account(emulator) == {
        "Eloqua": ["754a1a4baadb4ace991ea", "754a1a4baadb4ace991ee"],
        "Globex": ["754a1a4baadb4ace991ee"],
    }
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [STATE]
