"""What an import writes to or an export reads from: accounts, contacts, one custom object or
event, activities, opportunities, the links of opportunities to contacts, campaign responses or
email addresses; and how each is named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from target_eloqua.emulator.model.catalog import Catalog, FieldCatalog

EntityKind = Literal[
    "accounts",
    "contacts",
    "customObjects",
    "events",
    "activities",
    "opportunities",
    "opportunityContacts",
    "campaignResponses",
    "emailAddresses",
]

_PATH = re.compile(
    r"(accounts|contacts|activities|opportunities|campaignResponses|emailAddresses)"
    r"|(opportunities/contacts)|(customObjects|events)/(\d+)",
    re.IGNORECASE,
)
_KINDS: dict[str, EntityKind] = {
    "accounts": "accounts",
    "contacts": "contacts",
    "activities": "activities",
    "opportunities": "opportunities",
    "campaignresponses": "campaignResponses",
    "emailaddresses": "emailAddresses",
    "customobjects": "customObjects",
    "events": "events",
}
_MARKUP: dict[EntityKind, str] = {
    "accounts": "Account",
    "contacts": "Contact",
    "customObjects": "CustomObject",
    "events": "Event",
    "activities": "Activity",
    "opportunities": "Opportunity",
    "opportunityContacts": "Opportunity",
    "campaignResponses": "CampaignResponse",
    "emailAddresses": "EmailAddress",
}


@dataclass(frozen=True)
class Entity:
    """An entity a definition writes to or reads from; ``object_id`` is set for custom objects
    and events."""

    kind: EntityKind
    object_id: int | None = None

    @property
    def path(self) -> str:
        """The entity's part of Bulk API paths: ``accounts``, ``customObjects/9``,
        ``opportunities/contacts``."""
        if self.kind == "opportunityContacts":
            return "opportunities/contacts"
        return self.kind if self.object_id is None else f"{self.kind}/{self.object_id}"

    @property
    def markup(self) -> str:
        """The entity's name in field statements: ``Account``, ``CustomObject[9]``."""
        name = _MARKUP[self.kind]
        return name if self.object_id is None else f"{name}[{self.object_id}]"

    @classmethod
    def parse(cls, path: str) -> Entity | None:
        """The entity of a path such as ``accounts``, ``customObjects/9`` or
        ``opportunities/contacts`` (any letter case)."""
        match = _PATH.fullmatch(path)
        if match is None:
            return None
        if match.group(2):
            return cls("opportunityContacts")
        if match.group(1):
            return cls(_KINDS[match.group(1).lower()])
        return cls(_KINDS[match.group(3).lower()], int(match.group(4)))


ACCOUNTS = Entity("accounts")
CONTACTS = Entity("contacts")
EMAIL_ADDRESSES = Entity("emailAddresses")
ACTIVITIES = Entity("activities")
OPPORTUNITIES = Entity("opportunities")


def fields_of(catalog: Catalog, entity: Entity) -> FieldCatalog | None:
    """The fields ``/fields`` lists for the entity; None for a custom object or event the
    catalog does not have, and for activities, opportunity links and email addresses, which have
    no ``/fields``
    (https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/Introduction_To_Eloqua_Elements.html).
    """
    listed = {
        "accounts": catalog.accounts,
        "contacts": catalog.contacts,
        "opportunities": catalog.opportunities,
        "campaignResponses": catalog.campaign_responses.fields,
    }
    if entity.kind in listed:
        return listed[entity.kind]
    object_id = entity.object_id or 0
    if entity.kind == "customObjects":
        holder = catalog.custom_object(object_id)
    elif entity.kind == "events":
        holder = catalog.event(object_id)
    else:
        return None
    return holder.fields if holder is not None else None


def exists(catalog: Catalog, entity: Entity) -> bool:
    """Whether the instance has the entity (a custom object or event must be in the catalog)."""
    return entity.kind in ("activities", "opportunityContacts", "emailAddresses") or (
        fields_of(catalog, entity) is not None
    )
