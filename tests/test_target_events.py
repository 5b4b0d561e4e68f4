"""End to end: registrations of an event, as docs/mapping.md shows them, linked to contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    CONTACTS_BY_EMAIL,
    admin,
    emulator_config,
    record_message,
    rejects_in,
    run_target,
    schema_message,
)

TEXT = {"type": ["string", "null"]}
REGISTRATIONS: dict[str, Any] = {
    "entity": "events/5",
    "identifier": "email",
    "fields": {
        "email": "{{Event[5].Field[501]}}",
        "first_name": "First_Name1",
        "registered_at": "{{Event[5].Field[505]}}",
        "attended": "{{Event[5].Field[506]}}",
        "session": "{{Event[5].Field[507]}}",
    },
    "map_data_cards": {
        "entity_type": "Contact",
        "entity_field": "C_EmailAddress",
        "source_property": "email",
    },
}


def registration(email: str, session: str | None, attended: bool = False) -> dict[str, Any]:
    return record_message(
        "registrations",
        email=email,
        first_name="Ann",
        registered_at="2026-05-04T08:00:00Z",
        attended=attended,
        session=session,
    )


def test_registrations_are_upserted_and_linked_to_the_contacts_loaded_before_them(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rejects_path = tmp_path / "rejects.jsonl"
    config = emulator_config(
        emulator,
        streams={"contacts": CONTACTS_BY_EMAIL, "registrations": REGISTRATIONS},
        rejects_path=str(rejects_path),
        max_rejects=1,
    )
    properties = {
        "email": TEXT,
        "first_name": TEXT,
        "registered_at": {"type": "string", "format": "date-time"},
        "attended": {"type": "boolean"},
        "session": TEXT,
    }
    messages = [
        schema_message("registrations", properties, ["email"]),
        schema_message("contacts", {"email": TEXT}, ["email"]),
        registration("ann@example.com", "Morning"),
        registration("bob@example.com", None),
        record_message("contacts", email="ann@example.com"),
    ]

    first = run_target(config, messages, tmp_path)
    [reject] = rejects_in(rejects_path)
    second = run_target(
        config, [messages[0], registration("ANN@example.com", "Evening", attended=True)], tmp_path
    )

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    [ann] = admin(emulator, "records/contacts")
    [stored] = admin(emulator, "records/events/5")
    assert stored["fields"] == {
        "Email_Address1": "ANN@example.com",
        "First_Name1": "Ann",
        "Registered_At1": "2026-05-04 08:00:00",
        "Attended1": "true",
        "Session1": "Evening",
    }
    assert stored["mappedEntity"] == {"type": "Contact", "id": ann["id"]}
    assert (reject["status_code"], reject["invalid_fields"]) == ("ELQ-00061", ["session"])
    assert reject["record"]["email"] == "bob@example.com"
