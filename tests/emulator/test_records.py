"""What syncs store: upserts, update rules, links, lists and data cards."""

from __future__ import annotations

from typing import Any

import pytest

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import Bulk, admin

JANE, OMAR = "754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"
ACCOUNTS: dict[str, Any] = {
    "name": "accounts",
    "fields": {
        "company": "{{Account.Field(M_CompanyName)}}",
        "city": "{{Account.Field(M_City)}}",
        "country": "{{Account.Field(M_Country)}}",
    },
    "identifierFieldName": "company",
}
CONTACTS: dict[str, Any] = {
    "name": "contacts",
    "fields": {
        "email": "{{Contact.Field(C_EmailAddress)}}",
        "first": "{{Contact.Field(C_FirstName)}}",
        "last": "{{Contact.Field(C_LastName)}}",
    },
    "identifierFieldName": "email",
}


def accounts(server: EmulatorServer) -> dict[str, dict[str, str]]:
    return {a["fields"]["M_CompanyName"]: a["fields"] for a in admin(server, "records/accounts")}


def test_upsert_creates_then_updates_on_the_identifier(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    bulk.stage(uri, [{"company": "Acme", "city": "Paris"}, {"company": "Globex", "city": "Rome"}])
    bulk.sync(uri)
    bulk.stage(uri, [{"company": "ACME", "city": "Lyon"}])  # matching ignores letter case
    bulk.sync(uri)
    records = admin(server, "records/accounts")
    assert [(r["id"], r["fields"]["M_City"]) for r in records] == [(1, "Lyon"), (2, "Rome")]
    assert [s["counts"] for s in admin(server, "syncs")][-1] == {
        "processed": 1,
        "created": 0,
        "updated": 1,
        "rejected": 0,
        "repeated": 0,
    }


def test_a_missing_key_keeps_the_value_and_a_blank_clears_it(
    bulk: Bulk, server: EmulatorServer
) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    bulk.stage(uri, [{"company": "Acme", "city": "Paris", "country": "FR"}])
    bulk.sync(uri)
    bulk.stage(uri, [{"company": "Acme", "city": ""}])
    bulk.sync(uri)
    assert accounts(server)["Acme"] == {"M_CompanyName": "Acme", "M_City": "", "M_Country": "FR"}


@pytest.mark.parametrize(
    ("rule", "city", "country"),
    [
        ("always", "", "DE"),
        ("ifNewIsNotNull", "Paris", "DE"),
        ("ifExistingIsNull", "Paris", "DE"),
    ],
)
def test_update_rules(
    bulk: Bulk, server: EmulatorServer, rule: str, city: str, country: str
) -> None:
    uri = bulk.define("accounts", {**ACCOUNTS, "updateRule": rule})
    bulk.stage(uri, [{"company": "Acme", "city": "Paris", "country": ""}])
    bulk.sync(uri)
    bulk.stage(uri, [{"company": "Acme", "city": "", "country": "DE"}])
    bulk.sync(uri)
    stored = accounts(server)["Acme"]
    assert (stored["M_City"], stored["M_Country"]) == (city, country)


def test_if_existing_is_null_keeps_a_set_value(bulk: Bulk, server: EmulatorServer) -> None:
    uri = bulk.define("accounts", {**ACCOUNTS, "updateRule": "ifExistingIsNull"})
    bulk.stage(uri, [{"company": "Acme", "city": "Paris"}])
    bulk.sync(uri)
    bulk.stage(uri, [{"company": "Acme", "city": "Rome"}])
    bulk.sync(uri)
    assert accounts(server)["Acme"]["M_City"] == "Paris"


def test_update_rule_by_field_overrides_the_rule(bulk: Bulk, server: EmulatorServer) -> None:
    body = {**ACCOUNTS, "updateRule": "always", "updateRuleByField": {"city": "ifNewIsNotNull"}}
    uri = bulk.define("accounts", body)
    bulk.stage(uri, [{"company": "Acme", "city": "Paris", "country": "FR"}])
    bulk.sync(uri)
    bulk.stage(uri, [{"company": "Acme", "city": "", "country": ""}])
    bulk.sync(uri)
    stored = accounts(server)["Acme"]
    assert (stored["M_City"], stored["M_Country"]) == ("Paris", "")


@pytest.mark.parametrize(
    ("update_all", "cities"), [(True, ["Rome", "Rome"]), (False, ["Rome", "Paris"])]
)
def test_updating_multiple_matched_records(
    bulk: Bulk, server: EmulatorServer, update_all: bool, cities: list[str]
) -> None:
    by_country = {
        "name": "by country",
        "fields": {"country": "{{Account.Field(M_Country)}}", "city": "{{Account.Field(M_City)}}"},
        "identifierFieldName": "country",
    }
    rows = [{"company": c, "country": "FR", "city": "Paris"} for c in ("A", "B")]
    bulk.load("accounts", ACCOUNTS, rows)
    body = {**by_country, "isUpdatingMultipleMatchedRecords": update_all}
    sync = bulk.load("accounts", body, [{"country": "fr", "city": "Rome"}])
    assert [a["M_City"] for a in accounts(server).values()] == cities
    assert admin(server, "syncs")[-1]["counts"]["updated"] == (2 if update_all else 1)
    assert sync["status"] == "success"


def test_link_users_links_accounts_to_users(bulk: Bulk, server: EmulatorServer) -> None:
    body = {
        **ACCOUNTS,
        "fields": {**ACCOUNTS["fields"], "owners": "{{Account.User.Field(CRMOSCUserId)}}"},
        "linkUsers": True,
    }
    bulk.load(
        "accounts",
        body,
        [
            {"company": "Acme", "owners": f"{JANE},{OMAR}"},
            {"company": "Globex", "owners": "nobody"},
        ],
    )
    linked = {
        a["fields"]["M_CompanyName"]: a["linkedUsers"] for a in admin(server, "records/accounts")
    }
    assert [u["fields"]["CRMOSCUserId"] for u in linked["Acme"]] == [JANE, OMAR]
    assert set(linked["Acme"][0]) == {"id", "name", "fields"}
    assert linked["Globex"] == []
    without = {**body, "linkUsers": False}
    bulk.load("accounts", without, [{"company": "Initech", "owners": JANE}])
    assert admin(server, "records/accounts")[-1]["linkedUsers"] == []


def test_contact_sync_actions_add_to_lists_and_set_email_groups(
    bulk: Bulk, server: EmulatorServer
) -> None:
    body = {
        **CONTACTS,
        "syncActions": [
            {"action": "add", "destination": "{{ContactList[101]}}"},
            {"action": "setStatus", "destination": "{{EmailGroup[301]}}", "status": "unsubscribed"},
            {"action": "setStatus", "destination": "{{GlobalSubscribe}}", "status": "subscribed"},
        ],
    }
    sync = bulk.load("contacts", body, [{"email": "a@x.com"}, {"email": "bad"}])
    [contact] = admin(server, "records/contacts")
    assert contact["lists"] == [101]
    assert contact["emailGroups"] == {"301": "unsubscribed"}
    assert contact["globalSubscription"] == "subscribed"
    codes = {i["statusCode"]: i["count"] for i in bulk.items(sync["uri"] + "/logs")}
    assert (codes["ELQ-00119"], codes["ELQ-00116"], codes["ELQ-00138"]) == (1, 1, 1)

    removing = {
        **CONTACTS,
        "syncActions": [{"action": "remove", "destination": "{{ContactList[101]}}"}],
    }
    bulk.load("contacts", removing, [{"email": "a@x.com"}])
    assert admin(server, "records/contacts")[0]["lists"] == []


def test_account_sync_actions_add_to_account_lists(bulk: Bulk, server: EmulatorServer) -> None:
    body = {**ACCOUNTS, "syncActions": [{"action": "add", "destination": "{{AccountList[201]}}"}]}
    sync = bulk.load("accounts", body, [{"company": "Acme"}])
    assert admin(server, "records/accounts")[0]["lists"] == [201]
    assert "ELQ-00114" in {i["statusCode"] for i in bulk.items(sync["uri"] + "/logs")}


def test_contacts_link_to_the_account_with_that_field_value(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("accounts", ACCOUNTS, [{"company": "Acme"}, {"company": "Globex"}])
    body = {
        **CONTACTS,
        "fields": {**CONTACTS["fields"], "company": "{{Contact.Account.Field(M_CompanyName)}}"},
    }
    bulk.load(
        "contacts",
        body,
        [{"email": "a@x.com", "company": "Globex"}, {"email": "b@x.com", "company": "Nope"}],
    )
    assert [
        (c["fields"]["C_EmailAddress"], c["accountId"]) for c in admin(server, "records/contacts")
    ] == [
        ("a@x.com", 2),
        ("b@x.com", None),
    ]


def data_cards(entity_type: str, entity_field: str, source: str, **options: Any) -> dict[str, Any]:
    """A purchases definition linking each record through the ``source`` custom object field."""
    return {
        "name": "purchases",
        "fields": {
            "order": "{{CustomObject[9].Field[101]}}",
            "product": "{{CustomObject[9].Field[107]}}",
            "who": f"{{{{CustomObject[9].Field[{source}]}}}}",
        },
        "identifierFieldName": "order",
        "mapDataCards": True,
        "mapDataCardsEntityType": entity_type,
        "mapDataCardsEntityField": entity_field,
        "mapDataCardsSourceField": "who",
        **options,
    }


@pytest.mark.parametrize(
    ("entity_type", "entity_field", "who", "linked"),
    [
        ("Contact", "{{Contact.Field(C_EmailAddress)}}", "A@X.com", {"type": "Contact", "id": 1}),
        ("Contact", "{{Contact.Id}}", "1", {"type": "Contact", "id": 1}),
        ("Company", "{{Account.Field(M_CompanyName)}}", "Acme", {"type": "Company", "id": 1}),
        ("Contact", "{{Contact.Field(C_EmailAddress)}}", "nobody@x.com", None),
    ],
)
def test_map_data_cards_links_custom_object_records(
    bulk: Bulk, entity_type: str, entity_field: str, who: str, linked: Any
) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}])
    bulk.load("accounts", ACCOUNTS, [{"company": "Acme"}])
    body = data_cards(entity_type, entity_field, "102" if "@" in who else "106")
    sync = bulk.load("customObjects/9", body, [{"order": "o-1", "product": "Pen", "who": who}])
    [record] = admin(bulk.server, "records/customObjects/9")
    assert record["mappedEntity"] == linked
    counts = {i["statusCode"]: i["count"] for i in bulk.items(sync["uri"] + "/logs")}
    assert counts["ELQ-00025"] == (1 if linked else 0)


