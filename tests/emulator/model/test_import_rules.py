"""What the import keeps exact while it takes shortcuts: value checks with a quick test first,
repeated identifiers counted in one pass, index entries shared by several records, users linked
from a memo shared by the sync's rows, and relations replaced rather than changed in place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from target_eloqua.emulator import EloquaInstance, load_catalog
from target_eloqua.emulator.model.catalog import Field
from target_eloqua.emulator.model.checks import (
    INVALID_BOOLEAN,
    INVALID_NUMBER,
    check_for,
    parses_as_date,
)
from target_eloqua.emulator.model.entities import ACCOUNTS, CONTACTS
from target_eloqua.emulator.model.importer import Upload
from target_eloqua.emulator.model.records import RecordStore
from target_eloqua.emulator.model.timestamps import WriteTime
from tests.emulator.conftest import FakeClock

JANE, OMAR, LEE = "754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea", "81c3f0d2e7a94b1c8d2f0"


def a_field(data_type: str) -> Field:
    return next(f for f in load_catalog().contacts.fields if f.data_type == data_type)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("185762", True),
        ("554357.61", True),
        ("5.", True),
        (".5", True),
        (" 7 ", True),
        ("-12.50", True),
        ("+3", True),
        ("١٢٣.٤", True),  # Arabic-Indic digits are decimal digits to the pattern too
        ("", True),  # blank fits; blanks are the importer's business
        (".", False),
        ("1.2.3", False),
        ("..5", False),
        ("²", False),  # a digit to str.isdigit, not a decimal one
        ("1e5", False),
        ("12 34", False),
    ],
)
def test_numbers(value: str, valid: bool) -> None:
    assert check_for(a_field("number"))(value) is (None if valid else INVALID_NUMBER)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("true", True), ("no", True), (" TRUE ", True), ("Yes", True), ("t", False), ("nah", False)],
)
def test_booleans(value: str, valid: bool) -> None:
    assert check_for(a_field("boolean"))(value) is (None if valid else INVALID_BOOLEAN)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        (" 2021-07-09 ", True),
        ("2021-07-09T01:40:10.318", True),
        ("2021-07-09T01:40:10.3187", False),
        ("2021-07-09T01:40:10Z", True),
        ("2021.07.09 01:40:10", False),
        ("2021-07-09Z", True),
    ],
)
def test_dates_with_and_without_points(text: str, valid: bool) -> None:
    assert parses_as_date(text) is valid


def load(instance: EloquaInstance, body: dict[str, Any], *uploads: list[dict[str, Any]]) -> Any:
    """Define, stage each upload and sync; the finished sync."""
    entity = ACCOUNTS if "Account" in str(body["fields"]) else CONTACTS
    definition = instance.create_import(entity, body)
    for rows in uploads:
        instance.stage(entity, definition.id, Upload(rows))
    return instance.sync(instance.create_sync({"syncedInstanceUri": definition.uri}).id)


ACCOUNT_IMPORT = {
    "name": "a",
    "fields": {
        "company": "{{Account.Field(M_CompanyName)}}",
        "owners": "{{Account.User.Field(CRMOSCUserId)}}",
    },
    "identifierFieldName": "company",
    "linkUsers": True,
}


def test_repeated_identifiers_count_across_uploads_in_any_case_and_never_blank() -> None:
    instance = EloquaInstance(sync_seconds=0, clock=FakeClock())
    sync = load(
        instance,
        ACCOUNT_IMPORT,
        [{"company": "Acme"}, {"company": " ACME "}, {"company": ""}],
        [{"company": "acme"}, {"company": "  "}, {"company": "Globex"}, {}],
    )
    assert sync.outcome is not None
    assert (sync.outcome.counts.processed, sync.outcome.counts.repeated) == (7, 2)


def test_users_are_linked_once_each_in_order_across_rows_and_syncs() -> None:
    instance = EloquaInstance(sync_seconds=0, clock=FakeClock())
    load(
        instance,
        ACCOUNT_IMPORT,
        [
            {"company": "Acme", "owners": f"{JANE}, {JANE},{OMAR}"},
            {"company": "Globex", "owners": f"{JANE},{OMAR}"},
        ],
    )
    load(
        instance,
        ACCOUNT_IMPORT,
        [
            {"company": "Acme", "owners": f"{LEE},{OMAR}"},
            {"company": "Globex", "owners": f"{JANE},{OMAR}"},
            {"company": "ACME", "owners": ""},
        ],
    )
    linked = {
        record["fields"]["M_CompanyName"]: [
            u["fields"]["CRMOSCUserId"] for u in record["linkedUsers"]
        ]
        for record in instance.records(ACCOUNTS)
    }
    assert linked == {"ACME": [JANE, OMAR, LEE], "Globex": [JANE, OMAR]}


def test_list_memberships_and_email_groups_change_per_record() -> None:
    instance = EloquaInstance(sync_seconds=0, clock=FakeClock())
    body = {
        "name": "c",
        "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
        "identifierFieldName": "email",
    }
    actions = [
        {"destination": "{{ContactList[101]}}", "action": "add"},
        {"destination": "{{ContactList[102]}}", "action": "add"},
        {"destination": "{{EmailGroup[301]}}", "action": "setStatus", "status": "subscribed"},
    ]
    load(instance, {**body, "syncActions": actions}, [{"email": "a@x.com"}, {"email": "b@x.com"}])
    later = [
        {"destination": "{{ContactList[101]}}", "action": "remove"},
        {"destination": "{{ContactList[101]}}", "action": "add"},
        {"destination": "{{EmailGroup[302]}}", "action": "setStatus", "status": "unsubscribed"},
        {"destination": "{{EmailGroup[301]}}", "action": "setStatus", "status": "unsubscribed"},
    ]
    load(instance, {**body, "syncActions": later}, [{"email": "a@x.com"}])
    a, b = instance.records(CONTACTS)
    assert (a["lists"], a["emailGroups"]) == (
        [102, 101],
        {"301": "unsubscribed", "302": "unsubscribed"},
    )
    assert (b["lists"], b["emailGroups"]) == ([101, 102], {"301": "subscribed"})


def test_an_index_follows_values_shared_by_several_records_and_changed() -> None:
    store = RecordStore(ACCOUNTS, WriteTime(datetime(2026, 1, 1, tzinfo=UTC)))
    first = store.create({"M_City": "Paris"})
    assert store.matching("M_City", "paris") == [first]  # the index is made here
    second, third = store.create({"M_City": "PARIS"}), store.create({"M_City": "Lyon"})
    assert store.matching("M_City", "Paris") == [first, second]
    store.write(first, {"M_City": "Lyon"})
    store.write(second, {"M_City": "paris"})  # the same value in another case
    store.write(third, {"M_Country": "France"})  # no M_City: the index is left alone
    assert store.matching("M_City", "PARIS") == [second]
    assert store.matching("M_City", "lyon") == [first, third]
    assert store.matching("M_City", "Lyon", case_sensitive=True) == [first, third]
    assert store.matching("M_City", "paris", case_sensitive=True) == [second]
    store.write(second, {"M_City": "Nice"})
    assert store.matching("M_City", "Paris") == []
    assert store.matching("M_City", "nice") == [second]
