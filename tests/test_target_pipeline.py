"""End to end: syncs run while the next batch uploads, in an order where links resolve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.support import admin, emulator_config, plan_next_syncs, run_target

COMPANIES: dict[str, Any] = {
    "entity": "accounts",
    "identifier": "id",
    "fields": {"id": "CompanyIDExt", "name": "M_CompanyName", "city": "M_City"},
}
PEOPLE: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {"email": "C_EmailAddress", "company": "{{Contact.Account.Field(M_CompanyName)}}"},
}
PURCHASES: dict[str, Any] = {
    "entity": "customObjects/9",
    "identifier": "order",
    "fields": {"order": "Order_Number1", "email": "Contact_Email1"},
    "map_data_cards": {
        "entity_type": "Contact",
        "entity_field": "C_EmailAddress",
        "source_property": "email",
    },
}


def schema(stream: str, *properties: str) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "key_properties": [properties[0]],
        "schema": {"properties": {name: {"type": "string"} for name in properties}},
    }


def record(stream: str, **values: str) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": values}


def state(position: int) -> dict[str, Any]:
    return {"type": "STATE", "value": {"bookmarks": {"all": position}}}


def companies(*records: tuple[str, str]) -> list[dict[str, Any]]:
    """The companies stream's schema, then one record for each ``(id, city)``."""
    return [
        schema("companies", "id", "name", "city"),
        *(record("companies", id=id_, name=f"Company {id_}", city=city) for id_, city in records),
    ]


def syncs(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return sorted(admin(emulator, "syncs"), key=lambda sync: sync["createdAt"])


def test_the_next_batch_is_uploaded_and_synced_while_the_last_one_syncs(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, count=4, seconds=1.0)
    config = emulator_config(emulator, streams={"companies": COMPANIES}, batch_size_rows=2)
    messages = [*companies(*((f"A{n}", "Oslo") for n in range(8))), state(8)]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [state(8)["value"]]
    first, second, *_ = syncs(emulator)
    assert second["createdAt"] < first["syncEndedAt"]
    assert second["syncedInstanceUri"] != first["syncedInstanceUri"]
    assert len({sync["syncedInstanceUri"] for sync in syncs(emulator)}) == 2
    assert len(admin(emulator, "records/accounts")) == 8


def test_a_batch_sharing_an_identifier_with_a_running_sync_waits_for_it(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, count=2, seconds=0.5)
    config = emulator_config(emulator, streams={"companies": COMPANIES}, batch_size_rows=2)
    messages = companies(("A1", "Oslo"), ("A2", "Oslo"), ("A1", "Bergen"), ("A3", "Oslo"))

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    first, second = syncs(emulator)
    assert second["createdAt"] > first["syncEndedAt"]
    cities = {
        a["fields"]["CompanyIDExt"]: a["fields"]["M_City"]
        for a in admin(emulator, "records/accounts")
    }
    assert cities == {"A1": "Bergen", "A2": "Oslo", "A3": "Oslo"}


def test_a_failed_sync_stops_the_syncs_that_follow_it_and_writes_no_state(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, count=1, seconds=0.5, status="error")
    config = emulator_config(emulator, streams={"companies": COMPANIES}, batch_size_rows=2)
    messages = [
        *companies(("A1", "Oslo"), ("A2", "Oslo"), ("A1", "Bergen"), ("A3", "Oslo")),
        state(4),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 1
    assert run.states == []
    assert len(syncs(emulator)) == 1
    assert "are not synced" in run.stderr


def test_linked_streams_load_accounts_then_contacts_then_custom_objects(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    """Each account, its contact and the contact's two purchases: the purchases' sink is full
    first each time, and its sync still comes after those of the contact and account before it.
    """
    plan_next_syncs(emulator, count=2, seconds=1.0)  # the first account's and contact's
    streams = {"companies": COMPANIES, "people": PEOPLE, "purchases": PURCHASES}
    config = emulator_config(emulator, streams=streams, batch_size_rows=2)
    messages = [
        schema("purchases", "order", "email"),
        schema("people", "email", "company"),
        schema("companies", "id", "name", "city"),
    ]
    for n in range(5):
        messages += [
            record("companies", id=f"A{n}", name=f"Company A{n}", city="Oslo"),
            record("people", email=f"p{n}@example.com", company=f"Company A{n}"),
            record("purchases", order=f"O-{n}a", email=f"p{n}@example.com"),
            record("purchases", order=f"O-{n}b", email=f"p{n}@example.com"),
            state(n),
        ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states[-1] == state(4)["value"]
    accounts = {a["id"]: a["fields"]["M_CompanyName"] for a in admin(emulator, "records/accounts")}
    contacts = {c["id"]: c for c in admin(emulator, "records/contacts")}
    purchases = admin(emulator, "records/customObjects/9")
    assert sorted(accounts.values()) == [f"Company A{n}" for n in range(5)]
    assert {c["fields"]["C_EmailAddress"]: accounts[c["accountId"]] for c in contacts.values()} == {
        f"p{n}@example.com": f"Company A{n}" for n in range(5)
    }
    assert {
        p["fields"]["Order_Number1"]: contacts[p["mappedEntity"]["id"]]["fields"]["C_EmailAddress"]
        for p in purchases
    } == {f"O-{n}{x}": f"p{n}@example.com" for n in range(5) for x in "ab"}
