"""End to end: opportunities from a CRM and their links to contacts, as docs/mapping.md shows
them: opportunities load before the links to them, and contacts before the links and
activities that name them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    CONTACTS_BY_EMAIL,
    admin,
    contact_ids,
    emulator_config,
    record_message,
    rejects_in,
    run_target,
    schema_message,
)

TEXT = {"type": "string"}
OPPORTUNITIES: dict[str, Any] = {
    "entity": "opportunities",
    "identifier": "id",
    "fields": {
        "id": "{{Opportunity.Id}}",
        "name": "{{Opportunity.Field(Name)}}",
        "stage": "{{Opportunity.Field(Stage)}}",
        "amount": "{{Opportunity.Field(Amount)}}",
        "close_date": "{{Opportunity.Field(CloseDate)}}",
    },
}
OPPORTUNITY_CONTACTS: dict[str, Any] = {
    "entity": "opportunities/contacts",
    "fields": {
        "opportunity_id": "{{Opportunity.Id}}",
        "email": "{{Opportunity.Contact.Field(C_EmailAddress)}}",
    },
}
ACTIVITIES: dict[str, Any] = {
    "entity": "activities",
    "fields": {
        "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "activity": "{{Activity.Type}}",
        "asset_type": "{{Activity.Asset.Type}}",
        "booth": "{{Activity.Asset.Name}}",
        "at": "{{Activity.CreatedAt}}",
    },
}
SCHEMAS = [
    schema_message("contacts", {"email": TEXT}, ["email"]),
    schema_message(
        "deals",
        {
            "id": TEXT,
            "name": TEXT,
            "stage": TEXT,
            "amount": {"type": "number"},
            "close_date": {"type": ["string", "null"], "format": "date"},
        },
        ["id"],
    ),
    schema_message("deal_contacts", {"opportunity_id": TEXT, "email": TEXT}),
    schema_message(
        "visits", {"email": TEXT, "activity": TEXT, "asset_type": TEXT, "booth": TEXT, "at": TEXT}
    ),
]


def deal(deal_id: str, stage: str = "Proposal", amount: float = 12000.5) -> dict[str, Any]:
    return record_message(
        "deals", id=deal_id, name=f"Deal {deal_id}", stage=stage, amount=amount, close_date=None
    )


def link(deal_id: str, email: str) -> dict[str, Any]:
    return record_message("deal_contacts", opportunity_id=deal_id, email=email)


def visit(email: str) -> dict[str, Any]:
    return record_message(
        "visits",
        email=email,
        activity="Visited Booth",
        asset_type="Tradeshow",
        booth="Booth 12",
        at="2026-04-20 11:00:00",
    )


def contact(email: str) -> dict[str, Any]:
    return record_message("contacts", email=email)


def test_every_link_resolves_though_each_record_drains_on_its_own(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    streams = {
        "contacts": CONTACTS_BY_EMAIL,
        "deals": OPPORTUNITIES,
        "deal_contacts": OPPORTUNITY_CONTACTS,
        "visits": ACTIVITIES,
    }
    config = emulator_config(emulator, streams=streams, batch_size_rows=1)
    messages = [
        *SCHEMAS,
        contact("ann@example.com"),
        deal("OPP-1"),
        link("OPP-1", "ann@example.com"),
        visit("ann@example.com"),
        contact("bob@example.com"),
        deal("OPP-2"),
        link("OPP-2", "bob@example.com"),
        link("OPP-1", "bob@example.com"),
        visit("bob@example.com"),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    ids = contact_ids(emulator)
    ann, bob = ids["ann@example.com"], ids["bob@example.com"]
    linked = {
        o["fields"]["RemoteOpportunityID"]: o["contactIds"]
        for o in admin(emulator, "records/opportunities")
    }
    assert linked == {"OPP-1": [ann, bob], "OPP-2": [bob]}
    assert [a["contactId"] for a in admin(emulator, "records/activities")] == [ann, bob]
    assert all(sync["counts"]["rejected"] == 0 for sync in admin(emulator, "syncs"))


def test_opportunities_are_upserted_on_their_id_and_bad_rows_are_rejected(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rejects_path = tmp_path / "rejects.jsonl"
    config = emulator_config(
        emulator,
        streams={
            "contacts": CONTACTS_BY_EMAIL,
            "deals": OPPORTUNITIES,
            "deal_contacts": OPPORTUNITY_CONTACTS,
        },
        rejects_path=str(rejects_path),
        summary_path=str(tmp_path / "summary.json"),
        max_rejects=3,
    )
    messages = [
        *SCHEMAS[:3],
        contact("ann@example.com"),
        deal("OPP-1", stage="Prospecting", amount=500),
        deal("OPP-2", stage="Daydreaming"),
        link("OPP-1", "ann@example.com"),
        link("OPP-9", "ann@example.com"),
        link("OPP-1", "nobody@example.com"),
    ]

    first = run_target(config, messages, tmp_path)
    first_rejects = rejects_in(rejects_path)
    first_summary = json.loads((tmp_path / "summary.json").read_text())
    second = run_target(config, [*SCHEMAS[:3], deal("opp-1", stage="Closed Won")], tmp_path)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert {
        (reject["stream"], reject["status_code"], *reject["invalid_fields"]): reject["record"]
        for reject in first_rejects
    } == {
        ("deals", "ELQ-00039", "stage"): {
            "id": "OPP-2",
            "name": "Deal OPP-2",
            "stage": "Daydreaming",
            "amount": 12000.5,
            "close_date": None,
        },
        ("deal_contacts", "ELQ-00084", "opportunity_id"): {
            "opportunity_id": "OPP-9",
            "email": "ann@example.com",
        },
        ("deal_contacts", "ELQ-00085", "email"): {
            "opportunity_id": "OPP-1",
            "email": "nobody@example.com",
        },
    }
    [opportunity] = admin(emulator, "records/opportunities")
    assert opportunity["fields"] == {  # matched in any letter case, then written over
        "RemoteOpportunityID": "opp-1",
        "OpportunityName": "Deal opp-1",
        "OpportunityStageID": "Closed Won",
        "Amount": "12000.5",
        "CloseDate": "",
    }
    [ann] = admin(emulator, "records/contacts")
    assert opportunity["contactIds"] == [ann["id"]]
    counted = {  # every record accounted for, though Eloqua's logs count none updated
        stream: (s["read"], s["created"], s["updated"], s["rejected"])
        for stream, s in first_summary["streams"].items()
    }
    assert counted == {
        "contacts": (1, 1, 0, 0),
        "deals": (2, 1, 0, 1),
        "deal_contacts": (3, 0, 1, 2),
    }
