"""The login settings: which combinations make a login, where credentials may go, which auth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.bulk import EloquaBasicAuth, EloquaBearerAuth
from target_eloqua.credentials import credential_problems, eloqua_auth, insecure_url_problem

LOGIN = {"company": "ACME", "username": "API.User", "password": "pw"}
APP = {"client_id": "app", "client_secret": "app-secret"}


@pytest.mark.parametrize(
    "url",
    [
        "https://login.eloqua.com",
        "https://secure.p03.eloqua.com/",
        "http://127.0.0.1:8080",
        "http://127.4.5.6",
        "http://localhost:9000",
        "http://[::1]:8080",
    ],
)
def test_https_and_loopback_urls_may_carry_credentials(url: str) -> None:
    assert insecure_url_problem("login_url", url) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://login.eloqua.com", "http://login.eloqua.com"),
        ("http://10.0.0.5:8080/", "http://10.0.0.5:8080"),
        ("http://user:pw@example.com", "http://example.com"),
        ("ftp://127.0.0.1", "ftp://127.0.0.1"),
        ("login.eloqua.com", "login.eloqua.com"),
        ("https://", "https://"),
    ],
)
def test_other_urls_are_refused_in_one_line_naming_the_setting(url: str, shown: str) -> None:
    assert insecure_url_problem("base_url", url) == (
        f"base_url: {shown} is not an https URL; credentials go over plain http only to a "
        "loopback address (127.0.0.0/8, ::1, localhost)"
    )


def test_basic_credentials_make_a_login() -> None:
    assert credential_problems({**LOGIN, "login_url": "https://login.eloqua.com"}) == []
    assert isinstance(eloqua_auth(LOGIN), EloquaBasicAuth)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            {"company": "ACME"},
            [
                "missing Eloqua credentials: set username, password (or client_id, "
                "client_secret and refresh_token for OAuth)"
            ],
            id="incomplete-login",
        ),
        pytest.param(
            {**LOGIN, "refresh_token": "rt", "token_file": "t.json"},
            ["refresh_token, token_file: only used with OAuth; set client_id too"],
            id="oauth-settings-without-client-id",
        ),
        pytest.param(
            {"client_id": "app", "refresh_token": "rt"},
            ["client_id is set, so OAuth is used: set client_secret too"],
            id="no-client-secret",
        ),
        pytest.param(
            APP,
            [
                "OAuth needs a refresh token: set refresh_token (and token_file, to keep the new "
                "ones Eloqua issues), or company, username and password for the password grant"
            ],
            id="no-grant",
        ),
        pytest.param(
            {**APP, "refresh_token": "rt", "login_url": "http://login.example.com"},
            [
                "login_url: http://login.example.com is not an https URL; credentials go over "
                "plain http only to a loopback address (127.0.0.0/8, ::1, localhost)"
            ],
            id="plain-http",
        ),
    ],
)
def test_settings_that_make_no_login_are_named(config: dict[str, Any], expected: list[str]) -> None:
    assert credential_problems(config) == expected


@pytest.mark.parametrize(
    "grant", [{"refresh_token": "rt"}, LOGIN], ids=["refresh-token", "password"]
)
def test_an_oauth_app_with_a_grant_makes_bearer_auth(grant: dict[str, str]) -> None:
    config = {**APP, **grant, "login_url": "https://login.eloqua.com"}

    assert credential_problems(config) == []
    assert isinstance(eloqua_auth(config), EloquaBearerAuth)


def test_a_token_file_with_a_token_is_enough_for_oauth(tmp_path: Path) -> None:
    token_file = tmp_path / "token.json"
    token_file.write_text(json.dumps({"refresh_token": "saved"}))

    assert credential_problems({**APP, "token_file": str(token_file)}) == []


def test_a_token_file_not_written_yet_needs_a_refresh_token(tmp_path: Path) -> None:
    token_file = str(tmp_path / "token.json")

    assert credential_problems({**APP, "token_file": token_file, "refresh_token": "rt"}) == []
    assert credential_problems({**APP, "token_file": token_file})[0].startswith(
        "OAuth needs a refresh token"
    )


def test_a_broken_or_unwritable_token_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "token.json"
    broken.write_text("{")
    nowhere = tmp_path / "missing" / "token.json"

    assert credential_problems({**APP, "token_file": str(broken)}) == [
        f'token_file: {broken} is not a token file: {{"refresh_token": "..."}} expected'
    ]
    assert credential_problems({**APP, "token_file": str(nowhere), "refresh_token": "rt"}) == [
        f"token_file: cannot write in {nowhere.parent}"
    ]
