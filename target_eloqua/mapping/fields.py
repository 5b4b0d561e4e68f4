"""An entity's fields as Eloqua's ``GET /{entity}/fields`` lists them, indexed for look-ups."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TEXT_FIELD_MAX_LENGTH = 32_000
"""The most characters an Eloqua text field holds (a large text field). ``/fields`` does not
tell small text fields (100 characters; 250 on custom objects) from large ones, so this is the
one limit known for every ``string`` field."""


@dataclass(frozen=True)
class EloquaField:
    """One field of an entity: what a mapping needs to know of it."""

    internal_name: str
    statement: str
    data_type: str
    read_only: bool

    @property
    def max_length(self) -> int | None:
        """The most characters a value of this field may have, when that is known."""
        return TEXT_FIELD_MAX_LENGTH if self.data_type == "string" else None

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> EloquaField:
        """Read one item of a ``/fields`` listing."""
        return cls(
            internal_name=str(item["internalName"]),
            statement=str(item["statement"]),
            data_type=str(item.get("dataType", "string")),
            read_only=bool(item.get("hasReadOnlyConstraint", False)),
        )


class FieldCatalog:
    """The fields of one entity, found by statement or by internal name."""

    def __init__(self, fields: Iterable[EloquaField]) -> None:
        self.fields = list(fields)
        self._by_statement = {field.statement: field for field in self.fields}
        self._by_name = {field.internal_name: field for field in self.fields}
        self._by_lower_name = {field.internal_name.lower(): field for field in self.fields}

    @classmethod
    def from_api(cls, items: Iterable[Mapping[str, Any]]) -> FieldCatalog:
        """Index the items of a ``/fields`` listing."""
        return cls(EloquaField.from_api(item) for item in items)

    def by_statement(self, statement: str) -> EloquaField | None:
        """The field a statement names, exactly as ``/fields`` spells it."""
        return self._by_statement.get(statement)

    def by_name(self, internal_name: str) -> EloquaField | None:
        """The field with this internal name; letter case is forgiven."""
        return self._by_name.get(internal_name) or self._by_lower_name.get(internal_name.lower())

    def similar_names(self, internal_name: str) -> list[str]:
        """Up to three internal names that look like ``internal_name``, for error messages."""
        return difflib.get_close_matches(internal_name, list(self._by_name), n=3, cutoff=0.6)
