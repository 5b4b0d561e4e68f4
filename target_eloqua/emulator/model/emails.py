"""Contacts' email addresses are unique in Eloqua, whatever field a contact import matches on."""

from __future__ import annotations

from collections.abc import Mapping

from target_eloqua.emulator.model.definitions import ImportDefinition
from target_eloqua.emulator.model.records import RecordStore, StoredRecord

EMAIL_FIELD = "C_EmailAddress"


class ContactEmails:
    """The email addresses one contact sync has seen, and those its stored contacts have.

    What the importer does about unique emails, after Oracle's status codes and its note on
    ``importRule`` (linked below; where they are silent, the emulator's choice is marked so):

    - Two rows of one sync with the same email address, in any letter case: the later row is
      rejected with ELQ-00011 "Duplicate email address." (logged as "Duplicate email addresses.").
      This holds when the email is the identifier too, since Oracle gives ELQ-00011 for duplicate
      email addresses without exception. [choice] A row claims its email once its values pass the
      checks, before it is matched, so an invalid row claims nothing and a skipped one does.
    - A row that would give a new contact, or a stored contact by update, the email address another
      stored contact has is rejected with ELQ-00048 "Contact already exists.". [choice: Oracle
      documents no code for this; ELQ-00048 is the closest one it lists.]
    - ``importRule: createOnly`` also skips a row whose email a stored contact has (Oracle's note),
      counted with the rows whose identifier matched in ELQ-00034 "Total unmatched records.".

    Oracle's status codes: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/GettingStarted/APIRequests/eloqua-status-codes.htm
    Its note on ``importRule`` (Eloqua 26B): https://docs.oracle.com/en/cloud/saas/readiness/marketing/26b/eloq-26b/26B-eloqua-wn-f47446.htm
    """

    def __init__(self, key: str, store: RecordStore) -> None:
        self.key = key
        """The definition key whose value is the email address."""
        self.store = store
        self._seen: set[str] = set()

    @classmethod
    def of(cls, definition: ImportDefinition, store: RecordStore) -> ContactEmails | None:
        """The check for a contact definition that maps the email address, else None."""
        if definition.entity.kind != "contacts":
            return None
        keys = [
            key
            for key, target in definition.targets.items()
            if target.kind == "field" and target.name == EMAIL_FIELD
        ]
        return cls(keys[0], store) if keys else None

    def repeated(self, row: Mapping[str, str]) -> bool:
        """Whether an earlier row of the sync had this row's email; if not, the row claims it."""
        email = row.get(self.key, "")
        if not email.strip():
            return False
        folded = email.casefold()
        if folded in self._seen:
            return True
        self._seen.add(folded)
        return False

    def stored(self, row: Mapping[str, str]) -> bool:
        """Whether a stored contact has this row's email."""
        email = row.get(self.key, "")
        return bool(email.strip()) and bool(self.store.matching(EMAIL_FIELD, email))

    def taken(self, record: StoredRecord | None, values: Mapping[str, str]) -> bool:
        """Whether writing ``values`` to ``record`` (None: a new contact) would give it the email
        of another stored contact."""
        email = values.get(EMAIL_FIELD, "")
        if not email.strip():
            return False
        return any(other is not record for other in self.store.matching(EMAIL_FIELD, email))
