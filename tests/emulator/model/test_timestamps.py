"""System timestamps: records stamped when created and modified, on a clock the test controls."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from target_eloqua.emulator import EloquaInstance, ValidationError
from target_eloqua.emulator.model.entities import CONTACTS
from target_eloqua.emulator.model.importer import Upload
from target_eloqua.emulator.model.timestamps import (
    format_timestamp,
    moment_of,
    stamp_of,
    ticks_of,
)
from tests.emulator.conftest import FakeClock, load_rows
from tests.emulator.model.test_exports import CONTACT_IMPORT

STARTED_AT = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
ACTIONS_ONLY = {
    "name": "c",
    "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
    "identifierFieldName": "email",
    "syncActions": [{"action": "add", "destination": "{{ContactList[101]}}"}],
}


def stamps(instance: EloquaInstance) -> dict[str, tuple[str, str]]:
    """Each contact's email -> (createdAt, updatedAt), as the admin API shows them."""
    return {
        record["fields"]["C_EmailAddress"]: (record["createdAt"], record["updatedAt"])
        for record in instance.records(CONTACTS)
    }


def test_format_timestamp_has_seven_fractional_digits() -> None:
    assert format_timestamp(16257948103187286) == "2021-07-09T01:40:10.3187286Z"


def test_ticks_and_moments_are_the_same_time() -> None:
    moment = datetime(2021, 7, 9, 1, 40, 10, 318728, tzinfo=UTC)
    assert ticks_of(moment) == 16257948103187280
    assert moment_of(ticks_of(moment)) == moment


@pytest.mark.parametrize(
    ("kind", "name", "stamp"),
    [
        ("contacts", "C_DateCreated", "created"),
        ("contacts", "UpdatedAt", "modified"),
        ("accounts", "M_DateModified", "modified"),
        ("customObjects", "CreatedAt", "created"),
        ("events", "UpdatedAt", "modified"),
        ("contacts", "C_FirstName", None),
        ("accounts", "C_DateCreated", None),
        ("activities", "CreatedAt", None),
    ],
)
def test_each_entity_has_its_own_names_for_its_system_timestamps(
    kind: str, name: str, stamp: str | None
) -> None:
    assert stamp_of(kind, name) == stamp


def test_an_import_stamps_a_record_created_once_and_modified_at_each_update() -> None:
    clock = FakeClock()
    instance = EloquaInstance(sync_seconds=0, clock=clock, started_at=STARTED_AT)
    load_rows(instance, CONTACTS, CONTACT_IMPORT, [{"email": "a@x.com", "first": "Ann"}])
    clock.advance(3600)
    load_rows(
        instance,
        CONTACTS,
        CONTACT_IMPORT,
        [{"email": "a@x.com", "first": "Anne"}, {"email": "b@x.com"}],
    )

    assert stamps(instance) == {
        "a@x.com": ("2026-01-15T17:00:00.0000000Z", "2026-01-15T18:00:00.0000000Z"),
        "b@x.com": ("2026-01-15T18:00:00.0000000Z", "2026-01-15T18:00:00.0000000Z"),
    }


def test_the_moment_is_when_the_sync_ended_to_the_millisecond_not_when_it_was_read() -> None:
    clock = FakeClock()
    instance = EloquaInstance(sync_seconds=2.0004, clock=clock, started_at=STARTED_AT)
    definition = instance.create_import(CONTACTS, CONTACT_IMPORT)
    instance.stage(CONTACTS, definition.id, Upload([{"email": "a@x.com"}]))
    sync = instance.create_sync({"syncedInstanceUri": definition.uri})
    clock.advance(60)
    assert instance.sync(sync.id).ended_at == "2026-01-15T17:00:02.0004000Z"
    assert stamps(instance) == {
        "a@x.com": ("2026-01-15T17:00:02.0000000Z", "2026-01-15T17:00:02.0000000Z")
    }


def test_sync_actions_alone_do_not_modify_a_record() -> None:
    clock = FakeClock()
    instance = EloquaInstance(sync_seconds=0, clock=clock, started_at=STARTED_AT)
    load_rows(instance, CONTACTS, CONTACT_IMPORT, [{"email": "a@x.com"}])
    clock.advance(60)
    definition = instance.create_import(CONTACTS, ACTIONS_ONLY, "syncActions")
    instance.stage(CONTACTS, definition.id, Upload([{"email": "a@x.com"}]), "syncActions")
    instance.sync(instance.create_sync({"syncedInstanceUri": definition.uri}).id)

    [contact] = instance.records(CONTACTS)
    assert contact["lists"] == [101]
    assert contact["updatedAt"] == "2026-01-15T17:00:00.0000000Z"


def test_an_edit_modifies_the_record_but_may_not_set_its_system_timestamps() -> None:
    clock = FakeClock()
    instance = EloquaInstance(sync_seconds=0, clock=clock, started_at=STARTED_AT)
    load_rows(instance, CONTACTS, CONTACT_IMPORT, [{"email": "a@x.com"}])
    clock.advance(90.5)

    edited = instance.update_record(CONTACTS, 1, {"C_FirstName": "Zed"})

    assert (edited["createdAt"], edited["updatedAt"]) == (
        "2026-01-15T17:00:00.0000000Z",
        "2026-01-15T17:01:30.5000000Z",
    )
    with pytest.raises(ValidationError):
        instance.update_record(CONTACTS, 1, {"C_DateModified": "2020-01-01"})
