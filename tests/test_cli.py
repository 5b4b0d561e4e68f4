"""The command line before any input: ``--about`` needs no config, and a bad config fails at once.

A target under Meltano or in a shell pipe gets its stdin from a tap that may run for hours, so a
config problem must be reported before the target reads a single line: these tests keep stdin
open and never write to it.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import ACCOUNT_TUTORIAL_MAPPING, TARGET_COMMAND

CREDENTIALS = {"company": "ACME", "username": "API.User", "password": "s3cret-Pa55word"}
STREAMS = {"crm_accounts": ACCOUNT_TUTORIAL_MAPPING}


def run_with_open_stdin(*args: str) -> tuple[int, str, str]:
    """Run ``target-eloqua`` with a stdin that stays open and empty until it exits."""
    with subprocess.Popen(
        [TARGET_COMMAND, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            returncode = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("target-eloqua waited for input instead of reporting the config problem")
        assert process.stdout is not None
        assert process.stderr is not None
        return returncode, process.stdout.read(), process.stderr.read()


def write_config(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({}, ["'streams' is a required property"], id="empty"),
        pytest.param(
            {"streams": STREAMS},
            ["missing Eloqua credentials: set company, username, password"],
            id="no-credentials",
        ),
        pytest.param(
            {**CREDENTIALS, "streams": STREAMS, "upload_format": "xml"},
            ["'xml' is not one of ['csv', 'json']"],
            id="bad-option",
        ),
        pytest.param(
            {
                **CREDENTIALS,
                "streams": STREAMS,
                "login_url": "http://login.example.com",
                "base_url": "http://10.1.2.3:8080/",
            },
            [
                "login_url: http://login.example.com is not an https URL; credentials go over "
                "plain http only to a loopback address",
                "base_url: http://10.1.2.3:8080 is not an https URL",
            ],
            id="plain-http",
        ),
        pytest.param(
            {**CREDENTIALS, "streams": STREAMS, "batch_size_rows": 0},
            ["batch_size_rows must be at least 1, not 0"],
            id="empty-batches",
        ),
        pytest.param(
            {**CREDENTIALS, "streams": STREAMS, "change_store_refresh": True},
            ["change_store_refresh needs change_store, the file it rebuilds"],
            id="refresh-without-store",
        ),
        pytest.param(
            {
                **CREDENTIALS,
                "streams": {
                    "crm_accounts": {
                        "identifier": "id",
                        "fields": {"name": "Company Name"},
                    }
                },
            },
            [
                "stream 'crm_accounts', property 'id': the identifier is not among 'fields'",
                "stream 'crm_accounts', property 'name', field 'Company Name': not a field "
                "statement such as {{Account.Field(Name)}} nor an internal field name",
            ],
            id="bad-mapping",
        ),
        pytest.param(
            {
                **CREDENTIALS,
                "streams": {
                    "crm_accounts": without(copy.deepcopy(ACCOUNT_TUTORIAL_MAPPING), "link_users")
                },
            },
            [
                "field '{{Account.User.Field(CRMOSCUserId)}}': links users to accounts; "
                "set link_users"
            ],
            id="user-link-without-link-users",
        ),
    ],
)
def test_a_bad_config_fails_readably_before_reading_input(
    tmp_path: Path, config: dict[str, Any], expected: list[str]
) -> None:
    config_file = write_config(tmp_path, config)

    returncode, stdout, stderr = run_with_open_stdin("--config", str(config_file))

    assert returncode == 1
    assert stdout == ""
    for line in expected:
        assert line in stderr
    assert "Config validation failed" in stderr
    assert "Traceback" not in stderr
    assert CREDENTIALS["password"] not in stderr


def error_lines(stderr: str) -> list[str]:
    """The messages of the lines logged at ERROR, in order."""
    return [line.rsplit(" | ", 1)[-1] for line in stderr.splitlines() if "| ERROR" in line]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            {
                **CREDENTIALS,
                "streams": {
                    "crm_accounts": {"identifier": "id", "fields": {"id": 5}},
                    "crm_contacts": {"identifier": "id", "fields": {"email": "C_EmailAddress"}},
                },
                "upload_format": "xml",
                "batch_size_rows": 0,
            },
            {
                "5 is not of type 'string' in config['streams']['crm_accounts']['fields']['id']",
                "'xml' is not one of ['csv', 'json'] in config['upload_format']",
                "batch_size_rows must be at least 1, not 0",
                "stream 'crm_contacts', property 'id': the identifier is not among 'fields'",
            },
            id="schema-and-settings",
        ),
        pytest.param(
            {
                **CREDENTIALS,
                "streams": {
                    "crm_accounts": {**STREAMS["crm_accounts"], "mirror": "yes"},
                    "crm_contacts": {"identifier": "id", "fields": {"email": "C_EmailAddress"}},
                },
                "batch_size_rows": "ten",
                "summary_path": 5,
                "rejects_path": 5,
                "login_url": 5,
            },
            {
                "'yes' is not of type 'boolean', 'null' in config['streams']['crm_accounts']"
                "['mirror']",
                "'ten' is not of type 'integer', 'null' in config['batch_size_rows']",
                "5 is not of type 'string', 'null' in config['summary_path']",
                "5 is not of type 'string', 'null' in config['rejects_path']",
                "5 is not of type 'string', 'null' in config['login_url']",
                "stream 'crm_contacts', property 'id': the identifier is not among 'fields'",
            },
            id="checks-of-refused-settings-left-out",
        ),
        pytest.param(
            {
                **CREDENTIALS,
                "streams": {
                    "crm_accounts": "M_CompanyName",
                    "crm_contacts": {**STREAMS["crm_accounts"], "sync_actions": ["add"]},
                },
            },
            {
                "'M_CompanyName' is not of type 'object' in config['streams']['crm_accounts']",
                "'add' is not of type 'object' in config['streams']['crm_contacts']"
                "['sync_actions'][0]",
            },
            id="a-stream-mapping-that-is-not-an-object",
        ),
    ],
)
def test_schema_errors_and_the_problems_beyond_the_schema_are_told_together(
    tmp_path: Path, config: dict[str, Any], expected: set[str]
) -> None:
    returncode, stdout, stderr = run_with_open_stdin(
        "--config", str(write_config(tmp_path, config))
    )

    assert returncode == 1
    assert stdout == ""
    *problems, last = error_lines(stderr)
    assert set(problems) == expected
    assert len(problems) == len(expected)
    assert last == "Config validation failed"
    assert "Traceback" not in stderr


def test_the_change_store_must_be_a_file_of_its_own(tmp_path: Path) -> None:
    run = tmp_path / "out" / "run.json"
    config = {**CREDENTIALS, "streams": STREAMS, "change_store": str(run)}
    config["summary_path"] = str(tmp_path / "out" / ".." / "out" / "run.json")

    returncode, _, stderr = run_with_open_stdin("--config", str(write_config(tmp_path, config)))

    assert returncode == 1
    assert "change_store and summary_path must be different files" in stderr


def test_no_config_at_all_fails_readably_before_reading_input() -> None:
    returncode, stdout, stderr = run_with_open_stdin()

    assert returncode == 1
    assert stdout == ""
    assert "'streams' is a required property" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("content", [None, "{not json"], ids=["missing-file", "invalid-json"])
def test_an_unreadable_config_file_fails_in_one_line(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "config.json"
    if content is not None:
        path.write_text(content)

    returncode, stdout, stderr = run_with_open_stdin("--config", str(path))

    assert returncode == 1
    assert stdout == ""
    assert str(path) in stderr
    assert "Traceback" not in stderr


def test_a_mistyped_secret_is_not_echoed(tmp_path: Path) -> None:
    config = {**CREDENTIALS, "password": 987654321, "streams": STREAMS}

    returncode, _, stderr = run_with_open_stdin("--config", str(write_config(tmp_path, config)))

    assert returncode == 1
    assert "config['password']" in stderr
    assert "987654321" not in stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param([], "Name: target-eloqua", id="text"),
        pytest.param(["--format", "markdown"], "# `target-eloqua`", id="markdown"),
    ],
)
def test_about_needs_no_config(args: list[str], expected: str) -> None:
    returncode, stdout, stderr = run_with_open_stdin("--about", *args)

    assert returncode == 0, stderr
    assert expected in stdout
    assert "streams" in stdout


def test_about_as_json_lists_settings_and_capabilities() -> None:
    returncode, stdout, stderr = run_with_open_stdin("--about", "--format", "json")

    assert returncode == 0, stderr
    about = json.loads(stdout)
    assert about["name"] == "target-eloqua"
    assert {"company", "username", "password", "streams"} <= set(about["settings"]["properties"])
    assert "structured-logging" in about["capabilities"]
