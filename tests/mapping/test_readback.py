"""Values read back from Eloqua compared with what was sent, and the filters that find them."""

from __future__ import annotations

import pytest

from target_eloqua.mapping.readback import (
    identifier_filters,
    identifier_term,
    identity,
    same_value,
)

EMAIL = "{{Contact.Field(C_EmailAddress)}}"


@pytest.mark.parametrize(
    ("data_type", "sent", "stored"),
    [
        ("string", "Ann", "Ann"),
        ("string", "", ""),
        ("emailAddress", "Ann@X.com", "ann@x.com"),
        ("date", "2026-03-01 10:00:00", "2026-03-01 10:00:00.000"),
        ("date", "2026-03-01", "2026-03-01 00:00:00.000"),
        ("date", "03/01/2026", "2026-03-01 00:00:00.000"),
        ("date", "2026-03-01T12:00:00+02:00", "2026-03-01 10:00:00.000"),
        ("number", "1.50", "1.5"),
        ("number", "10", "10.0000"),
        ("boolean", "true", "1"),
        ("boolean", "FALSE", "no"),
    ],
)
def test_eloquas_own_forms_of_a_value_are_the_same_value(
    data_type: str, sent: str, stored: str
) -> None:
    assert same_value(data_type, sent, stored)


@pytest.mark.parametrize(
    ("data_type", "sent", "stored"),
    [
        ("string", "Ann", "ann"),
        ("string", "Ann", "Ann "),
        ("string", "Renamed", ""),
        ("string", "", "Kept"),
        ("emailAddress", "a@x.com", "b@x.com"),
        ("date", "2026-03-01 10:00:00", "2026-03-01 05:00:00.000"),
        ("date", "someday", "2026-03-01 00:00:00.000"),
        ("number", "1.5", "1.05"),
        ("number", "one", "1"),
        ("boolean", "true", "false"),
        ("boolean", "maybe", "true"),
    ],
)
def test_a_value_eloqua_changed_is_a_difference(data_type: str, sent: str, stored: str) -> None:
    assert not same_value(data_type, sent, stored)


def test_identifiers_match_in_any_letter_case_and_numbers_by_value() -> None:
    assert identity("emailAddress", " Ann@X.com") == identity("emailAddress", "ann@x.com")
    assert identity("string", "ACME") == identity("string", "acme")
    assert identity("number", "10.0") == identity("number", "10")


def test_a_value_with_a_quote_is_found_with_like_its_wildcards_escaped() -> None:
    assert identifier_term(EMAIL, "a@x.com") == f"'{EMAIL}' = 'a@x.com'"
    assert identifier_term(EMAIL, "o'neil_%[1]@x.com") == f"'{EMAIL}' ~ 'o_neil[_][%][[]1]@x.com'"


def test_filters_take_as_many_identifiers_as_fit_in_1000_characters() -> None:
    rows = [f"person.{n}@example.com" for n in range(100)]

    groups = list(identifier_filters(EMAIL, rows, lambda row: row))

    assert [row for _, group in groups for row in group] == rows
    assert all(len(text) <= 1000 for text, _ in groups)
    assert all(len(text) > 1000 - 70 for text, _ in groups[:-1])  # each as full as it can be
    first_text, first_group = groups[0]
    assert first_text.split(" OR ") == [identifier_term(EMAIL, row) for row in first_group]


def test_an_identifier_too_long_for_any_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        list(identifier_filters(EMAIL, ["x" * 990], lambda row: row))
