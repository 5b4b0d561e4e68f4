"""End-to-end helpers: what the emulator stored, and the target run as users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from target_eloqua.emulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorServer
from target_eloqua.emulator import DEFAULT_PASSWORD as EMULATOR_PASSWORD
from target_eloqua.loading.report import COUNTERS

ACCOUNT_TUTORIAL_MAPPING: dict[str, Any] = {
    "entity": "accounts",
    "identifier": "company_name",
    "link_users": True,
    "fields": {
        "company_name": "{{Account.Field(M_CompanyName)}}",
        "owner_crm_ids": "{{Account.User.Field(CRMOSCUserId)}}",
    },
}
"""The stream mapping of Eloqua's account-import tutorial, with users linked to accounts."""

PURCHASES_MAPPING: dict[str, Any] = {
    "entity": "customObjects/9",
    "identifier": "order",
    "fields": {"order": "Order_Number1", "email": "Contact_Email1", "product": "Product1"},
    "map_data_cards": {
        "entity_type": "Contact",
        "entity_field": "C_EmailAddress",
        "source_property": "email",
    },
}
"""Purchases (the emulator's custom object 9), each linked to the contact with its email."""

TARGET_COMMAND = str(Path(sys.executable).with_name("target-eloqua"))


def emulator_config(emulator: EmulatorServer, **settings: Any) -> dict[str, Any]:
    """A target config pointed at the emulator with its default credentials, plus ``settings``."""
    return {
        "company": "ACME",
        "username": "API.User",
        "password": EMULATOR_PASSWORD,
        "login_url": emulator.url,
        "poll_interval_seconds": 0.05,
        **settings,
    }


def oauth_config(emulator: EmulatorServer, **settings: Any) -> dict[str, Any]:
    """A target config that logs in to the emulator with OAuth (its default app), plus
    ``settings`` (a ``refresh_token`` or a ``token_file``, say).
    """
    return {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "login_url": emulator.url,
        "poll_interval_seconds": 0.05,
        **settings,
    }


COMPANIES = "companies"
COMPANIES_MAPPING: dict[str, Any] = {"identifier": "name", "fields": {"name": "M_CompanyName"}}
"""A stream of company names loaded into Eloqua's accounts, the least a test needs to load."""


def company_messages(*names: str, state: Any = None) -> list[dict[str, Any]]:
    """SCHEMA and a RECORD per name of the ``companies`` stream, then ``state`` if given."""
    schema = {"type": "object", "properties": {"name": {"type": ["string", "null"]}}}
    lines = [
        {"type": "SCHEMA", "stream": COMPANIES, "key_properties": ["name"], "schema": schema},
        *({"type": "RECORD", "stream": COMPANIES, "record": {"name": n}} for n in names),
    ]
    return lines if state is None else [*lines, {"type": "STATE", "value": state}]


def stored_companies(emulator: EmulatorServer) -> list[str]:
    """The names of the accounts the emulator stored, in the order they were created."""
    return [account["fields"]["M_CompanyName"] for account in admin(emulator, "records/accounts")]


def wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    """Return once ``condition()`` holds; fail the test if it does not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s"
        time.sleep(0.02)


def admin(emulator: EmulatorServer, path: str) -> Any:
    """What the emulator stored, through its admin API (never used by the target)."""
    response = requests.get(f"{emulator.url}/_emulator/{path}", timeout=10)
    response.raise_for_status()
    return response.json()["items"]


def plan_next_syncs(emulator: EmulatorServer, **plan: Any) -> None:
    """Make the emulator's next syncs take ``seconds`` and/or end with ``status``."""
    requests.post(f"{emulator.url}/_emulator/syncs/next", json=plan, timeout=10).raise_for_status()


def data_uploads(emulator: EmulatorServer) -> list[dict[str, Any]]:
    """The data uploads (``POST .../data``) the emulator received, in order."""
    return [
        request
        for request in admin(emulator, "requests")
        if request["method"] == "POST" and request["path"].endswith("/data")
    ]


