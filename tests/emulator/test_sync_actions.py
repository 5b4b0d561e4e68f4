"""Sync actions over HTTP: sync-action definitions of contacts, accounts and custom objects,
email address imports, and the list membership, email group status, global subscription and
bounced addresses they leave, as the admin API and exports show them."""

from __future__ import annotations

from typing import Any

import pytest

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import Bulk, admin

CONTACTS: dict[str, Any] = {
    "name": "contacts",
    "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
    "identifierFieldName": "email",
}
EMAILS = [{"email": "ann@x.com"}, {"email": "bob@x.com"}, {"email": "cy@x.com"}]


def contact_actions(*actions: dict[str, Any]) -> dict[str, Any]:
    """A contact sync-action definition matching contacts on their email address."""
    return {**CONTACTS, "name": "audience", "syncActions": list(actions)}


def act(bulk: Bulk, entity: str, body: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
    """Create the sync-action definition, stage the rows and sync them to the end."""
    created = bulk.post(f"/{entity}/syncActions", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["uri"].startswith(f"/{entity}/syncActions/")
    bulk.stage(created.json()["uri"], rows)
    return bulk.sync(created.json()["uri"])


def contacts_by_email(server: EmulatorServer) -> dict[str, Any]:
    return {c["fields"]["C_EmailAddress"]: c for c in admin(server, "records/contacts")}


def test_contacts_are_added_to_and_removed_from_a_list_and_exports_see_it(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, EMAILS)
    add = {"action": "add", "destination": "{{ContactList[101]}}"}
    remove = {"action": "remove", "destination": "{{ContactList[101]}}"}

    added = act(bulk, "contacts", contact_actions(add), EMAILS)
    removed = act(bulk, "contacts", contact_actions(remove), [{"email": "BOB@x.com"}])

    assert added["status"] == "success"
    assert bulk.log_counts(added)["ELQ-00119"] == 3
    assert bulk.log_counts(removed)["ELQ-00118"] == 1
    lists = {email: c["lists"] for email, c in contacts_by_email(server).items()}
    assert lists == {"ann@x.com": [101], "bob@x.com": [], "cy@x.com": [101]}
    export = bulk.post(
        "/contacts/exports",
        json={
            "name": "members",
            "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
            "filter": "EXISTS('{{ContactList[101]}}')",
        },
    ).json()
    data = bulk.get(bulk.sync(export["uri"])["uri"] + "/data").json()["items"]
    assert data == [{"email": "ann@x.com"}, {"email": "cy@x.com"}]
    [newsletter] = [item for item in bulk.items("/contacts/lists") if item["name"] == "Newsletter"]
    assert newsletter["count"] == 2


def test_email_groups_and_the_global_subscription_are_set(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, EMAILS)
    group = {"action": "setStatus", "destination": "{{EmailGroup[301]}}", "status": "subscribed"}
    unsubscribe = {
        "action": "setStatus",
        "destination": "{{GlobalSubscribe}}",
        "status": "unsubscribed",
    }

    first = act(bulk, "contacts", contact_actions(group), EMAILS[:2])
    second = act(bulk, "contacts", contact_actions(unsubscribe), EMAILS[1:])

    assert bulk.log_counts(first)["ELQ-00115"] == 2
    assert bulk.log_counts(second)["ELQ-00017"] == 2
    contacts = contacts_by_email(server)
    assert {e: c["emailGroups"] for e, c in contacts.items()} == {
        "ann@x.com": {"301": "subscribed"},
        "bob@x.com": {"301": "subscribed"},
        "cy@x.com": {},
    }
    assert {e: c["globalSubscription"] for e, c in contacts.items()} == {
        "ann@x.com": None,
        "bob@x.com": "unsubscribed",
        "cy@x.com": "unsubscribed",
    }


def test_rows_that_match_no_record_are_unmatched_and_bad_ones_rejected(bulk: Bulk) -> None:
    bulk.load("contacts", CONTACTS, EMAILS[:1])
    add = {"action": "add", "destination": "{{ContactList[101]}}"}

    sync = act(bulk, "contacts", contact_actions(add), [*EMAILS[:2], {"email": "not an email"}])

    assert sync["status"] == "warning"
    counts = bulk.log_counts(sync)
    assert (counts["ELQ-00001"], counts["ELQ-00140"], counts["ELQ-00034"]) == (3, 3, 1)
    assert (counts["ELQ-00002"], counts["ELQ-00060"], counts["ELQ-00119"]) == (1, 1, 1)
    [reject] = bulk.items(sync["uri"] + "/rejects")
    assert (reject["recordIndex"], reject["statusCode"]) == (3, "ELQ-00002")


def test_contacts_are_removed_from_a_list_by_their_eloqua_id(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, EMAILS)
    act(
        bulk,
        "contacts",
        contact_actions({"action": "add", "destination": "{{ContactList[101]}}"}),
        EMAILS,
    )
    by_id = {
        "name": "leavers",
        "fields": {"id": "{{Contact.Id}}"},
        "identifierFieldName": "id",
        "syncActions": [{"action": "remove", "destination": "{{ContactList[101]}}"}],
    }

    sync = act(bulk, "contacts", by_id, [{"id": "2"}, {"id": "3"}, {"id": "99"}, {"id": "x"}])

    assert sync["status"] == "warning"
    counts = bulk.log_counts(sync)
    assert (counts["ELQ-00118"], counts["ELQ-00034"], counts["ELQ-00040"]) == (2, 1, 1)
    [reject] = bulk.items(sync["uri"] + "/rejects")
    assert (reject["recordIndex"], reject["statusCode"]) == (4, "ELQ-00040")
    lists = {email: c["lists"] for email, c in contacts_by_email(server).items()}
    assert lists == {"ann@x.com": [101], "bob@x.com": [], "cy@x.com": []}


def test_accounts_go_to_account_lists(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load(
        "accounts",
        {
            "name": "a",
            "fields": {"c": "{{Account.Field(M_CompanyName)}}"},
            "identifierFieldName": "c",
        },
        [{"c": "Acme"}, {"c": "Globex"}],
    )
    body = {
        "name": "key accounts",
        "fields": {"id": "{{Account.Id}}"},
        "identifierFieldName": "id",
        "syncActions": [{"action": "add", "destination": "{{AccountList[201]}}"}],
    }

    sync = act(bulk, "accounts", body, [{"id": "2"}])

    assert bulk.log_counts(sync)["ELQ-00114"] == 1
    assert [a["lists"] for a in admin(server, "records/accounts")] == [[], [201]]


def test_a_custom_object_records_actions_act_on_its_linked_contact(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, EMAILS[:1])
    purchases = {
        "name": "p",
        "fields": {"o": "{{CustomObject[9].Field[101]}}", "e": "{{CustomObject[9].Field[102]}}"},
        "identifierFieldName": "o",
        "mapDataCards": True,
        "mapDataCardsEntityType": "Contact",
        "mapDataCardsEntityField": "{{Contact.Field(C_EmailAddress)}}",
        "mapDataCardsSourceField": "e",
    }
    bulk.load("customObjects/9", purchases, [{"o": "1", "e": "ann@x.com"}, {"o": "2", "e": ""}])
    body = {
        "name": "buyers",
        "fields": {"id": "{{CustomObject[9].Id}}"},
        "identifierFieldName": "id",
        "syncActions": [{"action": "add", "destination": "{{ContactList[102]}}"}],
    }

    sync = act(bulk, "customObjects/9", body, [{"id": "1"}, {"id": "2"}])

    assert bulk.log_counts(sync)["ELQ-00119"] == 1
    assert contacts_by_email(server)["ann@x.com"]["lists"] == [102]


@pytest.mark.parametrize(
    ("entity", "body", "failed"),
    [
        (
            "contacts",
            {
                **contact_actions({"action": "add", "destination": "{{ContactList[101]}}"}),
                "fields": {"email": "{{Contact.Field(C_FirstName)}}"},
            },
            "fields.email",
        ),
        (
            "contacts",
            {
                **contact_actions({"action": "add", "destination": "{{ContactList[101]}}"}),
                "fields": {"email": "{{Contact.Id}}", "id": "{{Contact.Id}}"},
            },
            "fields",
        ),
        ("contacts", CONTACTS, "syncActions"),
        (
            "contacts",
            contact_actions(*[{"action": "add", "destination": "{{ContactList[101]}}"}] * 11),
            "syncActions",
        ),
        (
            "contacts",
            contact_actions({"action": "add", "destination": "{{AccountList[201]}}"}),
            "syncActions[0]",
        ),
        (
            "contacts",
            contact_actions({"action": "add", "destination": "{{ContactList[999]}}"}),
            "syncActions[0]",
        ),
        (
            "accounts",
            {
                "name": "a",
                "fields": {"c": "{{Account.Field(M_City)}}"},
                "identifierFieldName": "c",
                "syncActions": [{"action": "add", "destination": "{{AccountList[201]}}"}],
            },
            "fields.c",
        ),
    ],
)
def test_a_definition_breaking_a_rule_is_refused_with_failures(
    bulk: Bulk, entity: str, body: dict[str, Any], failed: str
) -> None:
    response = bulk.post(f"/{entity}/syncActions", json=body)

    assert response.status_code == 400
    assert failed in [failure["field"] for failure in response.json()["failures"]]


def test_sync_action_definitions_are_listed_read_and_deleted(bulk: Bulk) -> None:
    add = {"action": "add", "destination": "{{ContactList[101]}}"}
    uri = bulk.post("/contacts/syncActions", json=contact_actions(add)).json()["uri"]

    assert bulk.get(uri).json()["syncActions"] == [add]
    assert [d["uri"] for d in bulk.items("/syncActions")] == [uri]
    assert bulk.items("/imports") == []
    assert bulk.delete(uri).status_code == 204
    assert bulk.get(uri).status_code == 404


UNSUBSCRIBE = {
    "action": "setStatus",
    "destination": "{{GlobalSubscribe}}",
    "status": "unsubscribed",
}
BOUNCED = {"action": "setStatus", "destination": "{{GlobalSubscribe}}", "status": "bounced"}


def email_addresses(*actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "addresses",
        "fields": {"address": "{{EmailAddress.Field(EmailAddress)}}"},
        "identifierFieldName": "address",
        "syncActions": list(actions),
    }


def test_email_addresses_unsubscribe_present_and_future_contacts(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, EMAILS[:1])

    sync = bulk.load(
        "emailAddresses",
        email_addresses(UNSUBSCRIBE),
        [{"address": "Ann@x.com"}, {"address": "new@x.com"}],
    )
    bulk.load("contacts", CONTACTS, [{"email": "new@x.com"}, {"email": "bob@x.com"}])

    counts = bulk.log_counts(sync)
    assert (counts["ELQ-00033"], counts["ELQ-00017"]) == (2, 2)
    subscription = {e: c["globalSubscription"] for e, c in contacts_by_email(server).items()}
    assert subscription == {
        "ann@x.com": "unsubscribed",
        "new@x.com": "unsubscribed",
        "bob@x.com": None,
    }
    addresses = admin(server, "records/emailAddresses")
    assert [(a["fields"]["EmailAddress"], a["globalSubscription"]) for a in addresses] == [
        ("Ann@x.com", "unsubscribed"),
        ("new@x.com", "unsubscribed"),
    ]


def test_email_addresses_are_marked_as_bounced(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", CONTACTS, EMAILS[:2])

    sync = bulk.load("emailAddresses", email_addresses(BOUNCED), [{"address": "bob@x.com"}])

    assert bulk.log_counts(sync)["ELQ-00016"] == 1
    bounced = {e: c["bounced"] for e, c in contacts_by_email(server).items()}
    assert bounced == {"ann@x.com": False, "bob@x.com": True}
    assert [a["bounced"] for a in admin(server, "records/emailAddresses")] == [True]


@pytest.mark.parametrize(
    ("body", "failed"),
    [
        ({**email_addresses(), "syncActions": None}, "syncActions"),
        (email_addresses(UNSUBSCRIBE, BOUNCED), "syncActions"),
        (email_addresses({**UNSUBSCRIBE, "status": "subscribed"}), "syncActions[0]"),
        (
            email_addresses({"action": "add", "destination": "{{ContactList[101]}}"}),
            "syncActions[0]",
        ),
    ],
)
def test_an_email_address_import_takes_one_of_its_two_actions(
    bulk: Bulk, body: dict[str, Any], failed: str
) -> None:
    response = bulk.post("/emailAddresses/imports", json=body)

    assert response.status_code == 400
    assert failed in [failure["field"] for failure in response.json()["failures"]]
