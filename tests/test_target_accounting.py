"""End to end: every record read is accounted for, and each one not loaded is listed.

``read`` = ``created`` + ``updated`` + ``rejected`` + ``merged`` + ``skipped`` + ``unchanged``
+ ``unmatched``, per stream and in all; records without an identifier are rejects
(``NO_IDENTIFIER``), records replaced in their batch are listed as ``MERGED``, and what Eloqua's
logs say beyond created, updated and rejected (rows an import rule left alone, records linked to
nothing) is told.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    PURCHASES_MAPPING,
    admin,
    emulator_config,
    record_message,
    rejects_in,
    run_target,
    summary_in,
    summary_row,
)

OUTCOMES = ("created", "updated", "rejected", "merged", "skipped", "unchanged", "unmatched")

ACCOUNTS: dict[str, Any] = {
    "identifier": "name",
    "fields": {"name": "M_CompanyName", "revenue": "M_Annual_Revenue1", "city": "M_City"},
}
STATE = {"type": "STATE", "value": {"bookmarks": {"crm_accounts": 1}}}


def schema(stream: str, *properties: str) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "key_properties": [],
        "schema": {"properties": {p: {"type": ["string", "number", "null"]} for p in properties}},
    }


def accounts(*records: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``crm_accounts`` stream: its SCHEMA, then ``records``."""
    return [
        schema("crm_accounts", "name", "revenue", "city"),
        *(record_message("crm_accounts", **r) for r in records),
    ]


