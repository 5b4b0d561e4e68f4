"""Model units: durations, dates, timestamps, and the instance on its own."""

from __future__ import annotations

import pytest

from target_eloqua.emulator import ConflictError, EloquaInstance, NotFoundError, ValidationError
from target_eloqua.emulator.model.checks import parses_as_date
from target_eloqua.emulator.model.definitions import duration_seconds
from target_eloqua.emulator.model.entities import ACCOUNTS, CONTACTS, Entity
from target_eloqua.emulator.model.importer import Upload
from tests.emulator.conftest import FakeClock

CONTACT_IMPORT = {
    "name": "c",
    "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
    "identifierFieldName": "email",
}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT1H", 3600), ("P7D", 604800), ("P1W", 604800), ("P1DT2H30M", 95400), ("PT0.5S", 0.5)],
)
def test_durations_parse(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["P", "PT", "7D", "P1H", "PT1D", "", None, 7])
def test_non_durations_do_not_parse(text: object) -> None:
    assert duration_seconds(text) is None


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2021-07-09", True),
        ("2021-07-09 01:40:10", True),
        ("2021-07-09T01:40:10.318Z", True),
        ("2021-07-09T01:40:10.3187Z", False),
        ("07/09/2021", True),
        ("07/09/21", True),
        ("2021/07/09", True),
        ("2021.07.09", True),
        ("13/09/2021", False),
        ("yesterday", False),
    ],
)
def test_dates_parse_as_eloquas_upload_parser_does(text: str, valid: bool) -> None:
    assert parses_as_date(text) is valid


def test_the_model_raises_its_own_errors() -> None:
    clock = FakeClock()
    instance = EloquaInstance(clock=clock)
    with pytest.raises(NotFoundError):
        instance.fields(Entity("customObjects", 404))
    with pytest.raises(NotFoundError):
        instance.import_definition(CONTACTS, 1)
    with pytest.raises(ValidationError):
        instance.create_import(CONTACTS, {})
    definition = instance.create_import(CONTACTS, CONTACT_IMPORT)
    with pytest.raises(NotFoundError):
        instance.import_definition(ACCOUNTS, definition.id)
    instance.stage(CONTACTS, definition.id, Upload([{"email": "a@x.com"}]))
    instance.create_sync({"syncedInstanceUri": definition.uri})
    with pytest.raises(ConflictError):
        instance.clear_staged(CONTACTS, definition.id)


def test_a_zero_second_sync_is_pending_at_creation_and_done_at_the_next_read() -> None:
    instance = EloquaInstance(sync_seconds=0, clock=FakeClock())
    definition = instance.create_import(CONTACTS, CONTACT_IMPORT)
    instance.stage(CONTACTS, definition.id, Upload([{"email": "a@x.com"}]))
    sync = instance.create_sync({"syncedInstanceUri": definition.uri})
    assert sync.status == "pending"
    assert instance.sync(sync.id).status == "success"
    assert instance.records(CONTACTS)[0]["fields"] == {"C_EmailAddress": "a@x.com"}


def test_callbacks_go_through_the_sender_once() -> None:
    sent: list[tuple[str, dict[str, object]]] = []
    clock = FakeClock()
    instance = EloquaInstance(
        clock=clock, callback_sender=lambda url, body: sent.append((url, dict(body)))
    )
    definition = instance.create_import(CONTACTS, CONTACT_IMPORT)
    sync = instance.create_sync({"syncedInstanceUri": definition.uri, "callbackUrl": "http://cb"})
    assert sent == []
    clock.advance(5)
    instance.syncs()
    instance.syncs()
    assert [(url, body["uri"], body["status"]) for url, body in sent] == [
        ("http://cb", sync.uri, "success")
    ]
