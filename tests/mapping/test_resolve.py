"""Mappings checked against the fields Eloqua lists, and completed from them."""

from __future__ import annotations

from typing import Any

import pytest

from target_eloqua.errors import MappingError
from target_eloqua.mapping.entities import ACCOUNTS, CONTACTS, Entity, parse_entity
from target_eloqua.mapping.fields import EloquaField, FieldCatalog
from target_eloqua.mapping.resolve import (
    catalogs_needed,
    resolve_stream_mapping,
    resolve_stream_mappings,
)
from target_eloqua.mapping.streams import StreamMapping, parse_stream_mapping

ORDERS = Entity("customObjects/9")


def _field(
    statement: str, name: str, data_type: str = "string", *, read_only: bool = False
) -> EloquaField:
    return EloquaField(name, statement, data_type, read_only)


CATALOGS = {
    ACCOUNTS: FieldCatalog(
        [
            _field("{{Account.Field(M_CompanyName)}}", "M_CompanyName"),
            _field("{{Account.Field(M_Country)}}", "M_Country"),
            _field("{{Account.Field(CompanyIDExt)}}", "CompanyIDExt"),
            _field("{{Account.Field(M_Last_Activity_Date1)}}", "M_Last_Activity_Date1", "date"),
            _field("{{Account.Field(M_Is_Partner1)}}", "M_Is_Partner1", "boolean"),
            _field("{{Account.Field(M_Account_Score1)}}", "M_Account_Score1", read_only=True),
        ]
    ),
    CONTACTS: FieldCatalog(
        [
            _field("{{Contact.Field(C_EmailAddress)}}", "C_EmailAddress", "emailAddress"),
            _field("{{Contact.Field(C_FirstName)}}", "C_FirstName"),
        ]
    ),
    ORDERS: FieldCatalog(
        [
            _field("{{CustomObject[9].Field[103]}}", "Order_Number1"),
            _field("{{CustomObject[9].Field[104]}}", "Email1", "emailAddress"),
        ]
    ),
}
PRIORITIES = [
    {"name": "High", "priority": 1, "uri": "/imports/priorities/1"},
    {"name": "Normal", "priority": 2, "uri": "/imports/priorities/2"},
]


def resolved(stream: str, raw: dict[str, Any]) -> StreamMapping:
    return resolve_stream_mapping(parse_stream_mapping(stream, raw), CATALOGS, PRIORITIES)


def problems(stream: str, raw: dict[str, Any]) -> list[str]:
    with pytest.raises(MappingError) as caught:
        resolved(stream, raw)
    return caught.value.problems


def test_internal_names_become_statements_and_statements_stay() -> None:
    mapping = resolved(
        "crm",
        {
            "identifier": "id",
            "fields": {"id": "CompanyIDExt", "country": "m_country", "name": "M_CompanyName"},
        },
    )

    assert [column.field for column in mapping.columns] == [
        "{{Account.Field(CompanyIDExt)}}",
        "{{Account.Field(M_Country)}}",
        "{{Account.Field(M_CompanyName)}}",
    ]


def test_text_fields_carry_the_length_every_eloqua_text_field_holds() -> None:
    mapping = resolved(
        "crm",
        {
            "identifier": "id",
            "fields": {
                "id": "CompanyIDExt",
                "seen": "M_Last_Activity_Date1",
                "key": "{{Account.Id}}",
            },
        },
    )

    assert [column.max_length for column in mapping.columns] == [32_000, None, None]


def test_custom_object_fields_resolve_by_internal_name_and_by_id() -> None:
    mapping = resolved(
        "orders",
        {
            "entity": "customObjects/9",
            "identifier": "number",
            "fields": {"number": "Order_Number1", "email": "{{CustomObject[9].Field[104]}}"},
        },
    )

    assert [column.field for column in mapping.columns] == [
        "{{CustomObject[9].Field[103]}}",
        "{{CustomObject[9].Field[104]}}",
    ]


def test_system_statements_and_user_links_are_accepted_without_fields_listing_them() -> None:
    mapping = resolved(
        "crm",
        {
            "identifier": "id",
            "link_users": True,
            "fields": {"id": "{{Account.Id}}", "owners": "{{Account.User.Field(CRMOSCUserId)}}"},
        },
    )

    assert mapping.columns[1].field == "{{Account.User.Field(CRMOSCUserId)}}"


