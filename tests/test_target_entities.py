"""End to end: contacts and custom objects, as docs/mapping.md shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.support import admin, emulator_config, run_target


def schema(stream: str, key: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "key_properties": [key],
        "schema": {"properties": properties},
    }


def record(stream: str, **values: Any) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": values}


STRING = {"type": "string"}
CONTACTS: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {
        "email": "{{Contact.Field(C_EmailAddress)}}",
        "first_name": "{{Contact.Field(C_FirstName)}}",
    },
}
CONTACTS_SCHEMA = schema("crm_contacts", "email", {"email": STRING, "first_name": STRING})


def test_a_contact_with_an_invalid_email_is_a_reject_with_its_record(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rejects_path = tmp_path / "rejects.jsonl"
    config = emulator_config(
        emulator,
        streams={"crm_contacts": CONTACTS},
        rejects_path=str(rejects_path),
        max_rejects=1,
    )
    messages = [
        CONTACTS_SCHEMA,
        record("crm_contacts", email="ann@example.com", first_name="Ann"),
        record("crm_contacts", email="not an email", first_name="Bob"),
        {"type": "STATE", "value": {"position": 2}},
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [{"position": 2}]
    stored = [c["fields"]["C_EmailAddress"] for c in admin(emulator, "records/contacts")]
    assert stored == ["ann@example.com"]
    [reject] = [json.loads(line) for line in rejects_path.read_text().splitlines()]
    assert reject["stream"] == "crm_contacts"
    assert reject["status_code"] == "ELQ-00002"
    assert reject["record"] == {"email": "not an email", "first_name": "Bob"}


def test_contacts_keyed_on_an_external_id_can_change_their_email(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    by_external_id = {
        "entity": "contacts",
        "identifier": "crm_id",
        "fields": {"crm_id": "ContactIDExt", "email": "C_EmailAddress"},
        "update_multiple_matched_records": False,
    }
    config = emulator_config(emulator, streams={"people": by_external_id})
    people_schema = schema("people", "crm_id", {"crm_id": STRING, "email": STRING})

    for email in ("old@example.com", "new@example.com"):
        run = run_target(
            config, [people_schema, record("people", crm_id="C-1", email=email)], tmp_path
        )
        assert run.returncode == 0, run.stderr

    [contact] = admin(emulator, "records/contacts")
    assert contact["fields"]["ContactIDExt"] == "C-1"
    assert contact["fields"]["C_EmailAddress"] == "new@example.com"


def test_custom_object_fields_by_id_load_typed_values_linked_to_accounts(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    companies = {
        "entity": "accounts",
        "identifier": "id",
        "fields": {"id": "CompanyIDExt", "name": "M_CompanyName"},
    }
    purchases = {
        "entity": "customObjects/9",
        "identifier": "order_number",
        "fields": {
            "order_number": "{{CustomObject[9].Field[101]}}",
            "amount": "{{CustomObject[9].Field[103]}}",
            "purchased_at": "{{CustomObject[9].Field[104]}}",
            "company_id": "{{CustomObject[9].Field[107]}}",
        },
        "map_data_cards": {
            "entity_type": "Company",
            "entity_field": "CompanyIDExt",
            "source_property": "company_id",
        },
    }
    config = emulator_config(emulator, streams={"companies": companies, "purchases": purchases})
    purchase_properties = {
        "order_number": STRING,
        "amount": {"type": "number"},
        "purchased_at": {"type": "string", "format": "date-time"},
        "company_id": STRING,
    }
    messages = [
        schema("purchases", "order_number", purchase_properties),
        schema("companies", "id", {"id": STRING, "name": STRING}),
        record("companies", id="A-1", name="Acme"),
        record(
            "purchases",
            order_number="O-1",
            amount=12.5,
            purchased_at="2026-11-28T10:30:00+01:00",
            company_id="A-1",
        ),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    [account] = admin(emulator, "records/accounts")
    [purchase] = admin(emulator, "records/customObjects/9")
    assert purchase["fields"]["Order_Number1"] == "O-1"
    assert purchase["fields"]["Amount1"] == "12.5"
    assert purchase["fields"]["Purchased_At1"] == "2026-11-28 09:30:00"
    assert purchase["mappedEntity"] == {"type": "Company", "id": account["id"]}
