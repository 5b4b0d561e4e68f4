"""The emulator over HTTP: plain ``requests`` against an in-process server on a free port."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from target_eloqua.emulator.catalog import load_catalog
from target_eloqua.emulator.model import EloquaInstance
from target_eloqua.emulator.server import EmulatorServer

CATALOG = load_catalog()
AUTH = ("ACME\\API.User", "emulator")
JANE, OMAR = "754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"
ACCOUNT_IMPORT = {
    "name": "crm accounts",
    "fields": {
        "company": "{{Account.Field(M_CompanyName)}}",
        "city": "{{Account.Field(M_City)}}",
        "owners": "{{Account.User.Field(CRMOSCUserId)}}",
    },
    "identifierFieldName": "company",
    "linkUsers": "true",
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[EmulatorServer]:
    with EmulatorServer(EloquaInstance(CATALOG, sync_seconds=1.0, clock=clock)) as running:
        yield running


@pytest.fixture
def bulk(server: EmulatorServer) -> Iterator[Bulk]:
    with requests.Session() as session:
        session.auth = AUTH
        yield Bulk(server.url + "/api/bulk/2.0", session)


class Bulk:
    """A logged-in session on the Bulk API root."""

    def __init__(self, root: str, session: requests.Session) -> None:
        self.root = root
        self.session = session

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.root + path, timeout=5, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.root + path, timeout=5, **kwargs)


def admin(server: EmulatorServer, what: str) -> Any:
    response = requests.get(f"{server.url}/_emulator/{what}", timeout=5)
    assert response.status_code == 200
    return response.json()


# -- login and auth --------------------------------------------------------------------------


def test_id_with_good_credentials_gives_site_user_and_urls(server: EmulatorServer) -> None:
    response = requests.get(server.url + "/id", auth=AUTH, timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r"[0-9a-f]{32}/\d+", response.headers["X-Request-Id"])
    body = response.json()
    assert body["site"]["name"] == "ACME"
    assert body["user"]["username"] == "API.User"
    assert body["urls"]["base"] == server.url
    assert body["urls"]["apis"]["rest"] == {
        "standard": server.url + "/API/REST/{version}/",
        "bulk": server.url + "/API/Bulk/{version}/",
    }


@pytest.mark.parametrize(
    "auth",
    [None, ("ACME\\API.User", "wrong"), ("API.User", "emulator"), ("ACME\\Other", "emulator")],
)
def test_id_with_bad_credentials_is_200_not_authenticated(
    server: EmulatorServer, auth: tuple[str, str] | None
) -> None:
    response = requests.get(server.url + "/id", auth=auth, timeout=5)

    assert response.status_code == 200
    assert response.json() == "Not authenticated."
    assert response.headers["Content-Length"] == "20"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/accounts/fields"), ("POST", "/accounts/imports"), ("GET", "/syncs/1")],
)
def test_bulk_api_without_credentials_is_401(
    server: EmulatorServer, method: str, path: str
) -> None:
    response = requests.request(method, server.url + "/api/bulk/2.0" + path, timeout=5)

    assert response.status_code == 401
    assert response.reason == "You are not authorized to make this request"


def test_bulk_api_with_a_wrong_password_is_401(server: EmulatorServer) -> None:
    response = requests.get(
        server.url + "/api/bulk/2.0/accounts/fields", auth=("ACME\\API.User", "no"), timeout=5
    )

    assert response.status_code == 401


# -- fields ----------------------------------------------------------------------------------


def test_fields_come_in_the_list_envelope(bulk: Bulk) -> None:
    body = bulk.get("/accounts/fields").json()

    total = len(CATALOG.accounts.fields)
    assert {k: v for k, v in body.items() if k != "items"} == {
        "totalResults": total,
        "limit": 1000,
        "offset": 0,
        "count": total,
        "hasMore": False,
    }
    company = next(item for item in body["items"] if item["internalName"] == "M_CompanyName")
    assert company["statement"] == "{{Account.Field(M_CompanyName)}}"
    assert company["hasNotNullConstraint"] is True


def test_fields_are_paged_by_limit_and_offset(bulk: Bulk) -> None:
    names = [item["internalName"] for item in bulk.get("/accounts/fields").json()["items"]]

    page = bulk.get("/accounts/fields", params={"limit": 4, "offset": 3}).json()
    last = bulk.get("/accounts/fields", params={"limit": 4, "offset": len(names) - 2}).json()

    assert [item["internalName"] for item in page["items"]] == names[3:7]
    assert (page["limit"], page["offset"], page["count"], page["hasMore"]) == (4, 3, 4, True)
    assert (last["count"], last["hasMore"]) == (2, False)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"offset": "x"}])
def test_fields_refuse_a_bad_page(bulk: Bulk, params: dict[str, Any]) -> None:
    response = bulk.get("/accounts/fields", params=params)

    assert response.status_code == 400
    assert [f["field"] for f in response.json()["failures"]] == list(params)


# -- definitions -----------------------------------------------------------------------------


def test_create_definition_is_201_and_echoes_with_defaults(bulk: Bulk) -> None:
    response = bulk.post(
        "/accounts/imports", json={**ACCOUNT_IMPORT, "areSystemTimestampsInUTC": 1}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["uri"] == "/accounts/imports/1"
    assert body["linkUsers"] is True
    assert body["isSyncTriggeredOnImport"] is False
    assert body["isUpdatingMultipleMatchedRecords"] is False
    assert body["dataRetentionDuration"] == "P7D"
    assert body["createdBy"] == body["updatedBy"] == "API.User"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", body["createdAt"])
    assert "areSystemTimestampsInUTC" not in body
    assert "autoDeleteDuration" not in body
    assert bulk.get("/accounts/imports/1").json() == body


def test_unknown_definition_is_404(bulk: Bulk) -> None:
    response = bulk.get("/accounts/imports/7")

    assert response.status_code == 404
    assert response.reason == "The requested resource was not found."


def test_invalid_definition_is_400_with_failures(bulk: Bulk) -> None:
    body = {**ACCOUNT_IMPORT, "identifierFieldName": "nope"}

    response = bulk.post("/accounts/imports", json=body)

    assert response.status_code == 400
    assert response.reason == "There was a validation error."
    assert response.json() == {
        "failures": [
            {
                "field": "identifierFieldName",
                "value": "nope",
                "constraint": "identifierFieldName nope must be contained within Fields, "
                "if specified",
            }
        ]
    }


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("{", "application/json"), ("[]", "application/json"), ("{}", "text/plain")],
)
def test_undecodable_definition_is_400(bulk: Bulk, data: str, content_type: str) -> None:
    response = bulk.post("/accounts/imports", data=data, headers={"Content-Type": content_type})

    assert response.status_code == 400
    assert response.reason == "There was a parsing error."
    assert len(response.json()["failures"]) == 1


# -- staging and syncs -----------------------------------------------------------------------


def test_json_and_csv_uploads_are_204_and_staged_in_order(
    server: EmulatorServer, bulk: Bulk
) -> None:
    bulk.post("/accounts/imports", json=ACCOUNT_IMPORT)

    as_json = bulk.post(
        "/accounts/imports/1/data", json=[{"company": "Acme", "city": None, "owners": JANE}]
    )
    as_csv = bulk.post(
        "/accounts/imports/1/data",
        data='company,city,owners\n"Beta, Inc.","Zürich","a ""quoted""\nid"\n'.encode(),
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )

    for response in (as_json, as_csv):
        assert response.status_code == 204
        assert response.content == b""
        assert "Content-Type" not in response.headers
    [definition] = admin(server, "definitions")["items"]
    assert definition == {**bulk.get("/accounts/imports/1").json(), "stagedRowCount": 2}
    assert server.instance.staged_rows(1) == [
        {"company": "Acme", "city": "", "owners": JANE},
        {"company": "Beta, Inc.", "city": "Zürich", "owners": 'a "quoted"\nid'},
    ]


def test_upload_to_an_unknown_definition_is_404(bulk: Bulk) -> None:
    response = bulk.post("/accounts/imports/5/data", json=[{"company": "Acme"}])

    assert response.status_code == 404


def test_upload_in_another_media_type_is_400(bulk: Bulk) -> None:
    bulk.post("/accounts/imports", json=ACCOUNT_IMPORT)

    response = bulk.post(
        "/accounts/imports/1/data", data="company\nAcme\n", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 400
    assert response.json()["failures"][0]["field"] == "Content-Type"


def test_sync_runs_to_success_and_accounts_are_upserted_with_linked_users(
    server: EmulatorServer, bulk: Bulk, clock: FakeClock
) -> None:
    bulk.post("/accounts/imports", json=ACCOUNT_IMPORT)
    bulk.post(
        "/accounts/imports/1/data",
        json=[
            {"company": "Acme", "city": "Paris", "owners": f"{JANE},{OMAR}"},
            {"company": "Beta", "city": "Oslo", "owners": ""},
            {"company": "Acme", "city": "Lyon"},
        ],
    )

    created = bulk.post(
        "/syncs", json={"syncedInstanceUri": "/accounts/imports/1", "callbackUrl": "http://cb"}
    )
    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    assert created.json()["uri"] == "/syncs/1"
    assert created.json()["callbackUrl"] == "http://cb"
    assert admin(server, "syncs") == {"items": [{**created.json(), "counts": None}]}

    clock.now = 0.5
    active = bulk.get("/syncs/1").json()
    clock.now = 1.0
    done = bulk.get("/syncs/1").json()

    assert active["status"] == "active"
    assert "syncStartedAt" in active
    assert "syncEndedAt" not in active
    assert done["status"] == "success"
    assert done["syncStartedAt"] < done["syncEndedAt"]
    assert admin(server, "accounts") == {
        "items": [
            {
                "id": 1,
                "fields": {"M_CompanyName": "Acme", "M_City": "Lyon"},
                "linkedUsers": [
                    {"id": 9, "name": "Jane Smith", "fields": {"CRMOSCUserId": JANE}},
                    {"id": 11, "name": "Omar Haddad", "fields": {"CRMOSCUserId": OMAR}},
                ],
            },
            {"id": 2, "fields": {"M_CompanyName": "Beta", "M_City": "Oslo"}, "linkedUsers": []},
        ]
    }
    counts = {"processed": 3, "created": 2, "updated": 1, "rejected": 0}
    assert admin(server, "syncs") == {"items": [{**done, "counts": counts}]}


def test_sync_of_an_unknown_definition_is_400(bulk: Bulk) -> None:
    response = bulk.post("/syncs", json={"syncedInstanceUri": "/accounts/imports/3"})

    assert response.status_code == 400
    assert response.json()["failures"][0]["field"] == "syncedInstanceUri"


def test_unknown_sync_is_404(bulk: Bulk) -> None:
    assert bulk.get("/syncs/12").status_code == 404


# -- paths, admin ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix", ["/API/Bulk/2.0", "/API/BULK/2.0/", "/api/bulk/2.0//", "//API/bulk/2.0"]
)
def test_bulk_root_in_any_case_and_with_doubled_slashes(
    server: EmulatorServer, prefix: str
) -> None:
    response = requests.get(server.url + prefix + "/accounts/fields", auth=AUTH, timeout=5)

    assert response.status_code == 200
    assert response.json()["totalResults"] == len(CATALOG.accounts.fields)


def test_unknown_path_is_404(server: EmulatorServer) -> None:
    response = requests.get(server.url + "/api/bulk/2.0/nothing/here", auth=AUTH, timeout=5)

    assert response.status_code == 404


def test_reset_forgets_what_was_stored(server: EmulatorServer, bulk: Bulk) -> None:
    bulk.post("/accounts/imports", json=ACCOUNT_IMPORT)
    bulk.post("/accounts/imports/1/data", json=[{"company": "Acme"}])
    bulk.post("/syncs", json={"syncedInstanceUri": "/accounts/imports/1"})

    response = requests.post(server.url + "/_emulator/reset", timeout=5)

    assert response.status_code == 204
    assert admin(server, "definitions") == {"items": []}
    assert admin(server, "syncs") == {"items": []}
    assert bulk.get("/accounts/imports/1").status_code == 404
    assert bulk.post("/accounts/imports", json=ACCOUNT_IMPORT).json()["uri"] == (
        "/accounts/imports/1"
    )
