"""Field statements (Eloqua Markup Language) as import definitions use them: what each writes to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from target_eloqua.emulator.model.catalog import Catalog, Field, FieldCatalog
from target_eloqua.emulator.model.entities import ACCOUNTS, Entity, fields_of

TargetKind = Literal["field", "id", "externalId", "user", "account"]

NO_SUCH_FIELD = "Must be a valid statement naming an existing field."
OTHER_ENTITY = "Must name a field of the entity the definition imports into ({entity})."

_STATEMENT = re.compile(r"\{\{(Account|Contact|CustomObject\[(\d+)\])\.(.+)\}\}")
_NAMED = re.compile(r"Field\(([^(){}\[\]]+)\)")
_BY_ID = re.compile(r"Field\[(\d+)\]")
_RELATED: dict[str, tuple[str, TargetKind]] = {
    "Account": ("User.", "user"),
    "Contact": ("Account.", "account"),
}


class StatementError(ValueError):
    """The statement is malformed, names no known field, or a field of another entity."""


@dataclass(frozen=True)
class Target:
    """What one statement writes to. ``field`` is None for ``Id`` and ``ExternalId``."""

    kind: TargetKind
    field: Field | None = None

    @property
    def name(self) -> str:
        """The internal name the value is stored under (``Id`` or ``ExternalId`` for those)."""
        if self.field is not None:
            return self.field.internal_name
        return "Id" if self.kind == "id" else "ExternalId"


def resolve(catalog: Catalog, entity: Entity, statement: str) -> Target:
    """What ``statement`` writes to in an import into ``entity``; StatementError if nothing.

    The statements it knows, for each entity:

    - accounts: ``{{Account.Field(X)}}``, ``{{Account.Id}}``, ``{{Account.User.Field(X)}}`` (a user
      field, for linking users);
    - contacts: ``{{Contact.Field(X)}}``, ``{{Contact.Id}}``, ``{{Contact.Account.Field(X)}}`` (an
      account field, for linking the contact to the account that has that value);
    - custom objects: ``{{CustomObject[9].Field[103]}}`` (field ids), ``{{CustomObject[9].Id}}``,
      ``{{CustomObject[9].ExternalId}}``.

    ``Id`` and ``ExternalId`` are system statements: ``/fields`` does not list them.
    """
    match = _STATEMENT.fullmatch(statement)
    if match is None:
        raise StatementError(NO_SUCH_FIELD)
    root, rest = match.group(1), match.group(3)
    if root != entity.markup:
        raise StatementError(OTHER_ENTITY.format(entity=entity.path))
    fields = fields_of(catalog, entity)
    if fields is None:
        raise StatementError(NO_SUCH_FIELD)
    if rest == "Id":
        return Target("id")
    if rest == "ExternalId" and entity.kind == "customObjects":
        return Target("externalId")
    related = _RELATED.get(root)
    if related is not None and rest.startswith(related[0]):
        prefix, kind = related
        other = catalog.user_fields if kind == "user" else fields_of(catalog, ACCOUNTS)
        return _field_target(kind, other, rest.removeprefix(prefix), by_id=False)
    return _field_target("field", fields, rest, by_id=entity.kind == "customObjects")


def _field_target(kind: TargetKind, fields: FieldCatalog | None, rest: str, by_id: bool) -> Target:
    found: Field | None = None
    if fields is not None and by_id and (match := _BY_ID.fullmatch(rest)):
        found = fields.by_id(int(match.group(1)))
    elif fields is not None and not by_id and (match := _NAMED.fullmatch(rest)):
        found = fields.find(match.group(1))
    if found is None:
        raise StatementError(NO_SUCH_FIELD)
    return Target(kind, found)
