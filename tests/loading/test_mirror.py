"""``mirror``'s removals, by the members' Eloqua id (the runs themselves are in
tests/test_target_audiences.py)."""

from __future__ import annotations

import pytest

from target_eloqua.loading.mirror import removal_mapping
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