def test_case_sensitive_data_card_matching(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}])
    email = "{{Contact.Field(C_EmailAddress)}}"
    body = data_cards("Contact", email, "102", mapDataCardsCaseSensitiveMatch=True)
    bulk.load("customObjects/9", body, [{"order": "1", "product": "Pen", "who": "A@x.com"}])
    assert admin(server, "records/customObjects/9")[0]["mappedEntity"] is None


def test_a_blank_id_or_external_id_creates_new_custom_object_records(
    bulk: Bulk, server: EmulatorServer
) -> None:
    body = {
        "name": "by external id",
        "fields": {
            "ext": "{{CustomObject[9].ExternalId}}",
            "product": "{{CustomObject[9].Field[107]}}",
        },
        "identifierFieldName": "ext",
    }
    bulk.load(
        "customObjects/9",
        body,
        [
            {"ext": "", "product": "Pen"},
            {"ext": "", "product": "Ink"},
            {"ext": "e1", "product": "Cap"},
        ],
    )
    bulk.load("customObjects/9", body, [{"ext": "E1", "product": "Lid"}])
    records = admin(server, "records/customObjects/9")
    assert [r["fields"]["Product1"] for r in records] == ["Pen", "Ink", "Lid"]


def test_id_identifiers_update_by_record_id(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com", "first": "Ann"}])
    by_id = {
        "name": "by id",
        "fields": {"id": "{{Contact.Id}}", "first": "{{Contact.Field(C_FirstName)}}"},
        "identifierFieldName": "id",
    }
    sync = bulk.load("contacts", by_id, [{"id": "1", "first": "Anna"}, {"id": "x", "first": "Bad"}])
    assert admin(server, "records/contacts")[0]["fields"]["C_FirstName"] == "Anna"
    [reject] = bulk.items(sync["uri"] + "/rejects")
    assert reject["invalidFields"] == ["id"]


@pytest.mark.parametrize(
    ("rule", "names"), [("updateOnly", ["Acme!"]), ("createOnly", ["Acme", "Globex"])]
)
def test_import_rules(bulk: Bulk, server: EmulatorServer, rule: str, names: list[str]) -> None:
    by_ext = {
        "name": "x",
        "fields": {
            "ext": "{{Account.Field(CompanyIDExt)}}",
            "company": "{{Account.Field(M_CompanyName)}}",
        },
        "identifierFieldName": "ext",
    }
    bulk.load("accounts", by_ext, [{"ext": "1", "company": "Acme"}])
    sync = bulk.load(
        "accounts",
        {**by_ext, "importRule": rule},
        [{"ext": "1", "company": "Acme!"}, {"ext": "2", "company": "Globex"}],
    )
    assert sorted(accounts(server)) == names
    assert sync["status"] == "success"
    assert {i["statusCode"]: i["count"] for i in bulk.items(sync["uri"] + "/logs")}[
        "ELQ-00034"
    ] == 1


BY_EXT: dict[str, Any] = {
    "name": "contacts by external id",
    "fields": {
        "ext": "{{Contact.Field(ContactIDExt)}}",
        "email": "{{Contact.Field(C_EmailAddress)}}",
        "first": "{{Contact.Field(C_FirstName)}}",
    },
    "identifierFieldName": "ext",
}


def emails(server: EmulatorServer) -> list[str]:
    return [c["fields"].get("C_EmailAddress", "") for c in admin(server, "records/contacts")]


@pytest.mark.parametrize("identifier", ["email", "ext"])
def test_a_later_row_with_an_email_already_in_the_sync_is_a_duplicate(
    bulk: Bulk, server: EmulatorServer, identifier: str
) -> None:
    body = {**BY_EXT, "identifierFieldName": identifier}
    rows = [
        {"ext": "1", "email": "a@x.com", "first": "Ann"},
        {"ext": "2", "email": "A@X.com", "first": "Anna"},
    ]
    sync = bulk.load("contacts", body, rows)
    assert sync["status"] == "warning"
    assert [c["fields"]["C_FirstName"] for c in admin(server, "records/contacts")] == ["Ann"]
    [reject] = bulk.items(sync["uri"] + "/rejects")
    assert (reject["recordIndex"], reject["statusCode"]) == (2, "ELQ-00011")
    assert reject["message"] == "Duplicate email address."
    assert reject["invalidFields"] == ["email"]
    logs = {i["statusCode"]: i for i in bulk.items(sync["uri"] + "/logs")}
    duplicates = logs["ELQ-00011"]
    assert (duplicates["message"], duplicates["count"]) == ("Duplicate email addresses.", 1)
    assert duplicates["severity"] == "warning"


@pytest.mark.parametrize(
    "row",
    [
        {"ext": "3", "email": "A@x.com"},  # a new contact
        {"ext": "2", "email": "a@x.com"},  # an update of another contact
    ],
    ids=["create", "update"],
)
def test_an_email_another_contact_has_is_rejected(
    bulk: Bulk, server: EmulatorServer, row: dict[str, str]
) -> None:
    stored = [{"ext": "1", "email": "a@x.com"}, {"ext": "2", "email": "b@x.com"}]
    bulk.load("contacts", BY_EXT, stored)
    sync = bulk.load("contacts", BY_EXT, [row])
    assert emails(server) == ["a@x.com", "b@x.com"]
    [reject] = bulk.items(sync["uri"] + "/rejects")
    assert (reject["recordIndex"], reject["statusCode"]) == (1, "ELQ-00048")
    assert (reject["message"], reject["invalidFields"]) == ("Contact already exists.", ["email"])
    assert sync["status"] == "warning"


def test_a_contact_may_change_the_case_of_its_own_email(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", BY_EXT, [{"ext": "1", "email": "a@x.com"}])
    sync = bulk.load("contacts", BY_EXT, [{"ext": "1", "email": "A@X.COM"}])
    assert (sync["status"], emails(server)) == ("success", ["A@X.COM"])


def test_create_only_contacts_skip_rows_whose_email_a_contact_has(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", BY_EXT, [{"ext": "1", "email": "a@x.com"}])
    sync = bulk.load(
        "contacts",
        {**BY_EXT, "importRule": "createOnly"},
        [{"ext": "2", "email": "A@x.com", "first": "Ann"}, {"ext": "3", "email": "c@x.com"}],
    )
    assert emails(server) == ["a@x.com", "c@x.com"]
    assert sync["status"] == "success"
    counts = {i["statusCode"]: i["count"] for i in bulk.items(sync["uri"] + "/logs")}
    assert (counts["ELQ-00034"], counts["ELQ-00004"]) == (1, 1)
    assert bulk.items(sync["uri"] + "/rejects") == []
