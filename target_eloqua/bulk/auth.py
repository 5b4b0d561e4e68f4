"""How the client proves who it is to Eloqua: HTTP Basic, or OAuth 2.0 bearer tokens.

Both are ``requests`` auth callables. Neither keeps a secret where ``repr`` or a log line could
show it.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.auth import AuthBase

from target_eloqua.bulk.errors import EloquaError

DEFAULT_TOKEN_SECONDS = 28800.0
"""Eloqua's access tokens last 8 hours; used when an answer leaves ``expires_in`` out."""

REFRESH_MARGIN_SECONDS = 60.0
"""An access token is replaced this long before it expires, or after nine tenths of its life
when that is later (a token that lives under ten minutes), so that no request leaves with a
token about to die on the way."""

logger = logging.getLogger(__name__)

TokenRequest = Callable[[Mapping[str, str]], Mapping[str, Any]]
"""Sends one grant to Eloqua's token endpoint; returns its answer (``access_token``,
``expires_in``, ``refresh_token``) or raises."""


class EloquaAuth(AuthBase):
    """Credentials for Eloqua's ``/id`` and API."""

    credentials = "credentials"
    """What the credentials are, for error messages: 'wrong {credentials}'."""

    def renew(self) -> bool:
        """After Eloqua refused the last request this thread sent (401): get new credentials
        if these can be renewed; whether they were.
        """
        return False


class EloquaBasicAuth(EloquaAuth):
    """Adds ``Authorization: Basic base64(Company\\User:password)`` to each request."""

    credentials = "company, username or password"

    def __init__(self, company: str, username: str, password: str) -> None:
        self.company = company
        self.username = username
        token = f"{company}\\{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(token).decode("ascii")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"EloquaBasicAuth(company={self.company!r}, username={self.username!r})"


@dataclass(frozen=True)
class UserLogin:
    """An Eloqua user's login, for the OAuth password grant: ``Company\\User`` and password."""

    company: str
    username: str
    password: str = field(repr=False)


class OAuthTokens:
    """The run's OAuth access token, obtained when first needed and replaced shortly before it
    expires, or when Eloqua refuses it. Thread-safe: one grant at a time, and a thread that
    waited for another's grant uses its token.

    The grant is ``refresh_token`` while there is a refresh token, else ``password``. Eloqua's
    refresh tokens are single-use and every grant issues a new one: it replaces the old one for
    the rest of the run and goes to ``on_rotate``, to be kept for the next run.
    """

    def __init__(
        self,
        request_token: TokenRequest,
        *,
        refresh_token: str | None = None,
        login: UserLogin | None = None,
        on_rotate: Callable[[str], None] | None = None,
        redirect_uri: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not refresh_token and login is None:
            raise ValueError("OAuth needs a refresh token or a user login")
        self._request_token = request_token
        self._refresh_token = refresh_token or None
        self._login = login
        self._on_rotate = on_rotate
        self._redirect_uri = redirect_uri
        self._clock = clock
        self._lock = threading.Lock()
        self._access_token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return "OAuthTokens()"

    def access_token(self) -> str:
        """A token valid for a while yet."""
        with self._lock:
            if self._access_token is None or self._clock() >= self._renew_at:
                return self._obtain()
            return self._access_token

    def replace(self, refused: str | None) -> str:
        """A new token in place of ``refused``, unless another thread has replaced it already."""
        with self._lock:
            if self._access_token is None or self._access_token == refused:
                return self._obtain()
            return self._access_token

    def _obtain(self) -> str:
        """Send the grant and keep what Eloqua issues; the caller holds the lock."""
        grant = self._grant()
        asked_at = self._clock()
        answer = self._request_token(grant)
        access_token = answer.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise EloquaError("Eloqua's OAuth token endpoint answered without an access token")
        lifetime = float(answer.get("expires_in") or DEFAULT_TOKEN_SECONDS)
        self._access_token = access_token
        self._renew_at = asked_at + lifetime - min(REFRESH_MARGIN_SECONDS, lifetime / 10)
        logger.info(
            "OAuth access token obtained (%s grant), valid for %g s", grant["grant_type"], lifetime
        )
        self._keep_refresh_token(answer.get("refresh_token"))
        return access_token

    def _grant(self) -> dict[str, str]:
        if self._refresh_token:
            grant = {
                "grant_type": "refresh_token",
                "refresh_token": self._refresh_token,
                "scope": "full",
            }
            if self._redirect_uri:  # Eloqua's own example of the grant sends the app's
                grant["redirect_uri"] = self._redirect_uri
            return grant
        assert self._login is not None  # the constructor insists on one or the other
        return {
            "grant_type": "password",
            "scope": "full",
            "username": f"{self._login.company}\\{self._login.username}",
            "password": self._login.password,
        }

    def _keep_refresh_token(self, issued: Any) -> None:
        if not isinstance(issued, str) or not issued or issued == self._refresh_token:
            return
        self._refresh_token = issued
        logger.info("Eloqua rotated the OAuth refresh token: the new one is kept for this run")
        if self._on_rotate is not None:
            self._on_rotate(issued)


class EloquaBearerAuth(EloquaAuth):
    """Adds ``Authorization: Bearer <access token>`` from ``tokens`` to each request."""

    credentials = "OAuth app or grant (client_id, client_secret, or the user who authorized it)"

    def __init__(self, tokens: OAuthTokens) -> None:
        self.tokens = tokens
        self._sent = threading.local()  # the token each thread's last request carried

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.tokens.access_token()
        self._sent.token = token
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    def renew(self) -> bool:
        """Replace the access token this thread's last request carried (Eloqua refused it)."""
        self.tokens.replace(getattr(self._sent, "token", None))
        return True

    def __repr__(self) -> str:
        return "EloquaBearerAuth()"
