"""The emulator's model of Eloqua, without HTTP, on a fake clock."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from target_eloqua.emulator.catalog import load_catalog
from target_eloqua.emulator.model import (
    BOOLEAN_RULE,
    FIELDS_RULE,
    IDENTIFIER_TARGET_RULE,
    NAME_RULE,
    STATEMENT_RULE,
    SYNCED_INSTANCE_RULE,
    EloquaInstance,
    NotFoundError,
    Sync,
    SyncCounts,
    ValidationError,
    format_timestamp,
)

CATALOG = load_catalog()
COMPANY = "{{Account.Field(M_CompanyName)}}"
EXTERNAL_ID = "{{Account.Field(CompanyIDExt)}}"
CITY = "{{Account.Field(M_City)}}"
OWNERS = "{{Account.User.Field(CRMOSCUserId)}}"
JANE, OMAR = "754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def instance(clock: FakeClock) -> EloquaInstance:
    return EloquaInstance(CATALOG, sync_seconds=1.0, clock=clock)


def definition_body(**changes: Any) -> dict[str, Any]:
    """An account import on CompanyIDExt; a change to None removes that property."""
    body: dict[str, Any] = {
        "name": "crm accounts",
        "fields": {"id": EXTERNAL_ID, "company": COMPANY, "city": CITY},
        "identifierFieldName": "id",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def finished_sync(instance: EloquaInstance, clock: FakeClock, definition_id: int) -> Sync:
    sync = instance.create_sync({"syncedInstanceUri": f"/accounts/imports/{definition_id}"})
    clock.advance(1.0)
    return instance.sync(sync.id)


def parse_timestamp(text: str) -> datetime:
    """Eloqua's 7-digit form; the 7th digit is dropped, as datetime keeps microseconds."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", text), text
    return datetime.strptime(text[:26], "%Y-%m-%dT%H:%M:%S.%f")


# -- definitions -----------------------------------------------------------------------------

