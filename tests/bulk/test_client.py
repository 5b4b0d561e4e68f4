"""The Bulk API client's own decisions, with ``requests`` replaced by scripted answers, and its
exports and look-ups against the emulator.

The end-to-end tests run the same client against the emulator; these pin down the retry rules
and the error messages one by one.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from target_eloqua.bulk import (
    BulkClient,
    EloquaAPIError,
    EloquaAuth,
    EloquaBasicAuth,
    EloquaConnectionError,
    EloquaError,
    Identity,
    NotAuthenticatedError,
    OutcomeUnknownError,
    RetriableAPIError,
    RetryPolicy,
    Site,
    SyncTimeoutError,
    TokenRefusedError,
    UnauthorizedError,
    identify,
    request_token,
)
from target_eloqua.bulk.client import endpoint_of
from target_eloqua.emulator import DEFAULT_PASSWORD, EloquaInstance, EmulatorServer
from tests.support import admin

AUTH = EloquaBasicAuth("ACME", "API.User", "s3cret-password")


def answer(
    status: int, body: Any = None, reason: str = "", headers: dict[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response.headers.update(headers or {})
    # requests has no public way to give a Response its body
    response._content = b"" if body is None else json.dumps(body).encode()  # noqa: SLF001
    response.request = requests.Request("GET", "https://eloqua.test/x").prepare()
    return response


def scripted_client(*answers: requests.Response | Exception) -> tuple[BulkClient, mock.Mock]:
    """A client whose session answers ``answers`` in turn, and which never really waits."""
    retries = RetryPolicy(max_tries=4, sleep=lambda seconds: None)
    client = BulkClient("https://eloqua.test/", AUTH, retries=retries)
    send = mock.Mock(side_effect=list(answers))
    client.session.request = send  # type: ignore[method-assign]
    return client, send


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens on the port: the request was never sent."""
    message = "Failed to establish a new connection: Connection refused"
    reason = NewConnectionError(None, message)  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, "/x", reason))  # type: ignore[arg-type]


def test_requests_go_to_the_bulk_root_with_a_timeout_and_content_type() -> None:
    client, send = scripted_client(answer(201, {"uri": "/syncs/7", "status": "pending"}))

    sync = client.create_sync("/accounts/imports/3")

    assert sync == {"uri": "/syncs/7", "status": "pending"}
    (method, url), kwargs = send.call_args
    assert (method, url) == ("POST", "https://eloqua.test/api/bulk/2.0/syncs")
    assert kwargs["json"] == {"syncedInstanceUri": "/accounts/imports/3"}
    assert kwargs["timeout"] == client.timeout
    assert kwargs["headers"]["Content-Type"] == "application/json"


def test_list_items_pages_through_the_envelope_with_limit_and_offset() -> None:
    client, send = scripted_client(
        answer(200, {"items": [{"n": 1}, {"n": 2}], "hasMore": True, "offset": 0}),
        answer(200, {"items": [{"n": 3}], "hasMore": False, "offset": 2}),
    )

    items = client.list_items("/accounts/fields", page_size=2)

    assert items == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert [call.args[1] for call in send.call_args_list] == [
        "https://eloqua.test/api/bulk/2.0/accounts/fields?limit=2&offset=0",
        "https://eloqua.test/api/bulk/2.0/accounts/fields?limit=2&offset=2",
    ]


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_429_and_5xx_are_retried_for_safe_requests(status: int) -> None:
    client, send = scripted_client(
        answer(status), answer(status), answer(200, {"status": "active"})
    )

    assert client.get_sync("/syncs/7") == {"status": "active"}
    assert send.call_count == 3


def test_connection_errors_are_retried_for_safe_requests() -> None:
    client, send = scripted_client(requests.ConnectionError("reset"), answer(200, {"status": "x"}))

    assert client.get_sync("/syncs/7")["status"] == "x"
    assert send.call_count == 2


