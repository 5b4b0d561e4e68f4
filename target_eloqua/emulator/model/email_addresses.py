"""What a sync does with the rows of an email address import (``/emailAddresses/imports``):
``EmailAddressImport``.

Oracle: an email address import changes the global subscription of email addresses "without
having to create a contact"; it can only unsubscribe them (or, since 24A, mark them as bounced),
and "any present or future contact in Eloqua with the same email address" is unsubscribed. Its
definitions are "import definitions that can only be used with sync actions" (their rules are in
``definitions``). Its sync logs email addresses created and updated (ELQ-00033, ELQ-00035) and,
for the action, ELQ-00017 "Contacts email marked as unsubscribed." or ELQ-00016 "Contacts email
marked as bounced." with the addresses it was taken on.

The emulator keeps each address as a record of its own (the admin API's
``records/emailAddresses``); an invalid address is rejected as ELQ-00002 and a blank one as
ELQ-00061, as an import's would be [choice].

https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-emailaddresses-imports-post.html
https://docs.oracle.com/en/cloud/saas/readiness/marketing/24a/eloq-24a/24A-eloqua-wn-f32117.htm
"""

from __future__ import annotations

from target_eloqua.emulator.model.catalog import Catalog
from target_eloqua.emulator.model.definitions import ImportDefinition
from target_eloqua.emulator.model.importer import Row
from target_eloqua.emulator.model.memberships import action_log, apply_action, mark_contacts
from target_eloqua.emulator.model.records import RecordStores
from target_eloqua.emulator.model.row_imports import RowImport
from target_eloqua.emulator.model.statements import EMAIL_ADDRESS
from target_eloqua.emulator.model.syncs import LogEntry, SyncCounts


class EmailAddressImport(RowImport):
    """One sync's email addresses: each stored, and unsubscribed or bounced with its contacts."""

    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        super().__init__(definition, stores, catalog)
        self.key = definition.identifier_field_name
        self.actions = definition.accepted.sync_actions
        self.created = 0

    def process(self, index: int, row: Row) -> None:
        address = self.identified(index, row, self.key)
        if address is None:
            return
        found = self.store.matching(EMAIL_ADDRESS.internal_name, address)
        if found:
            record = found[0]
        else:
            record = self.store.create({EMAIL_ADDRESS.internal_name: address.strip()})
            self.created += 1
        self.stored += 1
        for action in self.actions:
            apply_action(action, record, self.definition.entity, self.stores)
        mark_contacts(record, self.stores.contacts)

    def counters(self) -> list[LogEntry]:
        return [
            LogEntry("ELQ-00033", "Email addresses created.", self.created),
            LogEntry("ELQ-00035", "Email addresses updated.", self.stored - self.created),
            *(action_log(action, self.stored) for action in self.actions),
        ]

    def counts(self, processed: int) -> SyncCounts:
        return SyncCounts(processed, self.created, self.stored - self.created, len(self.rejects))
