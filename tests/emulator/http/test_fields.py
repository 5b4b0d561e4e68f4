"""The catalog over HTTP: ``/{entity}/fields``, ``/{entity}/fields/{id}`` and import priorities."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import Bulk

FIELD_KEYS = {
    "name",
    "internalName",
    "dataType",
    "hasReadOnlyConstraint",
    "hasNotNullConstraint",
    "hasUniquenessConstraint",
    "statement",
    "uri",
}


@pytest.mark.parametrize("entity", ["accounts", "contacts", "customObjects/9"])
def test_fields_have_the_documented_keys(bulk: Bulk, entity: str) -> None:
    fields = bulk.items(f"/{entity}/fields")
    assert fields
    for item in fields:
        assert (
            FIELD_KEYS
            <= set(item)
            <= FIELD_KEYS | {"createdAt", "updatedAt", "createdBy", "updatedBy"}
        )
        assert item["uri"].startswith(f"/{entity}/fields/")


def test_contact_email_is_an_email_field(bulk: Bulk) -> None:
    [email] = [f for f in bulk.items("/contacts/fields") if f["internalName"] == "C_EmailAddress"]
    assert email["dataType"] == "emailAddress"
    assert email["statement"] == "{{Contact.Field(C_EmailAddress)}}"
    assert email["hasUniquenessConstraint"] is True


def test_custom_object_fields_use_id_statements(bulk: Bulk) -> None:
    fields = bulk.items("/customObjects/9/fields")
    for item in fields:
        field_id = item["uri"].rsplit("/", 1)[1]
        assert item["statement"] == f"{{{{CustomObject[9].Field[{field_id}]}}}}"


@pytest.mark.parametrize("entity", ["accounts", "contacts", "customObjects/9"])
def test_one_field_by_id(bulk: Bulk, entity: str) -> None:
    first = bulk.items(f"/{entity}/fields")[0]
    response = bulk.get(first["uri"])
    assert response.status_code == 200
    assert response.json() == first


def test_unknown_field_or_custom_object_is_404(bulk: Bulk) -> None:
    assert bulk.get("/accounts/fields/1").status_code == 404
    assert bulk.get("/customObjects/12345/fields").status_code == 404


def test_import_priorities_list_and_item(bulk: Bulk) -> None:
    priorities = bulk.items("/imports/priorities")
    assert [p["name"] for p in priorities] == ["High", "Normal", "Low"]
    for item in priorities:
        assert set(item) == {"name", "priority", "uri", "createdAt"}
        assert bulk.get(item["uri"]).json() == item
    assert bulk.get("/imports/priorities/999").status_code == 404
