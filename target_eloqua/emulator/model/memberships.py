"""What sync actions do to the records they reach: list membership, email group status, global
subscription and bounced email addresses; and the log entry that counts each action of a sync.

Oracle's sync actions and the codes their syncs log:
https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/Syncs/sync-actions.htm
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/GettingStarted/APIRequests/eloqua-status-codes.htm

The emulator's choices where Oracle is silent [choice]: a custom object record's actions act on
the contact it is linked to (``mapDataCards``), and do nothing for a record linked to none; a
contact created or updated with an email address that an email address import unsubscribed or
marked as bounced is unsubscribed or bounced too, as Oracle says of "any present or future
contact" with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from target_eloqua.emulator.model.definitions import SyncAction
from target_eloqua.emulator.model.emails import EMAIL_FIELD
from target_eloqua.emulator.model.entities import Entity
from target_eloqua.emulator.model.records import RecordStore, RecordStores, StoredRecord
from target_eloqua.emulator.model.statements import EMAIL_ADDRESS
from target_eloqua.emulator.model.syncs import LogEntry

ACTION_LOGS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("ContactList", "add"): ("ELQ-00119", "Added members to Contact List {id}."),
    ("ContactList", "remove"): ("ELQ-00118", "Removed members from Contact List {id}."),
    ("AccountList", "add"): ("ELQ-00114", "Added members to Account List {id}."),
    ("AccountList", "remove"): ("ELQ-00117", "Removed members from Account List {id}."),
    ("EmailGroup", "subscribed"): ("ELQ-00115", "Subscribed members to Email Group {id}."),
    ("EmailGroup", "unsubscribed"): ("ELQ-00116", "Unsubscribed members from Email Group {id}."),
    ("GlobalSubscribe", "subscribed"): ("ELQ-00138", "Contacts email marked as subscribed."),
    ("GlobalSubscribe", "unsubscribed"): ("ELQ-00017", "Contacts email marked as unsubscribed."),
    ("GlobalSubscribe", "bounced"): ("ELQ-00016", "Contacts email marked as bounced."),
}
"""The code and message each kind of action logs, with the count of records it was taken on."""


def action_log(action: SyncAction, count: int) -> LogEntry:
    """The log entry counting the records a sync took ``action`` on."""
    code, message = ACTION_LOGS[(action.kind, action.status or action.action)]
    return LogEntry(code, message.format(id=action.target_id), count)


def apply_action(
    action: SyncAction, record: StoredRecord, entity: Entity, stores: RecordStores
) -> bool:
    """Take the action on the record (a custom object record's, on its contact); whether there
    was a record to take it on."""
    if entity.kind == "customObjects":
        linked = record.mapped_entity
        contact = stores.contacts.get(linked[1]) if linked and linked[0] == "Contact" else None
        if contact is None:
            return False
        record = contact
    if action.kind in ("ContactList", "AccountList") and action.target_id is not None:
        if action.action == "add" and action.target_id not in record.lists:
            record.lists += (action.target_id,)
        elif action.action == "remove" and action.target_id in record.lists:
            record.lists = tuple(i for i in record.lists if i != action.target_id)
    elif action.kind == "EmailGroup":
        record.email_groups = {**record.email_groups, str(action.target_id): str(action.status)}
    elif action.status == "bounced":
        record.bounced = True
    else:
        record.global_subscription = action.status
    return True


def mark_contacts(address: StoredRecord, contacts: RecordStore) -> None:
    """Give the contacts with the email address what an email address import set on it."""
    for contact in contacts.matching(
        EMAIL_FIELD, address.fields.get(EMAIL_ADDRESS.internal_name, "")
    ):
        inherit_email_status(contact, address)


def inherit_email_status(contact: StoredRecord, address: StoredRecord) -> None:
    """Unsubscribe or bounce a contact whose email address an email address import did."""
    if address.global_subscription == "unsubscribed":
        contact.global_subscription = "unsubscribed"
    if address.bounced:
        contact.bounced = True


def email_address_of(contact: StoredRecord, addresses: RecordStore) -> StoredRecord | None:
    """The email address record (of an email address import) of the contact's email, if any."""
    email = contact.fields.get(EMAIL_FIELD, "")
    found = addresses.matching(EMAIL_ADDRESS.internal_name, email) if email.strip() else []
    return found[0] if found else None
