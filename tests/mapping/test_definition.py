"""A stream mapping's import definition: its body, its name, and Eloqua's refusal of it."""

from __future__ import annotations

from typing import Any

import pytest

from target_eloqua.mapping.definition import (
    definition_body,
    definition_refusal_problems,
    import_definition_body,
)
from target_eloqua.mapping.entities import ACCOUNTS
from target_eloqua.mapping.streams import (
    parse_stream_mapping,
)
from tests.support import ACCOUNT_TUTORIAL_MAPPING


def test_the_account_tutorial_becomes_a_linking_definition() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)
    body = import_definition_body(mapping)

    assert mapping.entity.imports_path == "/accounts/imports"
    assert body == {
        "name": body["name"],
        "fields": {
            "company_name": "{{Account.Field(M_CompanyName)}}",
            "owner_crm_ids": "{{Account.User.Field(CRMOSCUserId)}}",
        },
        "identifierFieldName": "company_name",
        "isSyncTriggeredOnImport": False,
        "isUpdatingMultipleMatchedRecords": False,
        "autoDeleteDuration": "P1D",
        "linkUsers": True,
    }


def test_entity_defaults_to_accounts_and_options_are_sent_only_when_set() -> None:
    mapping = parse_stream_mapping("companies", {"identifier": "id", "fields": {"id": "x"}})
    body = import_definition_body(mapping)

    assert mapping.entity == ACCOUNTS
    assert not {"linkUsers", "updateRule", "importRule", "syncActions"} & set(body)


def test_every_option_reaches_its_definition_property() -> None:
    raw: dict[str, Any] = {
        "entity": "customObjects/9",
        "identifier": "order id",
        "fields": {"order id": "{{CustomObject[9].ExternalId}}", "email": "Email"},
        "update_rule": "ifNewIsNotNull",
        "update_rule_by_field": {"email": "always"},
        "update_multiple_matched_records": True,
        "sync_actions": [{"action": "add", "destination": "{{ContactList[3]}}"}],
        "import_priority": "/imports/priorities/2",
        "map_data_cards": {
            "entity_type": "Contact",
            "entity_field": "{{Contact.Field(C_EmailAddress)}}",
            "source_property": "email",
            "case_sensitive": True,
        },
    }
    body = import_definition_body(parse_stream_mapping("orders", raw))

    assert body["fields"] == {"order_id": "{{CustomObject[9].ExternalId}}", "email": "Email"}
    assert body["identifierFieldName"] == "order_id"
    assert body["updateRule"] == "ifNewIsNotNull"
    assert body["updateRuleByField"] == {"email": "always"}
    assert body["isUpdatingMultipleMatchedRecords"] is True
    assert body["syncActions"] == [{"action": "add", "destination": "{{ContactList[3]}}"}]
    assert body["importPriorityUri"] == "/imports/priorities/2"
    assert {key: value for key, value in body.items() if key.startswith("mapDataCards")} == {
        "mapDataCards": True,
        "mapDataCardsEntityType": "Contact",
        "mapDataCardsEntityField": "{{Contact.Field(C_EmailAddress)}}",
        "mapDataCardsSourceField": "email",
        "mapDataCardsCaseSensitiveMatch": True,
    }


def test_import_rule_reaches_a_contact_definition() -> None:
    raw = {"entity": "contacts", "identifier": "email", "fields": {"email": "C_EmailAddress"}}
    body = import_definition_body(parse_stream_mapping("c", {**raw, "import_rule": "updateOnly"}))

    assert body["importRule"] == "updateOnly"


def test_definition_names_are_readable_deterministic_and_within_100_characters() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)
    changed = parse_stream_mapping(
        "crm_accounts", {**ACCOUNT_TUTORIAL_MAPPING, "update_rule": "always"}
    )
    long_name = parse_stream_mapping("s" * 300, ACCOUNT_TUTORIAL_MAPPING)

    name = import_definition_body(mapping)["name"]
    assert name.startswith("target-eloqua crm_accounts ")
    assert name == import_definition_body(mapping)["name"]
    assert name != import_definition_body(changed)["name"]
    assert len(import_definition_body(long_name)["name"]) == 100


