"""A stream's mapping: parsing, its import definition body, and its rows."""

from __future__ import annotations

import decimal
from dataclasses import replace
from typing import Any

import pytest

from target_eloqua.entities import ACCOUNTS, Entity
from target_eloqua.mapping import (
    MappingError,
    RecordValueError,
    blank_identifier_error,
    definition_keys,
    definition_refusal_problems,
    import_definition_body,
    parse_stream_mapping,
    parse_stream_mappings,
    record_to_row,
    unmapped_stream_error,
)
from target_eloqua.values import UnformattableValueError
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
        "import_rule": "updateOnly",
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
    assert body["importRule"] == "updateOnly"
    assert body["syncActions"] == [{"action": "add", "destination": "{{ContactList[3]}}"}]
    assert body["importPriorityUri"] == "/imports/priorities/2"
    assert {key: value for key, value in body.items() if key.startswith("mapDataCards")} == {
        "mapDataCards": True,
        "mapDataCardsEntityType": "Contact",
        "mapDataCardsEntityField": "{{Contact.Field(C_EmailAddress)}}",
        "mapDataCardsSourceField": "email",
        "mapDataCardsCaseSensitiveMatch": True,
    }


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


def test_definition_keys_are_safe_unique_and_at_most_100_characters() -> None:
    keys = definition_keys(["id", "e-mail", "e mail", "", "x" * 150, "x" * 120])

    assert keys == {
        "id": "id",
        "e-mail": "e_mail",
        "e mail": "e_mail_2",
        "": "field",
        "x" * 150: "x" * 100,
        "x" * 120: "x" * 98 + "_2",
    }


def test_a_property_that_is_already_a_safe_key_keeps_it() -> None:
    assert definition_keys(["a b", "a_b"]) == {"a b": "a_b_2", "a_b": "a_b"}


def test_rows_carry_every_key_formatted_and_nothing_unmapped() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)
    record = {
        "company_name": "Eloqua",
        "owner_crm_ids": ["754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"],
        "revenue": decimal.Decimal("1E+3"),
        "_sdc_extracted_at": "2026-11-28T00:00:00+00:00",
    }

    assert mapping.keys == ["company_name", "owner_crm_ids"]
    assert record_to_row(mapping, record) == [
        "Eloqua",
        "754a1a4baadb4ace991ee,754a1a4baadb4ace991ea",
    ]


def test_rows_use_the_safe_definition_keys() -> None:
    mapping = parse_stream_mapping(
        "s", {"identifier": "Company Name", "fields": {"Company Name": "M_CompanyName"}}
    )

    assert mapping.keys == ["Company_Name"]
    assert record_to_row(mapping, {"Company Name": "Acme"}) == ["Acme"]


def test_a_missing_property_is_sent_blank_like_null() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)

    assert record_to_row(mapping, {"company_name": "Globex"}) == ["Globex", ""]


def test_a_value_that_cannot_be_formatted_names_stream_and_property() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)

    with pytest.raises(RecordValueError) as raised:
        record_to_row(mapping, {"company_name": float("nan")})

    error = raised.value
    assert (error.stream, error.property) == ("crm_accounts", "company_name")
    assert error.problem == "nan is not a finite number"
    assert isinstance(error.__cause__, UnformattableValueError)


def test_a_text_longer_than_its_column_holds_is_refused_with_both_lengths() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)
    limited = replace(
        mapping, columns=(replace(mapping.columns[0], max_length=5), *mapping.columns[1:])
    )

    assert record_to_row(limited, {"company_name": "Acme!"})[0] == "Acme!"
    with pytest.raises(RecordValueError) as raised:
        record_to_row(limited, {"company_name": "Acme Inc."})

    assert raised.value.property == "company_name"
    assert raised.value.problem == "9 characters, more than the 5 its field holds"


@pytest.mark.parametrize(
    ("record", "how"),
    [({}, "missing"), ({"company_name": None}, "null"), ({"company_name": ""}, "empty")],
)
def test_a_blank_identifier_is_told_apart(record: dict[str, Any], how: str) -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)

    error = blank_identifier_error(mapping, record)

    assert str(error) == f"stream 'crm_accounts', property 'company_name': the identifier is {how}"


