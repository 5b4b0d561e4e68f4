"""What an import writes to or an export reads from: accounts, contacts, one custom object, or
(for exports) activities; and how each is named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from target_eloqua.emulator.model.catalog import Catalog, FieldCatalog

EntityKind = Literal["accounts", "contacts", "customObjects", "activities"]

_PATH = re.compile(r"(accounts|contacts|activities)|customObjects/(\d+)", re.IGNORECASE)
_MARKUP = {"accounts": "Account", "contacts": "Contact", "activities": "Activity"}
_KINDS: dict[str, EntityKind] = {
    "accounts": "accounts",
    "contacts": "contacts",
    "activities": "activities",
}


@dataclass(frozen=True)
class Entity:
    """An entity a definition writes to or reads from; ``object_id`` is set for custom objects.
    Activities are only exported (the emulator imports none)."""

    kind: EntityKind
    object_id: int | None = None

    @property
    def path(self) -> str:
        """The entity's part of Bulk API paths: ``accounts``, ``customObjects/9``."""
        return self.kind if self.object_id is None else f"{self.kind}/{self.object_id}"

    @property
    def markup(self) -> str:
        """The entity's name in field statements: ``Account``, ``CustomObject[9]``."""
        if self.kind == "customObjects":
            return f"CustomObject[{self.object_id}]"
        return _MARKUP[self.kind]

    @classmethod
    def parse(cls, path: str) -> Entity | None:
        """The entity of ``accounts``, ``contacts``, ``activities`` or ``customObjects/9`` (any
        letter case)."""
        match = _PATH.fullmatch(path)
        if match is None:
            return None
        if match.group(1):
            return cls(_KINDS[match.group(1).lower()])
        return cls("customObjects", int(match.group(2)))


ACCOUNTS = Entity("accounts")
CONTACTS = Entity("contacts")
ACTIVITIES = Entity("activities")


def fields_of(catalog: Catalog, entity: Entity) -> FieldCatalog | None:
    """The entity's fields, or None for a custom object the catalog does not have, and for
    activities (their fields depend on the activity type; ``/fields`` lists none)."""
    if entity.kind == "accounts":
        return catalog.accounts
    if entity.kind == "contacts":
        return catalog.contacts
    if entity.kind == "activities":
        return None
    custom_object = catalog.custom_object(entity.object_id or 0)
    return custom_object.fields if custom_object is not None else None
