"""What an import writes to: accounts, contacts or one custom object, and how each is named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from target_eloqua.emulator.model.catalog import Catalog, FieldCatalog

EntityKind = Literal["accounts", "contacts", "customObjects"]

_PATH = re.compile(r"(accounts|contacts)|customObjects/(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Entity:
    """An entity an import definition writes to; ``object_id`` is set for custom objects."""

    kind: EntityKind
    object_id: int | None = None

    @property
    def path(self) -> str:
        """The entity's part of Bulk API paths: ``accounts``, ``customObjects/9``."""
        return self.kind if self.object_id is None else f"{self.kind}/{self.object_id}"

    @property
    def markup(self) -> str:
        """The entity's name in field statements: ``Account``, ``CustomObject[9]``."""
        if self.kind == "accounts":
            return "Account"
        if self.kind == "contacts":
            return "Contact"
        return f"CustomObject[{self.object_id}]"

    @classmethod
    def parse(cls, path: str) -> Entity | None:
        """The entity of ``accounts``, ``contacts`` or ``customObjects/9`` (any letter case)."""
        match = _PATH.fullmatch(path)
        if match is None:
            return None
        if match.group(1):
            return cls("accounts" if match.group(1).lower() == "accounts" else "contacts")
        return cls("customObjects", int(match.group(2)))


ACCOUNTS = Entity("accounts")
CONTACTS = Entity("contacts")


def fields_of(catalog: Catalog, entity: Entity) -> FieldCatalog | None:
    """The entity's fields, or None for a custom object the catalog does not have."""
    if entity.kind == "accounts":
        return catalog.accounts
    if entity.kind == "contacts":
        return catalog.contacts
    custom_object = catalog.custom_object(entity.object_id or 0)
    return custom_object.fields if custom_object is not None else None
