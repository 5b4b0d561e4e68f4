"""What each kind of entity takes in an import."""

from __future__ import annotations

from target_eloqua.mapping.entities import parse_entity
from target_eloqua.mapping.entity_rules import RULES, Required, kinds_taking, rules_of
from tests.mapping.test_entities import EVERY_KIND


def test_a_statement_ending_in_a_dot_stands_for_every_statement_it_begins() -> None:
    contact = Required("the contact", ("{{Activity.Contact.",))

    assert contact.met_by("{{Activity.Contact.Id}}")
    assert contact.met_by("{{Activity.Contact.Field(C_EmailAddress)}}")
    assert not contact.met_by("{{Activity.Campaign.Id}}")
    assert Required("the type", ("{{Activity.Type}}",)).met_by("{{Activity.Type}}")


def test_every_entity_kind_has_rules() -> None:
    assert {parse_entity(text).kind for text in EVERY_KIND} == set(RULES)


def test_entities_without_a_fields_listing_carry_their_statements() -> None:
    listed = rules_of(parse_entity("activities")).listed_fields

    assert listed is not None
    assert {field.statement for field in listed} >= {
        "{{Activity.Type}}",
        "{{Activity.Asset.Type}}",
        "{{Activity.Asset.Name}}",
        "{{Activity.CreatedAt}}",
        "{{Activity.Contact.Id}}",
    }
    assert rules_of(parse_entity("opportunities")).listed_fields is None


def test_options_name_the_kinds_that_take_them() -> None:
    assert kinds_taking("link_users") == "accounts"
    assert kinds_taking("import_rule") == "accounts and contacts"
    assert kinds_taking("map_data_cards") == "custom objects and events"
