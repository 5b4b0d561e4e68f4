"""Syncs, their lifecycle, logs and rejects."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from tests.emulator.conftest import AUTH, ROOT, Bulk, FakeClock, admin, admin_post

CONTACTS: dict[str, Any] = {
    "name": "contacts",
    "fields": {
        "email": "{{Contact.Field(C_EmailAddress)}}",
        "first": "{{Contact.Field(C_FirstName)}}",
        "revenue": "{{Contact.Field(C_Annual_Revenue1)}}",
        "birthday": "{{Contact.Field(C_Birthday1)}}",
        "opted": "{{Contact.Field(C_Opted_In1)}}",
        "notes": "{{Contact.Field(C_Notes1)}}",
    },
    "identifierFieldName": "email",
}
PURCHASES: dict[str, Any] = {
    "name": "purchases",
    "fields": {
        "order": "{{CustomObject[9].Field[101]}}",
        "product": "{{CustomObject[9].Field[107]}}",
    },
    "identifierFieldName": "order",
}


def logs(bulk: Bulk, sync: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["statusCode"]: item for item in bulk.items(sync["uri"] + "/logs")}


def test_lifecycle_pending_active_then_success_with_timestamps(
    bulk: Bulk, clock: FakeClock
) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}])
    created = bulk.post("/syncs", json={"syncedInstanceUri": uri})
    assert created.status_code == 201
    sync = created.json()
    assert list(sync) == ["syncedInstanceUri", "status", "createdAt", "createdBy", "uri"]
    assert sync["status"] == "pending"

    clock.advance(0.2)
    active = bulk.get(sync["uri"]).json()
    assert active["status"] == "active"
    assert "syncStartedAt" in active
    assert "syncEndedAt" not in active

    clock.advance(0.8)
    done = bulk.get(sync["uri"]).json()
    assert done["status"] == "success"
    assert sync["createdAt"] < done["syncStartedAt"] < done["syncEndedAt"]
    assert [s["uri"] for s in bulk.items("/syncs")] == [sync["uri"]]


def test_duration_grows_per_record(clock: FakeClock) -> None:
    instance = EloquaInstance(clock=clock, sync_seconds=1, seconds_per_record=0.5)
    with EmulatorServer(instance) as server, requests.Session() as session:
        session.auth = AUTH
        bulk = Bulk(server, clock, session)
        uri = bulk.define("contacts", CONTACTS)
        bulk.stage(uri, [{"email": f"{i}@x.com"} for i in range(4)])
        sync = bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()
        clock.advance(2.9)
        assert bulk.get(sync["uri"]).json()["status"] == "active"
        clock.advance(0.1)
        assert bulk.get(sync["uri"]).json()["status"] == "success"


def test_admin_can_make_the_next_sync_slow_or_fail(
    bulk: Bulk, server: EmulatorServer, clock: FakeClock
) -> None:
    assert admin_post(server, "syncs/next", {"count": 1, "seconds": 10}).status_code == 204
    assert admin_post(server, "syncs/next", {"status": "error"}).status_code == 204
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}])
    slow = bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()
    clock.advance(9)
    assert bulk.get(slow["uri"]).json()["status"] == "active"
    clock.advance(1)
    assert bulk.get(slow["uri"]).json()["status"] == "success"

    bulk.stage(uri, [{"email": "b@x.com"}])
    failed = bulk.sync(uri)
    assert failed["status"] == "error"
    entries = logs(bulk, failed)
    assert entries["ELQ-00146"]["severity"] == "error"
    assert bulk.sync(uri)["status"] == "success"  # the failed sync's data stayed staged
    assert len(admin(server, "records/contacts")) == 2
    assert admin_post(server, "syncs/next", {"status": "warning"}).status_code == 400


def test_a_sync_of_a_deleted_definition_ends_in_error(bulk: Bulk, clock: FakeClock) -> None:
    uri = bulk.define("contacts", CONTACTS)
    sync = bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()
    bulk.delete(uri)
    clock.advance(2)
    done = bulk.get(sync["uri"]).json()
    assert done["status"] == "error"
    assert "ELQ-00143" in logs(bulk, done)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"syncedInstanceUri": "/contacts/imports/99"},
        {"syncedInstanceUri": "/syncs/1"},
        {"syncedInstanceUri": 5},
    ],
)
def test_sync_of_no_definition_is_400(bulk: Bulk, body: dict[str, Any]) -> None:
    response = bulk.post("/syncs", json=body)
    assert response.status_code == 400
    assert response.json()["failures"][0]["field"] == "syncedInstanceUri"


def test_unknown_sync_is_404(bulk: Bulk) -> None:
    assert bulk.get("/syncs/7").status_code == 404
    assert bulk.get("/syncs/7/logs").status_code == 404
    assert bulk.get("/syncs/7/rejects").status_code == 404


def test_logs_count_what_the_sync_did(bulk: Bulk) -> None:
    sync = bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}, {"email": "b@x.com"}])
    bulk.stage(sync["syncedInstanceUri"], [{"email": "a@x.com", "first": "Ann"}])
    second = bulk.sync(sync["syncedInstanceUri"])
    first_logs, second_logs = logs(bulk, sync), logs(bulk, second)
    assert first_logs["ELQ-00001"]["count"] == 2
    assert first_logs["ELQ-00004"]["count"] == 2
    assert second_logs["ELQ-00022"]["count"] == 1
    number = second["uri"].rsplit("/", 1)[1]
    summary = second_logs["ELQ-00101"]["message"]
    assert summary == f"Sync processed for sync {number}, resulting in success status."
    item = first_logs["ELQ-00001"]
    assert set(item) == {"syncUri", "count", "severity", "statusCode", "message", "createdAt"}
    assert item["syncUri"] == sync["uri"]
    assert item["message"] == "Total records processed."


def test_custom_object_logs_use_their_codes(bulk: Bulk) -> None:
    sync = bulk.load("customObjects/9", PURCHASES, [{"order": "1", "product": "Pen"}])
    assert sync["status"] == "success"
    assert logs(bulk, sync)["ELQ-00007"]["count"] == 1


def test_accounts_logs_use_their_codes(bulk: Bulk) -> None:
    body = {
        "name": "a",
        "fields": {"c": "{{Account.Field(M_CompanyName)}}"},
        "identifierFieldName": "c",
    }
    sync = bulk.load("accounts", body, [{"c": "Acme"}])
    bulk.stage(sync["syncedInstanceUri"], [{"c": "Acme"}])
    assert logs(bulk, sync)["ELQ-00005"]["count"] == 1
    assert logs(bulk, bulk.sync(sync["syncedInstanceUri"]))["ELQ-00023"]["count"] == 1


def test_a_sync_with_no_data_logs_elq_00124_and_succeeds(bulk: Bulk) -> None:
    sync = bulk.sync(bulk.define("contacts", CONTACTS))
    assert sync["status"] == "success"
    assert logs(bulk, sync)["ELQ-00124"]["message"] == "There was no data available to process."


def test_ignored_fields_make_a_warning_without_rejects(bulk: Bulk, server: EmulatorServer) -> None:
    sync = bulk.load("contacts", CONTACTS, [{"email": "a@x.com", "id": "17"}])
    assert sync["status"] == "warning"
    ignored = logs(bulk, sync)["ELQ-00111"]
    assert ignored["message"] == "Field id is not part of import definition, and will be ignored."
    assert ignored["severity"] == "warning"
    assert bulk.items(sync["uri"] + "/rejects") == []
    assert len(admin(server, "records/contacts")) == 1


def test_csv_missing_a_definition_column_is_a_warning(bulk: Bulk) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.post(uri + "/data", data=b"email\na@x.com\n", headers={"Content-Type": "text/csv"})
    sync = bulk.sync(uri)
    assert sync["status"] == "warning"
    assert "ELQ-00121" in logs(bulk, sync)


@pytest.mark.parametrize(
    ("csv", "code"),
    [
        (b"", "ELQ-00126"),
        (b"id,nickname\n17,Al\n", "ELQ-00127"),
    ],
)
def test_a_csv_file_with_no_mapped_fields_is_a_warning(bulk: Bulk, csv: bytes, code: str) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}])
    bulk.post(uri + "/data", data=csv, headers={"Content-Type": "text/csv"})
    sync = bulk.sync(uri)
    assert sync["status"] == "warning"
    entries = logs(bulk, sync)
    assert entries[code]["count"] == 1
    assert "ELQ-00121" not in entries


REJECTS = [
    ({"email": "notanemail"}, ["email"], "ELQ-00002", "Invalid email address."),
    ({"email": "a@x.com", "revenue": "12,5"}, ["revenue"], "ELQ-00040", None),
    ({"email": "a@x.com", "revenue": "1e3"}, ["revenue"], "ELQ-00040", None),
    ({"email": "a@x.com", "birthday": "31/12/2020"}, ["birthday"], "ELQ-00040", None),
    ({"email": "a@x.com", "birthday": "2020-01-01 10:00:00.1234"}, ["birthday"], "ELQ-00040", None),
    ({"email": "a@x.com", "opted": "maybe"}, ["opted"], "ELQ-00040", None),
    ({"email": "a@x.com", "first": "x" * 101}, ["first"], "ELQ-00040", None),
    ({"email": "a@x.com", "notes": "x" * 32001}, ["notes"], "ELQ-00040", None),
    ({"email": "", "first": "Ann"}, ["email"], "ELQ-00061", None),
    ({"first": "Ann"}, ["email"], "ELQ-00061", None),
    ({"email": "bad", "revenue": "x"}, ["email", "revenue"], "ELQ-00002", None),
]


@pytest.mark.parametrize(("row", "invalid", "code", "message"), REJECTS)
def test_bad_values_are_rejected_per_record(
    bulk: Bulk,
    row: dict[str, str],
    invalid: list[str],
    code: str,
    message: str | None,
) -> None:
    sync = bulk.load("contacts", CONTACTS, [{"email": "ok@x.com"}, row])
    assert sync["status"] == "warning"
    [reject] = bulk.items(sync["uri"] + "/rejects")
    assert reject["recordIndex"] == 2
    assert reject["invalidFields"] == invalid
    assert reject["statusCode"] == code
    assert reject["message"] == (message or reject["message"])
    assert reject["fieldValues"] == {key: row.get(key, "") for key in CONTACTS["fields"]}
    assert logs(bulk, sync)["ELQ-00060"]["count"] == 1
    assert logs(bulk, sync)[code]["severity"] == "warning"
    assert len(admin(bulk.server, "records/contacts")) == 1


@pytest.mark.parametrize(
    "good",
    [
        {"revenue": "-12.50"},
        {"revenue": " 7 "},
        {"birthday": "2020-12-31"},
        {"birthday": "2020-12-31 23:59:59"},
        {"birthday": "2020-12-31T23:59:59.123Z"},
        {"birthday": "12/31/2020"},
        {"birthday": "12/31/2020 11:59:59 PM"},
        {"opted": "TRUE"},
        {"opted": "0"},
        {"first": "x" * 100},
        {"notes": "x" * 32000},
    ],
)
def test_good_values_are_accepted(bulk: Bulk, good: dict[str, str]) -> None:
    sync = bulk.load("contacts", CONTACTS, [{"email": "a@x.com", **good}])
    assert sync["status"] == "success"


def test_a_not_null_field_left_blank_is_rejected(bulk: Bulk) -> None:
    sync = bulk.load("customObjects/9", PURCHASES, [{"order": "1", "product": ""}, {"order": "2"}])
    rejects = bulk.items(sync["uri"] + "/rejects")
    assert [(r["recordIndex"], r["invalidFields"], r["statusCode"]) for r in rejects] == [
        (1, ["product"], "ELQ-00061"),
        (2, ["product"], "ELQ-00061"),
    ]


def test_a_contact_is_not_stored_without_an_email_address(bulk: Bulk) -> None:
    """C_EmailAddress is not-null, as on real instances, whatever the identifier."""
    by_external_id = {
        "name": "contacts by crm id",
        "fields": {
            "crm_id": "{{Contact.Field(ContactIDExt)}}",
            "email": "{{Contact.Field(C_EmailAddress)}}",
        },
        "identifierFieldName": "crm_id",
    }
    rows = [{"crm_id": "1", "email": "a@x.com"}, {"crm_id": "2", "email": ""}, {"crm_id": "3"}]

    sync = bulk.load("contacts", by_external_id, rows)

    rejects = bulk.items(sync["uri"] + "/rejects")
    assert [(r["recordIndex"], r["invalidFields"], r["statusCode"]) for r in rejects] == [
        (2, ["email"], "ELQ-00061"),
        (3, ["email"], "ELQ-00061"),
    ]
    assert [c["fields"]["ContactIDExt"] for c in admin(bulk.server, "records/contacts")] == ["1"]


def test_record_index_counts_across_every_upload_of_the_sync(bulk: Bulk) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}, {"email": "bad1"}])
    bulk.post(uri + "/data", data=b"email\nc@x.com\nbad2\n", headers={"Content-Type": "text/csv"})
    sync = bulk.sync(uri)
    rejects = bulk.items(sync["uri"] + "/rejects")
    assert [(r["recordIndex"], r["fieldValues"]["email"]) for r in rejects] == [
        (2, "bad1"),
        (4, "bad2"),
    ]
    page = bulk.get(sync["uri"] + "/rejects", params={"limit": 1, "offset": 1}).json()
    assert page["items"] == rejects[1:]
    assert (page["totalResults"], page["hasMore"]) == (2, False)


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, str, Any]]
    arrived: threading.Event

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.command, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.arrived.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "arrived": threading.Event()})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/done", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_callback_url_is_called_when_the_sync_ends(receiver: tuple[str, type[_Receiver]]) -> None:
    url, handler = receiver
    with EmulatorServer(EloquaInstance(sync_seconds=0.05)) as server:
        bulk_url = server.url + ROOT
        body = {"name": "c", "fields": CONTACTS["fields"], "identifierFieldName": "email"}
        uri = requests.post(bulk_url + "/contacts/imports", json=body, auth=AUTH, timeout=5).json()[
            "uri"
        ]
        created = requests.post(
            bulk_url + "/syncs",
            json={"syncedInstanceUri": uri, "callbackUrl": url},
            auth=AUTH,
            timeout=5,
        ).json()
        assert created["callbackUrl"] == url
        assert handler.arrived.wait(5)  # no polling: a timer ends the sync
    [(method, content_type, payload)] = handler.received
    assert (method, content_type) == ("POST", "application/json")
    assert payload["uri"] == created["uri"]
    assert payload["status"] == "success"
    assert payload["callbackUrl"] == url
