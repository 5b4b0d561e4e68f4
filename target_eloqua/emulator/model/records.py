"""The records an instance stores: accounts, contacts, custom object and event records, activities,
opportunities (with the contacts linked to them), campaign responses and email addresses."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from target_eloqua.emulator.model.catalog import User
from target_eloqua.emulator.model.entities import Entity, EntityKind
from target_eloqua.emulator.model.timestamps import (
    SYSTEM_TIMESTAMPS,
    WriteTime,
    format_timestamp,
    ticks_of,
)

ID = "Id"
"""The system ``{{X.Id}}`` identifier: the record's id, not a stored field."""

MAPPED_ENTITY_TYPES = {"contacts": "Contact", "accounts": "Company"}
_NO_EMAIL_GROUPS: Mapping[str, str] = MappingProxyType({})


@dataclass(slots=True)
class StoredRecord:
    """One stored record. Which of the relations apply depends on the entity.

    A store may hold millions of records, and Python's garbage collector walks every list, dict and
    object alive each time it does a full pass: stored records therefore hold their relations in
    tuples and in mappings of text (which the collector does not track), replaced when they change
    (most records share the empty ones), and an index maps a value that one record has to that
    record's id alone, not to a list of one.
    """

    id: int
    fields: dict[str, str] = field(default_factory=dict)
    linked_users: tuple[User, ...] = ()
    lists: tuple[int, ...] = ()
    email_groups: Mapping[str, str] = field(default_factory=lambda: _NO_EMAIL_GROUPS)
    global_subscription: str | None = None
    """A contact's (or an email address's) global subscription: ``subscribed``,
    ``unsubscribed``, or None when no sync action set it."""
    bounced: bool = False
    """Whether a contact's email address (or an email address) is marked as bounced."""
    account_id: int | None = None
    mapped_entity: tuple[str, int] | None = None
    """The contact or account a custom object or event record is linked to (data cards), and
    the contact an activity is of."""
    linked_contacts: tuple[int, ...] = ()
    """The ids of the contacts an opportunity is linked to."""
    created_at: datetime | None = None
    """When the record was created (in UTC): its system timestamp ``C_DateCreated``,
    ``M_DateCreated`` or ``CreatedAt`` (see ``timestamps``)."""
    modified_at: datetime | None = None
    """When the record was last written (in UTC): ``C_DateModified``, ``M_DateModified`` or
    ``UpdatedAt``."""

    def to_json(self, kind: EntityKind) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "fields": dict(self.fields)}
        if kind in SYSTEM_TIMESTAMPS:
            body["createdAt"] = _api_form(self.created_at)
            body["updatedAt"] = _api_form(self.modified_at)
        entity = self.mapped_entity
        if kind == "accounts":
            body["linkedUsers"] = [user.to_json() for user in self.linked_users]
            body["lists"] = list(self.lists)
        elif kind == "contacts":
            body["lists"] = list(self.lists)
            body["emailGroups"] = dict(self.email_groups)
            body["globalSubscription"] = self.global_subscription
            body["bounced"] = self.bounced
            body["accountId"] = self.account_id
        elif kind == "emailAddresses":
            body["globalSubscription"] = self.global_subscription
            body["bounced"] = self.bounced
        elif kind == "activities":
            body["contactId"] = entity[1] if entity else None
        elif kind == "opportunities":
            body["contactIds"] = list(self.linked_contacts)
        elif kind in ("customObjects", "events"):
            body["mappedEntity"] = {"type": entity[0], "id": entity[1]} if entity else None
        return body


def _api_form(moment: datetime | None) -> str | None:
    return format_timestamp(ticks_of(moment)) if moment is not None else None


class ValueIndex(dict[str, int | list[int]]):
    """Record ids by the case-folded value of one field: the id of the one record that has a
    value, or the ids of the records that share it."""

    def add(self, value: str, record_id: int) -> None:
        found = self.get(value)
        if found is None:
            self[value] = record_id
        elif isinstance(found, int):
            self[value] = [found, record_id]
        else:
            found.append(record_id)

    def remove(self, value: str, record_id: int) -> None:
        found = self[value]
        if isinstance(found, int):
            del self[value]
        else:
            found.remove(record_id)


