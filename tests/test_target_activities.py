"""End to end: external activities, as docs/mapping.md shows them, loaded after the contacts
they name."""

from __future__ import annotations

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
    summary_row,
)

TEXT = {"type": "string"}
WEBINAR_ATTENDANCE: dict[str, Any] = {
    "entity": "activities",
    "fields": {
        "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "activity": "{{Activity.Type}}",
        "asset_type": "{{Activity.Asset.Type}}",
        "webinar": "{{Activity.Asset.Name}}",
        "attended_at": "{{Activity.CreatedAt}}",
        "campaign_id": "{{Activity.Campaign.Id}}",
    },
}
ATTENDANCE_SCHEMA = schema_message(
    "attendance",
    {
        "email": TEXT,
        "activity": TEXT,
        "asset_type": TEXT,
        "webinar": TEXT,
        "attended_at": {"type": "string", "format": "date-time"},
        "campaign_id": {"type": ["integer", "null"]},
    },
)


def attended(email: str, webinar: str, at: str, activity: str = "Attended") -> dict[str, Any]:
    return record_message(
        "attendance",
        email=email,
        activity=activity,
        asset_type="Webinar",
        webinar=webinar,
        attended_at=at,
        campaign_id=1001,
    )


def test_activities_are_each_a_new_record_of_the_contact_they_name(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rejects_path = tmp_path / "rejects.jsonl"
    config = emulator_config(
        emulator,
        streams={"crm_contacts": CONTACTS_BY_EMAIL, "attendance": WEBINAR_ATTENDANCE},
        rejects_path=str(rejects_path),
        max_rejects=1,
    )
    messages = [
        ATTENDANCE_SCHEMA,
        schema_message("crm_contacts", {"email": TEXT}, ["email"]),
        # The activities come first; their contacts are loaded before them all the same.
        attended("ann@example.com", "Launch", "2026-03-01T10:00:00+01:00"),
        attended("ann@example.com", "Launch", "2026-03-01T10:00:00+01:00"),
        attended("bob@example.com", "Roadmap", "2026-03-02T16:30:00Z"),
        attended("bob@example.com", "Roadmap", "2026-03-02T16:30:00Z", activity="Danced"),
        record_message("crm_contacts", email="ann@example.com"),
        record_message("crm_contacts", email="bob@example.com"),
        {"type": "STATE", "value": {"position": 6}},
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [{"position": 6}]
    ids = contact_ids(emulator)
    stored = [
        (activity["contactId"], activity["fields"])
        for activity in admin(emulator, "records/activities")
    ]
    launch = {
        "ActivityType": "Attended",
        "AssetType": "Webinar",
        "AssetName": "Launch",
        "ActivityDate": "2026-03-01 09:00:00",
        "CampaignId": "1001",
    }
    roadmap = {**launch, "AssetName": "Roadmap", "ActivityDate": "2026-03-02 16:30:00"}
    assert stored == [
        (ids["ann@example.com"], launch),
        (ids["ann@example.com"], launch),
        (ids["bob@example.com"], roadmap),
    ]
    [reject] = rejects_in(rejects_path)
    assert (reject["stream"], reject["status_code"], reject["invalid_fields"]) == (
        "attendance",
        "ELQ-00070",
        ["activity"],
    )
    assert reject["record"]["activity"] == "Danced"
    assert reject["identifier"] is None
    assert (
        "Stream 'attendance' rejected 1 record ELQ-00070 (Activity Type not found.), e.g. record 4"
        in run.stderr
    )
    numbers = summary_row(run.stderr, "attendance")
    assert (numbers["read"], numbers["merged"], numbers["created"], numbers["rejected"]) == (
        4,
        0,
        3,
        1,
    )


def test_an_activity_mapping_is_checked_before_anything_is_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    mapping = {
        "entity": "activities",
        "identifier": "email",
        "update_rule": "always",
        "fields": {
            "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
            "webinar": "{{Activity.Asset.Name}}",
            "company": "{{Contact.Field(C_Company)}}",
        },
    }
    config = emulator_config(emulator, streams={"attendance": mapping})

    run = run_target(config, [ATTENDANCE_SCHEMA], tmp_path)

    assert run.returncode == 1
    for problem in (
        "activities take no 'identifier'",
        "field '{{Contact.Field(C_Company)}}': a field of contacts, but the stream imports into "
        "activities",
        "update_rule is for accounts, contacts, custom objects, events, opportunities and "
        "campaign responses only, not activities",
    ):
        assert problem in run.stderr
    assert admin(emulator, "requests") == []