def test_a_contact_may_carry_a_field_of_its_account() -> None:
    raw = {
        "entity": "contacts",
        "identifier": "email",
        "fields": {
            "email": "C_EmailAddress",
            "company": "{{Contact.Account.Field(M_CompanyName)}}",
        },
    }

    assert catalogs_needed(parse_stream_mapping("people", raw)) == {CONTACTS, ACCOUNTS}
    assert resolved("people", raw).columns[1].field == "{{Contact.Account.Field(M_CompanyName)}}"


def test_every_field_problem_names_stream_property_and_field() -> None:
    raw = {
        "identifier": "seen",
        "fields": {
            "seen": "M_Last_Activity_Date1",
            "score": "M_Account_Score1",
            "country": "M_Countyr",
            "city": "{{Account.Field(M_City)}}",
        },
    }

    assert problems("crm", raw) == [
        "stream 'crm', property 'seen', field 'M_Last_Activity_Date1': cannot be the identifier: "
        "Eloqua does not match records on date fields",
        "stream 'crm', property 'score', field 'M_Account_Score1': M_Account_Score1 is read-only "
        "in Eloqua and cannot be imported",
        "stream 'crm', property 'country', field 'M_Countyr': no field of accounts matches "
        "(did you mean M_Country?); GET /api/bulk/2.0/accounts/fields lists their internal names "
        "and statements",
        "stream 'crm', property 'city', field '{{Account.Field(M_City)}}': no field of accounts "
        "matches; GET /api/bulk/2.0/accounts/fields lists their internal names and statements",
    ]


@pytest.mark.parametrize("statement", ["{{Account.CreatedAt}}", "{{Account.UpdatedAt}}"])
def test_a_system_timestamp_is_refused_as_eloqua_sets_it(statement: str) -> None:
    raw = {"identifier": "name", "fields": {"name": "M_CompanyName", "seen": statement}}

    assert problems("crm", raw) == [
        f"stream 'crm', property 'seen', field '{statement}': {statement.strip('{}')[8:]} is "
        "read-only in Eloqua and cannot be imported"
    ]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"id": "M_Is_Partner1"}, "Eloqua does not match records on boolean fields"),
        ({"id": "M_Last_Activity_Date1"}, "Eloqua does not match records on date fields"),
        (
            {"id": "{{Account.User.Field(CRMOSCUserId)}}"},
            "it is not a field of the stream's own entity",
        ),
    ],
)
def test_fields_that_cannot_identify_records(fields: dict[str, str], reason: str) -> None:
    raw = {"identifier": "id", "link_users": True, "fields": fields}

    assert problems("crm", raw) == [
        f"stream 'crm', property 'id', field '{fields['id']}': cannot be the identifier: {reason}"
    ]


def test_an_import_priority_is_found_by_name_or_uri() -> None:
    base = {"identifier": "id", "fields": {"id": "CompanyIDExt"}}

    assert resolved("crm", {**base, "import_priority": "high"}).import_priority == (
        "/imports/priorities/1"
    )
    assert resolved(
        "crm", {**base, "import_priority": "/imports/priorities/2"}
    ).import_priority == ("/imports/priorities/2")
    assert problems("crm", {**base, "import_priority": "Urgent"}) == [
        "stream 'crm': import_priority 'Urgent' is not an import priority of this instance "
        "(GET /api/bulk/2.0/imports/priorities has: High, Normal)"
    ]


def test_data_cards_match_a_contact_field_given_by_name() -> None:
    raw: dict[str, Any] = {
        "entity": "customObjects/9",
        "identifier": "number",
        "fields": {"number": "Order_Number1", "email": "Email1"},
        "map_data_cards": {
            "entity_type": "Contact",
            "entity_field": "C_EmailAddress",
            "source_property": "email",
        },
    }

    assert catalogs_needed(parse_stream_mapping("orders", raw)) == {ORDERS, CONTACTS}
    link = resolved("orders", raw).map_data_cards
    assert link is not None
    assert link.entity_field == "{{Contact.Field(C_EmailAddress)}}"
    bad = {**raw, "map_data_cards": {**raw["map_data_cards"], "entity_field": "C_Email"}}
    assert problems("orders", bad) == [
        "stream 'orders': map_data_cards: entity_field 'C_Email': no field of contacts matches "
        "(did you mean C_EmailAddress?); GET /api/bulk/2.0/contacts/fields lists their internal "
        "names and statements"
    ]


