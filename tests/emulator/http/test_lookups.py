"""Lookups by name, as real clients make them: lists, email groups and custom objects."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Bulk


def test_a_contact_list_is_found_by_name_with_its_members_counted(bulk: Bulk) -> None:
    body: dict[str, Any] = {
        "name": "c",
        "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
        "identifierFieldName": "email",
        "syncActions": [{"action": "add", "destination": "{{ContactList[101]}}"}],
    }
    bulk.load("contacts", body, [{"email": "a@x.com"}, {"email": "b@x.com"}])

    response = bulk.get("/contacts/lists", params={"q": '"name=Newsletter"'})
    assert response.json() == {
        "items": [
            {
                "name": "Newsletter",
                "count": 2,
                "statement": "{{ContactList[101]}}",
                "uri": "/contacts/lists/101",
            }
        ],
        "totalResults": 1,
        "limit": 1000,
        "offset": 0,
        "count": 1,
        "hasMore": False,
    }
    assert bulk.get("/contacts/lists/101").json()["name"] == "Newsletter"


@pytest.mark.parametrize(
    ("path", "query", "name", "statement"),
    [
        ("/accounts/lists", "name='Key accounts'", "Key accounts", "{{AccountList[201]}}"),
        ("/emailGroups", "name=Product*", "Product news", "{{EmailGroup[301]}}"),
    ],
)
def test_account_lists_and_email_groups_are_found_by_name(
    bulk: Bulk, path: str, query: str, name: str, statement: str
) -> None:
    [item] = bulk.items(path, q=query)
    assert (item["name"], item["statement"]) == (name, statement)
    assert bulk.get(item["uri"]).json() == item


def test_custom_objects_are_listed_with_their_fields(bulk: Bulk) -> None:
    [purchases] = bulk.items("/customObjects", q="name='Purchases'")
    assert purchases["uri"] == "/customObjects/9"
    assert purchases["fields"] == bulk.items("/customObjects/9/fields")
    assert bulk.get("/customObjects/9").json() == purchases
    assert bulk.items("/customObjects", q="name=Nothing") == []
    assert bulk.get("/customObjects/404").status_code == 404
    assert bulk.get("/contacts/lists/999").status_code == 404


def test_a_limit_over_1000_is_capped_not_refused(bulk: Bulk) -> None:
    body = bulk.get("/contacts/fields", params={"limit": 5000}).json()
    assert body["limit"] == 1000
    assert body["count"] == len(body["items"]) > 0
