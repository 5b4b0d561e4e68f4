"""What a sync does with the rows of an import linking opportunities to contacts:
``OpportunityLinkImport``.

Rules, after Oracle's opportunities tutorial and status codes (linked below); where Oracle is
silent, the emulator's choice is marked [choice]:

- Each row names an opportunity by its ``{{Opportunity.Id}}`` (``linkOpportunitiesMatchFieldName``)
  and contacts by its source value (``linkOpportunitiesSourceField``): a contact with that value
  (``linkOpportunitiesEntityType: Contact``), or every contact of the accounts with that value
  (``Account``). ``linkOpportunitiesMultipleSourceMatches: false`` links only the first contact
  found; the case-sensitivity properties apply to each match.
- A row whose opportunity does not exist is rejected with ELQ-00084 "Opportunity does not
  exist."; one whose source value names no contact with ELQ-00085 "Contact does not exist."
  [choice: also when it names an account that has no contacts]. Blank values are ELQ-00061 and
  values that do not fit their field ELQ-00040 or ELQ-00002, as in other imports.
- A link made again is kept once. Oracle lists no code counting links: the sync logs none
  [choice].

Oracle's tutorial: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/opportunities.htm
Its status codes: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/GettingStarted/APIRequests/eloqua-status-codes.htm
"""

from __future__ import annotations

from collections.abc import Sequence

from target_eloqua.emulator.model.catalog import Catalog
from target_eloqua.emulator.model.checks import Problem
from target_eloqua.emulator.model.definitions import ImportDefinition, OpportunityLinks
from target_eloqua.emulator.model.entities import OPPORTUNITIES
from target_eloqua.emulator.model.importer import Row
from target_eloqua.emulator.model.records import RecordStores, StoredRecord
from target_eloqua.emulator.model.row_imports import RowImport
from target_eloqua.emulator.model.syncs import SyncCounts

OPPORTUNITY_NOT_FOUND = Problem("ELQ-00084", "Opportunity does not exist.")
CONTACT_NOT_FOUND = Problem("ELQ-00085", "Contact does not exist.")


class OpportunityLinkImport(RowImport):
    """One sync's links: each row checked, its opportunity and contacts found and linked."""

    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        super().__init__(definition, stores, catalog)
        assert definition.accepted.links is not None  # definitions check it
        self.how: OpportunityLinks = definition.accepted.links
        self.opportunities = stores.of(OPPORTUNITIES)
        self.match_name = definition.targets[self.how.match_key].name
        self.source_name = definition.targets[self.how.source_key].name
        self._account_contacts: dict[int, list[int]] | None = None

    def process(self, index: int, row: Row) -> None:
        """Link one row's opportunity to its contacts, or reject the row."""
        how = self.how
        problems = self.problems(row, (how.match_key, how.source_key))
        if problems:
            self.reject(index, row, problems)
            return
        opportunities = self.opportunities.matching(
            self.match_name, row[how.match_key], how.case_sensitive_match
        )
        if not opportunities:
            self.reject(index, row, {how.match_key: OPPORTUNITY_NOT_FOUND})
            return
        contacts = self._contacts(row[how.source_key])
        if not contacts:
            self.reject(index, row, {how.source_key: CONTACT_NOT_FOUND})
            return
        _link(opportunities[0], contacts if how.multiple_source_matches else contacts[:1])
        self.stored += 1

    def counts(self, processed: int) -> SyncCounts:
        """Linked opportunities are counted as updated."""
        return SyncCounts(processed, 0, self.stored, len(self.rejects))

    def _contacts(self, value: str) -> list[int]:
        """The ids of the contacts the source value names."""
        how = self.how
        if how.entity_type == "Contact":
            found = self.stores.contacts.matching(
                self.source_name, value, how.case_sensitive_source
            )
            return [contact.id for contact in found]
        accounts = self.stores.accounts.matching(self.source_name, value, how.case_sensitive_source)
        by_account = self._contacts_by_account()
        return [contact for account in accounts for contact in by_account.get(account.id, [])]

    def _contacts_by_account(self) -> dict[int, list[int]]:
        """Account id -> the ids of its contacts, worked out once per sync."""
        if self._account_contacts is None:
            self._account_contacts = {}
            for contact in self.stores.contacts:
                if contact.account_id is not None:
                    self._account_contacts.setdefault(contact.account_id, []).append(contact.id)
        return self._account_contacts


def _link(opportunity: StoredRecord, contact_ids: Sequence[int]) -> None:
    """Link the contacts to the opportunity, each once."""
    new = [i for i in contact_ids if i not in opportunity.linked_contacts]
    if new:
        opportunity.linked_contacts += tuple(dict.fromkeys(new))
