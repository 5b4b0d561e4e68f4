"""Basic ``Company\\User:password``, OAuth 2.0 tokens, ``/id`` and 401s."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from tests.emulator.conftest import AUTH, CLIENT, FakeClock, admin_post

PASSWORD_GRANT = {
    "grant_type": "password",
    "scope": "full",
    "username": "ACME\\API.User",
    "password": "emulator",
}


def token(
    server: EmulatorServer, body: Any, client: Any = CLIENT, **kwargs: Any
) -> requests.Response:
    url = server.url + "/auth/oauth2/token"
    return requests.post(url, json=body, auth=client, timeout=5, **kwargs)


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def test_id_with_good_credentials_gives_site_user_and_urls(server: EmulatorServer) -> None:
    body = requests.get(server.url + "/id", auth=AUTH, timeout=5).json()
    assert body["site"] == {"id": 42, "name": "ACME"}
    assert body["user"]["username"] == "API.User"
    assert body["urls"]["base"] == server.url
    assert body["urls"]["apis"]["rest"]["bulk"] == server.url + "/API/Bulk/{version}/"


@pytest.mark.parametrize(
    "auth",
    [None, ("ACME\\API.User", "wrong"), ("API.User", "emulator"), ("Other\\API.User", "emulator")],
)
def test_id_with_bad_credentials_is_200_not_authenticated(
    server: EmulatorServer, auth: tuple[str, str] | None
) -> None:
    response = requests.get(server.url + "/id", auth=auth, timeout=5)
    assert response.status_code == 200
    assert response.json() == "Not authenticated."
    assert response.headers["Content-Length"] == "20"


@pytest.mark.parametrize(
    "path", ["/accounts/fields", "/contacts/imports", "/syncs", "/syncs/1/logs", "/imports"]
)
@pytest.mark.parametrize("auth", [None, ("ACME\\API.User", "wrong")])
def test_every_api_endpoint_is_401_without_valid_credentials(
    server: EmulatorServer, path: str, auth: tuple[str, str] | None
) -> None:
    response = requests.get(server.url + "/api/bulk/2.0" + path, auth=auth, timeout=5)
    assert response.status_code == 401
    posted = requests.post(server.url + "/api/bulk/2.0/syncs", json={}, auth=auth, timeout=5)
    assert posted.status_code == 401


def test_password_grant_gives_a_bearer_token_that_works(server: EmulatorServer) -> None:
    response = token(server, PASSWORD_GRANT)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 28800
    assert body["refresh_token"]
    headers = bearer(body["access_token"])
    assert requests.get(server.url + "/id", headers=headers, timeout=5).json()["site"]["id"] == 42
    api = requests.get(server.url + "/api/bulk/2.0/syncs", headers=headers, timeout=5)
    assert api.status_code == 200


def test_refresh_tokens_rotate_and_are_single_use(server: EmulatorServer) -> None:
    first = token(server, PASSWORD_GRANT).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = token(server, refresh)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    again = token(server, refresh)
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_grant"
    newest = {"grant_type": "refresh_token", "refresh_token": second.json()["refresh_token"]}
    assert token(server, newest).status_code == 200


def test_refresh_grant_accepts_a_form_body_and_a_configured_token(clock: FakeClock) -> None:
    instance = EloquaInstance(clock=clock, refresh_token="seed-token")
    with EmulatorServer(instance) as server:
        form = {"grant_type": "refresh_token", "refresh_token": "seed-token", "scope": "full"}
        response = requests.post(
            server.url + "/auth/oauth2/token", data=form, auth=CLIENT, timeout=5
        )
        assert response.status_code == 200
        assert (
            requests.post(
                server.url + "/auth/oauth2/token", data=form, auth=CLIENT, timeout=5
            ).status_code
            == 401
        )


@pytest.mark.parametrize(
    ("body", "client", "status", "error"),
    [
        (PASSWORD_GRANT, ("emulator-client", "wrong"), 401, "invalid_client"),
        (PASSWORD_GRANT, None, 401, "invalid_client"),
        ({**PASSWORD_GRANT, "password": "wrong"}, CLIENT, 401, "invalid_grant"),
        ({**PASSWORD_GRANT, "username": "API.User"}, CLIENT, 401, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "nope"}, CLIENT, 401, "invalid_grant"),
        ({"grant_type": "client_credentials"}, CLIENT, 400, "unsupported_grant_type"),
        ({"grant_type": "refresh_token"}, CLIENT, 400, "invalid_request"),
    ],
)
def test_token_errors_carry_error_code_and_description(
    server: EmulatorServer, body: Any, client: Any, status: int, error: str
) -> None:
    response = token(server, body, client)
    assert response.status_code == status
    assert set(response.json()) == {"error", "error_code", "error_description"}
    assert response.json()["error"] == error
    assert isinstance(response.json()["error_code"], int)


def test_access_tokens_expire_with_the_clock(server: EmulatorServer, clock: FakeClock) -> None:
    headers = bearer(token(server, PASSWORD_GRANT).json()["access_token"])
    url = server.url + "/api/bulk/2.0/syncs"
    clock.advance(28799)
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    clock.advance(1)
    assert requests.get(url, headers=headers, timeout=5).status_code == 401
    assert (
        requests.get(server.url + "/id", headers=headers, timeout=5).json() == "Not authenticated."
    )


def test_a_refresh_leaves_the_old_access_token_valid(server: EmulatorServer) -> None:
    first = token(server, PASSWORD_GRANT).json()
    token(server, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    url = server.url + "/api/bulk/2.0/syncs"
    assert requests.get(url, headers=bearer(first["access_token"]), timeout=5).status_code == 200


def test_admin_can_expire_tokens_now(server: EmulatorServer) -> None:
    first = token(server, PASSWORD_GRANT).json()["access_token"]
    second = token(server, PASSWORD_GRANT).json()["access_token"]
    url = server.url + "/api/bulk/2.0/syncs"
    assert admin_post(server, "tokens/expire", {"accessToken": first}).json() == {"expired": 1}
    assert requests.get(url, headers=bearer(first), timeout=5).status_code == 401
    assert requests.get(url, headers=bearer(second), timeout=5).status_code == 200
    assert requests.post(server.url + "/_emulator/tokens/expire", timeout=5).json() == {
        "expired": 1
    }
    assert requests.get(url, headers=bearer(second), timeout=5).status_code == 401


def test_admin_lists_every_token_response_with_its_grant(server: EmulatorServer) -> None:
    first = token(server, PASSWORD_GRANT).json()
    second = token(
        server, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    ).json()

    issued = requests.get(server.url + "/_emulator/tokens", timeout=5).json()["items"]

    assert issued == [
        {**first, "grant_type": "password"},
        {**second, "grant_type": "refresh_token"},
    ]
    admin_post(server, "reset")
    assert requests.get(server.url + "/_emulator/tokens", timeout=5).json() == {"items": []}
