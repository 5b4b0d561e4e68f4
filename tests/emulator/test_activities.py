"""External activities: each row a new activity of a contact, on an external asset."""

from __future__ import annotations

from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import Bulk, admin
from tests.emulator.test_definitions import ACTIVITIES as ACTIVITY_DEFINITION
from tests.emulator.test_definitions import CONTACTS

ACTIVITIES: dict[str, Any] = {
    **ACTIVITY_DEFINITION,
    "fields": {**ACTIVITY_DEFINITION["fields"], "campaign": "{{Activity.Campaign.Id}}"},
}


def visit(email: str, **changes: str) -> dict[str, str]:
    return {
        "email": email,
        "type": "Visited Booth",
        "asset_type": "Tradeshow",
        "asset_name": "Booth 12",
        "date": "2026-04-20 11:00:00",
        "campaign": "1002",
        **changes,
    }


def test_each_row_is_a_new_activity_of_its_contact_and_names_an_asset(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "ann@example.com"}])
    [ann] = admin(server, "records/contacts")

    sync = bulk.load(
        "activities",
        ACTIVITIES,
        [
            visit("ann@example.com"),
            visit("ANN@example.com"),
            visit("ann@example.com", asset_name="Booth 7"),
        ],
    )

    assert sync["status"] == "success"
    stored = admin(server, "records/activities")
    assert [(a["id"], a["contactId"], a["fields"]["AssetName"]) for a in stored] == [
        (1, ann["id"], "Booth 12"),
        (2, ann["id"], "Booth 12"),
        (3, ann["id"], "Booth 7"),
    ]
    assert stored[0]["fields"] == {
        "ActivityType": "Visited Booth",
        "AssetType": "Tradeshow",
        "AssetName": "Booth 12",
        "ActivityDate": "2026-04-20 11:00:00",
        "CampaignId": "1002",
    }
    assert bulk.log_counts(sync) == {
        "ELQ-00001": 3,
        "ELQ-00068": 2,
        "ELQ-00069": 3,
        "ELQ-00101": 0,
    }


def test_activities_of_unknown_types_campaigns_and_contacts_are_rejected(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "ann@example.com"}])
    rows = [
        visit("ann@example.com", asset_type="Podcast"),
        visit("ann@example.com", type="Watched Recording"),
        visit("ann@example.com", campaign="4"),
        visit("zed@example.com"),
        visit("ann@example.com", date="yesterday"),
        visit("", asset_name=""),
        visit("ann@example.com"),
    ]

    sync = bulk.load("activities", ACTIVITIES, rows)

    assert sync["status"] == "warning"
    rejects = bulk.items(sync["uri"] + "/rejects")
    assert [(r["recordIndex"], r["statusCode"], r["invalidFields"]) for r in rejects] == [
        (1, "ELQ-00072", ["asset_type"]),
        (2, "ELQ-00070", ["type"]),
        (3, "ELQ-00055", ["campaign"]),
        (4, "ELQ-00085", ["email"]),
        (5, "ELQ-00040", ["date"]),
        (6, "ELQ-00061", ["email", "asset_name"]),
    ]
    assert [r["message"] for r in rejects[:4]] == [
        "Asset Type not found.",
        "Activity Type not found.",
        "Campaign not found.",
        "Contact does not exist.",
    ]
    assert bulk.log_counts(sync)["ELQ-00069"] == 1
    assert len(admin(server, "records/activities")) == 1


def test_an_identifier_is_ignored_since_activities_are_never_updated(bulk: Bulk) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "ann@example.com"}])

    sync = bulk.load(
        "activities", {**ACTIVITIES, "identifierFieldName": "email"}, [visit("ann@example.com")] * 2
    )

    [ignored] = [i for i in bulk.items(sync["uri"] + "/logs") if i["statusCode"] == "ELQ-00123"]
    assert ignored["message"] == (
        "identifierField email will be ignored since Activities are never updated."
    )
    assert bulk.log_counts(sync)["ELQ-00069"] == 2


def test_activities_have_no_fields_listing(bulk: Bulk) -> None:
    assert bulk.get("/activities/fields").status_code == 404
    assert bulk.get("/opportunities/contacts/fields").status_code == 404


def test_imported_activities_export_back_with_their_contact(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "ann@example.com"}])
    [ann] = admin(server, "records/contacts")
    bulk.load("activities", ACTIVITIES, [visit("ann@example.com")])
    fields = {
        "type": "{{Activity.Type}}",
        "asset": "{{Activity.Asset.Name}}",
        "at": "{{Activity.CreatedAt}}",
        "contact": "{{Activity.Contact.Id}}",
    }
    created = bulk.post("/activities/exports", json={"name": "x", "fields": fields})
    sync = bulk.sync(created.json()["uri"])

    assert bulk.items(sync["uri"] + "/data") == [
        {
            "type": "Visited Booth",
            "asset": "Booth 12",
            "at": "2026-04-20 11:00:00.000",
            "contact": str(ann["id"]),
        }
    ]
