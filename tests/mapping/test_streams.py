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
        "stream 'crm', property 'x': map_data_cards.source_property must be one of 'fields'",
        "stream 'crm': map_data_cards is for custom objects and events only, not accounts",
        "stream 'crm': 11 sync_actions; Eloqua takes at most 10",
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"entity": "leads"}, "entity 'leads' is not supported"),
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


WEBINAR_ACTIVITY: dict[str, Any] = {
    "entity": "activities",
    "fields": {
        "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "type": "{{Activity.Type}}",
        "asset_type": "{{Activity.Asset.Type}}",
        "webinar": "{{Activity.Asset.Name}}",
        "attended_at": "{{Activity.CreatedAt}}",
    },
}


def test_an_activity_stream_has_no_identifier_and_never_merges_rows() -> None:
    mapping = parse_stream_mapping("webinars", WEBINAR_ACTIVITY)

    assert (mapping.identifier, mapping.identifier_key) == ("", "")
    assert mapping.identifier_of(["a@example.com", "Attended", "Webinar", "x", ""]) == ""
    assert mapping.identifier_may_be_blank is False


def test_only_records_an_export_finds_by_identifier_can_be_read_back() -> None:
    opportunities = {
        "entity": "opportunities",
        "identifier": "id",
        "fields": {"id": "{{Opportunity.Id}}"},
    }

    assert parse_stream_mapping("crm", ACCOUNT_TUTORIAL_MAPPING).can_be_read_back
    assert not parse_stream_mapping("webinars", WEBINAR_ACTIVITY).can_be_read_back
    assert not parse_stream_mapping("deals", opportunities).can_be_read_back
    assert not parse_stream_mapping("audience", AUDIENCE).can_be_read_back


def test_options_and_fields_an_entity_does_not_take_are_reported_at_once() -> None:
    raw = {
        **WEBINAR_ACTIVITY,
        "identifier": "email",
        "fields": {**WEBINAR_ACTIVITY["fields"], "company": "{{Contact.Field(C_Company)}}"},
        "update_rule": "always",
        "link_users": True,
        "map_data_cards": {
            "entity_type": "Contact",
            "entity_field": "x",
            "source_property": "email",
        },
    }

    with pytest.raises(MappingError) as caught:
        parse_stream_mapping("webinars", raw)

    assert caught.value.problems == [
        "stream 'webinars': activities take no 'identifier': Eloqua never updates an activity, "
        "each record is a new one",
        "stream 'webinars', property 'company', field '{{Contact.Field(C_Company)}}': a field of "
        "contacts, but the stream imports into activities",
        "stream 'webinars': link_users is for accounts only, not activities",
        "stream 'webinars': update_rule is for accounts, contacts, custom objects, events, "
        "opportunities and campaign responses only, not activities",
        "stream 'webinars': map_data_cards is for custom objects and events only, not activities",
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (
            {"entity": "events/5", "sync_actions": [{"action": "add", "destination": "x"}]},
            "sync_actions is for accounts, contacts, custom objects and email addresses only, "
            "not events/5",
        ),
        (
            {"entity": "customObjects/9", "import_rule": "updateOnly"},
            "import_rule is for accounts and contacts only, not customObjects/9",
        ),
        (
            {"entity": "opportunities/contacts"},
            "opportunities/contacts take no 'identifier': a link matches the opportunity",
        ),
    ],
)
def test_each_entity_takes_its_own_options(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(MappingError, match=problem):
        parse_stream_mapping("s", {"identifier": "p0", "fields": {"p0": "M_City"}, **raw})


def test_opportunities_and_campaign_responses_need_an_identifier() -> None:
    for entity in ("opportunities", "campaignResponses", "events/5"):
        with pytest.raises(MappingError, match="'identifier' must name the property"):
            parse_stream_mapping("s", {"entity": entity, "fields": {"p": "x"}})


def test_only_records_that_eloqua_creates_on_a_blank_id_may_leave_it_blank() -> None:
    def may_be_blank(entity: str, prefix: str) -> bool:
        raw = {"entity": entity, "identifier": "id", "fields": {"id": "{{" + prefix + ".Id}}"}}
        return parse_stream_mapping("s", raw).identifier_may_be_blank

    assert may_be_blank("events/5", "Event[5]") is True
    assert may_be_blank("opportunities", "Opportunity") is False
    assert may_be_blank("campaignResponses", "CampaignResponse") is False


AUDIENCE: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {"email": "C_EmailAddress"},
    "actions_only": True,
    "sync_actions": [{"action": "add", "destination": "Newsletter"}],
}
"""A stream of email addresses kept as the members of the contact list "Newsletter"."""


def test_an_actions_only_stream_syncs_actions_after_its_entitys_imports() -> None:
    mapping = parse_stream_mapping("audience", AUDIENCE)
    contacts = parse_stream_mapping("crm", {**AUDIENCE, "actions_only": False})

    assert mapping.definitions_path == "/contacts/syncActions"
    assert contacts.definitions_path == "/contacts/imports"
    assert mapping.load_rank == contacts.load_rank + 1
    email_addresses = {
        "entity": "emailAddresses",
        "identifier": "email",
        "fields": {"email": "EmailAddress"},
        "actions_only": True,
        "sync_actions": [
            {"action": "setStatus", "destination": "{{GlobalSubscribe}}", "status": "bounced"}
        ],
    }
    assert parse_stream_mapping("bounces", email_addresses).definitions_path == (
        "/emailAddresses/imports"
    )


def test_a_blank_identifier_of_sync_actions_only_is_never_a_new_record() -> None:
    raw = {**AUDIENCE, "fields": {"email": "{{Contact.Id}}"}}

    assert parse_stream_mapping("s", {**raw, "actions_only": False}).identifier_may_be_blank
    assert not parse_stream_mapping("s", raw).identifier_may_be_blank


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"sync_actions": []}, "actions_only needs sync_actions"),
        (
            {"fields": {"email": "C_EmailAddress", "name": "C_FirstName"}},
            "an actions_only stream maps only its identifier, which selects the records to act "
            "on (Eloqua's sync-action definitions take that one field); 'fields' maps email, name",
        ),
        ({"update_rule": "always"}, "update_rule is for imports; an actions_only stream writes"),
        ({"actions_only": False, "mirror": True}, "mirror is for actions_only streams"),
        (
            {"mirror": True, "sync_actions": [{"action": "remove", "destination": "Newsletter"}]},
            "mirror keeps the members of the lists a stream adds to",
        ),
        ({"mirror_allow_empty": True}, "mirror_allow_empty is for mirror streams"),
        ({"entity": "customObjects/9", "mirror": True}, "mirror is for accounts and contacts only"),
        (
            {"entity": "emailAddresses", "actions_only": False, "sync_actions": []},
            "emailAddresses take only sync actions (Eloqua's email address imports write no "
            "field): set actions_only: true",
        ),
    ],
)
def test_actions_only_and_mirror_take_what_they_need(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(MappingError) as caught:
        parse_stream_mapping("audience", {**AUDIENCE, **changes})

    assert any(problem in said for said in caught.value.problems), caught.value.problems