def config(emulator: EmulatorServer, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    return emulator_config(
        emulator,
        **{
            "streams": {"crm_accounts": ACCOUNTS},
            "rejects_path": str(tmp_path / "rejects.jsonl"),
            "summary_path": str(tmp_path / "summary.json"),
            **settings,
        },
    )


def rejects(tmp_path: Path) -> list[dict[str, Any]]:
    return rejects_in(tmp_path / "rejects.jsonl")


def summary(tmp_path: Path) -> dict[str, Any]:
    return summary_in(tmp_path / "summary.json")


def stored_names(emulator: EmulatorServer) -> list[str]:
    return sorted(a["fields"]["M_CompanyName"] for a in admin(emulator, "records/accounts"))


def test_every_record_read_is_created_updated_rejected_merged_skipped_unchanged_or_unmatched(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    streams = {"crm_accounts": ACCOUNTS, "crm_updates": {**ACCOUNTS, "import_rule": "updateOnly"}}
    store = str(tmp_path / "changes.sqlite")
    settings = {"streams": streams, "unmapped_streams": "skip", "max_rejects": 10}
    loaded_before = accounts({"name": "Old"}, {"name": "Old Two"}, {"name": "Same", "city": "Rome"})
    run_target(config(emulator, tmp_path, change_store=store), loaded_before, tmp_path)
    messages = [
        *accounts(
            {"name": "Same", "city": "Rome"},  # unchanged since the last run
            {"name": "Old", "revenue": 1},  # updated
            {"name": "New", "revenue": 2},  # created
            {"name": "Twice", "revenue": 3},  # merged into the next one
            {"name": "twice", "revenue": 4},  # created
            {"name": "Lots", "revenue": "lots"},  # rejected by Eloqua
            {"name": None, "revenue": 5},  # rejected: no identifier
        ),
        schema("crm_updates", "name", "revenue", "city"),
        record_message("crm_updates", name="Old Two", city="Paris"),  # updated
        record_message("crm_updates", name="Nobody", city="Rome"),  # unmatched: updateOnly
        schema("crm_notes", "text"),
        record_message("crm_notes", text="a"),  # skipped: no mapping
        record_message("crm_notes", text="b"),  # skipped
        STATE,
    ]

    run = run_target(config(emulator, tmp_path, change_store=store, **settings), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE["value"]]
    numbers = summary(tmp_path)
    columns = ("read", *OUTCOMES)
    assert {s: tuple(n[c] for c in columns) for s, n in numbers["streams"].items()} == {
        # read, created, updated, rejected, merged, skipped, unchanged, unmatched
        "crm_accounts": (7, 2, 1, 2, 1, 0, 1, 0),
        "crm_updates": (2, 0, 1, 0, 0, 0, 0, 1),
        "crm_notes": (2, 0, 0, 0, 0, 2, 0, 0),
    }
    for counters in [*numbers["streams"].values(), numbers["totals"]]:
        assert counters["read"] == sum(counters[outcome] for outcome in OUTCOMES)
    assert all(numbers["totals"][outcome] for outcome in OUTCOMES)
    for stream, counters in numbers["streams"].items():
        row = summary_row(run.stderr, stream)
        assert [row[c] for c in columns] == [counters[c] for c in columns]
    assert "1 left alone by the import rule (unmatched)" in run.stderr
    assert [(line["status_code"], line["identifier"]) for line in rejects(tmp_path)] == [
        ("NO_IDENTIFIER", None),
        ("MERGED", "Twice"),
        ("ELQ-00040", "Lots"),
    ]


def test_a_record_without_an_identifier_is_rejected_and_never_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    blanks: list[dict[str, Any]] = [{"city": "A"}, {"name": None}, {"name": ""}, {"name": "  "}]
    messages = [*accounts({"name": "Acme"}, *blanks, {"name": "Beta"}), STATE]

    run = run_target(config(emulator, tmp_path, max_rejects=4), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE["value"]]
    lines = rejects(tmp_path)
    assert [(line["status_code"], line["message"], line["record"]) for line in lines] == [
        ("NO_IDENTIFIER", "the identifier is missing", {"city": "A"}),
        ("NO_IDENTIFIER", "the identifier is null", {"name": None}),
        ("NO_IDENTIFIER", "the identifier is empty", {"name": ""}),
        ("NO_IDENTIFIER", "the identifier is blank", {"name": "  "}),
    ]
    assert {line["invalid_fields"][0] for line in rejects(tmp_path)} == {"name"}
    assert stored_names(emulator) == ["Acme", "Beta"]
    [sync] = admin(emulator, "syncs")
    assert sync["counts"]["processed"] == 2
    counters = summary(tmp_path)["streams"]["crm_accounts"]
    assert (counters["read"], counters["rejected"], counters["created"]) == (6, 4, 2)
    assert "Stream 'crm_accounts' rejected 4 records NO_IDENTIFIER (the identifier is" in run.stderr


def test_records_without_an_identifier_count_against_max_rejects(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    messages = [*accounts({"name": "Acme"}, {"name": None}, {"name": ""}), STATE]

    run = run_target(config(emulator, tmp_path, max_rejects=1), messages, tmp_path)

    assert run.returncode == 1
    assert run.states == []
    assert "2 records rejected in this run, more than max_rejects (1)" in run.stderr
    assert [line["status_code"] for line in rejects(tmp_path)] == ["NO_IDENTIFIER"] * 2
    assert admin(emulator, "syncs") == []


def test_merged_records_are_listed_and_do_not_count_against_max_rejects(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    first = {"name": "Acme", "revenue": 1, "city": "Old"}
    messages = accounts(first, {"name": "Beta"}, {"name": "ACME", "revenue": 2, "city": "New"})

    run = run_target(config(emulator, tmp_path), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert rejects(tmp_path) == [
        {
            "stream": "crm_accounts",
            "identifier": "Acme",
            "status_code": "MERGED",
            "message": "replaced by a later record with the same identifier in its batch",
            "invalid_fields": [],
            "sync_uri": None,
            "record_index": None,
            "record": first,
        }
    ]
    assert stored_names(emulator) == ["ACME", "Beta"]
    assert (
        "Stream 'crm_accounts' merged 1 record into a later one with the same identifier, "
        "e.g. ACME" in run.stderr
    )


def test_without_rejects_path_the_log_still_names_merged_records(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    settings = {"rejects_path": None}
    messages = accounts({"name": "Acme"}, {"name": "Acme"}, {"name": "Beta"}, {"name": "beta"})

    run = run_target(config(emulator, tmp_path, **settings), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert "merged 2 records into a later one with the same identifier, e.g. Acme, beta" in (
        run.stderr
    )
    assert summary(tmp_path)["streams"]["crm_accounts"]["merged"] == 2


PEOPLE: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "crm_id",
    "fields": {"crm_id": "ContactIDExt", "email": "C_EmailAddress"},
}


def test_custom_object_records_linked_to_nothing_are_told(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    streams = {"people": PEOPLE, "purchases": PURCHASES_MAPPING}
    messages = [
        schema("people", "crm_id", "email"),
        record_message("people", crm_id="1", email="ann@acme.test"),
        schema("purchases", "order", "email", "product"),
        record_message("purchases", order="O-1", email="ann@acme.test", product="Kit"),
        record_message("purchases", order="O-2", email="nobody@acme.test", product="Kit"),
        record_message("purchases", order="O-3", email="", product="Kit"),
    ]

    run = run_target(config(emulator, tmp_path, streams=streams), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    [sync] = summary(tmp_path)["streams"]["purchases"]["syncs"]
    assert (sync["created"], sync["linked"]) == (3, 1)
    assert (
        "Stream 'purchases': 2 of 3 records loaded were linked to no contact or account"
        in run.stderr
    )
    [people_sync] = summary(tmp_path)["streams"]["people"]["syncs"]
    assert people_sync["linked"] is None


def test_a_contact_without_an_email_is_rejected_whatever_its_identifier(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    by_email = {**PEOPLE, "identifier": "email"}
    streams = {"people": PEOPLE, "people_by_email": by_email}
    messages = [
        schema("people", "crm_id", "email"),
        record_message("people", crm_id="1", email="ann@acme.test"),
        record_message("people", crm_id="2", email=None),
        schema("people_by_email", "crm_id", "email"),
        record_message("people_by_email", crm_id="3", email=None),
    ]

    run = run_target(config(emulator, tmp_path, streams=streams, max_rejects=2), messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert [(line["stream"], line["status_code"]) for line in rejects(tmp_path)] == [
        ("people_by_email", "NO_IDENTIFIER"),
        ("people", "ELQ-00061"),
    ]
    assert [c["fields"]["ContactIDExt"] for c in admin(emulator, "records/contacts")] == ["1"]