def test_the_problems_of_every_stream_are_reported_together() -> None:
    mappings = {
        stream: parse_stream_mapping(stream, {"identifier": "id", "fields": {"id": name}})
        for stream, name in [("a", "Nope"), ("b", "CompanyIDExt"), ("c", "Neither")]
    }

    resolved, problems = resolve_stream_mappings(mappings, CATALOGS)

    assert [problem.split(",")[0] for problem in problems] == ["stream 'a'", "stream 'c'"]
    assert list(resolved) == ["b"]


def test_two_properties_cannot_import_into_one_field() -> None:
    raw = {
        "identifier": "id",
        "fields": {
            "id": "CompanyIDExt",
            "name": "M_CompanyName",
            "title": "{{Account.Field(M_CompanyName)}}",
        },
    }

    assert problems("crm", raw) == [
        "stream 'crm', property 'title', field '{{Account.Field(M_CompanyName)}}': property "
        "'name' is already imported into that field"
    ]


@pytest.mark.parametrize(
    ("entity", "statement"),
    [
        ("customObjects/9", "{{CustomObject[9].Account.Field(M_CompanyName)}}"),
        ("contacts", "{{Contact.User.Field(CRMOSCUserId)}}"),
    ],
)
def test_fields_of_related_records_only_where_eloqua_links_them(
    entity: str, statement: str
) -> None:
    raw = {
        "entity": entity,
        "identifier": "id",
        "fields": {"id": "{{" + parse_entity(entity).prefix + ".Id}}", "other": statement},
    }

    assert problems("s", raw) == [
        f"stream 's', property 'other', field '{statement}': fields of related records are "
        "imported only as {{Contact.Account.Field(...)}} on contacts, "
        "{{Account.User.Field(...)}} on accounts, {{Activity.Contact.Field(...)}} on "
        "activities and {{Opportunity.Contact.Field(...)}} or "
        "{{Opportunity.Account.Field(...)}} on opportunity links"
    ]


ACTIVITY_FIELDS = {
    "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
    "type": "ActivityType",
    "asset_type": "{{Activity.Asset.Type}}",
    "webinar": "{{Activity.Asset.Name}}",
    "attended_at": "{{Activity.CreatedAt}}",
}


def test_activities_resolve_from_oracles_list_and_the_contacts_fields() -> None:
    raw = {"entity": "activities", "fields": ACTIVITY_FIELDS}

    assert catalogs_needed(parse_stream_mapping("webinars", raw)) == {CONTACTS}
    assert [column.field for column in resolved("webinars", raw).columns] == [
        "{{Activity.Contact.Field(C_EmailAddress)}}",
        "{{Activity.Type}}",
        "{{Activity.Asset.Type}}",
        "{{Activity.Asset.Name}}",
        "{{Activity.CreatedAt}}",
    ]


def test_an_activity_needs_its_type_asset_date_and_one_contact() -> None:
    raw = {
        "entity": "activities",
        "fields": {
            "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
            "contact_id": "{{Activity.Contact.Id}}",
            "webinar": "{{Activity.Asset.Name}}",
            "name": "{{Activity.Contact.Field(C_Nickname)}}",
        },
    }

    assert problems("webinars", raw) == [
        "stream 'webinars', property 'name', field '{{Activity.Contact.Field(C_Nickname)}}': no "
        "field of contacts matches; GET /api/bulk/2.0/contacts/fields lists their internal "
        "names and statements",
        "stream 'webinars': activities need the activity type among 'fields' ({{Activity.Type}})",
        "stream 'webinars': activities need the asset type among 'fields' "
        "({{Activity.Asset.Type}})",
        "stream 'webinars': activities need the activity date among 'fields' "
        "({{Activity.CreatedAt}})",
        "stream 'webinars': properties 'email', 'contact_id', 'name' all give the contact; map "
        "only one of them",
    ]


def test_an_activity_field_that_oracle_does_not_list_is_named_with_those_it_does() -> None:
    raw = {"entity": "activities", "fields": {**ACTIVITY_FIELDS, "score": "{{Activity.Score}}"}}

    [problem] = problems("webinars", raw)
    assert problem.startswith(
        "stream 'webinars', property 'score', field '{{Activity.Score}}': no field of "
        "activities matches; they take {{Activity.Type}}, "
    )


OPPORTUNITIES = Entity("opportunities")
OPPORTUNITY_CATALOGS = {
    **CATALOGS,
    OPPORTUNITIES: FieldCatalog(
        [
            _field("{{Opportunity.Id}}", "RemoteOpportunityID"),
            _field("{{Opportunity.Field(Name)}}", "OpportunityName"),
            _field("{{Opportunity.Field(Stage)}}", "OpportunityStageID"),
            _field("{{Opportunity.Field(Amount)}}", "Amount", "number"),
            _field("{{Opportunity.Field(CloseDate)}}", "CloseDate", "date"),
        ]
    ),
}


