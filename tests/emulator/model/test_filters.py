"""Export filters: what Eloqua's expression language the emulator reads, and what it selects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from target_eloqua.emulator.model.checks import read_date
from target_eloqua.emulator.model.entities import CONTACTS
from target_eloqua.emulator.model.filters import (
    AllOf,
    AnyOf,
    Equals,
    FilterError,
    InList,
    Operand,
    like_pattern,
    parse_filter,
    select,
)
from target_eloqua.emulator.model.records import RecordStore, StoredRecord
from target_eloqua.emulator.model.timestamps import WriteTime

EMAIL = "'{{Contact.Field(C_EmailAddress)}}'"
COUNTRY = "'{{Contact.Field(C_Country)}}'"
BIRTHDAY = "'{{Contact.Field(C_Birthday1)}}'"
TOKYO = timezone(timedelta(hours=9))


def birthday(record: StoredRecord) -> datetime | None:
    """The contact's birthday as the test's exports show it: in Tokyo time."""
    return read_date(record.fields.get("C_Birthday1", ""))


def operand_of(statement: str) -> Operand:
    names = {
        "{{Contact.Field(C_EmailAddress)}}": "C_EmailAddress",
        "{{Contact.Field(C_Country)}}": "C_Country",
        "{{Contact.Id}}": "Id",
    }
    if statement == "{{Contact.Field(C_Birthday1)}}":
        return Operand("C_Birthday1", birthday, TOKYO)
    if statement not in names:
        raise FilterError("Must name a field of the exported entity.")
    return Operand(names[statement])


def list_exists(kind: str, list_id: int) -> bool:
    return (kind, list_id) == ("ContactList", 101)


def parse(text: str) -> object:
    return parse_filter(text, operand_of, list_exists)


def store() -> RecordStore:
    contacts = RecordStore(CONTACTS, WriteTime(datetime(2026, 1, 1, tzinfo=UTC)))
    for email, country, born in [
        ("a@x.com", "BE", "2000-01-01 09:00:00"),
        ("b@x.com", "FR", "2000-01-01 10:00:00"),
        ("c@x.com", "BE", "2000-01-02"),
        ("d@x.com", "", ""),
    ]:
        contacts.create({"C_EmailAddress": email, "C_Country": country, "C_Birthday1": born})
    [third] = contacts.matching("C_EmailAddress", "c@x.com")
    third.lists = (101,)
    return contacts


def emails(text: str) -> list[str]:
    return [
        r.fields["C_EmailAddress"]
        for r in select(parse_filter(text, operand_of, list_exists), store())
    ]


def test_comparisons_joined_by_and_or_and_parentheses_parse_into_a_tree() -> None:
    text = f"({EMAIL} = 'a@x.com' OR {EMAIL}='b@x.com') AND EXISTS('{{{{ContactList[101]}}}}')"
    assert parse(text) == AllOf(
        (
            AnyOf((Equals("C_EmailAddress", "a@x.com"), Equals("C_EmailAddress", "b@x.com"))),
            InList(101),
        )
    )


def test_and_binds_tighter_than_or_and_keywords_take_any_case() -> None:
    assert parse(f"{EMAIL} = 'a' or {COUNTRY} = 'BE' and {COUNTRY} = 'FR'") == AnyOf(
        (
            Equals("C_EmailAddress", "a"),
            AllOf((Equals("C_Country", "BE"), Equals("C_Country", "FR"))),
        )
    )


@pytest.mark.parametrize(
    ("text", "selected"),
    [
        (f"{EMAIL} = 'A@X.COM'", ["a@x.com"]),
        (
            f"{EMAIL} = 'a@x.com' OR {EMAIL} = 'c@x.com' OR {EMAIL} = 'zz@x.com'",
            ["a@x.com", "c@x.com"],
        ),
        (f"{COUNTRY} = 'be' AND {EMAIL} = 'c@x.com'", ["c@x.com"]),
        (f"{COUNTRY} = ''", ["d@x.com"]),
        ("EXISTS('{{ContactList[101]}}')", ["c@x.com"]),
        (f"{EMAIL} ~ '[ab]@%'", ["a@x.com", "b@x.com"]),
        (f"{EMAIL} ~ '_@X.COM'", ["a@x.com", "b@x.com", "c@x.com", "d@x.com"]),
        ("'{{Contact.Id}}' = '2'", ["b@x.com"]),
        (f"{BIRTHDAY} > '2000-01-01 09:00:00'", ["b@x.com", "c@x.com"]),
        (f"{BIRTHDAY} >= '2000-01-01 09:00'", ["a@x.com", "b@x.com", "c@x.com"]),
        (f"{BIRTHDAY} < '2000-01-02'", ["a@x.com", "b@x.com"]),
        (f"{BIRTHDAY} <= '01/02/2000'", ["a@x.com", "b@x.com", "c@x.com"]),
        (f"{BIRTHDAY} = '2000-01-02 00:00:00.000'", ["c@x.com"]),
        (f"{BIRTHDAY} = ''", ["d@x.com"]),
        # A value with an offset is the moment it names, in the field's time zone (Tokyo's).
        (f"{BIRTHDAY} > '2000-01-01T00:30:00Z'", ["b@x.com", "c@x.com"]),
        (f"{BIRTHDAY} < '2000-01-01T02:30:00+02:00'", ["a@x.com"]),
        (f"{BIRTHDAY} > '2000-01-01 09:00' AND {COUNTRY} = 'BE'", ["c@x.com"]),
    ],
)
def test_a_filter_selects_the_records_it_describes_oldest_first(
    text: str, selected: list[str]
) -> None:
    assert emails(text) == selected


def test_no_filter_selects_every_record() -> None:
    assert len(select(None, store())) == 4


@pytest.mark.parametrize(
    ("text", "constraint"),
    [
        ("x" * 1001, "at most 1000 characters"),
        (f"{EMAIL} = ", "Must be comparisons"),
        (f"{EMAIL} = 'a' AND", "Must be comparisons"),
        (f"({EMAIL} = 'a'", "Must be comparisons"),
        (f"{EMAIL} != 'a'", "not !="),
        (f"{EMAIL} > 'a'", "not > on other fields"),
        (f"{BIRTHDAY} > 'soon'", "Must compare a date field with a date"),
        (f"{BIRTHDAY} < ''", "Must compare a date field with a date"),
        (f"{BIRTHDAY} ~ '2000%'", "not ~ on a date field"),
        (f"{BIRTHDAY} != '2000-01-01'", "not !="),
        (f"NOT {EMAIL} = 'a'", "not NOT"),
        ("STATUS('{{ActionInstance(f3)}}') = 'pending'", "not STATUS"),
        ("EXISTS('{{ContactSegment[4]}}')", "not ContactSegment"),
        ("EXISTS('{{ContactList[999]}}')", "existing contact list"),
        ("EXISTS('{{ContactList[101]}}') OR EXISTS('{{ContactList[101]}}')", "EXISTS at most once"),
        ("'{{Contact.Field(Nope)}}' = 'a'", "Must name a field"),
    ],
)
def test_a_filter_the_emulator_cannot_read_is_refused_saying_why(
    text: str, constraint: str
) -> None:
    with pytest.raises(FilterError, match=constraint):
        parse(text)


def test_like_is_sql_servers_in_any_letter_case() -> None:
    assert like_pattern("O_Brien%").fullmatch("o'brien & co")
    assert like_pattern("[%]off").fullmatch("%OFF")
    assert not like_pattern("[^a]b").fullmatch("ab")
    assert like_pattern("a.b").fullmatch("a.b")
    assert not like_pattern("a.b").fullmatch("axb")
