"""The records an instance stores: accounts, contacts and custom object records.

Records are mutable and live behind the instance's lock; readers get JSON snapshots. Values are
kept as the text the import carried (a blank value as ""). Lookups by a field value go through an
index built the first time that field is matched on and kept up to date by every write after, so
that a sync of n rows costs O(n).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from target_eloqua.emulator.catalog import User
from target_eloqua.emulator.entities import Entity, EntityKind

ID = "Id"
"""The system ``{{X.Id}}`` identifier: the record's id, not a stored field."""

MAPPED_ENTITY_TYPES = {"contacts": "Contact", "accounts": "Company"}


@dataclass
class StoredRecord:
    """One stored record. Which of the relations apply depends on the entity."""

    id: int
    fields: dict[str, str] = field(default_factory=dict)
    linked_users: list[User] = field(default_factory=list)
    lists: list[int] = field(default_factory=list)
    email_groups: dict[str, str] = field(default_factory=dict)
    global_subscription: str | None = None
    account_id: int | None = None
    mapped_entity: tuple[str, int] | None = None

    def to_json(self, kind: EntityKind) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "fields": dict(self.fields)}
        if kind == "accounts":
            body["linkedUsers"] = [user.to_json() for user in self.linked_users]
            body["lists"] = list(self.lists)
        elif kind == "contacts":
            body["lists"] = list(self.lists)
            body["emailGroups"] = dict(self.email_groups)
            body["globalSubscription"] = self.global_subscription
            body["accountId"] = self.account_id
        else:
            entity = self.mapped_entity
            body["mappedEntity"] = {"type": entity[0], "id": entity[1]} if entity else None
        return body


class RecordStore:
    """The records of one entity, with ids from 1 and indexes on matched fields."""

    def __init__(self, entity: Entity, ids: Iterator[int] | None = None) -> None:
        self.entity = entity
        self._records: dict[int, StoredRecord] = {}
        self._ids = ids if ids is not None else itertools.count(1)
        self._indexes: dict[str, dict[str, list[int]]] = {}

    def __iter__(self) -> Iterator[StoredRecord]:
        return iter(self._records.values())

    def matching(self, name: str, value: str, case_sensitive: bool = False) -> list[StoredRecord]:
        """Records whose ``name`` field is ``value`` (in any case unless told), oldest first."""
        if name == ID:
            found = self._records.get(int(value)) if value.strip().isdigit() else None
            return [found] if found is not None else []
        ids = self._index(name).get(value.casefold(), [])
        records = [self._records[i] for i in (sorted(ids) if len(ids) > 1 else ids)]
        if case_sensitive:
            records = [r for r in records if r.fields.get(name) == value]
        return records

    def create(self) -> StoredRecord:
        record = StoredRecord(next(self._ids))
        self._records[record.id] = record
        return record

    def write(self, record: StoredRecord, values: dict[str, str]) -> None:
        """Set these field values on the record, keeping the indexes right."""
        for name, index in self._indexes.items():
            if name in values:
                old, new = record.fields.get(name), values[name].casefold()
                if old is not None and old.casefold() != new:
                    index[old.casefold()].remove(record.id)
                if old is None or old.casefold() != new:
                    index.setdefault(new, []).append(record.id)
        record.fields.update(values)

    def _index(self, name: str) -> dict[str, list[int]]:
        index = self._indexes.get(name)
        if index is None:
            index = {}
            for record in self._records.values():
                if name in record.fields:
                    index.setdefault(record.fields[name].casefold(), []).append(record.id)
            self._indexes[name] = index
        return index


class RecordStores:
    """Every entity's store: accounts, contacts and one per custom object, made on first use."""

    def __init__(self) -> None:
        self.accounts = RecordStore(Entity("accounts"))
        self.contacts = RecordStore(Entity("contacts"))
        self._custom_objects: dict[int, RecordStore] = {}
        self._custom_object_ids = itertools.count(1)

    def of(self, entity: Entity) -> RecordStore:
        if entity.kind == "accounts":
            return self.accounts
        if entity.kind == "contacts":
            return self.contacts
        object_id = entity.object_id or 0
        if object_id not in self._custom_objects:
            # Custom object records share one id sequence, as Eloqua's data card ids do.
            store = RecordStore(entity, self._custom_object_ids)
            self._custom_objects[object_id] = store
        return self._custom_objects[object_id]
