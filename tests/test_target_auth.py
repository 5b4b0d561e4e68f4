"""End to end: logging in with OAuth, tokens that expire or rotate, and 401s in mid-run."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from target_eloqua.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    EloquaInstance,
    EmulatorServer,
)
from tests.support import (
    COMPANIES,
    COMPANIES_MAPPING,
    TARGET_COMMAND,
    admin,
    company_messages,
    emulator_config,
    oauth_config,
    run_target,
    stored_companies,
    wait_until,
)

SEED_TOKEN = "seed-refresh-token-5Jq2"  # the emulator accepts it once
STATE = {"bookmarks": {COMPANIES: {"replication_key_value": 7}}}
STREAMS = {COMPANIES: COMPANIES_MAPPING}


@pytest.fixture
def eloqua() -> Iterator[EmulatorServer]:
    """An emulated Eloqua that accepts ``SEED_TOKEN`` once; its syncs take 0.2 s."""
    with EmulatorServer(EloquaInstance(sync_seconds=0.2, refresh_token=SEED_TOKEN)) as server:
        yield server


def issued_tokens(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return list(admin(emulator, "tokens"))


def journal(emulator: EmulatorServer) -> list[tuple[str, str, int | None]]:
    """Each request the emulator answered: method, path and status."""
    return [(r["method"], r["path"], r["status"]) for r in admin(emulator, "requests")]


def add_fault(emulator: EmulatorServer, **fault: Any) -> None:
    response = requests.post(f"{emulator.url}/_emulator/faults", json=fault, timeout=10)
    response.raise_for_status()


def test_an_oauth_run_loads_the_records_and_writes_state(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    config = oauth_config(eloqua, refresh_token=SEED_TOKEN, streams=STREAMS)

    run = run_target(config, company_messages("Acme", "Globex", state=STATE), tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert stored_companies(eloqua) == ["Acme", "Globex"]
    assert [token["grant_type"] for token in issued_tokens(eloqua)] == ["refresh_token"]
    assert "OAuth access token obtained (refresh_token grant), valid for 28800 s" in run.stderr
    assert "Eloqua rotated the OAuth refresh token: the new one is kept for this run" in run.stderr


def test_the_password_grant_is_used_without_a_refresh_token(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    config = oauth_config(
        eloqua, company="ACME", username="API.User", password="emulator", streams=STREAMS
    )

    run = run_target(config, company_messages("Acme", state=STATE), tmp_path)

    assert run.returncode == 0, run.stderr
    assert stored_companies(eloqua) == ["Acme"]
    assert [token["grant_type"] for token in issued_tokens(eloqua)] == ["password"]


def test_an_access_token_expired_mid_run_is_replaced_and_every_record_loads_once(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.json"
    settings = oauth_config(eloqua, refresh_token=SEED_TOKEN, streams=STREAMS, batch_size_rows=2)
    config_file.write_text(json.dumps(settings))
    first, rest = company_messages("A1", "A2"), company_messages("B1", "B2", state=STATE)[1:]

    with subprocess.Popen(
        [TARGET_COMMAND, "--config", str(config_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as target:
        assert target.stdin is not None
        target.stdin.write("".join(json.dumps(m) + "\n" for m in first))
        target.stdin.flush()
        wait_until(lambda: [s["status"] for s in admin(eloqua, "syncs")] == ["success"])
        expired = requests.post(f"{eloqua.url}/_emulator/tokens/expire", timeout=10).json()
        stdout, stderr = target.communicate("".join(json.dumps(m) + "\n" for m in rest), timeout=60)

    assert expired == {"expired": 1}
    assert target.returncode == 0, stderr
    assert [json.loads(line) for line in stdout.splitlines()] == [STATE]
    assert sorted(stored_companies(eloqua)) == ["A1", "A2", "B1", "B2"]
    assert [s["counts"]["processed"] for s in admin(eloqua, "syncs")] == [2, 2]
    refused = [i for i, (*_, status) in enumerate(journal(eloqua)) if status == 401]
    assert len(refused) == 1
    assert journal(eloqua)[refused[0] + 1] == ("POST", "/auth/oauth2/token", 200)
    assert len(issued_tokens(eloqua)) == 2
    assert "Eloqua refused the access token (401)" in stderr


def test_the_rotated_refresh_token_is_kept_in_token_file_for_the_next_run(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    token_file = tmp_path / "eloqua-token.json"
    first = oauth_config(
        eloqua, refresh_token=SEED_TOKEN, token_file=str(token_file), streams=STREAMS
    )

    first_run = run_target(first, company_messages("Acme", state=STATE), tmp_path)

    assert first_run.returncode == 0, first_run.stderr
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    saved = json.loads(token_file.read_text())["refresh_token"]
    assert saved == issued_tokens(eloqua)[-1]["refresh_token"] != SEED_TOKEN
    assert f"The new refresh token is saved in {token_file}" in first_run.stderr

    second = oauth_config(eloqua, token_file=str(token_file), streams=STREAMS)
    second_run = run_target(second, company_messages("Globex", state=STATE), tmp_path)

    assert second_run.returncode == 0, second_run.stderr
    assert stored_companies(eloqua) == ["Acme", "Globex"]
    assert (
        json.loads(token_file.read_text())["refresh_token"]
        == (issued_tokens(eloqua)[-1]["refresh_token"])
    )
    assert [token["grant_type"] for token in issued_tokens(eloqua)] == ["refresh_token"] * 2


def test_a_refused_oauth_app_fails_naming_the_likely_causes_and_no_secret(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    config = oauth_config(
        eloqua, client_secret="wrong-Secret-8812", refresh_token=SEED_TOKEN, streams=STREAMS
    )

    run = run_target(config, company_messages("Acme", state=STATE), tmp_path)

    assert run.returncode == 1
    assert run.stdout == ""
    assert (
        "Eloqua's OAuth token endpoint refused the refresh_token grant: invalid_client (1001): "
        "Client authentication failed. Likely causes: wrong client_id or client_secret"
    ) in run.stderr
    assert "wrong-Secret-8812" not in run.stderr
    assert SEED_TOKEN not in run.stderr
    assert "Traceback" not in run.stderr
    assert admin(eloqua, "definitions") == []


def test_a_used_refresh_token_fails_saying_that_they_are_single_use(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    used = requests.post(
        f"{eloqua.url}/auth/oauth2/token",
        json={"grant_type": "refresh_token", "refresh_token": SEED_TOKEN},
        auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        timeout=10,
    )
    used.raise_for_status()

    run = run_target(
        oauth_config(eloqua, refresh_token=SEED_TOKEN, streams=STREAMS),
        company_messages("Acme"),
        tmp_path,
    )

    assert run.returncode == 1
    assert "refused the refresh_token grant: invalid_grant (3001)" in run.stderr
    assert "the refresh token was already used" in run.stderr
    assert "keep it with token_file" in run.stderr
    assert SEED_TOKEN not in run.stderr


def test_a_401_in_mid_run_asks_id_again_and_tries_once_more(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    add_fault(eloqua, method="POST", path="/api/bulk/2.0/syncs", count=1, status=401)

    run = run_target(
        emulator_config(eloqua, streams=STREAMS), company_messages("Acme", state=STATE), tmp_path
    )

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert stored_companies(eloqua) == ["Acme"]
    requests_made = journal(eloqua)
    assert [r for r in requests_made if r[1] in ("/id", "/api/bulk/2.0/syncs")] == [
        ("GET", "/id", 200),
        ("POST", "/api/bulk/2.0/syncs", 401),
        ("GET", "/id", 200),
        ("POST", "/api/bulk/2.0/syncs", 201),
    ]
    assert "Eloqua answered 401 to POST /syncs: asking /id where the instance lives" in run.stderr


def test_a_401_that_persists_fails_after_a_new_token_and_a_new_discovery(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    add_fault(eloqua, method="POST", path="/api/bulk/2.0/syncs", count=10, status=401)
    config = oauth_config(eloqua, refresh_token=SEED_TOKEN, streams=STREAMS)

    run = run_target(config, company_messages("Acme", state=STATE), tmp_path)

    assert run.returncode == 1
    assert run.stdout == ""
    assert (
        "Eloqua answered 401 You are not authorized to make this request to POST /syncs, also "
        f"after trying again with a new access token and on the pod /id names ({eloqua.url}). "
        "Likely causes: wrong OAuth app or grant"
    ) in run.stderr
    assert "allow-list" in run.stderr
    syncs_posted = [r for r in journal(eloqua) if r[:2] == ("POST", "/api/bulk/2.0/syncs")]
    assert [status for *_, status in syncs_posted] == [401, 401, 401]
    assert [r[1] for r in journal(eloqua)].count("/id") == 2
    assert len(issued_tokens(eloqua)) == 2
