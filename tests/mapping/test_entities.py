"""Entities and the statements that belong to them."""

from __future__ import annotations

import pytest

from target_eloqua.mapping.entities import ACCOUNTS, CONTACTS, Entity, parse_entity, parse_statement


@pytest.mark.parametrize(
    ("text", "prefix"),
    [("accounts", "Account"), ("contacts", "Contact"), ("customObjects/9", "CustomObject[9]")],
)
def test_each_entity_knows_its_statement_prefix(text: str, prefix: str) -> None:
    assert parse_entity(text).prefix == prefix


@pytest.mark.parametrize("text", ["Accounts", "events/3", "customObjects/0", "customObjects/"])
def test_other_entities_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="use accounts, contacts or customObjects/<id>"):
        parse_entity(text)


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


def test_system_statements_have_known_types() -> None:
    assert ACCOUNTS.system_field_type("Id") == "number"
    assert CONTACTS.system_field_type("Email.IsSubscribed") == "boolean"
    assert Entity("customObjects/9").system_field_type("ExternalId") == "string"
    assert ACCOUNTS.system_field_type("ExternalId") is None
