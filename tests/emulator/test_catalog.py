"""Loading field catalogs: the packaged default and files of the same shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator.catalog import CatalogError, FieldTarget, load_catalog

REQUIRED_ACCOUNT_FIELDS = {
    "M_CompanyName",
    "M_Country",
    "M_City",
    "M_Industry",
    "M_Address1",
    "M_State_Prov",
    "M_Zip_Postal",
    "M_BusPhone",
    "CompanyIDExt",
}


def small_catalog() -> dict[str, Any]:
    field = {
        "name": "Company Name",
        "internalName": "M_CompanyName",
        "dataType": "string",
        "hasReadOnlyConstraint": False,
        "hasNotNullConstraint": True,
        "hasUniquenessConstraint": False,
        "statement": "{{Account.Field(M_CompanyName)}}",
        "uri": "/accounts/fields/1",
        "createdAt": "1900-01-01T05:00:00.0000000Z",
        "updatedAt": "1900-01-01T05:00:00.0000000Z",
    }
    user_field = {**field, "name": "CRM id", "internalName": "CRMId", "uri": "/users/fields/2"}
    return {
        "accounts": {"fields": [field]},
        "users": {
            "fields": [user_field],
            "items": [{"id": 3, "name": "Ann", "fields": {"CRMId": "c-1"}}],
        },
    }


def test_default_catalog_has_the_standard_account_fields_and_linkable_users() -> None:
    catalog = load_catalog()

    names = {f.internal_name for f in catalog.accounts.fields}
    assert names >= REQUIRED_ACCOUNT_FIELDS
    company = catalog.accounts.find("M_CompanyName")
    assert company is not None
    assert company.item["hasNotNullConstraint"] is True
    assert company.statement == "{{Account.Field(M_CompanyName)}}"
    external_id = catalog.accounts.find("CompanyIDExt")
    assert external_id is not None
    assert external_id.item["hasUniquenessConstraint"] is True
    assert {f.data_type for f in catalog.accounts.fields} >= {"string", "number", "date"}
    crm_ids = {user.fields.get("CRMOSCUserId") for user in catalog.users}
    assert len(catalog.users) >= 3
    assert {"754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea"} <= crm_ids


def test_statements_resolve_against_the_catalog() -> None:
    catalog = load_catalog()

    assert catalog.resolve("{{Account.Field(M_City)}}") == FieldTarget("account", "M_City")
    assert catalog.resolve("{{Account.User.Field(CRMOSCUserId)}}") == FieldTarget(
        "user", "CRMOSCUserId"
    )
    assert catalog.resolve("{{Account.Field(CRMOSCUserId)}}") is None
    assert catalog.resolve("{{Account.Field[M_City]}}") is None
    assert catalog.resolve("M_City") is None


def test_a_catalog_file_of_the_same_shape_loads(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(small_catalog()), encoding="utf-8")

    catalog = load_catalog(path)

    assert [f.item for f in catalog.accounts.fields] == small_catalog()["accounts"]["fields"]
    assert [(u.id, u.name, dict(u.fields)) for u in catalog.users] == [(3, "Ann", {"CRMId": "c-1"})]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda c: c.pop("accounts"), "accounts must be a JSON object"),
        (lambda c: c["accounts"]["fields"][0].pop("statement"), "'statement' must be a str"),
        (lambda c: c["accounts"]["fields"][0].update(dataType="text"), "dataType must be one of"),
        (lambda c: c["users"]["items"][0]["fields"].update(Nope="x"), "'Nope' must be a user"),
    ],
)
def test_a_malformed_catalog_says_what_is_wrong(tmp_path: Path, damage: Any, message: str) -> None:
    document = small_catalog()
    damage(document)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CatalogError, match=message):
        load_catalog(path)


def test_a_file_that_is_not_json_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("{", encoding="utf-8")

    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(path)
