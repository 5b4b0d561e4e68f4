"""Import definitions of accounts, contacts, custom objects, events, activities, opportunities
and their links to contacts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EmulatorServer
from target_eloqua.emulator.model.catalog import load_catalog
from tests.emulator.conftest import Bulk

ACCOUNTS: dict[str, Any] = {
    "name": "crm accounts",
    "fields": {
        "company": "{{Account.Field(M_CompanyName)}}",
        "owners": "{{Account.User.Field(CRMOSCUserId)}}",
    },
    "identifierFieldName": "company",
    "linkUsers": "true",
    "areSystemTimestampsInUTC": True,
}
CONTACTS: dict[str, Any] = {
    "name": "crm contacts",
    "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
    "identifierFieldName": "email",
}
PURCHASES: dict[str, Any] = {
    "name": "purchases",
    "fields": {
        "order": "{{CustomObject[9].Field[101]}}",
        "email": "{{CustomObject[9].Field[102]}}",
    },
    "identifierFieldName": "order",
    "mapDataCards": "true",
    "mapDataCardsEntityType": "Contact",
    "mapDataCardsEntityField": "{{Contact.Field(C_EmailAddress)}}",
    "mapDataCardsSourceField": "email",
}


def test_account_definition_is_201_and_echoes_with_defaults(bulk: Bulk) -> None:
    response = bulk.post("/accounts/imports", json=ACCOUNTS)
    assert response.status_code == 201
    body = response.json()
    assert body["linkUsers"] is True
    assert "areSystemTimestampsInUTC" not in body
    assert body["isSyncTriggeredOnImport"] is False
    assert body["dataRetentionDuration"] == "P7D"
    assert body["isUpdatingMultipleMatchedRecords"] is False
    for unset in ("updateRule", "autoDeleteDuration", "importRule", "syncActions"):
        assert unset not in body
    assert body["uri"] == "/accounts/imports/1"
    assert body["createdBy"] == body["updatedBy"] == "API.User"
    assert body["createdAt"].endswith("Z")
    assert len(body["createdAt"].split(".")[1]) == 8  # 7 digits and Z


@pytest.mark.parametrize(("sent", "echoed"), [({}, None), ({"linkUsers": "false"}, False)])
def test_link_users_is_echoed_only_when_sent(
    bulk: Bulk, sent: dict[str, Any], echoed: bool | None
) -> None:
    body = {k: v for k, v in ACCOUNTS.items() if k != "linkUsers"}
    body["fields"] = {"company": "{{Account.Field(M_CompanyName)}}"}
    response = bulk.post("/accounts/imports", json={**body, **sent})
    assert response.status_code == 201, response.text
    assert response.json().get("linkUsers") == echoed
    assert ("linkUsers" in response.json()) == bool(sent)
    assert response.json()["isUpdatingMultipleMatchedRecords"] is False  # a default, echoed


def test_string_booleans_become_booleans(bulk: Bulk) -> None:
    body = {**CONTACTS, "isSyncTriggeredOnImport": "FALSE"}
    body["isUpdatingMultipleMatchedRecords"] = "true"
    echoed = bulk.post("/contacts/imports", json=body).json()
    assert echoed["isSyncTriggeredOnImport"] is False
    assert echoed["isUpdatingMultipleMatchedRecords"] is True


def test_contact_definition_has_no_link_users(bulk: Bulk) -> None:
    body = bulk.post("/contacts/imports", json=CONTACTS).json()
    assert body["uri"] == "/contacts/imports/1"
    assert "linkUsers" not in body


def test_custom_object_definition_has_id_and_parent_id(bulk: Bulk) -> None:
    body = bulk.post("/customObjects/9/imports", json=PURCHASES).json()
    assert body["uri"] == f"/customObjects/9/imports/{body['id']}"
    assert body["parentId"] == 9
    assert body["mapDataCards"] is True
    assert body["mapDataCardsCaseSensitiveMatch"] is False


def test_get_list_update_and_delete(bulk: Bulk) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    contacts_uri = bulk.define("contacts", CONTACTS)
    created = bulk.get(uri).json()
    assert [d["uri"] for d in bulk.items("/accounts/imports")] == [uri]
    assert [d["uri"] for d in bulk.items("/imports")] == [uri, contacts_uri]

    changed = bulk.put(uri, json={**ACCOUNTS, "name": "renamed", "updateRule": "ifNewIsNotNull"})
    assert changed.status_code == 200
    assert changed.json()["name"] == "renamed"
    assert changed.json()["updateRule"] == "ifNewIsNotNull"
    assert changed.json()["uri"] == uri
    assert changed.json()["createdAt"] == created["createdAt"]
    assert bulk.put(uri, json={**ACCOUNTS, "name": ""}).status_code == 400
    assert bulk.get(uri).json()["name"] == "renamed"

    assert bulk.delete(uri).status_code == 204
    assert bulk.get(uri).status_code == 404
    assert bulk.delete(uri).status_code == 404


def test_a_definition_is_found_only_under_its_entity(bulk: Bulk) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    assert bulk.get(uri.replace("accounts", "contacts")).status_code == 404
    assert bulk.post("/customObjects/77/imports", json=PURCHASES).status_code == 404


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _fields(count: int) -> dict[str, str]:
    return {f"k{i}": "{{Account.Field(M_City)}}" for i in range(count)}


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("accounts", _with(ACCOUNTS, name=None), "name"),
    ("accounts", _with(ACCOUNTS, name="x" * 101), "name"),
    ("accounts", _with(ACCOUNTS, fields=None), "fields"),
    ("accounts", _with(ACCOUNTS, fields={}), "fields"),
    ("accounts", _with(ACCOUNTS, fields=_fields(101), identifierFieldName="k0"), "fields"),
    ("accounts", _with(ACCOUNTS, identifierFieldName=None), "identifierFieldName"),
    ("accounts", _with(ACCOUNTS, identifierFieldName="nope"), "identifierFieldName"),
    ("accounts", _with(ACCOUNTS, identifierFieldName="owners"), "identifierFieldName"),
    (
        "accounts",
        _with(
            ACCOUNTS, fields={"d": "{{Account.Field(M_Customer_Since1)}}"}, identifierFieldName="d"
        ),
        "identifierFieldName",
    ),
    (
        "accounts",
        _with(ACCOUNTS, fields={"b": "{{Account.Field(M_Is_Partner1)}}"}, identifierFieldName="b"),
        "identifierFieldName",
    ),
    (
        "accounts",
        _with(
            ACCOUNTS, fields={"n": "{{Account.Field(M_Account_Notes1)}}"}, identifierFieldName="n"
        ),
        "identifierFieldName",
    ),
    (
        "accounts",
        _with(ACCOUNTS, fields={**ACCOUNTS["fields"], "x": "{{Account.Field(Nope)}}"}),
        "fields.x",
    ),
    (
        "accounts",
        _with(ACCOUNTS, fields={**ACCOUNTS["fields"], "x": "{{Contact.Field(C_FirstName)}}"}),
        "fields.x",
    ),
    (
        "accounts",
        _with(ACCOUNTS, fields={**ACCOUNTS["fields"], "x": "{{Account.Field(M_Account_Rating1)}}"}),
        "fields.x",
    ),
    ("contacts", _with(CONTACTS, linkUsers=True), "linkUsers"),
    ("customObjects/9", _with(PURCHASES, linkUsers="true"), "linkUsers"),
    ("accounts", _with(ACCOUNTS, mapDataCards=True), "mapDataCards"),
    (
        "contacts",
        _with(
            CONTACTS, syncActions=[{"action": "add", "destination": "{{ContactList[101]}}"}] * 11
        ),
        "syncActions",
    ),
    (
        "contacts",
        _with(CONTACTS, syncActions=[{"action": "add", "destination": "{{ContactList[999]}}"}]),
        "syncActions[0]",
    ),
    (
        "accounts",
        _with(ACCOUNTS, syncActions=[{"action": "add", "destination": "{{ContactList[101]}}"}]),
        "syncActions[0]",
    ),
    ("accounts", _with(ACCOUNTS, dataRetentionDuration="PT30M"), "dataRetentionDuration"),
    ("accounts", _with(ACCOUNTS, dataRetentionDuration="P15D"), "dataRetentionDuration"),
    ("accounts", _with(ACCOUNTS, dataRetentionDuration="7 days"), "dataRetentionDuration"),
    ("accounts", _with(ACCOUNTS, autoDeleteDuration="PT59M"), "autoDeleteDuration"),
    ("accounts", _with(ACCOUNTS, updateRule="sometimes"), "updateRule"),
    ("accounts", _with(ACCOUNTS, updateRuleByField={"nope": "always"}), "updateRuleByField.nope"),
    ("accounts", _with(ACCOUNTS, importRule="createMaybe"), "importRule"),
    ("accounts", _with(ACCOUNTS, isSyncTriggeredOnImport="yes"), "isSyncTriggeredOnImport"),
    ("accounts", _with(ACCOUNTS, importPriorityUri="/imports/priorities/99"), "importPriorityUri"),
    ("customObjects/9", _with(PURCHASES, mapDataCardsEntityType="Lead"), "mapDataCardsEntityType"),
    ("customObjects/9", _with(PURCHASES, mapDataCardsSourceField="x"), "mapDataCardsSourceField"),
    (
        "customObjects/9",
        _with(PURCHASES, mapDataCardsEntityField="{{Contact.Field(Nope)}}"),
        "mapDataCardsEntityField",
    ),
]


@pytest.mark.parametrize(("entity", "body", "field"), INVALID)
def test_invalid_definition_is_400_with_failures(
    bulk: Bulk, entity: str, body: dict[str, Any], field: str
) -> None:
    response = bulk.post(f"/{entity}/imports", json=body)
    assert response.status_code == 400
    assert response.reason == "There was a validation error."
    failures = response.json()["failures"]
    assert field in [f["field"] for f in failures]
    assert all(set(f) == {"field", "value", "constraint"} for f in failures)
    assert bulk.items(f"/{entity}/imports") == []


@pytest.mark.parametrize(
    ("entity", "body", "statement"),
    [
        ("contacts", CONTACTS, "{{Contact.Field(C_DateModified)}}"),
        ("contacts", CONTACTS, "{{Contact.CreatedAt}}"),
        ("accounts", ACCOUNTS, "{{Account.Field(M_DateCreated)}}"),
        ("accounts", ACCOUNTS, "{{Account.UpdatedAt}}"),
        ("customObjects/9", PURCHASES, "{{CustomObject[9].UpdatedAt}}"),
    ],
)
def test_an_import_may_not_write_system_timestamps(
    bulk: Bulk, entity: str, body: dict[str, Any], statement: str
) -> None:
    response = bulk.post(
        f"/{entity}/imports", json={**body, "fields": {**body["fields"], "at": statement}}
    )
    assert response.status_code == 400
    assert response.json()["failures"] == [
        {"field": "fields.at", "value": statement, "constraint": "Must not name a read-only field."}
    ]


def test_identifier_failure_quotes_eloquas_rule(bulk: Bulk) -> None:
    response = bulk.post("/accounts/imports", json=_with(ACCOUNTS, identifierFieldName="nope"))
    [failure] = response.json()["failures"]
    assert (
        failure["constraint"]
        == "identifierFieldName nope must be contained within Fields, if specified"
    )


@pytest.mark.parametrize(
    ("entity", "statement"),
    [
        ("accounts", "{{Account.Id}}"),
        ("contacts", "{{Contact.Id}}"),
        ("customObjects/9", "{{CustomObject[9].ExternalId}}"),
    ],
)
def test_system_statements_are_valid_identifiers(bulk: Bulk, entity: str, statement: str) -> None:
    body = {"name": "ids", "fields": {"id": statement}, "identifierFieldName": "id"}
    assert bulk.post(f"/{entity}/imports", json=body).status_code == 201


def test_valid_optional_properties_are_kept(bulk: Bulk) -> None:
    body = _with(
        CONTACTS,
        updateRule="ifExistingIsNull",
        updateRuleByField={"email": "always"},
        importRule="updateOnly",
        autoDeleteDuration="P1DT2H",
        dataRetentionDuration="PT1H",
        importPriorityUri="/imports/priorities/1",
        externalSystemId=5,
        syncActions=[
            {"action": "setStatus", "destination": "{{EmailGroup[301]}}", "status": "subscribed"}
        ],
    )
    echoed = bulk.post("/contacts/imports", json=body).json()
    for key, value in body.items():
        assert echoed[key] == value


@pytest.mark.parametrize(
    ("content_type", "data"),
    [(None, b'{"name": "x"}'), ("text/csv", b"a,b\n"), ("application/json", b"{nope")],
)
def test_undecodable_definition_is_400(
    server: EmulatorServer, content_type: str | None, data: bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.post(
        server.url + "/api/bulk/2.0/accounts/imports",
        data=data,
        headers=headers,
        auth=("ACME\\API.User", "emulator"),
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["failures"]


def test_the_definition_is_validated_again_when_a_sync_is_created(
    bulk: Bulk, server: EmulatorServer
) -> None:
    uri = bulk.define("accounts", ACCOUNTS)
    catalog = load_catalog()
    document = {
        "accounts": {
            "fields": [
                dict(f.item) for f in catalog.accounts.fields if f.internal_name != "M_CompanyName"
            ]
        },
        "users": {"fields": [dict(f.item) for f in catalog.user_fields.fields], "items": []},
    }
    replaced = requests.put(server.url + "/_emulator/catalog", json=document, timeout=5)
    assert replaced.status_code == 204

    response = bulk.post("/syncs", json={"syncedInstanceUri": uri})
    assert response.status_code == 400
    assert [f["field"] for f in response.json()["failures"]] == ["fields.company"]
    assert bulk.items("/syncs") == []


ACTIVITIES: dict[str, Any] = {
    "name": "webinar attendance",
    "fields": {
        "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "type": "{{Activity.Type}}",
        "asset_type": "{{Activity.Asset.Type}}",
        "asset_name": "{{Activity.Asset.Name}}",
        "date": "{{Activity.CreatedAt}}",
    },
}
OPPORTUNITY_LINKS: dict[str, Any] = {
    "name": "opportunity contacts",
    "fields": {
        "id": "{{Opportunity.Id}}",
        "email": "{{Opportunity.Contact.Field(C_EmailAddress)}}",
    },
    "linkOpportunitiesEntityType": "Contact",
    "linkOpportunitiesMatchFieldName": "id",
    "linkOpportunitiesSourceField": "email",
    "linkOpportunitiesMultipleSourceMatches": "true",
}


def failures(bulk: Bulk, entity: str, body: dict[str, Any]) -> list[tuple[str, str]]:
    response = bulk.post(f"/{entity}/imports", json=body)
    assert response.status_code == 400, response.text
    return [(f["field"], f["constraint"]) for f in response.json()["failures"]]


def test_activity_and_link_definitions_need_no_identifier(bulk: Bulk) -> None:
    activities = bulk.post("/activities/imports", json=ACTIVITIES)
    links = bulk.post("/opportunities/contacts/imports", json=OPPORTUNITY_LINKS)

    assert activities.status_code == links.status_code == 201
    assert activities.json()["uri"] == "/activities/imports/1"
    assert "identifierFieldName" not in activities.json()
    assert links.json()["uri"] == "/opportunities/contacts/imports/2"
    assert links.json()["linkOpportunitiesMultipleSourceMatches"] is True


def test_an_activity_definition_needs_what_an_activity_is_and_takes_no_account_options(
    bulk: Bulk,
) -> None:
    body = {
        "name": "a",
        "fields": {"type": "{{Activity.Type}}"},
        "linkUsers": True,
        "importRule": "createOnly",
    }

    assert failures(bulk, "activities", body) == [
        ("fields", "Must include {{Activity.Asset.Type}}."),
        ("fields", "Must include {{Activity.Asset.Name}}."),
        ("fields", "Must include {{Activity.CreatedAt}}."),
        (
            "fields",
            "Must include a contact ({{Activity.Contact.Id}} or {{Activity.Contact.Field(X)}}).",
        ),
        ("linkUsers", "Only account imports can link users."),
        ("importRule", "Not supported for this entity."),
    ]


def test_opportunities_match_on_their_id_and_need_name_stage_and_amount(bulk: Bulk) -> None:
    body = {
        "name": "o",
        "fields": {"id": "{{Opportunity.Id}}", "name": "{{Opportunity.Field(Name)}}"},
        "identifierFieldName": "name",
    }

    assert failures(bulk, "opportunities", body) == [
        ("identifierFieldName", "Must contain the {{Opportunity.Id}} field within fields."),
        ("fields", "Must include {{Opportunity.Field(Stage)}}."),
        ("fields", "Must include {{Opportunity.Field(Amount)}}."),
    ]


def test_a_link_definition_says_how_it_matches_opportunities_and_contacts(bulk: Bulk) -> None:
    body = {
        **OPPORTUNITY_LINKS,
        "linkOpportunitiesEntityType": "Account",
        "linkOpportunitiesMatchFieldName": "email",
    }

    assert failures(bulk, "opportunities/contacts", body) == [
        ("linkOpportunitiesMatchFieldName", "Must be the key of {{Opportunity.Id}} in fields."),
        (
            "linkOpportunitiesSourceField",
            "Must be the key of {{Opportunity.Account.Field(X)}} in fields.",
        ),
    ]


def test_event_definitions_map_data_cards_but_take_no_sync_actions(bulk: Bulk) -> None:
    body = {
        "name": "registrations",
        "fields": {"email": "{{Event[5].Field[501]}}"},
        "identifierFieldName": "email",
        "mapDataCards": True,
        "mapDataCardsEntityType": "Contact",
        "mapDataCardsEntityField": "{{Contact.Field(C_EmailAddress)}}",
        "mapDataCardsSourceField": "email",
    }
    created = bulk.post("/events/5/imports", json=body)
    action = {"action": "add", "destination": "{{ContactList[101]}}"}

    assert created.status_code == 201
    assert (created.json()["id"], created.json()["parentId"]) == (1, 5)
    assert created.json()["uri"] == "/events/5/imports/1"
    assert bulk.post("/events/6/imports", json=body).status_code == 404
    assert failures(bulk, "events/5", {**body, "syncActions": [action]}) == [
        (
            "syncActions[0]",
            "Must be a sync action {action, destination, status} this entity supports.",
        )
    ]