def test_retries_stop_at_the_cap_with_the_last_error() -> None:
    client, send = scripted_client(*[answer(503, reason="Service Unavailable")] * 4)

    with pytest.raises(RetriableAPIError, match="503 Service Unavailable to GET /syncs/7"):
        client.get_sync("/syncs/7")
    assert send.call_count == 4


def test_a_connection_that_keeps_failing_ends_in_a_readable_error() -> None:
    client, send = scripted_client(*[requests.ConnectionError("Connection refused")] * 4)

    with pytest.raises(EloquaConnectionError, match="Eloqua did not answer: Connection refused"):
        client.get_sync("/syncs/7")
    assert send.call_count == 4


def test_other_4xx_fail_at_once_with_eloquas_failures_as_readable_lines() -> None:
    failures = {
        "failures": [
            {"field": "identifierFieldName", "value": "nope", "constraint": "Must be a field key"}
        ]
    }
    client, send = scripted_client(answer(400, failures, "There was a validation error."))

    with pytest.raises(EloquaAPIError) as caught:
        client.create_import("/accounts/imports", {"name": "x"})

    assert send.call_count == 1
    assert str(caught.value) == (
        "Eloqua answered 400 There was a validation error. to POST /accounts/imports\n"
        "  identifierFieldName: Must be a field key (value: 'nope')"
    )


@pytest.mark.parametrize(
    "failure",
    [
        answer(500, reason="Internal Server Error"),
        answer(503, reason="Service Unavailable"),
        requests.ConnectionError("Remote end closed connection without response"),
        requests.ReadTimeout("Read timed out."),
    ],
)
def test_an_upload_is_not_repeated_after_a_failure_eloqua_may_have_acted_on(
    failure: requests.Response | Exception,
) -> None:
    client, send = scripted_client(failure, answer(204))

    with pytest.raises(OutcomeUnknownError) as caught:
        client.upload("/accounts/imports/3", b"a\r\n1\r\n", "text/csv")

    assert send.call_count == 1
    assert str(caught.value).startswith(
        "Eloqua may or may not have acted on POST /accounts/imports/3/data: "
    )


def test_a_sync_creation_whose_answer_was_lost_is_not_repeated() -> None:
    client, send = scripted_client(requests.ConnectionError("reset"), answer(201, {"uri": "/s/1"}))

    with pytest.raises(OutcomeUnknownError, match="acted on POST /syncs: reset"):
        client.create_sync("/accounts/imports/3")
    assert send.call_count == 1


def test_an_upload_is_repeated_when_the_connection_was_never_made() -> None:
    client, send = scripted_client(refused(), requests.ConnectTimeout("timed out"), answer(204))

    client.upload("/accounts/imports/3", b"a\r\n1\r\n", "text/csv")

    assert send.call_count == 3


def sync_item(number: int, definition: int, created_at: str) -> dict[str, Any]:
    return {
        "uri": f"/syncs/{number}",
        "syncedInstanceUri": f"/accounts/imports/{definition}",
        "createdAt": created_at,
        "status": "pending",
    }


def test_new_syncs_are_the_definitions_syncs_the_caller_does_not_know_oldest_first() -> None:
    newest_first = [
        sync_item(9, 3, "2026-11-28T10:00:06.5000000Z"),
        sync_item(8, 4, "2026-11-28T10:00:06.1000000Z"),  # another definition
        sync_item(7, 3, "2026-11-28T10:00:05.2000000Z"),
        sync_item(5, 3, "2026-11-28T09:00:00.0000000Z"),  # known
    ]
    client, send = scripted_client(answer(200, {"items": newest_first, "hasMore": False}))

    found = client.new_syncs("/accounts/imports/3", {"/syncs/5"})

    assert [sync["uri"] for sync in found] == ["/syncs/7", "/syncs/9"]
    query = parse_qs(urlsplit(send.call_args.args[1]).query)
    assert query["q"] == ['"syncedInstanceUri=/accounts/imports/3"']
    assert query["orderBy"] == ["createdAt DESC"]


def test_an_upload_is_repeated_after_429_which_eloqua_did_not_act_on() -> None:
    client, send = scripted_client(answer(429), answer(204))

    client.upload("/accounts/imports/3", b"a\r\n1\r\n", "text/csv")

    assert send.call_count == 2
    assert send.call_args.kwargs["data"] == b"a\r\n1\r\n"


