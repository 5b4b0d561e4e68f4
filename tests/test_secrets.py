"""No secret leaves the target: not in its log at DEBUG level, its stdout, the run summary, the
rejects file, GitHub Actions' job summary and annotations, or ``--about``, whether the run logs
in with Basic or OAuth, succeeds or fails.

The secrets looked for are the settings' (password, client secret, refresh token), the Basic
headers made of them, and every access and refresh token the emulator issued in the run.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from target_eloqua.emulator import DEFAULT_CLIENT_ID, EloquaInstance, EmulatorServer
from tests.support import (
    COMPANIES,
    COMPANIES_MAPPING,
    TARGET_COMMAND,
    TargetRun,
    admin,
    company_messages,
    run_target,
    stored_companies,
)

PASSWORD = "pw-Hush-7731"  # made up for this test, and looked for in its output
CLIENT_SECRET = "cs-Hush-4410"
SEED_TOKEN = "rt-Hush-9052"
DEBUG = {"TARGET_ELOQUA_LOGLEVEL": "DEBUG"}
STEP_SUMMARY = "step_summary.md"
STATE = {"bookmarks": {COMPANIES: {"replication_key_value": 3}}}
MESSAGES = company_messages("Acme", "X" * 101, state=STATE)  # too long: Eloqua rejects it


@pytest.fixture
def eloqua() -> Iterator[EmulatorServer]:
    """An emulated Eloqua with this test's password, app secret and first refresh token."""
    instance = EloquaInstance(
        sync_seconds=0.2, password=PASSWORD, client_secret=CLIENT_SECRET, refresh_token=SEED_TOKEN
    )
    with EmulatorServer(instance) as server:
        yield server


def basic_config(emulator: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    return {
        "company": "ACME",
        "username": "API.User",
        "password": PASSWORD,
        "login_url": emulator.url,
        "poll_interval_seconds": 0.05,
        "streams": {COMPANIES: COMPANIES_MAPPING},
        "max_rejects": 1,
        "summary_path": str(tmp_path / "summary.json"),
        "rejects_path": str(tmp_path / "rejects.jsonl"),
    }


def oauth_config(emulator: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    config = basic_config(emulator, tmp_path)
    del config["password"]
    return {
        **config,
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": SEED_TOKEN,
        "token_file": str(tmp_path / "token.json"),
    }


def refuse_syncs(emulator: EmulatorServer, times: int) -> None:
    """The next ``times`` POST /syncs get 401, as with an access token Eloqua revoked."""
    fault = {"method": "POST", "path": "/api/bulk/2.0/syncs", "count": times, "status": 401}
    requests.post(f"{emulator.url}/_emulator/faults", json=fault, timeout=10).raise_for_status()


def secrets_of(emulator: EmulatorServer) -> dict[str, str]:
    """Every secret of the run, by what it is."""
    login = base64.b64encode(f"ACME\\API.User:{PASSWORD}".encode()).decode()
    app = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    secrets = {
        "password": PASSWORD,
        "client_secret": CLIENT_SECRET,
        "refresh_token setting": SEED_TOKEN,
        "Basic header of the login": login,
        "Basic header of the app": app,
    }
    for n, issued in enumerate(admin(emulator, "tokens")):
        secrets[f"access token {n}"] = issued["access_token"]
        secrets[f"refresh token {n}"] = issued["refresh_token"]
    return secrets


def outputs_of(run: TargetRun, tmp_path: Path) -> dict[str, str]:
    """What the run left for people and programs to read."""
    files = {name: tmp_path / name for name in ("summary.json", "rejects.jsonl", STEP_SUMMARY)}
    return {
        "stderr": run.stderr,
        "stdout": run.stdout,
        **{name: path.read_text() for name, path in files.items() if path.exists()},
    }


def debug_in_github_actions(tmp_path: Path) -> dict[str, str]:
    """The log at DEBUG level, with a job summary and annotations as in GitHub Actions."""
    return {**DEBUG, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / STEP_SUMMARY)}


def leaks(outputs: dict[str, str], secrets: dict[str, str]) -> list[str]:
    return [
        f"{secret} in {where}"
        for where, text in outputs.items()
        for secret, value in secrets.items()
        if value in text
    ]


def test_a_basic_run_at_debug_level_shows_no_secret(eloqua: EmulatorServer, tmp_path: Path) -> None:
    run = run_target(
        basic_config(eloqua, tmp_path), MESSAGES, tmp_path, env=debug_in_github_actions(tmp_path)
    )

    assert run.returncode == 0, run.stderr
    assert "DEBUG" in run.stderr
    assert "urllib3.connectionpool" in run.stderr
    assert (tmp_path / "rejects.jsonl").read_text()
    assert (tmp_path / STEP_SUMMARY).read_text()
    assert "::warning title=" in run.stderr
    assert leaks(outputs_of(run, tmp_path), secrets_of(eloqua)) == []


def test_an_oauth_run_at_debug_level_that_renews_its_token_shows_no_secret(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    refuse_syncs(eloqua, times=1)

    run = run_target(
        oauth_config(eloqua, tmp_path), MESSAGES, tmp_path, env=debug_in_github_actions(tmp_path)
    )

    assert run.returncode == 0, run.stderr
    assert stored_companies(eloqua) == ["Acme"]
    assert len(admin(eloqua, "tokens")) == 2
    assert "POST /auth/oauth2/token" in run.stderr
    assert leaks(outputs_of(run, tmp_path), secrets_of(eloqua)) == []


def test_a_failing_oauth_run_at_debug_level_shows_no_secret(
    eloqua: EmulatorServer, tmp_path: Path
) -> None:
    refuse_syncs(eloqua, times=10)

    run = run_target(
        oauth_config(eloqua, tmp_path), MESSAGES, tmp_path, env=debug_in_github_actions(tmp_path)
    )

    assert run.returncode == 1
    assert "Eloqua answered 401" in run.stderr
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "failed"
    assert "::error title=target-eloqua::Eloqua answered 401" in run.stderr
    assert leaks(outputs_of(run, tmp_path), secrets_of(eloqua)) == []


@pytest.mark.parametrize("about_format", [None, "json", "markdown"])
def test_about_shows_no_secret_of_the_config(
    eloqua: EmulatorServer, tmp_path: Path, about_format: str | None
) -> None:
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(oauth_config(eloqua, tmp_path) | {"password": PASSWORD}))
    format_args = ["--format", about_format] if about_format else []

    completed = subprocess.run(
        [TARGET_COMMAND, "--about", *format_args, "--config", str(config_file)],
        env={**os.environ, **DEBUG},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "client_secret" in completed.stdout
    outputs = {"stdout": completed.stdout, "stderr": completed.stderr}
    assert leaks(outputs, secrets_of(eloqua)) == []
