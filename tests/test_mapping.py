"""A stream's mapping: parsing, its import definition body, and its rows."""

from __future__ import annotations

import decimal

import pytest

from target_eloqua.mapping import (
    MappingError,
    import_definition_body,
    imports_path,
    parse_stream_mapping,
    parse_stream_mappings,
    record_to_row,
)
from target_eloqua.values import UnformattableValueError
from tests.support import ACCOUNT_TUTORIAL_MAPPING


def test_the_account_tutorial_becomes_a_linking_definition() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)

    assert imports_path(mapping.entity) == "/accounts/imports"
    assert import_definition_body(mapping) == {
        "name": "target-eloqua crm_accounts",
        "fields": {
            "company_name": "{{Account.Field(M_CompanyName)}}",
            "owner_crm_ids": "{{Account.User.Field(CRMOSCUserId)}}",
        },
        "identifierFieldName": "company_name",
        "isSyncTriggeredOnImport": False,
        "linkUsers": True,
    }


def test_entity_defaults_to_accounts_and_link_users_is_sent_only_when_set() -> None:
    mapping = parse_stream_mapping(
        "companies", {"identifier": "id", "fields": {"id": "{{Account.Field(CompanyIDExt)}}"}}
    )

    assert mapping.entity == "accounts"
    assert "linkUsers" not in import_definition_body(mapping)


def test_definition_names_stay_within_100_characters() -> None:
    mapping = parse_stream_mapping("s" * 300, {**ACCOUNT_TUTORIAL_MAPPING})

    assert len(import_definition_body(mapping)["name"]) == 100


def test_rows_carry_every_key_formatted_and_nothing_unmapped() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)
    record = {
        "company_name": "Eloqua",
        "owner_crm_ids": ["754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"],
        "revenue": decimal.Decimal("1E+3"),
        "_sdc_extracted_at": "2026-11-28T00:00:00+00:00",
    }

    assert record_to_row(mapping, record) == {
        "company_name": "Eloqua",
        "owner_crm_ids": "754a1a4baadb4ace991ee,754a1a4baadb4ace991ea",
    }


def test_a_missing_property_is_an_empty_value() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)

    assert record_to_row(mapping, {"company_name": "Globex"})["owner_crm_ids"] == ""


def test_a_value_that_cannot_be_formatted_names_stream_and_property() -> None:
    mapping = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)

    with pytest.raises(
        UnformattableValueError, match="stream 'crm_accounts', property 'company_name'"
    ):
        record_to_row(mapping, {"company_name": float("nan")})


def test_every_problem_is_reported_at_once_naming_stream_and_property() -> None:
    raw = {
        "entity": "opportunities",
        "identifier": "id",
        "fields": {
            "name": "M_CompanyName",
            "owners": "{{Account.User.Field(CRMOSCUserId)}}",
        },
    }

    with pytest.raises(MappingError) as caught:
        parse_stream_mapping("crm", raw)

    assert caught.value.problems == [
        "stream 'crm': entity 'opportunities' is not supported; use one of: accounts",
        "stream 'crm', property 'id': the identifier is not among 'fields'",
        "stream 'crm', property 'name': 'M_CompanyName' is not a field statement such as "
        "{{Account.Field(M_CompanyName)}}",
        "stream 'crm', property 'owners': '{{Account.User.Field(CRMOSCUserId)}}' links users; "
        "set link_users: true on the stream",
    ]


def test_a_mapping_needs_fields_and_an_identifier() -> None:
    with pytest.raises(MappingError) as caught:
        parse_stream_mapping("empty", {})

    assert caught.value.problems == [
        "stream 'empty': 'fields' must map at least one property",
        "stream 'empty': 'identifier' must name the property to match on",
    ]


def test_the_streams_setting_reports_the_problems_of_every_stream() -> None:
    streams = {"good": ACCOUNT_TUTORIAL_MAPPING, "bad": {"identifier": "x"}, "worse": {}}

    with pytest.raises(MappingError) as caught:
        parse_stream_mappings(streams)

    assert caught.value.problems == [
        "stream 'bad': 'fields' must map at least one property",
        "stream 'worse': 'fields' must map at least one property",
        "stream 'worse': 'identifier' must name the property to match on",
    ]
    assert list(parse_stream_mappings({"good": ACCOUNT_TUTORIAL_MAPPING})) == ["good"]