def test_wait_for_sync_returns_the_terminal_sync_and_tells_each_status_read() -> None:
    client, send = scripted_client(
        answer(200, {"uri": "/syncs/7", "status": "pending"}),
        answer(200, {"uri": "/syncs/7", "status": "active"}),
        answer(200, {"uri": "/syncs/7", "status": "active"}),
        answer(200, {"uri": "/syncs/7", "status": "success"}),
    )
    heard: list[str] = []

    sync = client.wait_for_sync(
        "/syncs/7",
        timeout=5,
        first_interval=0.001,
        on_poll=lambda polled, seconds: heard.append(polled["status"]),
    )

    assert sync["status"] == "success"
    assert send.call_count == 4
    assert heard == ["pending", "active", "active", "success"]


def test_wait_for_sync_gives_up_at_its_deadline() -> None:
    client, _ = scripted_client(*[answer(200, {"uri": "/syncs/7", "status": "active"})] * 50)

    with pytest.raises(SyncTimeoutError, match=r"/syncs/7 did not end within 0.05 s.*active"):
        client.wait_for_sync("/syncs/7", timeout=0.05, first_interval=0.01)


def test_discovery_reads_the_site_and_the_pod_base_url() -> None:
    body = {
        "site": {"id": 42, "name": "MyTestInstall"},
        "urls": {"base": "https://secure.p03.eloqua.com/"},
    }
    with mock.patch("requests.get", return_value=answer(200, body)) as get:
        assert identify("https://login.eloqua.com/", AUTH) == Identity(
            Site(42, "MyTestInstall"), "https://secure.p03.eloqua.com"
        )
    assert get.call_args.args == ("https://login.eloqua.com/id",)
    assert get.call_args.kwargs["timeout"]


def test_discovery_turns_not_authenticated_into_an_error_naming_the_causes() -> None:
    with (
        mock.patch("requests.get", return_value=answer(200, "Not authenticated.")),
        pytest.raises(NotAuthenticatedError, match="allow-list") as caught,
    ):
        identify("https://login.eloqua.com", AUTH)
    assert "s3cret-password" not in str(caught.value)


def test_pages_yields_each_page_as_it_is_read() -> None:
    client, send = scripted_client(
        answer(200, {"items": [{"n": 1}, {"n": 2}], "hasMore": True}),
        answer(200, {"items": [{"n": 3}], "hasMore": False}),
    )

    pages = client.pages("/syncs/7/rejects", page_size=2)

    assert next(pages) == [{"n": 1}, {"n": 2}]
    assert send.call_count == 1
    assert list(pages) == [[{"n": 3}]]
    assert [call.args[1] for call in send.call_args_list] == [
        "https://eloqua.test/api/bulk/2.0/syncs/7/rejects?limit=2&offset=0",
        "https://eloqua.test/api/bulk/2.0/syncs/7/rejects?limit=2&offset=2",
    ]


def test_pages_stop_at_an_empty_page_even_if_eloqua_says_there_is_more() -> None:
    client, send = scripted_client(
        answer(200, {"items": [{"n": 1}], "hasMore": True}),
        answer(200, {"items": [], "hasMore": True}),
        answer(200, {"items": [{"n": 2}], "hasMore": False}),
    )

    assert list(client.pages("/syncs/7/rejects")) == [[{"n": 1}]]
    assert send.call_count == 2


def test_an_empty_list_has_no_pages() -> None:
    client, send = scripted_client(answer(200, {"items": [], "hasMore": False, "totalResults": 0}))

    assert list(client.pages("/syncs/7/rejects")) == []
    assert send.call_count == 1


def test_pages_add_limit_and_offset_to_a_path_that_has_a_query() -> None:
    client, send = scripted_client(answer(200, {"items": [{"n": 1}], "hasMore": False}))

    list(client.pages("/accounts/fields?q=name", page_size=5))

    assert send.call_args.args[1].endswith("/accounts/fields?q=name&limit=5&offset=0")