def opportunity_problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(MappingError) as caught:
        resolve_stream_mapping(parse_stream_mapping("deals", raw), OPPORTUNITY_CATALOGS)
    return caught.value.problems


def test_opportunities_match_on_their_id_and_need_name_stage_and_amount() -> None:
    raw = {
        "entity": "opportunities",
        "identifier": "name",
        "fields": {"id": "RemoteOpportunityID", "name": "OpportunityName"},
    }

    assert opportunity_problems(raw) == [
        "stream 'deals', property 'name', field 'OpportunityName': cannot be the identifier: "
        "Eloqua matches opportunities on {{Opportunity.Id}}",
        "stream 'deals': opportunities need the stage among 'fields' "
        "({{Opportunity.Field(Stage)}})",
        "stream 'deals': opportunities need the amount among 'fields' "
        "({{Opportunity.Field(Amount)}})",
    ]


def test_opportunity_links_need_the_opportunity_and_one_contact_or_account() -> None:
    raw = {"entity": "opportunities/contacts", "fields": {"deal": "{{Opportunity.Id}}"}}

    assert catalogs_needed(parse_stream_mapping("links", raw)) == set()
    assert opportunity_problems(raw) == [
        "stream 'deals': opportunities/contacts need the contact or account to link to among "
        "'fields' ({{Opportunity.Contact....}} or {{Opportunity.Account....}})"
    ]


def test_lists_and_email_groups_given_by_name_become_their_statements() -> None:
    raw = {
        "entity": "contacts",
        "identifier": "email",
        "fields": {"email": "C_EmailAddress"},
        "actions_only": True,
        "sync_actions": [
            {"action": "add", "destination": "Newsletter"},
            {"action": "setStatus", "destination": "Product news", "status": "subscribed"},
            {"action": "remove", "destination": "{{ContactList[102]}}"},
        ],
    }
    found = {
        ("ContactList", "Newsletter"): ["{{ContactList[101]}}"],
        ("EmailGroup", "Product news"): ["{{EmailGroup[301]}}"],
    }

    mapping = resolve_stream_mapping(parse_stream_mapping("s", raw), CATALOGS, (), found)

    assert [action.destination for action in mapping.sync_actions] == [
        "{{ContactList[101]}}",
        "{{EmailGroup[301]}}",
        "{{ContactList[102]}}",
    ]


def test_a_name_eloqua_has_none_or_several_of_is_a_problem_of_the_stream() -> None:
    raw = {
        "entity": "contacts",
        "identifier": "email",
        "fields": {"email": "C_EmailAddress"},
        "sync_actions": [
            {"action": "add", "destination": "Newsletter"},
            {"action": "setStatus", "destination": "News", "status": "subscribed"},
        ],
    }
    found = {("EmailGroup", "News"): ["{{EmailGroup[1]}}", "{{EmailGroup[2]}}"]}

    with pytest.raises(MappingError) as caught:
        resolve_stream_mapping(parse_stream_mapping("crm", raw), CATALOGS, (), found)

    assert caught.value.problems == [
        "stream 'crm', sync action add 'Newsletter': Eloqua has no contact list of that name "
        "(GET /api/bulk/2.0/contacts/lists lists them; names match exactly, letter case too)",
        "stream 'crm', sync action setStatus 'News': Eloqua has 2 email groups of that name "
        "({{EmailGroup[1]}}, {{EmailGroup[2]}}); give the one meant by its statement",
    ]


def test_sync_actions_only_match_on_an_identifier_oracle_allows_them() -> None:
    raw = {
        "entity": "contacts",
        "identifier": "name",
        "fields": {"name": "C_FirstName"},
        "actions_only": True,
        "sync_actions": [{"action": "add", "destination": "{{ContactList[101]}}"}],
    }

    with pytest.raises(MappingError) as caught:
        resolved("audience", raw)
    assert resolved("audience", {**raw, "fields": {"name": "C_EmailAddress"}}).actions_only

    assert caught.value.problems == [
        "stream 'audience', property 'name', field 'C_FirstName': cannot be "
        "the identifier: Eloqua's sync actions match contacts only on {{Contact.Id}} or "
        "{{Contact.Field(C_EmailAddress)}} or {{Contact.Field(ContactIDExt)}}"
    ]
