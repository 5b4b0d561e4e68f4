"""The login settings: what they must hold, and the Bulk API auth they make.

Basic ``Company\\User:password`` unless ``client_id`` is set; then OAuth 2.0: the refresh-token
grant with the refresh token of ``token_file`` (read first) or ``refresh_token``, else the
password grant with ``company``, ``username`` and ``password``. Credentials travel only over
https, or to a loopback address (the emulator). No Singer here: settings arrive as a mapping.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from requests.auth import HTTPBasicAuth

from target_eloqua.bulk import (
    EloquaAuth,
    EloquaBasicAuth,
    EloquaBearerAuth,
    OAuthTokens,
    UserLogin,
    request_token,
)
from target_eloqua.bulk.client import ResponseHook
from target_eloqua.bulk.token_file import TokenFileError, read_refresh_token, write_refresh_token

LOGIN_SETTINGS = ("company", "username", "password")
OAUTH_ONLY_SETTINGS = ("client_secret", "refresh_token", "token_file")
URL_SETTINGS = ("login_url", "base_url")
CREDENTIAL_SETTINGS = ("client_id", *LOGIN_SETTINGS, *OAUTH_ONLY_SETTINGS, *URL_SETTINGS)
"""Every setting ``credential_problems`` reads."""

logger = logging.getLogger(__name__)


def credential_problems(config: Mapping[str, Any]) -> list[str]:
    """What keeps the settings from making a login, and any URL credentials must not go to."""
    problems = [
        problem
        for name in URL_SETTINGS
        if config.get(name) and (problem := insecure_url_problem(name, config[name]))
    ]
    if config.get("client_id"):
        return problems + _oauth_problems(config)
    given = [name for name in OAUTH_ONLY_SETTINGS if config.get(name)]
    if given:
        problems.append(f"{', '.join(given)}: only used with OAuth; set client_id too")
    missing = [name for name in LOGIN_SETTINGS if not config.get(name)]
    if missing:
        problems.append(
            f"missing Eloqua credentials: set {', '.join(missing)} (or client_id, "
            "client_secret and refresh_token for OAuth)"
        )
    return problems


def insecure_url_problem(name: str, url: str) -> str | None:
    """Why credentials must not be sent to ``url``: it is not https, and not on this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    encrypted = parts.scheme == "https" and bool(host)
    local = parts.scheme == "http" and is_loopback(host)
    if encrypted or local:
        return None
    shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}" if parts.scheme else url
    return (
        f"{name}: {shown} is not an https URL; credentials go over plain http only to a "
        "loopback address (127.0.0.0/8, ::1, localhost)"
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def eloqua_auth(config: Mapping[str, Any], on_response: ResponseHook | None = None) -> EloquaAuth:
    """The auth of the settings (checked by ``credential_problems``); with OAuth, the token
    endpoint's answers go to ``on_response`` and each new refresh token to ``token_file``.
    """
    if not config.get("client_id"):
        return EloquaBasicAuth(*(config[name] for name in LOGIN_SETTINGS))
    token_file = Path(config["token_file"]) if config.get("token_file") else None
    saved = read_refresh_token(token_file) if token_file is not None else None
    login = UserLogin(*(config[name] for name in LOGIN_SETTINGS)) if _has_login(config) else None
    app = HTTPBasicAuth(config["client_id"], config["client_secret"])
    tokens = OAuthTokens(
        partial(request_token, config["login_url"], app, on_response=on_response),
        refresh_token=saved or config.get("refresh_token"),
        login=login,
        on_rotate=None if token_file is None else partial(_save_refresh_token, token_file),
        redirect_uri=config.get("redirect_uri"),
    )
    return EloquaBearerAuth(tokens)


def _oauth_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    if not config.get("client_secret"):
        problems.append("client_id is set, so OAuth is used: set client_secret too")
    saved = None
    if config.get("token_file"):
        path = Path(config["token_file"])
        try:
            saved = read_refresh_token(path)
        except TokenFileError as error:
            return [*problems, f"token_file: {error}"]
        if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
            problems.append(f"token_file: cannot write in {path.parent}")
    if not (saved or config.get("refresh_token") or _has_login(config)):
        problems.append(
            "OAuth needs a refresh token: set refresh_token (and token_file, to keep the new "
            "ones Eloqua issues), or company, username and password for the password grant"
        )
    return problems


def _save_refresh_token(path: Path, token: str) -> None:
    write_refresh_token(path, token)
    logger.info("The new refresh token is saved in %s for the next run", path)


def _has_login(config: Mapping[str, Any]) -> bool:
    """Whether the settings hold a user login: company, username and password."""
    return all(config.get(name) for name in LOGIN_SETTINGS)
