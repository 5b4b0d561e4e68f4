"""Catalogs (the packaged default and files of the same shape) and statements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator.model.catalog import (
    CUSTOM_OBJECT_TEXT_LENGTH,
    LARGE_TEXT_LENGTH,
    SMALL_TEXT_LENGTH,
    CatalogError,
    load_catalog,
)
from target_eloqua.emulator.model.entities import ACCOUNTS, CONTACTS, Entity
from target_eloqua.emulator.model.statements import StatementError, resolve

REQUIRED_ACCOUNT_FIELDS = {
    "M_CompanyName",
    "M_Country",
    "M_City",
    "M_Industry",
    "M_Address1",
    "M_State_Prov",
    "M_Zip_Postal",
    "M_BusPhone",
    "CompanyIDExt",
}


def small_catalog() -> dict[str, Any]:
    field = {
        "name": "Company Name",
        "internalName": "M_CompanyName",
        "dataType": "string",
        "hasReadOnlyConstraint": False,
        "hasNotNullConstraint": True,
        "hasUniquenessConstraint": False,
        "statement": "{{Account.Field(M_CompanyName)}}",
        "uri": "/accounts/fields/1",
        "createdAt": "1900-01-01T05:00:00.0000000Z",
        "updatedAt": "1900-01-01T05:00:00.0000000Z",
    }
    user_field = {**field, "name": "CRM id", "internalName": "CRMId", "uri": "/users/fields/2"}
    return {
        "accounts": {"fields": [field]},
        "users": {
            "fields": [user_field],
            "items": [{"id": 3, "name": "Ann", "fields": {"CRMId": "c-1"}}],
        },
    }


def test_default_catalog_has_the_standard_account_fields_and_linkable_users() -> None:
    catalog = load_catalog()

    names = {f.internal_name for f in catalog.accounts.fields}
    assert names >= REQUIRED_ACCOUNT_FIELDS
    company = catalog.accounts.find("M_CompanyName")
    assert company is not None
    assert company.item["hasNotNullConstraint"] is True
    assert company.statement == "{{Account.Field(M_CompanyName)}}"
    external_id = catalog.accounts.find("CompanyIDExt")
    assert external_id is not None
    assert external_id.item["hasUniquenessConstraint"] is True
    assert {f.data_type for f in catalog.accounts.fields} >= {"string", "number", "date"}
    crm_ids = {user.fields.get("CRMOSCUserId") for user in catalog.users}
    assert len(catalog.users) >= 3
    assert {"754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"} <= crm_ids


def test_default_catalog_has_contacts_a_custom_object_priorities_and_lists() -> None:
    catalog = load_catalog()

    contact_names = {f.internal_name for f in catalog.contacts.fields}
    assert {"C_EmailAddress", "C_FirstName", "C_LastName", "ContactIDExt"} <= contact_names
    [purchases] = catalog.custom_objects
    assert purchases.id == 9
    assert [p.name for p in catalog.priorities] == ["High", "Normal", "Low"]
    assert catalog.contact_lists
    assert catalog.account_lists
    assert catalog.email_groups
    for fields in (catalog.accounts, catalog.contacts, purchases.fields):
        types = {f.data_type for f in fields.fields}
        assert types == {"string", "number", "date", "boolean", "emailAddress"}
        assert any(f.read_only for f in fields.fields)
        assert any(f.large_text for f in fields.fields)


def test_default_catalog_lists_the_system_timestamps_as_read_only_dates() -> None:
    catalog = load_catalog()
    for fields, names in (
        (catalog.contacts, ("C_DateCreated", "C_DateModified")),
        (catalog.accounts, ("M_DateCreated", "M_DateModified")),
    ):
        for name in names:
            field = fields.find(name)
            assert field is not None
            assert (field.data_type, field.read_only) == ("date", True)


def test_text_fields_know_their_length_but_do_not_show_it() -> None:
    catalog = load_catalog()
    [purchases] = catalog.custom_objects

    city = catalog.accounts.find("M_City")
    notes = catalog.contacts.find("C_Notes1")
    product = purchases.fields.find("Product1")
    assert city is not None
    assert notes is not None
    assert product is not None
    assert (city.length, notes.length) == (SMALL_TEXT_LENGTH, LARGE_TEXT_LENGTH)
    assert product.length == CUSTOM_OBJECT_TEXT_LENGTH
    assert "length" not in notes.item
    assert notes.data_type == "string"


@pytest.mark.parametrize(
    ("entity", "statement", "kind", "name"),
    [
        (ACCOUNTS, "{{Account.Field(M_City)}}", "field", "M_City"),
        (ACCOUNTS, "{{Account.Id}}", "id", "Id"),
        (ACCOUNTS, "{{Account.User.Field(CRMOSCUserId)}}", "user", "CRMOSCUserId"),
        (CONTACTS, "{{Contact.Field(C_EmailAddress)}}", "field", "C_EmailAddress"),
        (CONTACTS, "{{Contact.Id}}", "id", "Id"),
        (CONTACTS, "{{Contact.CreatedAt}}", "createdAt", "CreatedAt"),
        (CONTACTS, "{{Contact.Field(C_DateModified)}}", "field", "C_DateModified"),
        (ACCOUNTS, "{{Account.UpdatedAt}}", "updatedAt", "UpdatedAt"),
        (ACCOUNTS, "{{Account.Field(M_DateCreated)}}", "field", "M_DateCreated"),
        (CONTACTS, "{{Contact.Account.Field(M_CompanyName)}}", "account", "M_CompanyName"),
        (Entity("customObjects", 9), "{{CustomObject[9].Field[103]}}", "field", "Amount1"),
        (Entity("customObjects", 9), "{{CustomObject[9].Id}}", "id", "Id"),
        (Entity("customObjects", 9), "{{CustomObject[9].ExternalId}}", "externalId", "ExternalId"),
        (Entity("customObjects", 9), "{{CustomObject[9].UpdatedAt}}", "updatedAt", "UpdatedAt"),
        (Entity("events", 5), "{{Event[5].CreatedAt}}", "createdAt", "CreatedAt"),
        (Entity("events", 5), "{{Event[5].Field[501]}}", "field", "Email_Address1"),
        (Entity("events", 5), "{{Event[5].Id}}", "id", "Id"),
        (Entity("activities"), "{{Activity.Type}}", "activity", "ActivityType"),
        (Entity("activities"), "{{Activity.CreatedAt}}", "activity", "ActivityDate"),
        (Entity("activities"), "{{Activity.Contact.Id}}", "contact", "Id"),
        (
            Entity("activities"),
            "{{Activity.Contact.Field(C_EmailAddress)}}",
            "contact",
            "C_EmailAddress",
        ),
        (Entity("opportunities"), "{{Opportunity.Id}}", "field", "RemoteOpportunityID"),
        (Entity("opportunities"), "{{Opportunity.Field(Stage)}}", "field", "OpportunityStageID"),
        (Entity("opportunityContacts"), "{{Opportunity.Id}}", "opportunity", "RemoteOpportunityID"),
        (
            Entity("opportunityContacts"),
            "{{Opportunity.Account.Field(CompanyIDExt)}}",
            "account",
            "CompanyIDExt",
        ),
        (Entity("campaignResponses"), "{{CampaignResponse.Id}}", "id", "Id"),
        (
            Entity("campaignResponses"),
            "{{CampaignResponse.Field(IntegrationReturnValue)}}",
            "field",
            "IntegrationReturnValue",
        ),
    ],
)
def test_statements_resolve_against_the_catalog(
    entity: Entity, statement: str, kind: str, name: str
) -> None:
    target = resolve(load_catalog(), entity, statement)
    assert (target.kind, target.name) == (kind, name)


@pytest.mark.parametrize(
    ("entity", "statement", "message"),
    [
        (ACCOUNTS, "{{Account.Field(CRMOSCUserId)}}", "existing field"),
        (ACCOUNTS, "{{Account.Field[M_City]}}", "existing field"),
        (ACCOUNTS, "M_City", "existing field"),
        (ACCOUNTS, "{{Contact.Field(C_EmailAddress)}}", "entity"),
        (CONTACTS, "{{Contact.Field(1000001)}}", "existing field"),
        (Entity("customObjects", 9), "{{CustomObject[9].Field(Amount1)}}", "existing field"),
        (Entity("customObjects", 9), "{{CustomObject[8].Field[103]}}", "entity"),
        (Entity("customObjects", 9), "{{CustomObject[9].Field[999]}}", "existing field"),
        (Entity("events", 6), "{{Event[6].Field[501]}}", "existing field"),
        (Entity("activities"), "{{Activity.Score}}", "existing field"),
        (Entity("activities"), "{{Activity.Contact.Field(Nope)}}", "existing field"),
        (Entity("opportunities"), "{{Opportunity.Field(OpportunityName)}}", "existing field"),
        (Entity("opportunities"), "{{Opportunity.UpdatedAt}}", "existing field"),
        (Entity("activities"), "{{Activity.UpdatedAt}}", "existing field"),
        (Entity("opportunityContacts"), "{{Opportunity.Field(Name)}}", "existing field"),
    ],
)
def test_statements_that_name_no_field_of_the_entity_do_not_resolve(
    entity: Entity, statement: str, message: str
) -> None:
    with pytest.raises(StatementError, match=message):
        resolve(load_catalog(), entity, statement)


def test_the_default_catalog_has_an_event_opportunities_assets_and_campaign_responses() -> None:
    catalog = load_catalog()

    event = catalog.event(5)
    assert event is not None
    assert event.fields.find("Email_Address1") is not None
    assert {f.statement for f in catalog.opportunities.fields} >= {
        "{{Opportunity.Id}}",
        "{{Opportunity.Field(Name)}}",
        "{{Opportunity.Field(Stage)}}",
        "{{Opportunity.Field(Amount)}}",
    }
    assert "Closed Won" in catalog.opportunity_stages
    assert {a.name: a.activity_types for a in catalog.asset_types}["Webinar"] == (
        "Registered",
        "Attended",
        "Watched Recording",
    )
    assert [response_id for response_id, _ in catalog.campaign_responses.items] == [1, 2, 3]


def test_a_catalog_file_of_the_same_shape_loads(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(small_catalog()), encoding="utf-8")

    catalog = load_catalog(path)

    assert [f.item for f in catalog.accounts.fields] == small_catalog()["accounts"]["fields"]
    assert catalog.contacts.fields == ()
    assert catalog.custom_objects == ()
    assert [(u.id, u.name, dict(u.fields)) for u in catalog.users] == [(3, "Ann", {"CRMId": "c-1"})]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda c: c.pop("accounts"), "accounts must be a JSON object"),
        (lambda c: c["accounts"]["fields"][0].pop("statement"), "'statement' must be a str"),
        (lambda c: c["accounts"]["fields"][0].update(dataType="text"), "dataType must be one of"),
        (lambda c: c["users"]["items"][0]["fields"].update(Nope="x"), "'Nope' must be a user"),
        (lambda c: c["accounts"]["fields"][0].update(length=0), "'length' must be a positive"),
        (lambda c: c["accounts"]["fields"][0].update(uri="/x"), "numeric id"),
        (lambda c: c.update(customObjects=[{"id": "9"}]), "integer 'id'"),
        (lambda c: c.update(contactLists=[{"id": 1, "name": "a"}] * 2), "ids must be unique"),
        (lambda c: c.update(externalAssetTypes=[{"id": 1, "name": "x"}]), "'activityTypes'"),
        (lambda c: c.update(opportunityStages=[1]), "opportunityStages must be an array of"),
        (
            lambda c: c.update(
                campaignResponses={"fields": [], "items": [{"id": 1, "fields": {"X": ""}}]}
            ),
            "'X' must be a campaign response field",
        ),
    ],
)
def test_a_malformed_catalog_says_what_is_wrong(tmp_path: Path, damage: Any, message: str) -> None:
    document = small_catalog()
    damage(document)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CatalogError, match=message):
        load_catalog(path)


def test_a_file_that_is_not_json_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("{", encoding="utf-8")

    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(path)
