"""What a sync does with the rows of an external activity import: ``ActivityImport``.

Rules, after Oracle's activity import and status codes (linked below); where Oracle is silent,
the emulator's choice is marked [choice]:

- Activities are never updated: each row that passes is a new activity, of the contact it names
  (by ``{{Activity.Contact.Id}}`` or a contact field); an identifier, if the definition has one,
  is ignored and logged once as ELQ-00123.
- A row is rejected, whole, when a value does not fit (ELQ-00040, ELQ-00002 for an email), a
  required value is blank (ELQ-00061), its asset type is not an external asset type of the
  instance (ELQ-00072 "Asset Type not found."), its activity type is not one of that asset
  type's (ELQ-00070 "Activity Type not found."), its campaign is not one the instance has
  (ELQ-00055 "Campaign not found.") or no contact has its contact value (ELQ-00085 "Contact does
  not exist.") [choice: Oracle lists ELQ-00085 beside opportunity links; the emulator gives it to
  activities too].
- An asset name not seen before under its asset type is a new external asset, counted in
  ELQ-00068 "Assets created."; activities are counted in ELQ-00069 "Activities created.".

Oracle's activity import: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-activities-imports-post.html
Its status codes: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/GettingStarted/APIRequests/eloqua-status-codes.htm
"""

from __future__ import annotations

from target_eloqua.emulator.model.catalog import Catalog
from target_eloqua.emulator.model.checks import Problem
from target_eloqua.emulator.model.definitions import ImportDefinition
from target_eloqua.emulator.model.importer import Row
from target_eloqua.emulator.model.records import RecordStores
from target_eloqua.emulator.model.row_imports import RowImport
from target_eloqua.emulator.model.statements import ACTIVITY_ATTRIBUTES
from target_eloqua.emulator.model.syncs import LogEntry

ASSET_TYPE_NOT_FOUND = Problem("ELQ-00072", "Asset Type not found.")
ACTIVITY_TYPE_NOT_FOUND = Problem("ELQ-00070", "Activity Type not found.")
CAMPAIGN_NOT_FOUND = Problem("ELQ-00055", "Campaign not found.")
CONTACT_NOT_FOUND = Problem("ELQ-00085", "Contact does not exist.")

_NAMES = {path: field.internal_name for path, field in ACTIVITY_ATTRIBUTES.items()}


class ActivityImport(RowImport):
    """One sync's activities: each row checked, its contact, asset and campaign found."""

    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        super().__init__(definition, stores, catalog)
        self.writes = [
            (key, target.name)
            for key, target in definition.targets.items()
            if target.kind == "activity"
        ]
        self.required = [
            key
            for key, target in definition.targets.items()
            if target.kind == "contact" or (target.field is not None and target.field.not_null)
        ]
        key_of = {target.name: key for key, target in definition.targets.items()}
        self.asset_type_key = key_of.get(_NAMES["Asset.Type"], "")
        self.asset_name_key = key_of.get(_NAMES["Asset.Name"], "")
        self.activity_type_key = key_of.get(_NAMES["Type"], "")
        self.campaign_key = key_of.get(_NAMES["Campaign.Id"])
        self.contact_key, self.contact_name = next(
            (key, target.name)
            for key, target in definition.targets.items()
            if target.kind == "contact"
        )
        self.activity_types = {
            asset_type.name.casefold(): {name.casefold() for name in asset_type.activity_types}
            for asset_type in catalog.asset_types
        }
        """Asset type -> its activity types, in lower case."""
        self.campaigns = {str(campaign.id) for campaign in catalog.campaigns}
        self.assets_created = 0

    def process(self, index: int, row: Row) -> None:
        """Check one row and store it as an activity, or reject it."""
        problems = self.problems(row, self.required)
        contact_id = None
        if not problems:
            problems, contact_id = self._links(row)
        if problems or contact_id is None:
            self.reject(index, row, problems)
            return
        values = {name: row[key] for key, name in self.writes if key in row}
        record = self.store.create(values)
        record.mapped_entity = ("Contact", contact_id)
        self.stored += 1
        asset = (
            row[self.asset_type_key].strip().casefold(),
            row[self.asset_name_key].strip().casefold(),
        )
        if asset not in self.stores.assets:
            self.stores.assets[asset] = len(self.stores.assets) + 1
            self.assets_created += 1

    def _links(self, row: Row) -> tuple[dict[str, Problem], int | None]:
        """What the row's asset type, activity type, campaign and contact are in the instance:
        a problem for the first one it does not have, or the contact's id."""
        activity_types = self.activity_types.get(row[self.asset_type_key].strip().casefold())
        if activity_types is None:
            return {self.asset_type_key: ASSET_TYPE_NOT_FOUND}, None
        if row[self.activity_type_key].strip().casefold() not in activity_types:
            return {self.activity_type_key: ACTIVITY_TYPE_NOT_FOUND}, None
        campaign = row.get(self.campaign_key or "", "").strip()
        if campaign and self.campaign_key and campaign not in self.campaigns:
            return {self.campaign_key: CAMPAIGN_NOT_FOUND}, None
        contacts = self.stores.contacts.matching(self.contact_name, row[self.contact_key])
        if not contacts:
            return {self.contact_key: CONTACT_NOT_FOUND}, None
        return {}, contacts[0].id

    def notes(self) -> list[LogEntry]:
        identifier = self.definition.identifier_key
        if identifier is None:
            return []
        ignored = f"identifierField {identifier} will be ignored since Activities are never "
        return [LogEntry("ELQ-00123", ignored + "updated.")]

    def counters(self) -> list[LogEntry]:
        return [
            LogEntry("ELQ-00068", "Assets created.", self.assets_created),
            LogEntry("ELQ-00069", "Activities created.", self.stored),
        ]
