"""A stream's mapping held against its SCHEMA: a mapped property is never sent blank."""

from __future__ import annotations

from typing import Any

from target_eloqua.mapping.schemas import fit_to_schema
from target_eloqua.mapping.streams import parse_stream_mapping
from tests.support import PURCHASES_MAPPING

CONTACTS: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {
        "email": "C_EmailAddress",
        "titel": "C_Title",
        "compnay": "C_Company",
        "city": "C_City",
    },
    "update_rule_by_field": {"titel": "ifNewIsNotNull", "city": "always"},
}
SCHEMA = ["email", "title", "company", "city", "_sdc_extracted_at"]
MAPPING = parse_stream_mapping("crm_contacts", CONTACTS)


def test_a_schema_with_every_mapped_property_keeps_the_mapping() -> None:
    fit = fit_to_schema(MAPPING, ["email", "titel", "compnay", "city"], "fail")

    assert (fit.mapping, fit.dropped, fit.problems) == (MAPPING, (), ())


def test_with_fail_each_missing_property_is_a_problem_naming_the_closest_properties() -> None:
    fit = fit_to_schema(MAPPING, SCHEMA, "fail")

    assert fit.problems == (
        "stream 'crm_contacts', property 'titel': mapped to C_Title, but not in the stream's "
        "schema (set missing_properties: skip to load the stream without it); its closest "
        "properties: title",
        "stream 'crm_contacts', property 'compnay': mapped to C_Company, but not in the "
        "stream's schema (set missing_properties: skip to load the stream without it); its "
        "closest properties: company",
    )
    assert fit.mapping == MAPPING


def test_with_skip_the_missing_columns_and_their_rules_are_left_out() -> None:
    fit = fit_to_schema(MAPPING, SCHEMA, "skip")

    assert fit.problems == ()
    assert fit.dropped == ("titel", "compnay")
    assert fit.mapping.properties == ["email", "city"]
    assert fit.mapping.keys == ["email", "city"]
    assert fit.mapping.update_rule_by_field == {"city": "always"}


def test_the_identifier_cannot_be_skipped() -> None:
    fit = fit_to_schema(MAPPING, ["e_mail", "titel", "compnay", "city"], "skip")

    assert fit.problems == (
        "stream 'crm_contacts', property 'email': the identifier is not in the stream's schema, "
        "so no record could be matched; its closest properties: e_mail",
    )


def test_the_property_records_are_linked_by_cannot_be_skipped() -> None:
    mapping = parse_stream_mapping("purchases", PURCHASES_MAPPING)

    fit = fit_to_schema(mapping, ["order", "product", "amount"], "skip")

    assert fit.problems == (
        "stream 'purchases', property 'email': map_data_cards.source_property is not in the "
        "stream's schema; none of its properties is close (order, product, amount)",
    )


def test_an_open_schema_fits_any_mapping() -> None:
    assert fit_to_schema(MAPPING, [], "fail").problems == ()
