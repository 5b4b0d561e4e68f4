"""Field catalogs and users of an emulated Eloqua instance, loaded from a JSON file.

The file has this shape (``default_catalog.json`` beside this module is the packaged default)::

    {
      "accounts": {"fields": [<field>, ...]},
      "users": {
        "fields": [<field>, ...],
        "items": [{"id": 9, "name": "Jane Smith", "fields": {"CRMOSCUserId": "754a..."}}, ...]
      }
    }

Each ``<field>`` is an item exactly as Eloqua's ``GET /api/bulk/2.0/accounts/fields`` returns it:
``name``, ``internalName``, ``dataType`` (string, number, date, boolean or emailAddress),
``hasReadOnlyConstraint``, ``hasNotNullConstraint``, ``hasUniquenessConstraint``, ``statement``,
``uri``, ``createdAt``, ``updatedAt``, plus any optional keys (``createdBy``, ``defaultValue``,
...), which are served back unchanged. User fields are what ``{{Account.User.Field(X)}}`` statements
name when an account import links users; a user's ``fields`` maps those internal names to values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

DEFAULT_CATALOG = "default_catalog.json"
DATA_TYPES = frozenset({"string", "number", "date", "boolean", "emailAddress"})

_PACKAGE = "target_eloqua.emulator"

_REQUIRED_FIELD_KEYS: Mapping[str, type] = {
    "name": str,
    "internalName": str,
    "dataType": str,
    "hasReadOnlyConstraint": bool,
    "hasNotNullConstraint": bool,
    "hasUniquenessConstraint": bool,
    "statement": str,
    "uri": str,
    "createdAt": str,
    "updatedAt": str,
}

_ACCOUNT_FIELD = re.compile(r"\{\{Account\.Field\(([^(){}]+)\)\}\}")
_ACCOUNT_USER_FIELD = re.compile(r"\{\{Account\.User\.Field\(([^(){}]+)\)\}\}")


class CatalogError(ValueError):
    """The catalog file is missing, is not JSON, or does not have the documented shape."""


@dataclass(frozen=True)
class Field:
    """One field, kept as the ``/fields`` item the catalog gives, so it is served back unchanged."""

    item: Mapping[str, Any]

    @property
    def internal_name(self) -> str:
        return str(self.item["internalName"])

    @property
    def data_type(self) -> str:
        return str(self.item["dataType"])

    @property
    def statement(self) -> str:
        return str(self.item["statement"])


@dataclass(frozen=True)
class FieldCatalog:
    """The fields of one entity, in the order ``/fields`` lists them."""

    fields: tuple[Field, ...]

    def find(self, internal_name: str) -> Field | None:
        """The field with this internal name, or None."""
        return next((f for f in self.fields if f.internal_name == internal_name), None)


@dataclass(frozen=True)
class User:
    """An Eloqua user that accounts can be linked to."""

    id: int
    name: str
    fields: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "fields": dict(self.fields)}


@dataclass(frozen=True)
class FieldTarget:
    """What a field statement writes to: an account field, or a user field used for linking."""

    kind: Literal["account", "user"]
    internal_name: str


@dataclass(frozen=True)
class Catalog:
    """Everything an instance knows about its data model: account fields, user fields, users."""

    accounts: FieldCatalog
    user_fields: FieldCatalog
    users: tuple[User, ...]

    def resolve(self, statement: str) -> FieldTarget | None:
        """The field an account-import statement names, or None if it names no known field.

        ``{{Account.Field(X)}}`` must name an account field and ``{{Account.User.Field(X)}}`` a
        user field.
        """
        if match := _ACCOUNT_FIELD.fullmatch(statement):
            name = match.group(1)
            return FieldTarget("account", name) if self.accounts.find(name) else None
        if match := _ACCOUNT_USER_FIELD.fullmatch(statement):
            name = match.group(1)
            return FieldTarget("user", name) if self.user_fields.find(name) else None
        return None


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read a catalog file; with no path, the packaged default catalog."""
    source = "the default catalog" if path is None else f"catalog {path}"
    try:
        if path is None:
            text = resources.files(_PACKAGE).joinpath(DEFAULT_CATALOG).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read {source}: {exc.strerror or exc}") from exc
    try:
        return parse_catalog(json.loads(text))
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{source} is not valid JSON: {exc}") from exc
    except CatalogError as exc:
        raise CatalogError(f"{source}: {exc}") from None


def parse_catalog(document: object) -> Catalog:
    """Build a catalog from an already-decoded JSON document of the shape described above."""
    root = _object(document, "the catalog")
    accounts = _object(root.get("accounts"), "accounts")
    users = _object(root.get("users"), "users")
    user_fields = _field_catalog(users.get("fields"), "users.fields")
    user_items = tuple(
        _user(item, user_fields) for item in _list(users.get("items"), "users.items")
    )
    ids = [user.id for user in user_items]
    if len(set(ids)) != len(ids):
        raise CatalogError("users.items: user ids must be unique")
    return Catalog(
        accounts=_field_catalog(accounts.get("fields"), "accounts.fields"),
        user_fields=user_fields,
        users=user_items,
    )


def _field_catalog(value: object, where: str) -> FieldCatalog:
    fields = tuple(_field(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where)))
    names = [f.internal_name for f in fields]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"{where}: internalName repeated: {', '.join(duplicates)}")
    return FieldCatalog(fields)


def _field(value: object, where: str) -> Field:
    item = _object(value, where)
    for key, expected in _REQUIRED_FIELD_KEYS.items():
        if not isinstance(item.get(key), expected):
            raise CatalogError(f"{where}: '{key}' must be a {expected.__name__}")
    if item["dataType"] not in DATA_TYPES:
        raise CatalogError(f"{where}: dataType must be one of {', '.join(sorted(DATA_TYPES))}")
    return Field(dict(item))


def _user(value: object, user_fields: FieldCatalog) -> User:
    item = _object(value, "users.items[]")
    user_id, name, fields = item.get("id"), item.get("name"), item.get("fields", {})
    if not isinstance(user_id, int) or not isinstance(name, str) or not isinstance(fields, dict):
        raise CatalogError("each user needs an integer 'id', a string 'name' and a 'fields' object")
    for key, field_value in fields.items():
        if user_fields.find(key) is None or not isinstance(field_value, str):
            raise CatalogError(f"user {user_id}: '{key}' must be a user field with a string value")
    return User(user_id, name, dict(fields))


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise CatalogError(f"{where} must be a JSON object")
    return value


def _list(value: object, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise CatalogError(f"{where} must be a JSON array")
    return value