@dataclass
class TargetRun:
    """The outcome of one ``target-eloqua`` process."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def states(self) -> list[Any]:
        """The STATE values written to stdout, in order (a target writes each as one JSON line)."""
        return [json.loads(line) for line in self.stdout.splitlines()]


def start_target(
    config: dict[str, Any],
    messages: Sequence[dict[str, Any] | str],
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """The installed ``target-eloqua`` command started on ``messages``, one a line (a message
    given as text is sent as it is), left running.

    With ``env``, those variables are set and the target also reads its settings from them.
    """
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    input_file = tmp_path / "input.jsonl"
    input_file.write_text(
        "".join(
            (message if isinstance(message, str) else json.dumps(message)) + "\n"
            for message in messages
        )
    )
    from_env = ["--config", "ENV"] if env else []
    with input_file.open() as stdin:
        return subprocess.Popen(
            [TARGET_COMMAND, "--config", str(config_file), *from_env],
            env={**os.environ, **(env or {})},
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def finish(target: subprocess.Popen[str], seconds: float = 60) -> TargetRun:
    """Wait for a started target to end; what it wrote and how it ended."""
    try:
        stdout, stderr = target.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        target.kill()
        target.communicate()
        raise
    return TargetRun(target.returncode, stdout, stderr)


def run_target(
    config: dict[str, Any],
    messages: Sequence[dict[str, Any] | str],
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
) -> TargetRun:
    """Run the installed ``target-eloqua`` command with ``messages`` on stdin, to its end."""
    return finish(start_target(config, messages, tmp_path, env=env))


def run_bench(script: str, *args: str) -> str:
    """What ``bench/<script>`` prints on stdout, run as users run it; fail if it fails."""
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).parents[1] / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def markdown_table(markdown: str, heading: str) -> list[dict[str, str]]:
    """The rows of the Markdown table under ``### heading`` (GitHub Actions' job summary), each
    by its column names, cells stripped.
    """
    section = markdown.split(f"### {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    header, _, *rows = [
        [cell.strip() for cell in line.strip("|").split(" | ")] for line in section.splitlines()
    ]
    return [dict(zip(header, row, strict=True)) for row in rows]


def summary_row(stderr: str, stream: str) -> dict[str, int]:
    """The stream's numbers in the table that ends a run's log (a counter it leaves out is 0)."""
    messages = [line.rsplit(" | ", 1)[-1].split() for line in stderr.splitlines()]
    header = next(words for words in messages if words[:2] == ["stream", "read"])
    row = next(words for words in messages if words[:1] == [stream] and len(words) == len(header))
    shown = {name: int(value) for name, value in zip(header[1:], row[1:], strict=True)}
    return {name: shown.get(name, 0) for name in COUNTERS}


@dataclass(frozen=True)
class StoredTally:
    """How the records the emulator stored compare with the records sent to it."""

    expected: int
    stored: int
    """Records sent that the emulator holds with the right values."""
    lost: int
    """Records sent that it does not hold, or holds with other values."""
    duplicated: int
    """Extra records stored for one identifier, plus rows a sync took twice."""


def tally_stored(
    emulator: EmulatorServer,
    entity: str,
    identifier_field: str,
    expected: dict[str, dict[str, str]],
) -> StoredTally:
    """Compare the ``entity`` records the emulator stored with ``expected``: identifier value ->
    the fields (internal name -> text) its record must have. Identifiers match in any letter
    case, as Eloqua matches them.
    """
    stored_by_identifier: dict[str, list[dict[str, str]]] = {}
    for record in admin(emulator, f"records/{entity}"):
        identifier = record["fields"].get(identifier_field, "").casefold()
        stored_by_identifier.setdefault(identifier, []).append(record["fields"])
    stored = 0
    for identifier, fields in expected.items():
        found = stored_by_identifier.get(identifier.casefold(), [])
        if any(all(record.get(k) == v for k, v in fields.items()) for record in found):
            stored += 1
    extra_records = sum(len(records) - 1 for records in stored_by_identifier.values())
    repeated_rows = sum(
        (sync["counts"] or {}).get("repeated", 0) for sync in admin(emulator, "syncs")
    )
    return StoredTally(len(expected), stored, len(expected) - stored, extra_records + repeated_rows)


CONTACTS_BY_EMAIL: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {"email": "C_EmailAddress"},
}
"""Contacts matched on their email address: what a test of records naming contacts loads first."""


def contact_ids(emulator: EmulatorServer) -> dict[str, int]:
    """The ids of the contacts the emulator stored, by email address."""
    return {c["fields"]["C_EmailAddress"]: c["id"] for c in admin(emulator, "records/contacts")}


def schema_message(
    stream: str, properties: dict[str, Any], keys: Sequence[str] = ()
) -> dict[str, Any]:
    """The SCHEMA message of a stream whose records have ``properties`` (name -> JSON schema)."""
    return {
        "type": "SCHEMA",
        "stream": stream,
        "key_properties": list(keys),
        "schema": {"properties": properties},
    }


def record_message(stream: str, **values: Any) -> dict[str, Any]:
    """A RECORD message of the stream."""
    return {"type": "RECORD", "stream": stream, "record": values}


def rejects_in(path: Path) -> list[dict[str, Any]]:
    """The lines of a rejects file."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def summary_in(path: Path) -> dict[str, Any]:
    """The run summary a run wrote to ``path``."""
    summary: dict[str, Any] = json.loads(path.read_text())
    return summary
