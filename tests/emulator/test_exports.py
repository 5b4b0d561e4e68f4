"""Exports over HTTP, as Eloqua's export tutorial runs them: a definition, a sync, its data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Bulk

CONTACTS: dict[str, Any] = {
    "name": "contacts",
    "fields": {
        "email": "{{Contact.Field(C_EmailAddress)}}",
        "first": "{{Contact.Field(C_FirstName)}}",
    },
    "identifierFieldName": "email",
}
EXPORT: dict[str, Any] = {
    "name": "Belgian contacts",
    "fields": {
        "Email": "{{Contact.Field(C_EmailAddress)}}",
        "First": "{{Contact.Field(C_FirstName)}}",
    },
}


def export(bulk: Bulk, entity: str, body: dict[str, Any]) -> str:
    """Create the export definition and sync it to its end; the sync's uri."""
    created = bulk.post(f"/{entity}/exports", json=body)
    assert created.status_code == 201, created.text
    synced = bulk.sync(created.json()["uri"])
    assert synced["status"] == "success", synced
    uri: str = synced["uri"]
    return uri


def test_a_contact_export_reads_what_was_imported(bulk: Bulk) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com", "first": "Ann"}, {"email": "b@x.com"}])
    sync_uri = export(bulk, "contacts", EXPORT)

    body = bulk.get(sync_uri + "/data").json()
    assert body == {
        "items": [{"Email": "a@x.com", "First": "Ann"}, {"Email": "b@x.com", "First": ""}],
        "totalResults": 2,
        "limit": 1000,
        "offset": 0,
        "count": 2,
        "hasMore": False,
    }
    [exported, summary] = bulk.items(sync_uri + "/logs")
    assert (exported["statusCode"], exported["count"]) == ("ELQ-00102", 2)
    assert summary["statusCode"] == "ELQ-00101"


def test_the_data_pages_up_to_50000_rows_and_caps_a_larger_limit(bulk: Bulk) -> None:
    bulk.load("contacts", CONTACTS, [{"email": f"{n}@x.com"} for n in range(3)])
    sync_uri = export(bulk, "contacts", EXPORT)

    second = bulk.get(sync_uri + "/data", params={"limit": 2, "offset": 2}).json()
    assert (second["count"], second["hasMore"], second["items"][0]["Email"]) == (
        1,
        False,
        "2@x.com",
    )
    assert bulk.get(sync_uri + "/data", params={"limit": 60000}).json()["limit"] == 50000
    assert bulk.get(sync_uri + "/data", params={"limit": 0}).status_code == 400


def test_a_filter_selects_and_a_broken_one_is_400_with_failures(bulk: Bulk) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}, {"email": "b@x.com"}])
    filtered = {**EXPORT, "filter": "'{{Contact.Field(C_EmailAddress)}}' = 'B@X.COM'"}
    items = bulk.items(export(bulk, "contacts", filtered) + "/data")
    assert [item["Email"] for item in items] == ["b@x.com"]

    refused = bulk.post("/contacts/exports", json={**EXPORT, "filter": "'{{Contact.Id}}' > '1'"})
    assert refused.status_code == 400
    assert refused.reason == "There was a validation error."
    [failure] = refused.json()["failures"]
    assert failure["field"] == "filter"
    assert failure["constraint"].startswith("The emulator supports only")


SYSTEM_TIMESTAMPS: dict[str, Any] = {
    "name": "audit",
    "fields": {
        "Email": "{{Contact.Field(C_EmailAddress)}}",
        "Mod": "{{Contact.Field(C_DateModified)}}",
        "Cre": "{{Contact.Field(C_DateCreated)}}",
        "Id": "{{Contact.Id}}",
    },
}


def test_an_imported_contact_is_exported_with_its_system_timestamps(bulk: Bulk) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}])  # its sync ends at 17:00:01 UTC
    in_utc = {**SYSTEM_TIMESTAMPS, "areSystemTimestampsInUTC": True}

    eastern = bulk.items(export(bulk, "contacts", SYSTEM_TIMESTAMPS) + "/data")
    utc = bulk.items(export(bulk, "contacts", in_utc) + "/data")

    assert eastern == [
        {
            "Email": "a@x.com",
            "Mod": "2026-01-15 12:00:01.000",
            "Cre": "2026-01-15 12:00:01.000",
            "Id": "1",
        }
    ]
    assert utc == [
        {
            "Email": "a@x.com",
            "Mod": "2026-01-15 17:00:01.000",
            "Cre": "2026-01-15 17:00:01.000",
            "Id": "1",
        }
    ]


def test_a_filter_on_the_date_modified_reads_back_what_changed_since(bulk: Bulk) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}, {"email": "b@x.com"}])
    bulk.load("contacts", CONTACTS, [{"email": "b@x.com", "first": "Bea"}])  # an hour later
    since = {
        **SYSTEM_TIMESTAMPS,
        "filter": "'{{Contact.Field(C_DateModified)}}' > '2026-01-15 18:00:00'",
        "areSystemTimestampsInUTC": True,
    }

    assert bulk.items(export(bulk, "contacts", since) + "/data") == [
        {
            "Email": "b@x.com",
            "Mod": "2026-01-15 18:00:01.000",
            "Cre": "2026-01-15 17:00:01.000",
            "Id": "2",
        }
    ]