class RecordStore:
    """The records of one entity, with ids from 1 and indexes on matched fields.

    Records are mutable and live behind the instance's lock; readers get JSON snapshots. Values are
    kept as the text the import carried (a blank value as ""). Lookups by a field value go through
    an index built the first time that field is matched on and kept up to date by every write
    after, so that a sync of n rows costs O(n). Every record created or written is stamped with
    ``write_time``'s moment: created once, modified at each write.
    """

    def __init__(
        self, entity: Entity, write_time: WriteTime, ids: Iterator[int] | None = None
    ) -> None:
        self.entity = entity
        self.write_time = write_time
        self._records: dict[int, StoredRecord] = {}
        self._ids = ids if ids is not None else itertools.count(1)
        self._indexes: dict[str, ValueIndex] = {}

    def __iter__(self) -> Iterator[StoredRecord]:
        return iter(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    def get(self, record_id: int) -> StoredRecord | None:
        """The record with this id, or None."""
        return self._records.get(record_id)

    def matching(self, name: str, value: str, case_sensitive: bool = False) -> list[StoredRecord]:
        """Records whose ``name`` field is ``value`` (in any case unless told), oldest first."""
        if name == ID:
            record = self._records.get(int(value)) if value.strip().isdigit() else None
            return [record] if record is not None else []
        index = self._indexes.get(name)
        if index is None:
            index = self._new_index(name)
        ids = index.get(value.casefold())
        if ids is None:
            return []
        if isinstance(ids, int):
            records = [self._records[ids]]
        else:
            records = [self._records[i] for i in sorted(ids)]
        if case_sensitive:
            records = [r for r in records if r.fields.get(name) == value]
        return records

    def create(self, values: dict[str, str], record_id: int | None = None) -> StoredRecord:
        """A new record with these field values (the dict becomes the record's own), and the
        next id unless given one."""
        record = StoredRecord(next(self._ids) if record_id is None else record_id, values)
        record.created_at = record.modified_at = self.write_time.now
        self._records[record.id] = record
        for name, index in self._indexes.items():
            if name in values:
                index.add(values[name].casefold(), record.id)
        return record

    def write(self, record: StoredRecord, values: dict[str, str]) -> None:
        """Set these field values on the record, keeping the indexes right; the record is
        modified now, whether its values changed or not (as Eloqua counts it updated)."""
        record.modified_at = self.write_time.now
        for name, index in self._indexes.items():
            new = values.get(name)
            old = record.fields.get(name)
            if new is None or new == old:
                continue
            if old is None:
                index.add(new.casefold(), record.id)
            elif old.casefold() != new.casefold():
                index.remove(old.casefold(), record.id)
                index.add(new.casefold(), record.id)
        record.fields.update(values)

    def _new_index(self, name: str) -> ValueIndex:
        """An index of the field's values, from then on kept up to date by every write."""
        index = self._indexes[name] = ValueIndex()
        for record in self._records.values():
            if name in record.fields:
                index.add(record.fields[name].casefold(), record.id)
        return index


class RecordStores:
    """Every entity's store: accounts, contacts, one per custom object and event, activities,
    opportunities and campaign responses, made on first use; and the external assets
    activities named."""

    def __init__(
        self,
        write_time: WriteTime,
        campaign_responses: Iterable[tuple[int, Mapping[str, str]]] = (),
    ) -> None:
        """``write_time`` is the moment records are stamped with when written, which the
        instance moves on; ``campaign_responses`` are those the instance starts with (id ->
        field values): Eloqua makes campaign responses itself, imports only write to them."""
        self.write_time = write_time
        self.accounts = RecordStore(Entity("accounts"), write_time)
        self.contacts = RecordStore(Entity("contacts"), write_time)
        self._others: dict[Entity, RecordStore] = {}
        self._custom_object_ids = itertools.count(1)
        self.assets: dict[tuple[str, str], int] = {}
        """External assets by (asset type, asset name) in lower case -> id, as activities name
        them."""
        responses = self.of(Entity("campaignResponses"))
        for response_id, values in campaign_responses:
            responses.create(dict(values), response_id)

    def of(self, entity: Entity) -> RecordStore:
        if entity.kind == "accounts":
            return self.accounts
        if entity.kind == "contacts":
            return self.contacts
        if entity not in self._others:
            # Custom object records share one id sequence, as Eloqua's data card ids do.
            ids = self._custom_object_ids if entity.kind == "customObjects" else None
            self._others[entity] = RecordStore(entity, self.write_time, ids)
        return self._others[entity]
