"""Who may call the API: the Basic login, the OAuth 2.0 app, and the tokens it has issued."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TOKEN_SECONDS = 28800


@dataclass(frozen=True)
class Credentials:
    """The one login the instance accepts: ``Company\\User`` and a password."""

    company: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class OAuthClient:
    """The one OAuth app the instance knows; ``refresh_token`` is valid once, from the start."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)


class OAuthError(Exception):
    """A refused token request: its ``error``, and the body the token endpoint answers."""

    def __init__(self, error: str, code: int, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.body = {"error": error, "error_code": code, "error_description": description}


INVALID_CLIENT = ("invalid_client", 1001, "Client authentication failed.")
INVALID_REQUEST = ("invalid_request", 2001, "The request is missing a required parameter.")
UNSUPPORTED_GRANT = ("unsupported_grant_type", 2002, "The grant type is not supported.")
BAD_REFRESH_TOKEN = ("invalid_grant", 3001, "The refresh token is invalid or was used.")
BAD_USER = ("invalid_grant", 3002, "The user credentials are invalid.")


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(given.encode(), expected.encode())


class Logins:
    """Checks Basic logins and bearer tokens, and answers the token endpoint. Not thread-safe:
    the instance calls it under its lock.

    The token endpoint's rules, as Eloqua's: the app authenticates with HTTP Basic
    ``client_id:client_secret``; the password grant takes ``Company\\User`` and the password; access
    tokens expire after ``token_seconds``; refresh tokens are single-use and every refresh issues a
    new one (the old access token stays valid until it expires, as since Eloqua 26B). Errors carry
    ``error``, ``error_code`` (numeric; its thousands digit is the category: 1 client, 2 request, 3
    grant) and ``error_description``.
    """

    def __init__(
        self,
        credentials: Credentials,
        client: OAuthClient,
        clock: Callable[[], float],
        token_seconds: float = DEFAULT_TOKEN_SECONDS,
    ) -> None:
        self.credentials = credentials
        self.client = client
        self.token_seconds = token_seconds
        self._clock = clock
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._issued: list[dict[str, Any]] = []
        self.reset()

    def reset(self) -> None:
        """Forget every issued token; the configured refresh token is valid again."""
        self._access = {}
        self._issued = []
        self._refresh = {self.client.refresh_token} if self.client.refresh_token else set()

    def basic(self, login: str, password: str) -> bool:
        """Whether ``Company\\User`` and password are the accepted ones."""
        company, separator, user = login.partition("\\")
        expected = self.credentials
        return (
            bool(separator)
            & same(company, expected.company)
            & same(user, expected.username)
            & same(password, expected.password)
        )

    def bearer(self, token: str) -> bool:
        """Whether an access token was issued and has not expired."""
        expires = self._access.get(token)
        return expires is not None and self._clock() < expires

    def grant(self, client_id: str, client_secret: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer a token request: the token response, or OAuthError."""
        if not (
            same(client_id, self.client.client_id) & same(client_secret, self.client.client_secret)
        ):
            raise OAuthError(*INVALID_CLIENT)
        grant_type = body.get("grant_type")
        if not isinstance(grant_type, str):
            raise OAuthError(*INVALID_REQUEST)
        if grant_type == "password":
            self._check_user(body)
        elif grant_type == "refresh_token":
            self._use_refresh_token(body)
        else:
            raise OAuthError(*UNSUPPORTED_GRANT)
        return self._issue(grant_type)

    def issued(self) -> list[dict[str, Any]]:
        """Every token response given so far, in order, with the grant it answered."""
        return [dict(answer) for answer in self._issued]

    def expire(self, token: str | None = None) -> int:
        """Make one access token, or all, expire now; how many were still valid."""
        now = self._clock()
        chosen = [token] if token is not None else list(self._access)
        valid = [t for t in chosen if self.bearer(t)]
        for t in valid:
            self._access[t] = now
        return len(valid)

    def _check_user(self, body: Mapping[str, Any]) -> None:
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise OAuthError(*INVALID_REQUEST)
        if not self.basic(username, password):
            raise OAuthError(*BAD_USER)

    def _use_refresh_token(self, body: Mapping[str, Any]) -> None:
        token = body.get("refresh_token")
        if not isinstance(token, str):
            raise OAuthError(*INVALID_REQUEST)
        if token not in self._refresh:
            raise OAuthError(*BAD_REFRESH_TOKEN)
        self._refresh.discard(token)

    def _issue(self, grant_type: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._access[access] = self._clock() + self.token_seconds
        self._refresh.add(refresh)
        answer = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": round(self.token_seconds),
            "refresh_token": refresh,
        }
        self._issued.append({**answer, "grant_type": grant_type})
        return answer