def test_pages_give_up_on_a_list_that_never_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("target_eloqua.bulk.client.MAX_PAGES", 3)
    client, send = scripted_client(*[answer(200, {"items": [{"n": 1}], "hasMore": True})] * 4)

    with pytest.raises(EloquaError, match="/syncs/7/rejects lists more than 3 items"):
        list(client.pages("/syncs/7/rejects", page_size=1))
    assert send.call_count == 3


def test_create_sync_sends_a_callback_url_only_when_given() -> None:
    client, send = scripted_client(
        answer(201, {"uri": "/syncs/7", "status": "pending"}),
        answer(201, {"uri": "/syncs/8", "status": "pending"}),
    )

    client.create_sync("/accounts/imports/3", callback_url="https://hooks.example/eloqua")
    client.create_sync("/accounts/imports/3")

    assert [call.kwargs["json"] for call in send.call_args_list] == [
        {"syncedInstanceUri": "/accounts/imports/3", "callbackUrl": "https://hooks.example/eloqua"},
        {"syncedInstanceUri": "/accounts/imports/3"},
    ]


@pytest.mark.parametrize(("path", "endpoint"), [
    ("/syncs/12/logs?offset=0&limit=1000", "/syncs/{id}/logs"),
    ("/syncs/12", "/syncs/{id}"),
    ("/customObjects/9/imports/3/data", "/customObjects/{id}/imports/{id}/data"),
    ("/accounts/imports", "/accounts/imports"),
    ("/syncs", "/syncs"),
    ("/syncs/12abc/logs", "/syncs/12abc/logs"),
])  # fmt: skip
def test_endpoint_of_replaces_numeric_ids_and_drops_the_query(path: str, endpoint: str) -> None:
    assert endpoint_of(path) == endpoint


def test_on_response_hears_every_answer_retried_ones_included() -> None:
    heard: list[tuple[str, str, int, float]] = []
    client, _ = scripted_client(answer(503), answer(500), answer(200, {"status": "active"}))
    client.on_response = lambda *answered: heard.append(answered)

    client.get_sync("/syncs/7")

    assert [(method, endpoint, status) for method, endpoint, status, _ in heard] == [
        ("GET", "/syncs/{id}", 503),
        ("GET", "/syncs/{id}", 500),
        ("GET", "/syncs/{id}", 200),
    ]
    assert all(seconds >= 0 for *_, seconds in heard)


def test_on_response_hears_a_refusal_but_not_a_connection_that_never_answered() -> None:
    heard: list[tuple[str, str, int]] = []
    client, _ = scripted_client(
        requests.ConnectionError("reset"), answer(400, {"failures": []}, "Bad Request")
    )
    client.on_response = lambda method, endpoint, status, seconds: heard.append(
        (method, endpoint, status)
    )

    with pytest.raises(EloquaAPIError):
        client.create_import("/customObjects/9/imports", {"name": "x"})

    assert heard == [("POST", "/customObjects/{id}/imports", 400)]


def test_on_response_names_the_endpoint_of_each_page() -> None:
    heard: list[str] = []
    client, _ = scripted_client(
        answer(200, {"items": [{"n": 1}], "hasMore": True}),
        answer(200, {"items": [{"n": 2}], "hasMore": False}),
    )
    client.on_response = lambda method, endpoint, status, seconds: heard.append(endpoint)

    assert client.list_items("/syncs/7/rejects", page_size=1) == [{"n": 1}, {"n": 2}]
    assert heard == ["/syncs/{id}/rejects", "/syncs/{id}/rejects"]


def test_polling_starts_at_the_first_interval_and_backs_off_to_30_seconds() -> None:
    statuses = ["pending"] * 12 + ["success"]
    client, _ = scripted_client(*[answer(200, {"uri": "/syncs/7", "status": s}) for s in statuses])

    with mock.patch("target_eloqua.bulk.client.time.sleep") as sleep:
        client.wait_for_sync("/syncs/7", timeout=3600, first_interval=2)

    waits = [call.args[0] for call in sleep.call_args_list]
    assert waits[:3] == pytest.approx([2, 3, 4.5])
    assert all(later >= earlier for earlier, later in itertools.pairwise(waits))
    assert waits[-3:] == [30, 30, 30]