TOO_MANY_FIELDS = {f"k{i}": COMPANY for i in range(101)}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"name": None}, [("name", "", NAME_RULE)], id="name missing"),
        pytest.param({"name": "x" * 101}, [("name", "x" * 101, NAME_RULE)], id="name too long"),
        pytest.param({"fields": None}, [("fields", "", FIELDS_RULE)], id="fields missing"),
        pytest.param(
            {"fields": {}},
            [
                ("fields", "0 fields", FIELDS_RULE),
                (
                    "identifierFieldName",
                    "id",
                    "identifierFieldName id must be contained within Fields, if specified",
                ),
            ],
            id="fields empty",
        ),
        pytest.param(
            {"fields": TOO_MANY_FIELDS, "identifierFieldName": "k0"},
            [("fields", "101 fields", FIELDS_RULE)],
            id="more than 100 fields",
        ),
        pytest.param(
            {"identifierFieldName": None},
            [("identifierFieldName", "", NAME_RULE)],
            id="identifier missing",
        ),
        pytest.param(
            {"identifierFieldName": "company_id"},
            [
                (
                    "identifierFieldName",
                    "company_id",
                    "identifierFieldName company_id must be contained within Fields, if specified",
                )
            ],
            id="identifier not a field key",
        ),
        pytest.param(
            {"fields": {"id": EXTERNAL_ID, "company": "{{Account.Field[M_CompanyName]}}"}},
            [("fields.company", "{{Account.Field[M_CompanyName]}}", STATEMENT_RULE)],
            id="statement does not parse",
        ),
        pytest.param(
            {"fields": {"id": EXTERNAL_ID, "x": "{{Account.Field(M_NoSuchField)}}"}},
            [("fields.x", "{{Account.Field(M_NoSuchField)}}", STATEMENT_RULE)],
            id="no such account field",
        ),
        pytest.param(
            {"fields": {"id": EXTERNAL_ID, "x": "{{Account.User.Field(M_CompanyName)}}"}},
            [("fields.x", "{{Account.User.Field(M_CompanyName)}}", STATEMENT_RULE)],
            id="no such user field",
        ),
        pytest.param(
            {"fields": {"id": EXTERNAL_ID, "x": 5}},
            [("fields.x", "5", STATEMENT_RULE)],
            id="statement not a string",
        ),
        pytest.param(
            {"fields": {"id": OWNERS, "company": COMPANY}},
            [("identifierFieldName", "id", IDENTIFIER_TARGET_RULE)],
            id="identifier on a user field",
        ),
        pytest.param(
            {"linkUsers": "yes"}, [("linkUsers", "yes", BOOLEAN_RULE)], id="not a boolean"
        ),
    ],
)
def test_invalid_definition_lists_each_failure_and_stores_nothing(
    instance: EloquaInstance, changes: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    with pytest.raises(ValidationError) as caught:
        instance.create_account_import(definition_body(**changes))

    assert [(f.field, f.value, f.constraint) for f in caught.value.failures] == expected
    assert instance.account_imports() == []


def test_definition_echoes_accepted_properties_with_defaults(instance: EloquaInstance) -> None:
    body = definition_body(
        linkUsers="true", isSyncTriggeredOnImport="False", updateRule="always", surprise=1
    )
    first = instance.create_account_import(body)
    second = instance.create_account_import(definition_body())

    echoed = first.to_json()
    assert echoed == {
        "name": "crm accounts",
        "fields": {"id": EXTERNAL_ID, "company": COMPANY, "city": CITY},
        "identifierFieldName": "id",
        "isSyncTriggeredOnImport": False,
        "dataRetentionDuration": "P7D",
        "isUpdatingMultipleMatchedRecords": False,
        "linkUsers": True,
        "updateRule": "always",
        "uri": "/accounts/imports/1",
        "createdBy": "API.User",
        "createdAt": echoed["createdAt"],
        "updatedBy": "API.User",
        "updatedAt": echoed["createdAt"],
    }
    parse_timestamp(echoed["createdAt"])
    assert second.uri == "/accounts/imports/2"
    assert instance.account_import(1) == first


def test_unknown_definition_is_not_found(instance: EloquaInstance) -> None:
    with pytest.raises(NotFoundError):
        instance.account_import(99)
    with pytest.raises(NotFoundError):
        instance.stage_rows(99, [{"id": "1"}])


# -- staging ---------------------------------------------------------------------------------


def test_staged_values_are_stored_as_text(instance: EloquaInstance) -> None:
    definition = instance.create_account_import(definition_body())

    staged = instance.stage_rows(
        definition.id, [{"id": 7, "company": None, "city": True}, {"id": 1.5, "company": "Acme"}]
    )

    assert staged == 2
    assert instance.staged_rows(definition.id) == [
        {"id": "7", "company": "", "city": "true"},
        {"id": "1.5", "company": "Acme"},
    ]


def test_rows_with_an_object_value_are_refused_whole(instance: EloquaInstance) -> None:
    definition = instance.create_account_import(definition_body())

    with pytest.raises(ValidationError) as caught:
        instance.stage_rows(definition.id, [{"id": "1"}, {"id": "2", "city": {"name": "Paris"}}])

    assert [(f.field, f.value) for f in caught.value.failures] == [("city", '{"name": "Paris"}')]
    assert instance.staged_rows(definition.id) == []


# -- syncs and upserts -----------------------------------------------------------------------


def test_sync_lifecycle_pending_active_success_with_timestamps(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    definition = instance.create_account_import(definition_body())
    instance.stage_rows(definition.id, [{"id": "A1", "company": "Acme"}])

    created = instance.create_sync({"syncedInstanceUri": definition.uri})
    assert created.to_json() == {
        "syncedInstanceUri": "/accounts/imports/1",
        "status": "pending",
        "createdAt": created.created_at,
        "createdBy": "API.User",
        "uri": "/syncs/1",
    }

    clock.advance(0.1)
    assert instance.sync(created.id).status == "pending"

    clock.advance(0.1)
    active = instance.sync(created.id).to_json()
    assert active["status"] == "active"
    assert "syncEndedAt" not in active
    started = parse_timestamp(active["syncStartedAt"]) - parse_timestamp(created.created_at)
    assert started == timedelta(seconds=0.2)
    assert instance.accounts() == []

    clock.advance(0.8)
    done = instance.sync(created.id)
    assert done.status == "success"
    assert done.ended_at is not None
    ended = parse_timestamp(done.ended_at) - parse_timestamp(created.created_at)
    assert ended == timedelta(seconds=1)
    assert done.counts == SyncCounts(processed=1, created=1, updated=0, rejected=0)


def test_a_sync_read_late_carries_its_scheduled_timestamps(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    definition = instance.create_account_import(definition_body())
    created = instance.create_sync({"syncedInstanceUri": definition.uri})

    clock.advance(30)
    done = instance.sync(created.id)

    assert done.status == "success"
    assert done.started_at is not None
    assert done.ended_at is not None
    created_at = parse_timestamp(created.created_at)
    assert parse_timestamp(done.started_at) - created_at == timedelta(seconds=0.2)
    assert parse_timestamp(done.ended_at) - created_at == timedelta(seconds=1)


def test_zero_second_sync_is_pending_at_creation_and_done_at_next_read(
    clock: FakeClock,
) -> None:
    instance = EloquaInstance(CATALOG, sync_seconds=0, clock=clock)
    definition = instance.create_account_import(definition_body())

    created = instance.create_sync({"syncedInstanceUri": definition.uri})

    assert created.status == "pending"
    assert instance.sync(created.id).status == "success"


def test_upsert_creates_then_updates_on_the_identifier_field(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    definition = instance.create_account_import(definition_body())
    instance.stage_rows(
        definition.id,
        [{"id": "A1", "company": "Acme", "city": "Paris"}, {"id": "B2", "company": "Beta"}],
    )
    first = finished_sync(instance, clock, definition.id)

    instance.stage_rows(definition.id, [{"id": "A1", "company": "Acme Corp"}, {"id": "C3"}])
    second = finished_sync(instance, clock, definition.id)

    assert first.counts == SyncCounts(processed=2, created=2, updated=0, rejected=0)
    assert second.counts == SyncCounts(processed=2, created=1, updated=1, rejected=0)
    assert [(a.id, dict(a.fields)) for a in instance.accounts()] == [
        (1, {"CompanyIDExt": "A1", "M_CompanyName": "Acme Corp", "M_City": "Paris"}),
        (2, {"CompanyIDExt": "B2", "M_CompanyName": "Beta"}),
        (3, {"CompanyIDExt": "C3"}),
    ]


def test_linked_users_are_matched_on_the_user_field(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    fields = {"company": COMPANY, "owners": OWNERS}
    linking = instance.create_account_import(
        definition_body(fields=fields, identifierFieldName="company", linkUsers=True)
    )
    instance.stage_rows(
        linking.id,
        [
            {"company": "Acme", "owners": f" {JANE} ,, nobody ,{OMAR}"},
            {"company": "Beta", "owners": ""},
        ],
    )
    sync = finished_sync(instance, clock, linking.id)

    assert sync.status == "success"
    acme, beta = instance.accounts()
    assert [(u.id, u.fields["CRMOSCUserId"]) for u in acme.linked_users] == [(9, JANE), (11, OMAR)]
    assert beta.linked_users == ()
    assert dict(acme.fields) == {"M_CompanyName": "Acme"}


def test_users_are_not_linked_unless_the_definition_says_so(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    fields = {"company": COMPANY, "owners": OWNERS}
    definition = instance.create_account_import(
        definition_body(fields=fields, identifierFieldName="company")
    )
    instance.stage_rows(definition.id, [{"company": "Acme", "owners": JANE}])
    finished_sync(instance, clock, definition.id)

    [acme] = instance.accounts()
    assert acme.linked_users == ()


def test_staged_rows_are_taken_by_exactly_one_sync(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    definition = instance.create_account_import(definition_body())
    instance.stage_rows(definition.id, [{"id": "A1"}])
    instance.stage_rows(definition.id, [{"id": "B2"}])
    first = instance.create_sync({"syncedInstanceUri": definition.uri})
    second = instance.create_sync({"syncedInstanceUri": definition.uri})
    clock.advance(1.0)

    assert instance.sync(first.id).counts == SyncCounts(processed=2, created=2)
    assert instance.sync(second.id).counts == SyncCounts(processed=0)
    assert instance.staged_rows(definition.id) == []

    instance.stage_rows(definition.id, [{"id": "C3"}])
    assert finished_sync(instance, clock, definition.id).counts == SyncCounts(1, created=1)


def test_rows_staged_after_a_sync_ended_wait_for_the_next_sync(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    definition = instance.create_account_import(definition_body())
    sync = instance.create_sync({"syncedInstanceUri": definition.uri})
    clock.advance(5)

    instance.stage_rows(definition.id, [{"id": "A1"}])

    assert instance.sync(sync.id).counts == SyncCounts(processed=0)
    assert instance.staged_rows(definition.id) == [{"id": "A1"}]


def test_blank_identifier_is_rejected_and_the_sync_ends_in_warning(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    definition = instance.create_account_import(definition_body())
    instance.stage_rows(
        definition.id,
        [{"id": "A1", "company": "Acme"}, {"id": "  ", "company": "Ghost"}, {"company": "None"}],
    )

    sync = finished_sync(instance, clock, definition.id)

    assert sync.status == "warning"
    assert sync.counts == SyncCounts(processed=3, created=1, updated=0, rejected=2)
    assert [a.fields["M_CompanyName"] for a in instance.accounts()] == ["Acme"]


@pytest.mark.parametrize(
    "properties",
    [
        {},
        {"syncedInstanceUri": "/accounts/imports/9"},
        {"syncedInstanceUri": "/contacts/imports/1"},
    ],
)
def test_sync_of_an_unknown_definition_fails_validation(
    instance: EloquaInstance, properties: dict[str, Any]
) -> None:
    instance.create_account_import(definition_body())

    with pytest.raises(ValidationError) as caught:
        instance.create_sync(properties)

    [failure] = caught.value.failures
    assert (failure.field, failure.constraint) == ("syncedInstanceUri", SYNCED_INSTANCE_RULE)
    assert instance.syncs() == []


def test_sync_echoes_its_callback_url(instance: EloquaInstance) -> None:
    definition = instance.create_account_import(definition_body())

    sync = instance.create_sync(
        {"syncedInstanceUri": definition.uri, "callbackUrl": "https://example.com/done"}
    )

    assert sync.to_json()["callbackUrl"] == "https://example.com/done"


def test_unknown_sync_is_not_found(instance: EloquaInstance) -> None:
    with pytest.raises(NotFoundError):
        instance.sync(1)


# -- login, reset, timestamps ----------------------------------------------------------------


def test_authenticate_accepts_only_the_configured_login() -> None:
    instance = EloquaInstance(CATALOG, company="Site", username="u", password="p")

    assert instance.authenticate("Site", "u", "p")
    assert not instance.authenticate("Site", "u", "wrong")
    assert not instance.authenticate("site", "u", "p")
    assert not instance.authenticate("Site", "U", "p")


def test_reset_forgets_everything_but_catalog_and_settings(
    instance: EloquaInstance, clock: FakeClock
) -> None:
    definition = instance.create_account_import(definition_body())
    instance.stage_rows(definition.id, [{"id": "A1"}])
    finished_sync(instance, clock, definition.id)

    instance.reset()

    assert (instance.account_imports(), instance.syncs(), instance.accounts()) == ([], [], [])
    assert instance.create_account_import(definition_body()).uri == "/accounts/imports/1"
    assert instance.sync_seconds == 1.0
    assert instance.catalog is CATALOG


def test_format_timestamp_has_seven_fractional_digits() -> None:
    assert format_timestamp(16257948103187286) == "2021-07-09T01:40:10.3187286Z"
    assert format_timestamp(0) == "1970-01-01T00:00:00.0000000Z"
