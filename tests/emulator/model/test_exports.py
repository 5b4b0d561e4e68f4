"""Export definitions and what an export sync reads, in the model with no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from target_eloqua.emulator import EloquaInstance, NotFoundError, ValidationError
from target_eloqua.emulator.model.entities import ACCOUNTS, ACTIVITIES, CONTACTS, Entity
from target_eloqua.emulator.model.exports import export_text
from target_eloqua.emulator.model.instance import SyncPlan
from tests.emulator.conftest import FakeClock, load_rows

CONTACT_IMPORT = {
    "name": "c",
    "fields": {
        "email": "{{Contact.Field(C_EmailAddress)}}",
        "first": "{{Contact.Field(C_FirstName)}}",
        "company": "{{Contact.Account.Field(M_CompanyName)}}",
    },
    "identifierFieldName": "email",
}
ACCOUNT_IMPORT = {
    "name": "a",
    "fields": {"n": "{{Account.Field(M_CompanyName)}}"},
    "identifierFieldName": "n",
}


def loaded(rows: list[dict[str, str]]) -> EloquaInstance:
    """An instance with an account Acme and these contact rows imported."""
    instance = EloquaInstance(sync_seconds=0, clock=FakeClock())
    load_rows(instance, ACCOUNTS, ACCOUNT_IMPORT, [{"n": "Acme"}])
    load_rows(instance, CONTACTS, CONTACT_IMPORT, rows)
    return instance


def exported(
    instance: EloquaInstance, entity: Entity, body: dict[str, Any]
) -> list[dict[str, str]]:
    definition = instance.create_export(entity, {"name": "x", **body})
    sync = instance.sync(instance.create_sync({"syncedInstanceUri": definition.uri}).id)
    assert sync.status == "success"
    rows = instance.sync_data(sync.id)
    return rows.items(0, len(rows.rows))


def test_a_definition_echoes_what_was_sent_with_the_default_retention() -> None:
    instance = EloquaInstance(clock=FakeClock())
    body = {
        "name": "x",
        "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
        "areSystemTimestampsInUTC": "true",
        "maxRecords": 10,
        "unknown": 1,
    }
    echoed = instance.create_export(CONTACTS, body).to_json()
    assert echoed["uri"] == "/contacts/exports/1"
    assert {k: v for k, v in echoed.items() if k not in ("createdAt", "updatedAt")} == {
        "name": "x",
        "fields": body["fields"],
        "maxRecords": 10,
        "dataRetentionDuration": "PT6H",
        "areSystemTimestampsInUTC": True,
        "uri": "/contacts/exports/1",
        "createdBy": "API.User",
        "updatedBy": "API.User",
    }
    custom_object = instance.create_export(
        Entity("customObjects", 9), {"name": "p", "fields": {"o": "{{CustomObject[9].Field[101]}}"}}
    )
    assert custom_object.to_json()["parentId"] == 9


def test_every_broken_rule_is_one_failure() -> None:
    instance = EloquaInstance(clock=FakeClock())
    body = {
        "name": "",
        "fields": {"a": "{{Contact.Field(Nope)}}", "b": "{{Account.Field(M_CompanyName)}}"},
        "filter": "'{{Contact.Field(C_EmailAddress)}}' != 'a'",
        "maxRecords": 0,
        "dataRetentionDuration": "P15D",
        "autoDeleteDuration": "PT5M",
        "areSystemTimestampsInUTC": "maybe",
    }
    with pytest.raises(ValidationError) as refused:
        instance.create_export(CONTACTS, body)
    assert [f.field for f in refused.value.failures] == [
        "name",
        "fields.a",
        "fields.b",
        "filter",
        "dataRetentionDuration",
        "autoDeleteDuration",
        "maxRecords",
        "areSystemTimestampsInUTC",
    ]
    too_many = {f"k{n}": "{{Contact.Field(C_FirstName)}}" for n in range(251)}
    with pytest.raises(ValidationError, match="at most 250"):
        instance.create_export(CONTACTS, {"name": "x", "fields": too_many})


def test_an_export_reads_the_selected_records_in_export_form() -> None:
    instance = loaded(
        [
            {"email": "Ann@X.com", "first": "Ann", "company": "Acme"},
            {"email": "bob@x.com", "first": "Bob", "company": "Nobody Inc"},
            {"email": "cy@x.com", "first": "Cy"},
        ]
    )
    rows = exported(
        instance,
        CONTACTS,
        {
            "fields": {
                "id": "{{Contact.Id}}",
                "email": "{{Contact.Field(C_EmailAddress)}}",
                "company": "{{Contact.Account.Field(M_CompanyName)}}",
                "city": "{{Contact.Field(C_City)}}",
            },
            "filter": "'{{Contact.Field(C_EmailAddress)}}' = 'ann@x.com' OR "
            "'{{Contact.Field(C_EmailAddress)}}' = 'BOB@x.com'",
        },
    )
    assert rows == [
        {"id": "1", "email": "ann@x.com", "company": "Acme", "city": ""},
        {"id": "2", "email": "bob@x.com", "company": "", "city": ""},
    ]


def test_max_records_cuts_the_export() -> None:
    instance = loaded([{"email": f"{n}@x.com"} for n in range(5)])
    body = {"fields": {"e": "{{Contact.Field(C_EmailAddress)}}"}, "maxRecords": 2}
    assert exported(instance, CONTACTS, body) == [{"e": "0@x.com"}, {"e": "1@x.com"}]


@pytest.mark.parametrize(
    ("data_type", "stored", "shown"),
    [
        ("date", "2026-03-01", "2026-03-01 00:00:00.000"),
        ("date", "2026-03-01 10:11:12", "2026-03-01 10:11:12.000"),
        ("date", "2026-03-01T10:11:12.5Z", "2026-03-01 10:11:12.500"),
        ("date", "2026-03-01T10:11:12+02:00", "2026-03-01 08:11:12.000"),
        ("date", "03/01/2026", "2026-03-01 00:00:00.000"),
        ("number", "1.50", "1.5"),
        ("number", "100", "100"),
        ("number", "-0.0", "0"),
        ("boolean", "Yes", "true"),
        ("boolean", "0", "false"),
        ("emailAddress", " Ann@X.com", "ann@x.com"),
        ("string", " As Sent ", " As Sent "),
        ("number", "", ""),
    ],
)
def test_values_come_back_in_export_form(data_type: str, stored: str, shown: str) -> None:
    assert export_text(data_type, stored) == shown


def test_activities_are_exported_from_the_values_activity_records_keep() -> None:
    instance = EloquaInstance(sync_seconds=0, clock=FakeClock())
    assert exported(instance, ACTIVITIES, {"fields": {"id": "{{Activity.Id}}"}}) == []
    # An activity record keeps what an import gave it under internal names, its contact as
    # the entity it is mapped to, and other values under their field's name.
    activity = instance._state.stores.of(ACTIVITIES).create(  # noqa: SLF001 - a stored record
        {
            "ActivityType": "EmailOpen",
            "ActivityDate": "2026-01-02 03:04:05",
            "EmailAddress": "a@x.com",
        }
    )
    activity.mapped_entity = ("Contact", 7)
    body = {
        "fields": {
            "id": "{{Activity.Id}}",
            "type": "{{Activity.Type}}",
            "at": "{{Activity.CreatedAt}}",
            "contact": "{{Activity.Contact.Id}}",
            "email": "{{Activity.Field(EmailAddress)}}",
        },
        "filter": "'{{Activity.Type}}' = 'EmailOpen'",
    }
    assert exported(instance, ACTIVITIES, body) == [
        {
            "id": "1",
            "type": "EmailOpen",
            "at": "2026-01-02 03:04:05.000",
            "contact": "7",
            "email": "a@x.com",
        }
    ]
    with pytest.raises(ValidationError):
        instance.create_export(ACTIVITIES, {"name": "x", "fields": {"t": "{{Activity.Nope}}"}})


def test_an_export_sync_can_fail_and_its_definition_can_go() -> None:
    instance = loaded([{"email": "a@x.com"}])
    definition = instance.create_export(
        CONTACTS, {"name": "x", "fields": {"e": "{{Contact.Field(C_EmailAddress)}}"}}
    )
    instance.plan_syncs(1, SyncPlan(status="error"))
    failed = instance.sync(instance.create_sync({"syncedInstanceUri": definition.uri}).id)
    assert failed.status == "error"
    assert [log["statusCode"] for log in instance.sync_logs(failed.id)] == [
        "ELQ-00141",
        "ELQ-00101",
    ]
    again = instance.sync(instance.create_sync({"syncedInstanceUri": definition.uri}).id)
    assert [log["statusCode"] for log in instance.sync_logs(again.id)] == ["ELQ-00102", "ELQ-00101"]
    instance.delete_export(CONTACTS, definition.id)
    with pytest.raises(NotFoundError):
        instance.export_definition(CONTACTS, definition.id)
    assert instance.sync_data(again.id).items(0, 10) == [{"e": "a@x.com"}]


def test_an_import_sync_has_no_data() -> None:
    instance = loaded([{"email": "a@x.com"}])
    with pytest.raises(ValidationError, match="export sync"):
        instance.sync_data(1)


WINTER = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
"""Noon in Eastern time (UTC-5)."""
SUMMER = datetime(2026, 7, 15, 16, 0, tzinfo=UTC)
"""Noon in Eastern time on daylight saving time (UTC-4)."""
PURCHASES = Entity("customObjects", 9)
PURCHASE_IMPORT = {
    "name": "p",
    "fields": {
        "order": "{{CustomObject[9].Field[101]}}",
        "product": "{{CustomObject[9].Field[107]}}",
    },
    "identifierFieldName": "order",
}


def created_then_modified(started_at: datetime) -> EloquaInstance:
    """An account Acme and a contact of it, and a purchase, imported when the instance starts;
    the contact and the purchase imported again an hour later."""
    clock = FakeClock()
    instance = EloquaInstance(sync_seconds=0, clock=clock, started_at=started_at)
    load_rows(instance, ACCOUNTS, ACCOUNT_IMPORT, [{"n": "Acme"}])
    for _ in range(2):
        load_rows(instance, CONTACTS, CONTACT_IMPORT, [{"email": "a@x.com", "company": "Acme"}])
        load_rows(instance, PURCHASES, PURCHASE_IMPORT, [{"order": "1", "product": "Pen"}])
        clock.advance(3600)
    return instance


@pytest.mark.parametrize(
    ("started_at", "in_utc", "created", "modified"),
    [
        (WINTER, False, "2026-01-15 12:00:00.000", "2026-01-15 13:00:00.000"),
        (WINTER, True, "2026-01-15 17:00:00.000", "2026-01-15 18:00:00.000"),
        (SUMMER, False, "2026-07-15 12:00:00.000", "2026-07-15 13:00:00.000"),
        (SUMMER, True, "2026-07-15 16:00:00.000", "2026-07-15 17:00:00.000"),
    ],
)
def test_system_timestamps_are_in_eastern_time_unless_the_export_asks_for_utc(
    started_at: datetime, in_utc: bool, created: str, modified: str
) -> None:
    instance = created_then_modified(started_at)
    flag = {"areSystemTimestampsInUTC": in_utc}
    contact_fields = {
        "created": "{{Contact.Field(C_DateCreated)}}",
        "modified": "{{Contact.Field(C_DateModified)}}",
        "createdAt": "{{Contact.CreatedAt}}",
        "updatedAt": "{{Contact.UpdatedAt}}",
        "accountCreated": "{{Contact.Account.Field(M_DateCreated)}}",
    }
    account_fields = {
        "created": "{{Account.Field(M_DateCreated)}}",
        "modified": "{{Account.Field(M_DateModified)}}",
        "updatedAt": "{{Account.UpdatedAt}}",
    }
    purchase_fields = {
        "createdAt": "{{CustomObject[9].CreatedAt}}",
        "updatedAt": "{{CustomObject[9].UpdatedAt}}",
    }

    assert exported(instance, CONTACTS, {"fields": contact_fields, **flag}) == [
        {
            "created": created,
            "modified": modified,
            "createdAt": created,
            "updatedAt": modified,
            "accountCreated": created,
        }
    ]
    assert exported(instance, ACCOUNTS, {"fields": account_fields, **flag}) == [
        {"created": created, "modified": created, "updatedAt": created}
    ]
    assert exported(instance, PURCHASES, {"fields": purchase_fields, **flag}) == [
        {"createdAt": created, "updatedAt": modified}
    ]


@pytest.mark.parametrize(
    ("in_utc", "since", "selected"),
    [
        # Contact 1 was last modified at 18:00 UTC (13:00 Eastern), contact 2 at 17:00 (12:00).
        (False, "2026-01-15 12:30:00", ["1"]),
        (True, "2026-01-15 12:30:00", ["1", "2"]),
        (True, "2026-01-15 17:30:00", ["1"]),
        (False, "2026-01-15T17:30:00Z", ["1"]),
    ],
)
def test_a_filter_compares_system_timestamps_in_the_time_zone_the_export_gives_them(
    in_utc: bool, since: str, selected: list[str]
) -> None:
    clock = FakeClock()
    instance = EloquaInstance(sync_seconds=0, clock=clock, started_at=WINTER)
    load_rows(instance, CONTACTS, CONTACT_IMPORT, [{"email": "a@x.com"}, {"email": "b@x.com"}])
    clock.advance(3600)
    load_rows(instance, CONTACTS, CONTACT_IMPORT, [{"email": "a@x.com", "first": "Ann"}])

    body = {
        "fields": {"id": "{{Contact.Id}}"},
        "filter": f"'{{{{Contact.Field(C_DateModified)}}}}' > '{since}'",
        "areSystemTimestampsInUTC": in_utc,
    }
    assert [row["id"] for row in exported(instance, CONTACTS, body)] == selected