class RenewableAuth(EloquaAuth):
    """Credentials that can be renewed, as OAuth tokens can; counts the renewals."""

    credentials = "renewable credentials"

    def __init__(self) -> None:
        self.renewals = 0

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer token-{self.renewals}"
        return request

    def renew(self) -> bool:
        self.renewals += 1
        return True


UNAUTHORIZED = (401, None, "You are not authorized to make this request")


def test_a_401_is_tried_again_once_with_renewed_credentials() -> None:
    client, send = scripted_client(answer(*UNAUTHORIZED), answer(201, {"uri": "/syncs/7"}))
    client.auth = auth = RenewableAuth()

    assert client.create_sync("/accounts/imports/3") == {"uri": "/syncs/7"}
    assert auth.renewals == 1
    assert send.call_count == 2


def test_a_401_that_persists_is_tried_on_the_pod_id_names_then_fails_naming_causes() -> None:
    client, send = scripted_client(*[answer(*UNAUTHORIZED)] * 3)
    client.auth = RenewableAuth()
    client.rediscover = mock.Mock(return_value="https://secure.p04.eloqua.com")

    with pytest.raises(UnauthorizedError) as caught:
        client.upload("/accounts/imports/3", b"a\r\n1\r\n", "text/csv")

    assert send.call_count == 3
    client.rediscover.assert_called_once_with("https://eloqua.test")
    assert send.call_args.args[1] == (
        "https://secure.p04.eloqua.com/api/bulk/2.0/accounts/imports/3/data"
    )
    assert str(caught.value).startswith(
        "Eloqua answered 401 You are not authorized to make this request to POST "
        "/accounts/imports/3/data, also after trying again with a new access token and on the "
        "pod /id names (https://secure.p04.eloqua.com). Likely causes: wrong renewable "
        "credentials; the user lacks permission for this entity; this machine's IP is not on"
    )


def test_a_basic_login_refused_on_a_pinned_pod_fails_at_once_naming_base_url() -> None:
    client, send = scripted_client(answer(*UNAUTHORIZED), answer(200, {"status": "active"}))

    with pytest.raises(UnauthorizedError, match="the instance moved to another pod than base_url"):
        client.get_sync("/syncs/7")
    assert send.call_count == 1


def test_a_401_then_another_error_reports_that_error() -> None:
    client, _ = scripted_client(answer(*UNAUTHORIZED), answer(403, None, "Forbidden"))
    client.auth = RenewableAuth()

    with pytest.raises(EloquaAPIError, match="403 Forbidden to GET /syncs/7"):
        client.get_sync("/syncs/7")


def test_tls_certificates_are_verified() -> None:
    client = BulkClient("https://eloqua.test", AUTH)
    settings = client.session.merge_environment_settings(
        "https://eloqua.test/api/bulk/2.0/syncs", {}, None, None, None
    )

    assert client.session.verify is True
    assert settings["verify"] not in (False, "")


def token_answer(status: int, body: Any) -> requests.Response:
    response = answer(status, body)
    response.request = requests.Request("POST", "https://login.eloqua.test/x").prepare()
    return response


REFRESH_GRANT = {"grant_type": "refresh_token", "refresh_token": "rt-1", "scope": "full"}


def test_a_token_request_posts_the_grant_with_the_app_as_basic_auth() -> None:
    issued = {"access_token": "a", "expires_in": 28800, "refresh_token": "rt-2"}
    app = requests.auth.HTTPBasicAuth("client", "secret")
    with mock.patch("requests.post", return_value=token_answer(200, issued)) as post:
        assert request_token("https://login.eloqua.test/", app, REFRESH_GRANT) == issued

    assert post.call_args.args == ("https://login.eloqua.test/auth/oauth2/token",)
    assert post.call_args.kwargs["json"] == REFRESH_GRANT
    assert post.call_args.kwargs["auth"] is app
    assert post.call_args.kwargs["timeout"]
    assert post.call_args.kwargs.get("verify", True) is True


