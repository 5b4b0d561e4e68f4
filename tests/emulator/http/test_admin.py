"""The admin API under ``/_emulator``: reading state, reset and injected faults."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import Bulk, admin, admin_post

DEFAULT_CATALOG = (
    Path(__file__).parents[3] / "target_eloqua" / "emulator" / "model" / "default_catalog.json"
)
CONTACTS: dict[str, Any] = {
    "name": "contacts",
    "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
    "identifierFieldName": "email",
}


def test_records_have_the_documented_shapes(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}])
    account_body = {
        "name": "a",
        "fields": {"c": "{{Account.Field(M_CompanyName)}}"},
        "identifierFieldName": "c",
    }
    bulk.load("accounts", account_body, [{"c": "Acme"}])
    purchase_body = {
        "name": "p",
        "fields": {"o": "{{CustomObject[9].Field[101]}}", "p": "{{CustomObject[9].Field[107]}}"},
        "identifierFieldName": "o",
    }
    bulk.load("customObjects/9", purchase_body, [{"o": "1", "p": "Pen"}])

    [contact] = admin(server, "records/contacts")
    [account] = admin(server, "records/accounts")
    [purchase] = admin(server, "records/customObjects/9")
    assert contact == {
        "id": 1,
        "fields": {"C_EmailAddress": "a@x.com"},
        "lists": [],
        "emailGroups": {},
        "globalSubscription": None,
        "bounced": False,
        "accountId": None,
        "createdAt": "2026-01-15T17:00:01.0000000Z",  # when its sync ended
        "updatedAt": "2026-01-15T17:00:01.0000000Z",
    }
    assert account == {
        "id": 1,
        "fields": {"M_CompanyName": "Acme"},
        "linkedUsers": [],
        "lists": [],
        "createdAt": "2026-01-15T18:00:01.0000000Z",
        "updatedAt": "2026-01-15T18:00:01.0000000Z",
    }
    assert purchase == {
        "id": 1,
        "fields": {"Order_Number1": "1", "Product1": "Pen"},
        "mappedEntity": None,
        "createdAt": "2026-01-15T19:00:01.0000000Z",
        "updatedAt": "2026-01-15T19:00:01.0000000Z",
    }
    assert (
        requests.get(server.url + "/_emulator/records/customObjects/5", timeout=5).status_code
        == 404
    )


def test_definitions_show_what_is_staged(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}, {"email": "b@x.com"}])
    bulk.stage(uri, [{"email": "c@x.com"}])
    [definition] = admin(server, "definitions")
    assert definition == {**bulk.get(uri).json(), "stagedRowCount": 3, "stagedUploads": 2}


def test_syncs_show_counts_once_ended(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}, {"email": "bad"}])
    created = bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()
    assert admin(server, "syncs") == [{**created, "counts": None}]
    bulk.clock.advance(5)
    [sync] = admin(server, "syncs")
    assert sync["status"] == "warning"
    assert sync["counts"] == {
        "processed": 2,
        "created": 1,
        "updated": 0,
        "rejected": 1,
        "repeated": 0,
    }


def test_syncs_count_rows_staged_again_with_an_identifier_already_seen(
    bulk: Bulk, server: EmulatorServer
) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}, {"email": "b@x.com"}, {"email": ""}])
    bulk.stage(uri, [{"email": "A@x.com"}, {"email": ""}])
    bulk.sync(uri)
    [sync] = admin(server, "syncs")
    assert (sync["counts"]["processed"], sync["counts"]["repeated"]) == (5, 1)


def test_requests_are_journaled_in_order_without_admin_ones(
    bulk: Bulk, server: EmulatorServer
) -> None:
    requests.get(server.url + "/id", timeout=5)
    bulk.get("/accounts/fields", params={"limit": 3})
    bulk.post("/accounts/imports", json={})
    admin(server, "syncs")
    assert admin(server, "requests") == [
        {"method": "GET", "path": "/id", "query": {}, "status": 200, "bytes": 0},
        {
            "method": "GET",
            "path": "/api/bulk/2.0/accounts/fields",
            "query": {"limit": "3"},
            "status": 200,
            "bytes": 0,
        },
        {
            "method": "POST",
            "path": "/api/bulk/2.0/accounts/imports",
            "query": {},
            "status": 400,
            "bytes": 2,
        },
    ]


def test_reset_forgets_everything_but_the_catalog(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}])
    admin_post(server, "faults", {"method": "GET", "path": "/id", "status": 500})
    assert admin_post(server, "reset").status_code == 204
    for path in ("records/contacts", "definitions", "syncs", "requests", "faults"):
        assert admin(server, path) == []
    assert bulk.define("contacts", CONTACTS) == "/contacts/imports/1"
    assert bulk.items("/contacts/fields")


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_fault_answers_the_next_matching_requests(
    bulk: Bulk, server: EmulatorServer, status: int
) -> None:
    fault = {"method": "POST", "path": "/api/bulk/2.0/syncs", "count": 2, "status": status}
    assert admin_post(server, "faults", fault).status_code == 201
    uri = bulk.define("contacts", CONTACTS)
    body = {"syncedInstanceUri": uri}
    assert [bulk.post("/syncs", json=body).status_code for _ in range(3)] == [status, status, 201]
    assert len(admin(server, "syncs")) == 1  # the faulted requests did nothing
    assert admin(server, "faults") == []


def test_fault_paths_are_patterns_in_any_case(bulk: Bulk, server: EmulatorServer) -> None:
    admin_post(server, "faults", {"path": "/API/bulk/2.0/*/imports/*/data", "status": 503})
    uri = bulk.define("contacts", CONTACTS)
    assert bulk.get(uri).status_code == 200
    assert bulk.post(uri + "/data", json=[]).status_code == 503
    assert bulk.post(uri + "/data", json=[]).status_code == 204


def test_a_dropped_connection_answers_nothing(bulk: Bulk, server: EmulatorServer) -> None:
    admin_post(server, "faults", {"method": "GET", "path": "/api/bulk/2.0/syncs", "action": "drop"})
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/api/bulk/2.0/syncs", auth=bulk.session.auth, timeout=5)
    assert bulk.get("/syncs").status_code == 200
    assert [r["status"] for r in admin(server, "requests")] == [None, 200]


def test_a_fault_after_the_request_was_handled(bulk: Bulk, server: EmulatorServer) -> None:
    admin_post(
        server, "faults", {"method": "POST", "path": "*/syncs", "status": 500, "when": "after"}
    )
    uri = bulk.define("contacts", CONTACTS)
    assert bulk.post("/syncs", json={"syncedInstanceUri": uri}).status_code == 500
    assert len(admin(server, "syncs")) == 1  # Eloqua acted, the client saw an error


def test_a_delay_fault_slows_the_answer(bulk: Bulk, server: EmulatorServer) -> None:
    admin_post(server, "faults", {"method": "GET", "path": "/id", "delaySeconds": 0.3})
    started = time.monotonic()
    assert requests.get(server.url + "/id", timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_fault_may_say_when_to_retry(bulk: Bulk, server: EmulatorServer) -> None:
    fault = {"path": "/api/bulk/2.0/syncs", "status": 429, "retryAfter": 0}
    admin_post(server, "faults", fault)
    assert admin(server, "faults") == [{**fault, "method": "*", "count": 1, "when": "before"}]

    busy = bulk.get("/syncs")

    assert (busy.status_code, busy.headers["Retry-After"]) == (429, "0")
    assert "Retry-After" not in bulk.get("/syncs").headers


def test_faults_can_be_listed_and_cleared(server: EmulatorServer) -> None:
    admin_post(server, "faults", {"path": "/id", "status": 429, "count": 3})
    assert admin(server, "faults") == [
        {"method": "*", "path": "/id", "count": 3, "status": 429, "when": "before"}
    ]
    assert requests.delete(server.url + "/_emulator/faults", timeout=5).status_code == 204
    assert admin(server, "faults") == []


@pytest.mark.parametrize(
    "body",
    [
        {"status": 500},
        {"path": "/id", "status": 418},
        {"path": "/id", "action": "explode"},
        {"path": "/id"},
        {"path": "/id", "status": 500, "count": 0},
        {"path": "/id", "status": 500, "when": "later"},
        {"path": "/id", "status": 429, "retryAfter": -1},
        {"path": "/id", "status": 429, "retryAfter": "soon"},
        {"path": "/id", "action": "drop", "retryAfter": 1},
    ],
)
def test_a_bad_fault_is_400(server: EmulatorServer, body: dict[str, Any]) -> None:
    response = admin_post(server, "faults", body)
    assert response.status_code == 400
    assert response.json()["failures"]


def test_a_bad_catalog_is_400(server: EmulatorServer) -> None:
    response = requests.put(server.url + "/_emulator/catalog", json={"accounts": []}, timeout=5)
    assert response.status_code == 400
    assert "accounts" in response.json()["failures"][0]["constraint"]


def test_the_catalog_reads_back_as_the_file_it_came_from(server: EmulatorServer) -> None:
    document = requests.get(server.url + "/_emulator/catalog", timeout=5).json()
    assert document == json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))


def test_the_catalog_grows_without_replacing_the_rest(bulk: Bulk, server: EmulatorServer) -> None:
    field = {
        "name": "Gift Message",
        "internalName": "Gift_Message1",
        "dataType": "string",
        "statement": "{{CustomObject[9].Field[109]}}",
        "uri": "/customObjects/9/fields/109",
    }
    orders = {
        "id": 12,
        "name": "Orders",
        "fields": [{**field, "uri": "/customObjects/12/fields/1"}],
    }
    addition = {
        "customObjects": [{"id": 9, "fields": [field]}, orders],
        "contacts": {
            "fields": [
                {
                    **field,
                    "internalName": "C_Nickname1",
                    "statement": "{{Contact.Field(C_Nickname1)}}",
                    "uri": "/contacts/fields/100900",
                }
            ]
        },
        "contactLists": [{"id": 103, "name": "VIP"}],
    }
    response = requests.patch(server.url + "/_emulator/catalog", json=addition, timeout=5)

    assert response.status_code == 200
    purchases = [f["internalName"] for f in bulk.items("/customObjects/9/fields")]
    assert purchases[0] == "Order_Number1"
    assert purchases[-1] == "Gift_Message1"
    assert [o["name"] for o in bulk.items("/customObjects")] == ["Purchases", "Orders"]
    assert "C_EmailAddress" in [f["internalName"] for f in bulk.items("/contacts/fields")]
    assert "C_Nickname1" in [f["internalName"] for f in bulk.items("/contacts/fields")]
    assert [item["name"] for item in bulk.items("/contacts/lists")][-1] == "VIP"
    assert response.json() == requests.get(server.url + "/_emulator/catalog", timeout=5).json()
    broken = {"customObjects": [{"id": 9, "fields": [{"name": "no uri"}]}]}
    refused = requests.patch(server.url + "/_emulator/catalog", json=broken, timeout=5)
    assert refused.status_code == 400
    assert len(bulk.items("/customObjects/9/fields")) == len(purchases)


def test_a_stored_record_can_be_changed_as_a_user_would(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}])
    url = server.url + "/_emulator/records/contacts/1"

    changed = requests.patch(url, json={"fields": {"C_FirstName": "Zed"}}, timeout=5)

    assert changed.status_code == 200
    assert changed.json()["fields"] == {"C_EmailAddress": "a@x.com", "C_FirstName": "Zed"}
    assert admin(server, "records/contacts")[0]["fields"]["C_FirstName"] == "Zed"
    assert (changed.json()["createdAt"], changed.json()["updatedAt"]) == (
        "2026-01-15T17:00:01.0000000Z",  # when the import's sync ended
        "2026-01-15T18:00:00.0000000Z",  # an hour after the instance started: now
    )
    unknown_field = requests.patch(url, json={"fields": {"Nope": "x"}}, timeout=5)
    assert unknown_field.status_code == 400
    system_timestamp = requests.patch(url, json={"fields": {"C_DateModified": "x"}}, timeout=5)
    assert system_timestamp.status_code == 400
    missing = requests.patch(url[:-1] + "7", json={"fields": {}}, timeout=5)
    assert missing.status_code == 404
