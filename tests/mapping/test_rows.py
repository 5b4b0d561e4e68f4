"""A record's row: every mapped value formatted as Eloqua text, in key order."""

from __future__ import annotations

import decimal
from dataclasses import replace
from typing import Any

import pytest

from target_eloqua.errors import RecordValueError
from target_eloqua.mapping.rows import blank_identifier_reason, record_to_row
from target_eloqua.mapping.streams import (
    parse_stream_mapping,
)
from target_eloqua.mapping.values import UnformattableValueError
from tests.support import ACCOUNT_TUTORIAL_MAPPING


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

    assert blank_identifier_reason(mapping, record) == f"the identifier is {how}"