@pytest.mark.parametrize(
    ("identifier_field", "may_be_blank"),
    [
        ("{{Account.Field(M_CompanyName)}}", False),
        ("{{Account.Id}}", True),
        ("{{CustomObject[9].ExternalId}}", True),
        ("M_CompanyName", False),
    ],
)
def test_only_a_records_own_id_may_be_blank(identifier_field: str, may_be_blank: bool) -> None:
    entity = "customObjects/9" if "CustomObject" in identifier_field else "accounts"
    raw = {"entity": entity, "identifier": "key", "fields": {"key": identifier_field}}

    assert parse_stream_mapping("s", raw).identifier_may_be_blank is may_be_blank


def test_every_problem_is_reported_at_once_naming_stream_property_and_field() -> None:
    raw = {
        "identifier": "id",
        "fields": {
            "name": "Company Name",
            "email": "{{Contact.Field(C_EmailAddress)}}",
            "owners": "{{Account.User.Field(CRMOSCUserId)}}",
        },
        "update_rule_by_field": {"city": "always"},
        "sync_actions": [{"action": "add", "destination": "{{AccountList[1]}}"}] * 11,
        "map_data_cards": {"entity_type": "Contact", "entity_field": "x", "source_property": "x"},
    }

    with pytest.raises(MappingError) as caught:
        parse_stream_mapping("crm", raw)

    assert caught.value.problems == [
        "stream 'crm', property 'id': the identifier is not among 'fields'",
        "stream 'crm', property 'name', field 'Company Name': not a field statement such as "
        "{{Account.Field(Name)}} nor an internal field name",
        "stream 'crm', property 'email', field '{{Contact.Field(C_EmailAddress)}}': a field of "
        "contacts, but the stream imports into accounts",
        "stream 'crm', property 'owners', field '{{Account.User.Field(CRMOSCUserId)}}': links "
        "users to accounts; set link_users: true on the stream",
        "stream 'crm', property 'city': update_rule_by_field names a property that is not mapped",
        "stream 'crm': 11 sync_actions; Eloqua takes at most 10",
        "stream 'crm': map_data_cards is for custom objects only, not accounts",
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"entity": "opportunities"}, "entity 'opportunities' is not supported"),
        ({"entity": "customObjects/x"}, "entity 'customObjects/x' is not supported"),
        ({"entity": "contacts", "link_users": True}, "link_users is for accounts only"),
        ({"fields": {f"p{n}": "M_City" for n in range(101)}}, "takes at most 100"),
    ],
)
def test_entity_and_size_problems(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(MappingError, match=problem):
        parse_stream_mapping("s", {"identifier": "p0", "fields": {"p0": "M_City"}, **raw})


def test_custom_object_entities_know_their_statements_and_paths() -> None:
    mapping = parse_stream_mapping(
        "orders",
        {
            "entity": "customObjects/9",
            "identifier": "id",
            "fields": {"id": "{{CustomObject[9].Field[103]}}"},
        },
    )

    assert mapping.entity == Entity("customObjects/9")
    assert mapping.entity.fields_path == "/customObjects/9/fields"
    assert mapping.entity.imports_path == "/customObjects/9/imports"


def test_a_mapping_needs_fields_and_an_identifier() -> None:
    with pytest.raises(MappingError) as caught:
        parse_stream_mapping("empty", {})

    assert caught.value.problems == [
        "stream 'empty': 'fields' must map at least one property",
        "stream 'empty': 'identifier' must name the property to match records on",
    ]


def test_the_streams_setting_reports_the_problems_of_every_stream() -> None:
    streams = {"good": ACCOUNT_TUTORIAL_MAPPING, "bad": {"identifier": "x"}, "worse": {}}

    with pytest.raises(MappingError) as caught:
        parse_stream_mappings(streams)

    assert caught.value.problems == [
        "stream 'bad': 'fields' must map at least one property",
        "stream 'worse': 'fields' must map at least one property",
        "stream 'worse': 'identifier' must name the property to match records on",
    ]
    assert list(parse_stream_mappings({"good": ACCOUNT_TUTORIAL_MAPPING})) == ["good"]


def test_an_unmapped_stream_error_shows_how_to_map_it() -> None:
    schema: dict[str, Any] = {"properties": {"id": {}, "name": {}, "_sdc_batched_at": {}}}

    message = unmapped_stream_error("orders", schema, ["id"])

    assert message.startswith("stream 'orders' has no mapping. Map it under 'streams'")
    assert '"orders": {"entity": "accounts", "identifier": "id"' in message
    assert "(its properties: id, name)" in message
    assert message.endswith("or set unmapped_streams: skip")


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
