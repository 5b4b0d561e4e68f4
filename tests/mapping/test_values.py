"""Each value-formatting rule of docs/checks-and-values.md, one example or more per rule."""

from __future__ import annotations

import datetime
import decimal

import pytest

from target_eloqua.mapping.values import (
    UnformattableValueError,
    format_datetime_read_from,
    format_user_links,
    format_value,
    formatter_for,
)

UTC = datetime.UTC
HOURS_2 = datetime.timedelta(hours=2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Eloqua", "Eloqua"),
        ("Ωmega 中文 café", "Ωmega 中文 café"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("nul\x00bell\x07esc\x1bdel\x7f", "nulbellescdel"),
        ("carriage\r\nreturn", "carriage\nreturn"),
        ("old\rmac", "old\nmac"),
        ("c1\x85\x9bcontrols", "c1controls"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ('quotes " and, commas', 'quotes " and, commas'),
    ],
)
def test_strings_keep_their_text_without_control_characters(value: str, expected: str) -> None:
    assert format_value(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (-42, "-42"),
        (12345678901234567890, "12345678901234567890"),
        (decimal.Decimal("1.50"), "1.50"),
        (decimal.Decimal("1E+3"), "1000"),
        (decimal.Decimal("1E-7"), "0.0000001"),
        (decimal.Decimal("0E-7"), "0.0000000"),
        (decimal.Decimal("-0.00"), "-0.00"),
        (decimal.Decimal("123456789012345678901234567890.5"), "123456789012345678901234567890.5"),
        (1e-7, "0.0000001"),
        (1.5e16, "15000000000000000"),
        (0.1, "0.1"),
    ],
)
def test_numbers_are_plain_decimal_text(value: float | decimal.Decimal, expected: str) -> None:
    assert format_value(value) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), decimal.Decimal("NaN")])
def test_numbers_that_are_not_finite_are_refused(value: float | decimal.Decimal) -> None:
    with pytest.raises(UnformattableValueError, match="not a finite number"):
        format_value(value)


def test_numbers_too_large_to_write_out_are_refused() -> None:
    with pytest.raises(UnformattableValueError, match="too large or too small"):
        format_value(decimal.Decimal("1e999999999"))


def test_booleans_are_lowercase_words() -> None:
    assert (format_value(True), format_value(False)) == ("true", "false")


def test_aware_datetimes_go_to_utc_without_fractions() -> None:
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    moment = datetime.datetime(2026, 3, 1, 1, 30, 15, 999999, tzinfo=plus_two)
    assert format_value(moment) == "2026-02-28 23:30:15"
    assert format_value(moment.astimezone(UTC)) == "2026-02-28 23:30:15"
    assert format_value(datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)) == (
        "9999-12-31 23:59:59"
    )


def test_early_years_keep_four_digits() -> None:
    assert format_value(datetime.datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01 00:00:00"
    assert format_value(datetime.date(99, 6, 1)) == "0099-06-01"


def test_a_datetime_with_no_utc_equivalent_is_refused() -> None:
    minus_one = datetime.timezone(datetime.timedelta(hours=-1))
    with pytest.raises(UnformattableValueError, match="out of range in UTC"):
        format_value(datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=minus_one))


def test_naive_datetimes_are_taken_as_utc() -> None:
    assert format_value(datetime.datetime(2026, 11, 28, 18, 5, 9, 500000)) == "2026-11-28 18:05:09"


def test_dates_and_times() -> None:
    assert format_value(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert format_value(datetime.time(7, 8, 9, 123)) == "07:08:09"
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert format_value(datetime.time(1, 20, 30, 500000, tzinfo=plus_two)) == "23:20:30"


def test_none_is_an_empty_value_never_the_text_null() -> None:
    assert format_value(None) == ""


def test_user_link_lists_are_joined_with_commas() -> None:
    ids = ["754a1a4baadb4ace991ee", None, "754a1a4baadb4ace991ea"]
    assert format_user_links(ids) == "754a1a4baadb4ace991ee,754a1a4baadb4ace991ea"
    assert format_user_links("754a1a4baadb4ace991ee") == "754a1a4baadb4ace991ee"


def test_other_lists_and_objects_become_compact_json_text() -> None:
    assert format_value(["a", 1, decimal.Decimal("2.50")]) == '["a",1,2.50]'
    assert format_value({"city": "Zürich", "tags": ["x\x00"]}) == '{"city":"Zürich","tags":["x"]}'


def test_numbers_and_dates_inside_json_text_follow_the_same_rules() -> None:
    nested = {"p": decimal.Decimal("1E-7"), "q": 1.5e16, "ok": True, "none": None}
    nested["at"] = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert format_value(nested) == (
        '{"p":0.0000001,"q":15000000000000000,"ok":true,"none":null,"at":"2026-01-02 03:04:05"}'
    )


def test_unknown_types_are_refused_with_their_name() -> None:
    with pytest.raises(UnformattableValueError, match="bytes"):
        format_value(b"raw")


SAMPLES: list[object] = [
    "plain",
    "nul\x00and\r\nbreak",
    0,
    -12345678901234567890,
    True,
    False,
    1.5,
    decimal.Decimal("1E+3"),
    datetime.datetime(2026, 11, 28, 10, 30, 15, 999999, tzinfo=datetime.timezone(-HOURS_2)),
    datetime.datetime(2026, 11, 28, 10, 30),
    datetime.date(2026, 11, 28),
    datetime.time(10, 30, tzinfo=UTC),
    ["a", 1],
    {"k": None},
]


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
@pytest.mark.parametrize("nullable", [False, True])
def test_a_formatter_for_known_types_gives_the_text_format_value_gives(
    value: object, nullable: bool
) -> None:
    kinds = {type(value), type(None)} if nullable else {type(value)}
    formatter = formatter_for(kinds)

    assert formatter(value) == format_value(value)
    if nullable:
        assert formatter(None) == ""


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T10:00:00Z",
        "2026-11-28T10:00:00.999999+00:00",
        "2026-11-28 23:59:59",
        "2026-11-28T10:00Z",
        "20261128T100000Z",
        "2026-11-28T23:30:00-01:00",
        "2026-11-28T00:15:00+05:45",
    ],
)
def test_a_date_time_read_from_text_is_formatted_as_its_moment_would_be(text: str) -> None:
    moment = datetime.datetime.fromisoformat(text)

    assert format_datetime_read_from(text, moment) == format_value(moment)
