"""The auth objects: Basic headers, and OAuth tokens obtained, renewed and rotated.

The token endpoint is a scripted function here (``OAuthTokens`` takes any), and the clock a
number the test moves; the end-to-end tests run the same objects against the emulator.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import requests

from target_eloqua.bulk import (
    EloquaBasicAuth,
    EloquaBearerAuth,
    OAuthTokens,
    TokenRefusedError,
    UserLogin,
)


class TokenEndpoint:
    """Answers grants like Eloqua's token endpoint: a new access and refresh token each time."""

    def __init__(self, expires_in: int = 28800, pause: float = 0.0) -> None:
        self.grants: list[dict[str, str]] = []
        self.expires_in = expires_in
        self.pause = pause

    def __call__(self, grant: Mapping[str, str]) -> dict[str, Any]:
        self.grants.append(dict(grant))
        time.sleep(self.pause)
        n = len(self.grants)
        return {
            "access_token": f"access-{n}",
            "expires_in": self.expires_in,
            "refresh_token": f"r{n}",
        }


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def at_once_in_two_threads(work: Callable[[], str]) -> list[str]:
    """What ``work`` returns in each of two threads that start it at the same moment."""
    start, results = threading.Barrier(2), list[str]()

    def run() -> None:
        start.wait()
        results.append(work())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return results


def bearer_header(auth: EloquaBearerAuth) -> str:
    request = auth(requests.Request("GET", "https://eloqua.test/").prepare())
    return request.headers["Authorization"]


def test_basic_auth_uses_company_backslash_user_and_hides_the_password() -> None:
    auth = EloquaBasicAuth("ACME", "API.User", "s3cret-password")
    request = requests.Request("GET", "https://eloqua.test/").prepare()

    auth(request)

    assert request.headers["Authorization"] == "Basic QUNNRVxBUEkuVXNlcjpzM2NyZXQtcGFzc3dvcmQ="
    assert "s3cret" not in repr(auth)
    assert auth.renew() is False


def test_the_first_request_gets_a_token_with_the_refresh_grant_and_later_ones_reuse_it() -> None:
    endpoint = TokenEndpoint()
    auth = EloquaBearerAuth(OAuthTokens(endpoint, refresh_token="r0"))

    assert bearer_header(auth) == "Bearer access-1"
    assert bearer_header(auth) == "Bearer access-1"
    assert endpoint.grants == [
        {"grant_type": "refresh_token", "refresh_token": "r0", "scope": "full"}
    ]


def test_the_refresh_grant_carries_the_apps_redirect_uri_when_one_is_set() -> None:
    endpoint = TokenEndpoint()
    tokens = OAuthTokens(endpoint, refresh_token="r0", redirect_uri="https://app.example/cb")

    tokens.access_token()

    assert endpoint.grants[0]["redirect_uri"] == "https://app.example/cb"


def test_without_a_refresh_token_the_password_grant_sends_company_backslash_user() -> None:
    endpoint = TokenEndpoint()
    tokens = OAuthTokens(endpoint, login=UserLogin("ACME", "API.User", "pw"))

    assert tokens.access_token() == "access-1"
    assert endpoint.grants == [
        {"grant_type": "password", "scope": "full", "username": "ACME\\API.User", "password": "pw"}
    ]


def test_a_token_is_replaced_shortly_before_it_expires() -> None:
    endpoint, clock = TokenEndpoint(expires_in=3600), Clock()
    tokens = OAuthTokens(endpoint, refresh_token="r0", clock=clock)
    tokens.access_token()

    clock.now += 3600 - 61
    assert tokens.access_token() == "access-1"
    clock.now += 1
    assert tokens.access_token() == "access-2"
    assert len(endpoint.grants) == 2


def test_a_short_lived_token_is_replaced_after_nine_tenths_of_its_life() -> None:
    endpoint, clock = TokenEndpoint(expires_in=10), Clock()
    tokens = OAuthTokens(endpoint, refresh_token="r0", clock=clock)
    tokens.access_token()

    clock.now += 8.9
    assert tokens.access_token() == "access-1"
    clock.now += 0.1
    assert tokens.access_token() == "access-2"


def test_each_rotated_refresh_token_is_used_next_and_handed_on() -> None:
    endpoint, clock, kept = TokenEndpoint(expires_in=100), Clock(), list[str]()
    tokens = OAuthTokens(endpoint, refresh_token="r0", on_rotate=kept.append, clock=clock)

    tokens.access_token()
    clock.now += 100
    tokens.access_token()

    assert [grant["refresh_token"] for grant in endpoint.grants] == ["r0", "r1"]
    assert kept == ["r1", "r2"]


def test_a_password_grant_switches_to_the_refresh_token_it_was_given() -> None:
    endpoint, clock = TokenEndpoint(expires_in=100), Clock()
    tokens = OAuthTokens(endpoint, login=UserLogin("ACME", "API.User", "pw"), clock=clock)

    tokens.access_token()
    clock.now += 100
    tokens.access_token()

    assert [grant["grant_type"] for grant in endpoint.grants] == ["password", "refresh_token"]


def test_renew_replaces_the_refused_token_once_for_every_thread_that_sent_it() -> None:
    endpoint = TokenEndpoint()
    auth = EloquaBearerAuth(OAuthTokens(endpoint, refresh_token="r0"))
    bearer_header(auth)

    assert auth.renew() is True
    assert bearer_header(auth) == "Bearer access-2"
    assert auth.tokens.replace("access-1") == "access-2"  # another thread's late 401
    assert len(endpoint.grants) == 2


def test_two_threads_that_need_a_new_token_cause_one_token_request() -> None:
    endpoint = TokenEndpoint(pause=0.2)
    auth = EloquaBearerAuth(OAuthTokens(endpoint, refresh_token="r0"))

    headers = at_once_in_two_threads(lambda: bearer_header(auth))

    assert headers == ["Bearer access-1", "Bearer access-1"]
    assert len(endpoint.grants) == 1


def test_two_threads_refused_the_same_token_cause_one_token_request() -> None:
    endpoint = TokenEndpoint(pause=0.2)
    tokens = OAuthTokens(endpoint, refresh_token="r0")
    refused = tokens.access_token()

    renewed = at_once_in_two_threads(lambda: tokens.replace(refused))

    assert renewed == ["access-2", "access-2"]
    assert len(endpoint.grants) == 2


def test_a_refused_grant_reaches_the_caller_and_leaves_no_token() -> None:
    def refuse(grant: Mapping[str, str]) -> dict[str, Any]:
        raise TokenRefusedError("refresh_token", 401, {"error": "invalid_grant"})

    tokens = OAuthTokens(refuse, refresh_token="r0")

    with pytest.raises(TokenRefusedError, match="invalid_grant"):
        tokens.access_token()
    with pytest.raises(TokenRefusedError):
        tokens.access_token()


def test_no_secret_in_the_repr_of_the_oauth_objects() -> None:
    login = UserLogin("ACME", "API.User", "pw-9913")
    auth = EloquaBearerAuth(OAuthTokens(TokenEndpoint(), refresh_token="rt-4471", login=login))
    bearer_header(auth)

    shown = repr(auth) + repr(auth.tokens) + repr(login)

    assert "pw-9913" not in shown
    assert "rt-4471" not in shown
    assert "access-1" not in shown


def test_oauth_needs_a_refresh_token_or_a_login() -> None:
    with pytest.raises(ValueError, match="refresh token or a user login"):
        OAuthTokens(TokenEndpoint())
