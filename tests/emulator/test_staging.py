"""Staging data on a definition (JSON or CSV), its limits, and clearing it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import Bulk, FakeClock, admin

CONTACTS: dict[str, Any] = {
    "name": "contacts",
    "fields": {
        "email": "{{Contact.Field(C_EmailAddress)}}",
        "first": "{{Contact.Field(C_FirstName)}}",
    },
    "identifierFieldName": "email",
}


def staged(server: EmulatorServer) -> tuple[int, int]:
    [definition] = admin(server, "definitions")
    return definition["stagedRowCount"], definition["stagedUploads"]


def test_json_and_csv_uploads_are_204_and_stay_staged(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("contacts", CONTACTS)
    json_upload = bulk.post(uri + "/data", json=[{"email": "a@x.com", "first": "Ann"}])
    csv_upload = bulk.post(
        uri + "/data",
        data=b'email,first\r\nb@x.com,Bo\r\nc@x.com,"Cy, Jr"\r\n',
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
    assert (json_upload.status_code, csv_upload.status_code) == (204, 204)
    assert json_upload.content == csv_upload.content == b""
    assert staged(server) == (3, 2)

    sync = bulk.sync(uri)
    assert sync["status"] == "success"
    assert staged(server) == (0, 0)
    firsts = [r["fields"]["C_FirstName"] for r in admin(server, "records/contacts")]
    assert firsts == ["Ann", "Bo", "Cy, Jr"]


def test_json_values_are_kept_as_text(bulk: Bulk, server: EmulatorServer) -> None:
    body = {
        "name": "typed",
        "fields": {
            "email": "{{Contact.Field(C_EmailAddress)}}",
            "revenue": "{{Contact.Field(C_Annual_Revenue1)}}",
            "opted": "{{Contact.Field(C_Opted_In1)}}",
            "first": "{{Contact.Field(C_FirstName)}}",
        },
        "identifierFieldName": "email",
    }
    bulk.load(
        "contacts",
        body,
        [
            {"email": "a@x.com", "revenue": 12.5, "opted": True, "first": None},
            {"email": "b@x.com", "revenue": 1e16, "opted": False, "first": "Bo"},
        ],
    )
    a, b = admin(server, "records/contacts")
    assert a["fields"] == {
        "C_EmailAddress": "a@x.com",
        "C_Annual_Revenue1": "12.5",
        "C_Opted_In1": "true",
        "C_FirstName": "",
    }
    assert b["fields"]["C_Annual_Revenue1"] == "10000000000000000"


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        (None, b'[{"email": "a@x.com"}]'),
        ("text/plain", b"email\na@x.com\n"),
        ("application/json", b'{"email": "a@x.com"}'),
        ("application/json", b'[{"email": {"nested": 1}}]'),
        ("application/json", b"[{"),
        ("text/csv; charset=latin-1", b"email\na@x.com\n"),
        ("text/csv", "email,first\nz@x.com,Zoë\n".encode("latin-1")),
        ("application/json", '[{"email": "z@x.com", "first": "Zoë"}]'.encode("latin-1")),
    ],
)
def test_an_undecodable_upload_is_400_and_stages_nothing(
    bulk: Bulk, server: EmulatorServer, content_type: str | None, data: bytes
) -> None:
    uri = bulk.define("contacts", CONTACTS)
    headers = {"Content-Type": content_type} if content_type else {}
    response = bulk.post(uri + "/data", data=data, headers=headers)
    assert response.status_code == 400
    assert response.json()["failures"]
    assert staged(server) == (0, 0)


def test_csv_may_start_with_a_bom_and_quote_newlines(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("contacts", CONTACTS)
    csv_text = '\ufeffemail,first\r\na@x.com,"Ann\r\nMarie"\r\nb@x.com,Zoë\r\n'
    response = bulk.post(
        uri + "/data", data=csv_text.encode("utf-8"), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 204
    assert bulk.sync(uri)["status"] == "success"  # the BOM is not part of the "email" key
    firsts = [r["fields"]["C_FirstName"] for r in admin(server, "records/contacts")]
    assert firsts == ["Ann\r\nMarie", "Zoë"]


def test_uploads_and_syncs_from_many_threads_lose_no_row(
    bulk: Bulk, server: EmulatorServer
) -> None:
    uri = bulk.define("contacts", CONTACTS)
    url = bulk.root + uri + "/data"

    def upload(thread: int) -> list[int]:
        with requests.Session() as session:
            session.auth = bulk.session.auth
            rows = [[{"email": f"{thread}-{n}-{i}@x.com"} for i in range(50)] for n in range(10)]
            return [session.post(url, json=r, timeout=10).status_code for r in rows]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = pool.map(upload, range(8))
        syncs = [bulk.post("/syncs", json={"syncedInstanceUri": uri}) for _ in range(20)]
        statuses = [s for thread in answers for s in thread]
    assert statuses == [204] * 80
    assert {s.status_code for s in syncs} == {201}
    bulk.clock.advance(10)
    taken = sum(s["counts"]["processed"] for s in admin(server, "syncs"))
    rows, _ = staged(server)
    assert taken + rows == 8 * 10 * 50  # every row went to exactly one sync, or is still staged
    bulk.sync(uri)
    assert len(admin(server, "records/contacts")) == 4000


def test_an_upload_over_32_mb_is_404(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("contacts", CONTACTS)
    big = b"email\n" + b"a@x.com\n" * 4_000_000
    assert len(big) > 32_000_000
    response = bulk.post(uri + "/data", data=big, headers={"Content-Type": "text/csv"})
    assert response.status_code == 404
    assert staged(server) == (0, 0)


def test_more_than_500_uploads_before_a_sync_is_400(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("contacts", CONTACTS)
    for _ in range(500):
        bulk.stage(uri, [])
    refused = bulk.post(uri + "/data", json=[])
    assert refused.status_code == 400
    assert refused.reason == "There was a validation error."
    bulk.sync(uri)
    bulk.stage(uri, [{"email": "a@x.com"}])


def test_upload_to_an_unknown_definition_is_404(bulk: Bulk) -> None:
    assert bulk.post("/contacts/imports/9/data", json=[]).status_code == 404


def test_deleting_staged_data_is_204(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}])
    assert bulk.delete(uri + "/data").status_code == 204
    assert staged(server) == (0, 0)
    assert bulk.sync(uri)["status"] == "success"
    assert admin(server, "records/contacts") == []


def test_deleting_staged_data_during_a_sync_is_409(bulk: Bulk, clock: FakeClock) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}])
    sync = bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()
    response = bulk.delete(uri + "/data")
    assert response.status_code == 409
    assert response.reason == "There was a conflict."
    clock.advance(0.5)
    assert bulk.get(sync["uri"]).json()["status"] == "active"
    assert bulk.delete(uri + "/data").status_code == 409
    clock.advance(1)
    assert bulk.delete(uri + "/data").status_code == 204


def test_data_staged_after_a_sync_started_waits_for_the_next_sync(
    bulk: Bulk, server: EmulatorServer, clock: FakeClock
) -> None:
    uri = bulk.define("contacts", CONTACTS)
    bulk.stage(uri, [{"email": "a@x.com"}])
    bulk.post("/syncs", json={"syncedInstanceUri": uri})
    bulk.stage(uri, [{"email": "b@x.com"}])
    clock.advance(2)
    assert [s["counts"]["processed"] for s in admin(server, "syncs")] == [1]
    assert staged(server) == (1, 1)
    assert bulk.sync(uri)["status"] == "success"
    assert len(admin(server, "records/contacts")) == 2


def test_sync_triggered_on_import_answers_201_with_a_sync(
    bulk: Bulk, server: EmulatorServer
) -> None:
    uri = bulk.define("contacts", {**CONTACTS, "isSyncTriggeredOnImport": "true"})
    response = bulk.post(uri + "/data", json=[{"email": "a@x.com"}])
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["syncedInstanceUri"] == uri
    bulk.clock.advance(2)
    assert bulk.get(response.json()["uri"]).json()["status"] == "success"
