"""End to end: a CRM's campaign member ids written back to Eloqua's campaign responses, as
docs/mapping.md shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    admin,
    emulator_config,
    record_message,
    rejects_in,
    run_target,
    schema_message,
)

CAMPAIGN_MEMBERS: dict[str, Any] = {
    "entity": "campaignResponses",
    "identifier": "response_id",
    "fields": {
        "response_id": "{{CampaignResponse.Id}}",
        "member_id": "{{CampaignResponse.Field(IntegrationReturnValue)}}",
    },
}


def member(response_id: Any, member_id: str) -> dict[str, Any]:
    return record_message("members", response_id=response_id, member_id=member_id)


def test_member_ids_are_written_to_the_responses_eloqua_has(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rejects_path = tmp_path / "rejects.jsonl"
    config = emulator_config(
        emulator,
        streams={"members": CAMPAIGN_MEMBERS},
        rejects_path=str(rejects_path),
        max_rejects=1,
    )
    properties = {"response_id": {"type": ["integer", "string"]}, "member_id": {"type": "string"}}
    messages = [
        schema_message("members", properties, ["response_id"]),
        member(1, "00v5e00000Ab1"),
        member(3, "00v5e00000Ab3"),
        member("R-2", "00v5e00000Ab2"),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    stored = {
        response["id"]: response["fields"]["IntegrationReturnValue"]
        for response in admin(emulator, "records/campaignResponses")
    }
    assert stored == {1: "00v5e00000Ab1", 2: "", 3: "00v5e00000Ab3"}
    [reject] = rejects_in(rejects_path)
    assert (reject["status_code"], reject["invalid_fields"]) == ("ELQ-00040", ["response_id"])
    assert reject["record"] == {"response_id": "R-2", "member_id": "00v5e00000Ab2"}


def test_a_read_only_response_field_is_refused_before_anything_is_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    mapping = {
        **CAMPAIGN_MEMBERS,
        "fields": {**CAMPAIGN_MEMBERS["fields"], "status": "MemberStatus"},
    }
    config = emulator_config(emulator, streams={"members": mapping})

    run = run_target(config, [], tmp_path)

    assert run.returncode == 1
    assert "MemberStatus is read-only in Eloqua and cannot be imported" in run.stderr
    assert not [r for r in admin(emulator, "requests") if r["method"] == "POST"]
