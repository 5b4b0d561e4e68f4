"""Event registrations, like custom object records, and the campaign responses Eloqua made,
which imports only write to."""

from __future__ import annotations

from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import Bulk, admin, admin_post

REGISTRATIONS: dict[str, Any] = {
    "name": "registrations",
    "fields": {"email": "{{Event[5].Field[501]}}", "session": "{{Event[5].Field[507]}}"},
    "identifierFieldName": "email",
}
RESPONSES: dict[str, Any] = {
    "name": "campaign members",
    "fields": {
        "id": "{{CampaignResponse.Id}}",
        "member": "{{CampaignResponse.Field(IntegrationReturnValue)}}",
    },
    "identifierFieldName": "id",
}


def test_registrations_are_upserted_and_counted_as_event_data(
    bulk: Bulk, server: EmulatorServer
) -> None:
    sync = bulk.load(
        "events/5",
        REGISTRATIONS,
        [
            {"email": "ann@example.com", "session": "Morning"},
            {"email": "ANN@example.com", "session": "Evening"},
            {"email": "bob@example.com", "session": ""},
        ],
    )

    stored = admin(server, "records/events/5")
    assert [(r["fields"], r["mappedEntity"]) for r in stored] == [
        ({"Email_Address1": "ANN@example.com", "Session1": "Evening"}, None)
    ]
    assert bulk.log_counts(sync) == {
        "ELQ-00001": 3,
        "ELQ-00061": 1,
        "ELQ-00060": 1,
        "ELQ-00081": 1,
        "ELQ-00077": 1,
        "ELQ-00079": 1,
        "ELQ-00101": 0,
    }
    assert admin_post(server, "reset").status_code == 204
    assert admin(server, "records/events/5") == []


def test_campaign_responses_are_written_to_never_created(
    bulk: Bulk, server: EmulatorServer
) -> None:
    sync = bulk.load(
        "campaignResponses",
        RESPONSES,
        [{"id": "2", "member": "CM-2"}, {"id": "7", "member": "CM-7"}],
    )

    stored = {
        r["id"]: r["fields"]["IntegrationReturnValue"]
        for r in admin(server, "records/campaignResponses")
    }
    assert stored == {1: "", 2: "CM-2", 3: ""}
    assert bulk.log_counts(sync)["ELQ-00034"] == 1  # Total unmatched records.
    admin_post(server, "reset")
    assert admin(server, "records/campaignResponses")[1]["fields"]["IntegrationReturnValue"] == ""