def test_a_refused_grant_carries_eloquas_error_and_no_token() -> None:
    refusal = {
        "error": "invalid_grant",
        "error_code": 3001,
        "error_description": "The refresh token is invalid or was used.",
    }
    with (
        mock.patch("requests.post", return_value=token_answer(401, refusal)) as post,
        pytest.raises(TokenRefusedError) as caught,
    ):
        request_token("https://login.eloqua.test", AUTH, REFRESH_GRANT)

    assert post.call_count == 1
    assert str(caught.value).startswith(
        "Eloqua's OAuth token endpoint refused the refresh_token grant: invalid_grant (3001): "
        "The refresh token is invalid or was used. Likely causes: the refresh token was already "
        "used"
    )
    assert "rt-1" not in str(caught.value)


def test_a_refresh_grant_eloqua_may_have_acted_on_is_not_sent_again() -> None:
    with (
        mock.patch("requests.post", return_value=token_answer(500, None)) as post,
        pytest.raises(OutcomeUnknownError, match="POST /auth/oauth2/token"),
    ):
        request_token("https://login.eloqua.test", AUTH, REFRESH_GRANT)
    assert post.call_count == 1


def test_a_password_grant_is_sent_again_after_a_server_error() -> None:
    grant = {"grant_type": "password", "username": "ACME\\API.User", "password": "pw"}
    answers = [token_answer(503, None), token_answer(200, {"access_token": "a"})]
    with (
        mock.patch("requests.post", side_effect=answers) as post,
        mock.patch("target_eloqua.bulk.client.time.sleep"),
    ):
        assert request_token("https://login.eloqua.test", AUTH, grant) == {"access_token": "a"}
    assert post.call_count == 2


def test_eloquas_retry_after_header_is_the_wait() -> None:
    waits: list[float] = []
    retries = RetryPolicy(sleep=waits.append)
    client = BulkClient("https://eloqua.test/", AUTH, retries=retries)
    busy = {"Date": "Sat, 28 Nov 2026 10:00:00 GMT"}
    client.session.request = mock.Mock(  # type: ignore[method-assign]
        side_effect=[
            answer(429, headers={**busy, "Retry-After": "3"}),
            answer(503, headers={**busy, "Retry-After": "Sat, 28 Nov 2026 10:00:02 GMT"}),
            answer(200, {"status": "active"}),
        ]
    )

    client.get_sync("/syncs/7")

    assert waits == [3, 2]


@pytest.fixture
def instant_emulator() -> Iterator[EmulatorServer]:
    """An emulated Eloqua whose syncs end at once."""
    with EmulatorServer(EloquaInstance(sync_seconds=0)) as server:
        yield server


def emulator_client(server: EmulatorServer) -> BulkClient:
    retries = RetryPolicy(max_tries=3, sleep=lambda seconds: None)
    return BulkClient(
        server.url, EloquaBasicAuth("ACME", "API.User", DEFAULT_PASSWORD), retries=retries
    )


def load_contacts(client: BulkClient, emails: list[str]) -> None:
    definition = client.create_import(
        "/contacts/imports",
        {
            "name": "contacts",
            "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
            "identifierFieldName": "email",
        },
    )
    client.upload(
        definition["uri"], json.dumps([{"email": e} for e in emails]).encode(), "application/json"
    )
    client.wait_for_sync(
        client.create_sync(definition["uri"])["uri"], timeout=10, first_interval=0.01
    )


