"""Routing, uris, the list envelope, headers and reason phrases, as Eloqua does them."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import AUTH, Bulk

ACCOUNTS = {
    "name": "accounts",
    "fields": {"company": "{{Account.Field(M_CompanyName)}}"},
    "identifierFieldName": "company",
}


@pytest.mark.parametrize(
    "root",
    ["/api/bulk/2.0", "/API/Bulk/2.0", "/API/BULK/2.0/", "/API/bulk/2.0//", "//api//bulk/2.0"],
)
def test_bulk_root_in_any_case_with_doubled_slashes(server: EmulatorServer, root: str) -> None:
    response = requests.get(server.url + root + "/accounts//fields", auth=AUTH, timeout=5)
    assert response.status_code == 200
    assert response.json()["totalResults"] > 0


def test_uris_in_bodies_are_relative_to_the_bulk_root(bulk: Bulk) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    assert uri == "/accounts/imports/1"
    sync = bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()
    assert sync["uri"] == "/syncs/1"
    assert sync["syncedInstanceUri"] == uri
    assert bulk.get(sync["uri"]).status_code == 200  # root + uri is the resource


@pytest.mark.parametrize(
    "path", ["/accounts/fields", "/accounts/imports", "/imports", "/syncs", "/imports/priorities"]
)
def test_lists_come_in_the_envelope(bulk: Bulk, path: str) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    bulk.post("/syncs", json={"syncedInstanceUri": uri})
    body = bulk.get(path).json()
    assert list(body) == ["items", "totalResults", "limit", "offset", "count", "hasMore"]
    assert body["limit"] == 1000
    assert body["offset"] == 0
    assert body["count"] == len(body["items"]) == body["totalResults"]
    assert body["hasMore"] is False


@pytest.mark.parametrize("part", ["/logs", "/rejects"])
def test_logs_and_rejects_come_in_the_envelope(bulk: Bulk, part: str) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    bulk.stage(uri, [{"company": "Acme"}, {"company": ""}])
    sync = bulk.sync(uri)
    body = bulk.get(sync["uri"] + part, params={"limit": 1}).json()
    assert list(body) == ["items", "totalResults", "limit", "offset", "count", "hasMore"]
    assert (body["limit"], body["offset"], body["count"]) == (1, 0, 1)
    assert body["hasMore"] is (body["totalResults"] > 1)


def test_limit_and_offset_page_through_a_list(bulk: Bulk) -> None:
    every = bulk.items("/accounts/fields")
    first = bulk.get("/accounts/fields", params={"limit": 5}).json()
    second = bulk.get("/accounts/fields", params={"limit": 5, "offset": 5}).json()
    last = bulk.get("/accounts/fields", params={"offset": len(every) - 1}).json()
    assert first["items"] + second["items"] == every[:10]
    assert (first["count"], first["hasMore"], first["totalResults"]) == (5, True, len(every))
    assert (last["count"], last["hasMore"]) == (1, False)


def test_total_results_false_leaves_the_total_out(bulk: Bulk) -> None:
    body = bulk.get("/accounts/fields", params={"totalResults": "false", "limit": 2}).json()
    assert "totalResults" not in body
    assert body["hasMore"] is True


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "x"}, {"offset": -1}])
def test_a_bad_page_is_400_with_failures(bulk: Bulk, params: dict[str, Any]) -> None:
    response = bulk.get("/accounts/fields", params=params)
    assert response.status_code == 400
    assert response.reason == "There was a validation error."
    [failure] = response.json()["failures"]
    assert failure["field"] == next(iter(params))


def test_answers_carry_eloquas_headers(bulk: Bulk) -> None:
    response = bulk.get("/accounts/fields")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    assert response.headers["Expires"] == "-1"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    request_id, _, number = response.headers["X-Request-Id"].partition("/")
    assert len(request_id) == 32
    assert number.isdigit()


def test_a_204_has_no_content_type(bulk: Bulk) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    response = bulk.post(uri + "/data", json=[{"company": "Acme"}])
    assert response.status_code == 204
    assert response.reason == "Success"
    assert "Content-Type" not in response.headers


def test_reason_phrases_are_eloquas(bulk: Bulk, server: EmulatorServer) -> None:
    assert bulk.post("/accounts/imports", json=ACCOUNTS).reason == "Success"
    assert bulk.get("/accounts/imports/99").reason == "The requested resource was not found."
    assert bulk.post("/accounts/imports", json={}).reason == "There was a validation error."
    unauthorised = requests.get(server.url + "/api/bulk/2.0/syncs", timeout=5)
    assert unauthorised.reason == "You are not authorized to make this request"


def test_unknown_paths_and_methods_are_404(bulk: Bulk, server: EmulatorServer) -> None:
    assert bulk.get("/nothing/here").status_code == 404
    assert bulk.request("PATCH", "/syncs").status_code in (404, 501)
    assert requests.get(server.url + "/elsewhere", timeout=5).status_code == 404


def test_method_override_header_acts_as_that_verb(bulk: Bulk) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    response = bulk.post(uri, headers={"X-HTTP-Method-Override": "DELETE"})
    assert response.status_code == 204
    assert bulk.get(uri).status_code == 404


def test_status_code_override_answers_200_with_the_original(bulk: Bulk) -> None:
    response = bulk.get("/accounts/imports/99", headers={"X-HTTP-Status-Code-Override": "200"})
    assert response.status_code == 200
    assert response.headers["X-HTTP-Original-Status-Code"] == "404"
