"""Entities and the statements that belong to them."""

from __future__ import annotations

import pytest

from target_eloqua.mapping.entities import ACCOUNTS, CONTACTS, Entity, parse_entity, parse_statement


@pytest.mark.parametrize(
    ("text", "kind", "prefix"),
    [
        ("accounts", "accounts", "Account"),
        ("contacts", "contacts", "Contact"),
        ("customObjects/9", "customObjects", "CustomObject[9]"),
        ("events/5", "events", "Event[5]"),
        ("activities", "activities", "Activity"),
        ("opportunities", "opportunities", "Opportunity"),
        ("opportunities/contacts", "opportunities/contacts", "Opportunity"),
        ("campaignResponses", "campaignResponses", "CampaignResponse"),
    ],
)
def test_each_entity_knows_its_kind_and_statement_prefix(text: str, kind: str, prefix: str) -> None:
    entity = parse_entity(text)

    assert (entity.kind, entity.prefix) == (kind, prefix)


@pytest.mark.parametrize(
    "text", ["Accounts", "events", "customObjects/0", "customObjects/", "activities/3", "emails"]
)
def test_other_entities_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="use accounts, contacts, customObjects/<id>, events/<id>"):
        parse_entity(text)


EVERY_KIND = (
    "accounts",
    "contacts",
    "customObjects/9",
    "events/5",
    "activities",
    "campaignResponses",
    "opportunities",
    "opportunities/contacts",
    "emailAddresses",
)
"""An entity of each kind."""


def test_entities_load_after_those_they_link_to() -> None:
    ranks = {text: parse_entity(text).load_rank for text in EVERY_KIND}

    assert ranks["accounts"] < ranks["contacts"] < ranks["activities"]
    assert ranks["activities"] == ranks["customObjects/9"] == ranks["events/5"]
    assert ranks["campaignResponses"] == ranks["opportunities"] == ranks["activities"]
    assert ranks["opportunities"] < ranks["opportunities/contacts"]


def test_statements_are_taken_apart() -> None:
    contact_account = parse_statement("{{Contact.Account.Field(M_CompanyName)}}")
    custom = parse_statement(" {{CustomObject[9].Field[103]}} ")

    assert contact_account is not None
    assert contact_account.entity == CONTACTS
    assert contact_account.related == ("Account", "M_CompanyName")
    assert custom is not None
    assert (custom.entity, custom.path, custom.related) == (
        Entity("customObjects/9"),
        "Field[103]",
        None,
    )
    assert parse_statement("M_CompanyName") is None


def test_statements_of_the_other_entities_name_their_entity_and_relations() -> None:
    activity_contact = parse_statement("{{Activity.Contact.Field(C_EmailAddress)}}")
    event_field = parse_statement("{{Event[5].Field[501]}}")
    link = parse_statement("{{Opportunity.Account.Field(CompanyIDExt)}}")

    assert activity_contact is not None
    assert (activity_contact.entity.path, activity_contact.related) == (
        "activities",
        ("Contact", "C_EmailAddress"),
    )
    assert event_field is not None
    assert event_field.entity == Entity("events/5")
    assert link is not None
    assert (link.entity.path, link.related) == ("opportunities", ("Account", "CompanyIDExt"))


def test_system_statements_have_known_types() -> None:
    assert ACCOUNTS.system_field_type("Id") == "number"
    assert CONTACTS.system_field_type("Email.IsSubscribed") == "boolean"
    assert Entity("customObjects/9").system_field_type("ExternalId") == "string"
    assert ACCOUNTS.system_field_type("ExternalId") is None
    assert Entity("campaignResponses").system_field_type("Id") == "number"


def test_opportunities_list_their_id_as_a_field() -> None:
    assert Entity("opportunities").system_field_type("Id") is None
