"""Settling the mappings with Eloqua before any input: fields, priorities, definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from target_eloqua.bulk import BulkClient, EloquaAPIError
from target_eloqua.loading.definitions import ImportDefinitions
from target_eloqua.loading.preflight import settle_with_eloqua
from target_eloqua.mapping.streams import parse_stream_mappings

ACCOUNT_FIELDS = [
    {"internalName": "CompanyIDExt", "statement": "{{Account.Field(CompanyIDExt)}}"},
    {"internalName": "M_Account_Notes1", "statement": "{{Account.Field(M_Account_Notes1)}}"},
]


class FakeEloqua:
    """Lists the account fields and priorities; has no custom objects; refuses large text."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.created: list[str] = []

    def list_items(self, path: str) -> list[dict[str, Any]]:
        self.paths.append(path)
        if path == "/accounts/fields":
            return ACCOUNT_FIELDS
        if path == "/imports/priorities":
            return [{"name": "High", "uri": "/imports/priorities/1"}]
        raise EloquaAPIError("GET", path, 404, "The requested resource was not found.")

    def create_import(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        if "M_Account_Notes1" in body["fields"][body["identifierFieldName"]]:
            failure = {"field": "identifierFieldName", "value": "notes", "constraint": "No."}
            raise EloquaAPIError("POST", path, 400, "", {"failures": [failure]})
        self.created.append(body["name"])
        return {"uri": f"{path}/{len(self.created)}"}


def mappings(**streams: dict[str, Any]) -> Any:
    return parse_stream_mappings(streams)


def test_mappings_are_completed_from_the_fields_and_priorities_eloqua_lists() -> None:
    eloqua = FakeEloqua()
    raw = {"identifier": "id", "fields": {"id": "CompanyIDExt"}, "import_priority": "High"}

    settled, problems = settle_with_eloqua(mappings(a=raw), cast(BulkClient, eloqua), None)

    assert problems == []
    [mapping] = settled.values()

    assert mapping.columns[0].field == "{{Account.Field(CompanyIDExt)}}"
    assert mapping.import_priority == "/imports/priorities/1"
    assert eloqua.paths == ["/accounts/fields", "/imports/priorities"]
    assert eloqua.created == []  # a dry run: no definitions


def test_problems_of_unknown_entities_and_of_fields_come_out_together() -> None:
    unknown = {"entity": "customObjects/7", "identifier": "id", "fields": {"id": "X"}}
    misspelt = {"identifier": "id", "fields": {"id": "CompanyIDExtt"}}

    settled, problems = settle_with_eloqua(
        mappings(a=unknown, b=unknown, c=misspelt), cast(Any, FakeEloqua()), None
    )

    assert settled == {}
    assert problems[:2] == [
        f"stream '{s}': Eloqua has no customObjects/7 (GET /api/bulk/2.0/customObjects/7/fields "
        "answered 404)"
        for s in ("a", "b")
    ]
    assert problems[2].startswith(
        "stream 'c', property 'id', field 'CompanyIDExtt': no field of accounts matches"
    )
    assert len(problems) == 3


def test_every_refused_definition_is_told_with_the_field_problems_of_other_streams() -> None:
    good = {"identifier": "id", "fields": {"id": "{{Account.Field(CompanyIDExt)}}"}}
    bad = {"identifier": "notes", "fields": {"notes": "{{Account.Field(M_Account_Notes1)}}"}}
    misspelt = {"identifier": "id", "fields": {"id": "CompanyIDExtt"}}
    eloqua = FakeEloqua()

    _, problems = settle_with_eloqua(
        mappings(good=good, bad=bad, misspelt=misspelt),
        cast(Any, eloqua),
        ImportDefinitions(),
    )

    assert [problem.split(":")[0] for problem in problems] == [
        "stream 'misspelt', property 'id', field 'CompanyIDExtt'",
        "stream 'bad', property 'notes', field '{{Account.Field(M_Account_Notes1)}}'",
    ]
    assert problems[1].endswith("Eloqua refused it: identifierFieldName: No.")
    assert [name.split()[1] for name in eloqua.created] == ["good"]