def test_an_export_is_defined_synced_and_read_page_by_page(
    instant_emulator: EmulatorServer,
) -> None:
    client = emulator_client(instant_emulator)
    load_contacts(client, ["a@x.com", "b@x.com", "c@x.com"])

    definition = client.create_export(
        "/contacts/exports",
        {
            "name": "read back",
            "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
            "filter": "'{{Contact.Field(C_EmailAddress)}}' = 'a@x.com' OR "
            "'{{Contact.Field(C_EmailAddress)}}' = 'c@x.com'",
        },
    )
    sync = client.sync_export(definition["uri"])
    ended = client.wait_for_sync(sync["uri"], timeout=10, first_interval=0.01)
    pages = list(client.export_pages(sync["uri"], page_size=1))

    assert ended["status"] == "success"
    assert pages == [[{"email": "a@x.com"}], [{"email": "c@x.com"}]]
    data_reads = [r for r in admin(instant_emulator, "requests") if r["path"].endswith("/data")]
    assert [r["query"] for r in data_reads if r["method"] == "GET"] == [
        {"limit": "1", "offset": "0"},
        {"limit": "1", "offset": "1"},
    ]


def test_an_export_sync_whose_answer_was_lost_is_asked_for_again(
    instant_emulator: EmulatorServer,
) -> None:
    client = emulator_client(instant_emulator)
    definition = client.create_export(
        "/contacts/exports", {"name": "x", "fields": {"e": "{{Contact.Field(C_EmailAddress)}}"}}
    )
    fault = {"method": "POST", "path": "/api/bulk/2.0/syncs", "status": 503, "when": "after"}
    requests.post(f"{instant_emulator.url}/_emulator/faults", json=fault, timeout=5)

    sync = client.sync_export(definition["uri"])

    assert sync["uri"] == "/syncs/2"  # the first was created, its answer lost: harmless
    assert [s["syncedInstanceUri"] for s in admin(instant_emulator, "syncs")] == [
        definition["uri"]
    ] * 2


def test_an_export_eloqua_refuses_fails_at_once_with_its_failures(
    instant_emulator: EmulatorServer,
) -> None:
    client = emulator_client(instant_emulator)
    body = {"name": "x", "fields": {"e": "{{Contact.Field(C_EmailAddress)}}"}, "filter": "x" * 1001}
    with pytest.raises(EloquaAPIError, match="filter: Must be at most 1000 characters long"):
        client.create_export("/contacts/exports", body)


def test_find_named_looks_lists_and_custom_objects_up_by_their_exact_name(
    instant_emulator: EmulatorServer,
) -> None:
    client = emulator_client(instant_emulator)
    addition = {
        "accountLists": [{"id": 203, "name": "Partners'"}, {"id": 204, "name": "Partners 2"}]
    }
    requests.patch(f"{instant_emulator.url}/_emulator/catalog", json=addition, timeout=5)

    assert [i["uri"] for i in client.find_named("/contacts/lists", "Newsletter")] == [
        "/contacts/lists/101"
    ]
    assert [i["uri"] for i in client.find_named("/customObjects", "Purchases")] == [
        "/customObjects/9"
    ]
    assert [i["uri"] for i in client.find_named("/accounts/lists", "Partners'")] == [
        "/accounts/lists/203"
    ]
    assert client.find_named("/emailGroups", "product news") == []


def test_a_sync_action_definition_is_created_synced_and_deleted(
    instant_emulator: EmulatorServer,
) -> None:
    client = emulator_client(instant_emulator)
    load_contacts(client, ["a@x.com", "b@x.com"])
    definition = client.create_import(
        "/contacts/syncActions",
        {
            "name": "newsletter",
            "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
            "identifierFieldName": "email",
            "syncActions": [{"action": "add", "destination": "{{ContactList[101]}}"}],
        },
    )
    client.upload(definition["uri"], b"email\r\nB@x.com\r\n", "text/csv")
    sync = client.create_sync(definition["uri"])
    ended = client.wait_for_sync(sync["uri"], timeout=10, first_interval=0.01)

    client.delete(definition["uri"])

    assert definition["uri"] == "/contacts/syncActions/2"
    assert ended["status"] == "success"
    assert [c["lists"] for c in admin(instant_emulator, "records/contacts")] == [[], [101]]
    assert [d["uri"] for d in admin(instant_emulator, "definitions")] == ["/contacts/imports/1"]
    with pytest.raises(EloquaAPIError) as missing:
        client.delete(definition["uri"])
    assert missing.value.status == 404
