"""``mirror``'s removals: by the members' Eloqua id, and a warning for those Eloqua did not
remove (the runs themselves are in tests/test_target_audiences.py)."""

from __future__ import annotations

from typing import Any

import pytest

from target_eloqua.loading.mirror import not_removed_warning, removal_mapping
from target_eloqua.loading.report import SyncRecord
from target_eloqua.mapping.definition import definition_body
from target_eloqua.mapping.streams import parse_stream_mapping


@pytest.mark.parametrize(
    ("entity", "field", "destination", "record_id"),
    [
        ("contacts", "ContactIDExt", "{{ContactList[101]}}", "{{Contact.Id}}"),
        ("accounts", "M_CompanyName", "{{AccountList[201]}}", "{{Account.Id}}"),
    ],
)
def test_members_are_removed_by_their_eloqua_id_whatever_the_stream_matches_on(
    entity: str, field: str, destination: str, record_id: str
) -> None:
    mapping = parse_stream_mapping(
        "audience",
        {
            "entity": entity,
            "identifier": "key",
            "fields": {"key": field},
            "actions_only": True,
            "mirror": True,
            "sync_actions": [{"action": "add", "destination": destination}],
        },
    )

    removal = removal_mapping(mapping, destination)

    assert removal.definitions_path == f"/{entity}/syncActions"
    body = definition_body(removal)
    assert (body["fields"], body["identifierFieldName"]) == ({"Id": record_id}, "Id")
    assert body["syncActions"] == [{"action": "remove", "destination": destination}]
    assert not removal.mirror


def removal(status: str, **counts: Any) -> SyncRecord:
    uri = "/contacts/syncActions/7"
    return SyncRecord("/syncs/12", uri, status, 0.4, rows=3, parts=1, bytes=30, **counts)


def test_a_removal_that_left_members_in_the_list_says_how_many_and_where_the_rejects_are() -> None:
    warning = not_removed_warning(
        "audience", "{{ContactList[101]}}", removal("warning", list_removed=2, rejected=1)
    )

    assert warning == (
        "Stream 'audience': 1 of the 3 members to remove from {{ContactList[101]}} were not "
        "removed: sync /syncs/12 ended warning (1 rejected, 0 matching no record); Eloqua's "
        "rejects of it are at /syncs/12/rejects"
    )


@pytest.mark.parametrize("status", ["success", "warning"])
def test_a_removal_that_removed_every_member_warns_of_nothing(status: str) -> None:
    assert (
        not_removed_warning("audience", "{{ContactList[101]}}", removal(status, list_removed=3))
        is None
    )