def test_a_refused_definition_is_told_in_terms_of_the_mapping() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)
    failures = [
        {"field": "identifierFieldName", "value": "company_name", "constraint": "Bad."},
        {"field": "name", "value": "x" * 3, "constraint": "Too long."},
    ]

    assert definition_refusal_problems(mapping, failures) == [
        "stream 'crm_accounts', property 'company_name', field '{{Account.Field(M_CompanyName)}}': "
        "Eloqua refused it: identifierFieldName: Bad.",
        "stream 'crm_accounts': Eloqua refused the import definition: name: Too long. "
        "(value: 'xxx')",
    ]


def test_an_activity_definition_has_no_identifier() -> None:
    raw = {"entity": "activities", "fields": {"type": "{{Activity.Type}}"}}

    body = import_definition_body(parse_stream_mapping("webinars", raw))

    assert "identifierFieldName" not in body
    assert body["fields"] == {"type": "{{Activity.Type}}"}


@pytest.mark.parametrize(
    ("link", "entity_type"),
    [
        ("{{Opportunity.Contact.Field(C_EmailAddress)}}", "Contact"),
        ("{{Opportunity.Contact.Id}}", "Contact"),
        ("{{Opportunity.Account.Field(CompanyIDExt)}}", "Account"),
    ],
)
def test_an_opportunity_link_definition_says_how_links_are_matched(
    link: str, entity_type: str
) -> None:
    raw = {"entity": "opportunities/contacts", "fields": {"deal": "{{Opportunity.Id}}", "to": link}}

    body = import_definition_body(parse_stream_mapping("links", raw))

    assert "identifierFieldName" not in body
    assert {key: value for key, value in body.items() if key.startswith("link")} == {
        "linkOpportunitiesEntityType": entity_type,
        "linkOpportunitiesMatchFieldName": "deal",
        "linkOpportunitiesSourceField": "to",
        "linkOpportunitiesCaseSensitiveMatchField": False,
        "linkOpportunitiesCaseSensitiveSourceField": False,
        "linkOpportunitiesMultipleSourceMatches": True,
    }


def test_sync_actions_only_make_a_sync_action_definition_of_the_identifier() -> None:
    mapping = parse_stream_mapping(
        "audience",
        {
            "entity": "contacts",
            "identifier": "email",
            "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
            "actions_only": True,
            "sync_actions": [{"action": "remove", "destination": "{{ContactList[101]}}"}],
        },
    )

    body = definition_body(mapping)

    assert body == {
        "name": body["name"],
        "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
        "identifierFieldName": "email",
        "syncActions": [{"action": "remove", "destination": "{{ContactList[101]}}"}],
        "isSyncTriggeredOnImport": False,
    }
    assert body["name"].startswith("target-eloqua audience ")


def test_email_addresses_are_an_import_that_takes_only_sync_actions() -> None:
    unsubscribe = {
        "action": "setStatus",
        "destination": "{{GlobalSubscribe}}",
        "status": "unsubscribed",
    }
    mapping = parse_stream_mapping(
        "optouts",
        {
            "entity": "emailAddresses",
            "identifier": "email",
            "fields": {"email": "{{EmailAddress.Field(EmailAddress)}}"},
            "actions_only": True,
            "sync_actions": [unsubscribe],
        },
    )

    body = definition_body(mapping)

    assert mapping.definitions_path == "/emailAddresses/imports"
    assert body["fields"] == {"email": "{{EmailAddress.Field(EmailAddress)}}"}
    assert body["syncActions"] == [unsubscribe]
    assert body["autoDeleteDuration"] == "P1D"
