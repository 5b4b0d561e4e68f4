"""A stream's mapping as the config gives it: parsed, and checked as far as the config can be."""

from __future__ import annotations

from typing import Any

import pytest

from target_eloqua.errors import MappingError
from target_eloqua.mapping.entities import Entity
from target_eloqua.mapping.streams import (
    definition_keys,
    parse_stream_mapping,
    parse_stream_mappings,
    unmapped_stream_error,
)
from tests.support import ACCOUNT_TUTORIAL_MAPPING


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


def test_a_mapping_without_some_properties_keeps_the_keys_of_the_others() -> None:
    raw = {"identifier": "id", "fields": {"e-mail": "X", "e mail": "Y", "id": "Z"}}
    mapping = parse_stream_mapping("s", raw)

    narrowed = mapping.without(["e-mail"])

    assert [(c.property, c.key) for c in narrowed.columns] == [("e mail", "e_mail_2"), ("id", "id")]
    assert narrowed.identifier_key == "id"
