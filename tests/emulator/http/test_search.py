"""Lists filtered by ``q`` and ordered by ``orderBy``, as Eloqua's list endpoints take them."""

from __future__ import annotations

from typing import Any

import pytest

from target_eloqua.emulator.http.search import search
from target_eloqua.emulator.http.wire import BadRequestError
from tests.emulator.conftest import Bulk, FakeClock

ACCOUNTS: dict[str, Any] = {
    "name": "accounts",
    "fields": {"name": "{{Account.Field(M_CompanyName)}}"},
    "identifierFieldName": "name",
}
ITEMS = [
    {"name": "Email Test", "uri": "/syncs/1", "createdAt": "2026-11-28T10:00:01.0000000Z"},
    {"name": "Contacts", "uri": "/syncs/2", "createdAt": "2026-11-28T10:00:03.0000000Z"},
    {"name": "email archive", "uri": "/syncs/3", "createdAt": "2026-11-28T10:00:02.0000000Z"},
]


def uris(items: list[Any]) -> list[str]:
    return [item["uri"] for item in items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"name=*Test*"', ["/syncs/1"]),
        ("name=email*", ["/syncs/1", "/syncs/3"]),
        ("name!=email*", ["/syncs/2"]),
        ("name='Email Test'", ["/syncs/1"]),
        ("createdAt>=2026-11-28T10:00:02", ["/syncs/2", "/syncs/3"]),
        ("name=email* createdAt<2026-11-28T10:00:02", ["/syncs/1"]),
        ("uri=/syncs/2", ["/syncs/2"]),
        ("status=pending", []),
        ("", ["/syncs/1", "/syncs/2", "/syncs/3"]),
    ],
)
def test_q_keeps_the_items_matching_every_term(q: str, expected: list[str]) -> None:
    assert uris(search(ITEMS, {"q": q})) == expected


def test_order_by_sorts_ascending_or_descending() -> None:
    newest_first = search(ITEMS, {"orderBy": "createdAt DESC"})
    assert uris(newest_first) == ["/syncs/2", "/syncs/3", "/syncs/1"]
    assert uris(search(ITEMS, {"orderBy": "createdAt"})) == ["/syncs/1", "/syncs/3", "/syncs/2"]
    assert uris(search(ITEMS, {"orderBy": "name asc"})) == ["/syncs/2", "/syncs/1", "/syncs/3"]


@pytest.mark.parametrize(
    "query",
    [{"q": "name"}, {"q": "=x"}, {"q": "name=a b"}, {"orderBy": "name sideways"}],
)
def test_a_query_eloqua_cannot_read_is_refused(query: dict[str, str]) -> None:
    with pytest.raises(BadRequestError):
        search(ITEMS, query)


def test_syncs_of_one_definition_newest_first(bulk: Bulk, clock: FakeClock) -> None:
    first, second = bulk.define("accounts", ACCOUNTS), bulk.define("accounts", ACCOUNTS)
    created = []
    for uri in (first, second, first):
        created.append(bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()["uri"])
        clock.advance(0.5)

    response = bulk.get(
        "/syncs", params={"q": f'"syncedInstanceUri={first}"', "orderBy": "createdAt DESC"}
    )

    assert response.status_code == 200
    assert uris(response.json()["items"]) == [created[2], created[0]]
    assert response.json()["totalResults"] == 2


def test_a_bad_query_is_400_with_the_failure(bulk: Bulk) -> None:
    response = bulk.get("/accounts/fields", params={"q": "name"})

    assert response.status_code == 400
    assert response.json()["failures"][0]["field"] == "q"