def test_custom_object_records_have_their_created_and_updated_at(bulk: Bulk) -> None:
    purchases = {
        "name": "p",
        "fields": {"o": "{{CustomObject[9].Field[101]}}", "p": "{{CustomObject[9].Field[107]}}"},
        "identifierFieldName": "o",
    }
    bulk.load("customObjects/9", purchases, [{"o": "1", "p": "Pen"}, {"o": "2", "p": "Ink"}])
    bulk.load("customObjects/9", purchases, [{"o": "2", "p": "Paper"}])
    body = {
        "name": "purchases",
        "fields": {
            "Order": "{{CustomObject[9].Field[101]}}",
            "Created": "{{CustomObject[9].CreatedAt}}",
            "Updated": "{{CustomObject[9].UpdatedAt}}",
        },
        "filter": "'{{CustomObject[9].UpdatedAt}}' >= '2026-01-15 13:00:01'",
    }

    assert bulk.items(export(bulk, "customObjects/9", body) + "/data") == [
        {"Order": "2", "Created": "2026-01-15 12:00:01.000", "Updated": "2026-01-15 13:00:01.000"}
    ]


def test_a_contact_list_filter_selects_its_members(bulk: Bulk) -> None:
    in_list = {
        **CONTACTS,
        "syncActions": [{"action": "add", "destination": "{{ContactList[101]}}"}],
    }
    bulk.load("contacts", in_list, [{"email": "member@x.com"}])
    bulk.load("contacts", CONTACTS, [{"email": "other@x.com"}])
    members = {**EXPORT, "filter": "EXISTS('{{ContactList[101]}}')"}
    assert [i["Email"] for i in bulk.items(export(bulk, "contacts", members) + "/data")] == [
        "member@x.com"
    ]


@pytest.mark.parametrize(
    ("entity", "fields"),
    [
        ("accounts", {"Name": "{{Account.Field(M_CompanyName)}}", "Id": "{{Account.Id}}"}),
        ("customObjects/9", {"Order": "{{CustomObject[9].Field[101]}}"}),
        ("activities", {"Id": "{{Activity.Id}}", "Type": "{{Activity.Type}}"}),
    ],
)
def test_accounts_custom_objects_and_activities_export_too(
    bulk: Bulk, entity: str, fields: dict[str, str]
) -> None:
    uri = bulk.post(f"/{entity}/exports", json={"name": "x", "fields": fields}).json()["uri"]
    assert uri.startswith(f"/{entity}/exports/")
    assert bulk.get(uri).json()["fields"] == fields
    assert [item["uri"] for item in bulk.items(f"/{entity}/exports")] == [uri]
    assert bulk.delete(uri).status_code == 204
    assert bulk.get(uri).status_code == 404
    assert (
        bulk.post("/customObjects/404/exports", json={"name": "x", "fields": fields}).status_code
        == 404
    )


def test_event_registrations_and_campaign_responses_export_what_imports_wrote(bulk: Bulk) -> None:
    registrations: dict[str, Any] = {
        "name": "registrations",
        "fields": {"email": "{{Event[5].Field[501]}}"},
        "identifierFieldName": "email",
    }
    responses: dict[str, Any] = {
        "name": "campaign members",
        "fields": {
            "id": "{{CampaignResponse.Id}}",
            "member": "{{CampaignResponse.Field(IntegrationReturnValue)}}",
        },
        "identifierFieldName": "id",
    }
    bulk.load("events/5", registrations, [{"email": "Ann@x.com"}])
    bulk.load("campaignResponses", responses, [{"id": "2", "member": "M-2"}])

    event = {"name": "x", "fields": {"Email": "{{Event[5].Field[501]}}"}}
    response = {
        "name": "x",
        "fields": {"Id": "{{CampaignResponse.Id}}", "Member": responses["fields"]["member"]},
        "filter": "'{{CampaignResponse.Id}}' = '2'",
    }
    assert bulk.items(export(bulk, "events/5", event) + "/data") == [{"Email": "ann@x.com"}]
    assert bulk.items(export(bulk, "campaignResponses", response) + "/data") == [
        {"Id": "2", "Member": "M-2"}
    ]


def test_an_import_syncs_data_is_400_and_an_unknown_syncs_404(bulk: Bulk) -> None:
    sync = bulk.load("contacts", CONTACTS, [{"email": "a@x.com"}])
    refused = bulk.get(sync["uri"] + "/data")
    assert refused.status_code == 400
    assert refused.json()["failures"][0]["field"] == "id"
    assert bulk.get("/syncs/999/data").status_code == 404


def test_the_data_of_an_export_sync_not_yet_ended_is_empty(bulk: Bulk) -> None:
    uri = bulk.post("/contacts/exports", json=EXPORT).json()["uri"]
    sync = bulk.post("/syncs", json={"syncedInstanceUri": uri}).json()
    assert bulk.get(sync["uri"] + "/data").json()["items"] == []
