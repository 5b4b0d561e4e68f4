"""Sync-action definitions (``/contacts/syncActions``, ``/accounts/syncActions``,
``/customObjects/{id}/syncActions``): Eloqua's rules for them, and what their syncs do.

What Oracle documents (its tutorial and op pages, linked below):

- a definition has a ``name``, ``fields`` with exactly one field, the one records are matched
  on, which ``identifierFieldName`` names, and ``syncActions`` (at least one, at most 10, those
  the entity takes: see ``definitions``); the field must be ``{{Contact.Id}}``,
  ``{{Contact.Field(C_EmailAddress)}}`` or ``{{Contact.Field(ContactIDExt)}}`` for contacts,
  ``{{Account.Id}}``, ``{{Account.Field(M_CompanyName)}}`` or ``{{Account.Field(CompanyIDExt)}}``
  for accounts, and ``{{CustomObject[id].Id}}`` or ``.ExternalId`` for custom objects (the
  tutorial lists both; the op pages only ``ExternalId``: the emulator takes both);
- a sync of it takes each staged row's record, matched on that field, and takes the actions on
  it; nothing else of the record changes.

The emulator's choices where Oracle is silent [choice]: a row whose value matches no record is
counted in ELQ-00034 "Total unmatched records." (not a reject); a row with a blank value, or one
that does not fit the field, is rejected as an import's would be (ELQ-00061, ELQ-00002,
ELQ-00040); the sync logs ELQ-00140 "Records staged for sync actions." with the rows it took,
and for each action the code Oracle gives it (``memberships``) with the records it was taken on.

https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/sync_actions.htm
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-accounts-syncactions-post.html
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from target_eloqua.emulator.model.catalog import Catalog
from target_eloqua.emulator.model.coerce import as_bool, as_text
from target_eloqua.emulator.model.definitions import (
    BOOLEAN_RULE,
    IDENTIFIER_NOT_IN_FIELDS_RULE,
    MAX_NAME_LENGTH,
    NAME_RULE,
    Accepted,
    ImportDefinition,
    SyncAction,
    parse_sync_actions,
)
from target_eloqua.emulator.model.entities import Entity
from target_eloqua.emulator.model.errors import Failure, ValidationError
from target_eloqua.emulator.model.importer import Row
from target_eloqua.emulator.model.memberships import action_log, apply_action
from target_eloqua.emulator.model.records import RecordStores
from target_eloqua.emulator.model.row_imports import RowImport
from target_eloqua.emulator.model.statements import StatementError, Target, resolve
from target_eloqua.emulator.model.syncs import LogEntry, SyncCounts

ONE_FIELD_RULE = "Must contain only one field."
IDENTIFIER_RULE = "Must be one of: {allowed}."
SYNC_ACTIONS_NEEDED_RULE = "Must include at least one sync action."

PROPERTIES = ("name", "fields", "identifierFieldName", "isSyncTriggeredOnImport", "syncActions")
"""The properties a sync-action definition keeps, in the order the emulator echoes them."""

IDENTIFIERS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("id", "Id"), ("field", "C_EmailAddress"), ("field", "ContactIDExt")),
    "accounts": (("id", "Id"), ("field", "M_CompanyName"), ("field", "CompanyIDExt")),
    "customObjects": (("id", "Id"), ("externalId", "ExternalId")),
}
"""What each kind of entity may match sync actions on: (target kind, internal name)."""


def accept_sync_actions(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> Accepted:
    """Validate a sync-action definition body; ValidationError lists every broken rule. What it
    returns is what Eloqua keeps: the known properties that were set, in echo order."""
    failures: list[Failure] = []
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH:
        failures.append(Failure("name", as_text(name), NAME_RULE))
    targets = _identifier_target(catalog, entity, body.get("fields"), failures)
    identifier = body.get("identifierFieldName")
    if targets and identifier not in targets:
        rule = IDENTIFIER_NOT_IN_FIELDS_RULE.format(name=identifier)
        failures.append(Failure("identifierFieldName", as_text(identifier), rule))
    triggered = body.get("isSyncTriggeredOnImport")
    if triggered is not None and as_bool(triggered) is None:
        failures.append(Failure("isSyncTriggeredOnImport", as_text(triggered), BOOLEAN_RULE))
    actions = parse_sync_actions(catalog, entity, body.get("syncActions"), failures)
    if not actions and not any(f.field.startswith("syncActions") for f in failures):
        failures.append(
            Failure("syncActions", as_text(body.get("syncActions")), SYNC_ACTIONS_NEEDED_RULE)
        )
    if failures:
        raise ValidationError(failures)
    given = {k: body[k] for k in PROPERTIES if body.get(k) is not None}
    merged = {"isSyncTriggeredOnImport": False, **given}
    merged["isSyncTriggeredOnImport"] = as_bool(merged["isSyncTriggeredOnImport"])
    properties = {k: merged[k] for k in PROPERTIES if k in merged}
    return Accepted(properties, targets, actions, None)


def _identifier_target(
    catalog: Catalog, entity: Entity, fields: object, failures: list[Failure]
) -> dict[str, Target]:
    """The one field records are matched on, if it is one Eloqua allows."""
    if not isinstance(fields, dict) or len(fields) != 1:
        shown = f"{len(fields)} fields" if isinstance(fields, dict) else as_text(fields)
        failures.append(Failure("fields", shown, ONE_FIELD_RULE))
        return {}
    [(key, statement)] = fields.items()
    allowed = IDENTIFIERS[entity.kind]
    try:
        target = resolve(catalog, entity, statement if isinstance(statement, str) else "")
    except StatementError:
        target = None
    if target is None or (target.kind, target.name) not in allowed:
        shown = ", ".join(_statement(entity, kind, name) for kind, name in allowed)
        failures.append(
            Failure(f"fields.{key}", as_text(statement), IDENTIFIER_RULE.format(allowed=shown))
        )
        return {}
    return {str(key): target}


def _statement(entity: Entity, kind: str, name: str) -> str:
    if kind == "field":
        return f"{{{{{entity.markup}.Field({name})}}}}"
    return f"{{{{{entity.markup}.{name}}}}}"


class SyncActionRun(RowImport):
    """One sync of a sync-action definition: each row's record found and acted on."""

    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        super().__init__(definition, stores, catalog)
        self.entity = definition.entity
        [(self.key, target)] = definition.targets.items()
        self.name = target.name
        self.actions = definition.accepted.sync_actions
        self.unmatched = 0
        self.taken: Counter[SyncAction] = Counter()

    def process(self, index: int, row: Row) -> None:
        identifier = self.identified(index, row, self.key)
        if identifier is None:
            return
        matches = self.store.matching(self.name, identifier)
        if not matches:
            self.unmatched += 1
            return
        self.stored += 1
        for action in self.actions:
            if apply_action(action, matches[0], self.entity, self.stores):
                self.taken[action] += 1

    def notes(self) -> list[LogEntry]:
        return [
            LogEntry(
                "ELQ-00140",
                "Records staged for sync actions.",
                self.stored + self.unmatched + len(self.rejects),
            )
        ]

    def counters(self) -> list[LogEntry]:
        logs = (
            [LogEntry("ELQ-00034", "Total unmatched records.", self.unmatched)]
            if self.unmatched
            else []
        )
        return logs + [action_log(action, self.taken[action]) for action in self.actions]

    def counts(self, processed: int) -> SyncCounts:
        return SyncCounts(processed, 0, self.stored, len(self.rejects))
