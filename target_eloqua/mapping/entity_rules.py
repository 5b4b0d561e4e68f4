"""What each kind of Eloqua entity takes in an import, as Oracle documents it.

Whether a stream mapping names an identifier, which import options apply, which statements an
import definition must map, and, for the two kinds Eloqua lists no ``/fields`` of (activities,
and the links of opportunities to contacts), the statements they take. Pure data.

Oracle's pages, per kind:

- activities, external activities on external assets only, never updated (ELQ-00123: the
  identifier is ignored), their statements and the import Oracle shows:
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-activities-imports-post.html
  https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/activity-fields.htm
  (no ``/fields`` for activities: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/Introduction_To_Eloqua_Elements.html);
- opportunities (identifier and required fields) and their links to contacts, directly or through
  accounts (``linkOpportunities*``):
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/opportunities.htm
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-opportunities-contacts-imports-post.html;
- events, like custom objects with ``mapDataCards`` and without sync actions:
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/import_export_parameters.htm
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/sync_actions.htm;
- campaign responses:
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-campaignresponses-imports-post.html;
- ``importRule`` is for contacts and accounts only:
  https://docs.oracle.com/en/cloud/saas/readiness/marketing/26b/eloq-26b/26B-eloqua-wn-f47446.htm
- sync-action definitions are for accounts, contacts, custom objects and email addresses, whose
  imports take only sync actions and map only ``{{EmailAddress.Field(EmailAddress)}}`` (there
  is no ``/emailAddresses/fields``); ``mirror`` needs lists to read the members of, which
  contacts and accounts have (see ``sync_actions``):
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/sync_actions.htm
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-emailaddresses-imports-get.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from target_eloqua.mapping.entities import ACCOUNTS, CONTACTS, Entity
from target_eloqua.mapping.fields import EloquaField
from target_eloqua.mapping.sync_actions import EMAIL_ADDRESS_STATEMENT

OPPORTUNITY_ID = "{{Opportunity.Id}}"

_UPDATES = frozenset({"update_rule", "update_rule_by_field", "update_multiple_matched_records"})
_PRIORITY = frozenset({"import_priority"})
_AUDIENCE = frozenset({"sync_actions", "actions_only", "mirror"})
"""Sync actions, alone or with an import, and ``mirror`` of the lists they add to."""


@dataclass(frozen=True)
class Required:
    """The statements a definition must map one of, and what they are for. A statement ending
    in ``.`` stands for every statement it begins (``{{Activity.Contact.`` for a contact's id or
    any of its fields); ``only_one`` forbids mapping more than one of them.
    """

    what: str
    statements: tuple[str, ...]
    only_one: bool = False

    def met_by(self, statement: str) -> bool:
        """Whether ``statement`` is one of these."""
        return any(
            statement == wanted or (wanted.endswith(".") and statement.startswith(wanted))
            for wanted in self.statements
        )


@dataclass(frozen=True)
class EntityRules:
    """What one kind of entity takes in an import definition."""

    name: str
    """The kind in words, for messages."""
    options: frozenset[str]
    """The stream mapping's import options that apply."""
    takes_identifier: bool = True
    no_identifier_reason: str = ""
    identifier_statement: str | None = None
    """The statement the identifier must import into, when Eloqua says which."""
    blank_id_is_new: bool = False
    """Whether a blank ``{{X.Id}}`` (or ``ExternalId``) identifier asks for a new record."""
    required: tuple[Required, ...] = ()
    related: Mapping[str, Entity] = field(default_factory=dict)
    """Relation in a statement (``Contact`` in ``{{Activity.Contact.Field(X)}}``) -> the entity
    whose fields it names."""
    listed_fields: tuple[EloquaField, ...] | None = None
    """The statements it takes, for a kind Eloqua has no ``/fields`` of."""
    logs_count_loaded: bool = True
    """Whether a sync's logs count the records it created and updated; Oracle's list of
    status codes has none for opportunities, their links or campaign responses:
    https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/GettingStarted/APIRequests/eloqua-status-codes.htm
    """
    exported: bool = True
    """Whether Eloqua exports records of this kind (what ``verify`` reads back with): its
    export tutorial names activities, accounts, contacts, custom objects, events and campaign
    responses: https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Tutorials/Export.htm
    """


def _listed(*fields: tuple[str, str, str]) -> tuple[EloquaField, ...]:
    return tuple(
        EloquaField(name, statement, data_type, False) for name, statement, data_type in fields
    )


RULES = {
    "accounts": EntityRules(
        "accounts",
        frozenset({"link_users", "import_rule"}) | _AUDIENCE | _UPDATES | _PRIORITY,
        blank_id_is_new=True,
    ),
    "contacts": EntityRules(
        "contacts",
        frozenset({"import_rule"}) | _AUDIENCE | _UPDATES | _PRIORITY,
        blank_id_is_new=True,
        related={"Account": ACCOUNTS},
    ),
    "customObjects": EntityRules(
        "custom objects",
        frozenset({"sync_actions", "actions_only", "map_data_cards"}) | _UPDATES | _PRIORITY,
        blank_id_is_new=True,
    ),
    "events": EntityRules(
        "events", frozenset({"map_data_cards"}) | _UPDATES | _PRIORITY, blank_id_is_new=True
    ),
    "activities": EntityRules(
        "activities",
        _PRIORITY,
        takes_identifier=False,
        no_identifier_reason="Eloqua never updates an activity, each record is a new one",
        required=(
            Required("the activity type", ("{{Activity.Type}}",)),
            Required("the asset type", ("{{Activity.Asset.Type}}",)),
            Required("the asset name", ("{{Activity.Asset.Name}}",)),
            Required("the activity date", ("{{Activity.CreatedAt}}",)),
            Required("the contact", ("{{Activity.Contact.",), only_one=True),
        ),
        related={"Contact": CONTACTS},
        listed_fields=_listed(
            ("ActivityType", "{{Activity.Type}}", "string"),
            ("AssetType", "{{Activity.Asset.Type}}", "string"),
            ("AssetName", "{{Activity.Asset.Name}}", "string"),
            ("ActivityDate", "{{Activity.CreatedAt}}", "date"),
            ("CampaignId", "{{Activity.Campaign.Id}}", "number"),
            ("ContactId", "{{Activity.Contact.Id}}", "number"),
        ),
    ),
    "opportunities": EntityRules(
        "opportunities",
        _UPDATES | _PRIORITY,
        identifier_statement=OPPORTUNITY_ID,
        logs_count_loaded=False,
        exported=False,
        required=(
            Required("the opportunity id", (OPPORTUNITY_ID,)),
            Required("the name", ("{{Opportunity.Field(Name)}}",)),
            Required("the stage", ("{{Opportunity.Field(Stage)}}",)),
            Required("the amount", ("{{Opportunity.Field(Amount)}}",)),
        ),
    ),
    "opportunities/contacts": EntityRules(
        "links of opportunities to contacts",
        _PRIORITY,
        takes_identifier=False,
        logs_count_loaded=False,
        exported=False,
        no_identifier_reason=(
            "a link matches the opportunity on {{Opportunity.Id}} and the contacts on the other "
            "field"
        ),
        required=(
            Required("the opportunity id", (OPPORTUNITY_ID,)),
            Required(
                "the contact or account to link to",
                ("{{Opportunity.Contact.", "{{Opportunity.Account."),
                only_one=True,
            ),
        ),
        related={"Contact": CONTACTS, "Account": ACCOUNTS},
        listed_fields=_listed(
            ("OpportunityID", OPPORTUNITY_ID, "string"),
            ("ContactId", "{{Opportunity.Contact.Id}}", "number"),
        ),
    ),
    "campaignResponses": EntityRules(
        "campaign responses", _UPDATES | _PRIORITY, logs_count_loaded=False
    ),
    "emailAddresses": EntityRules(
        "email addresses",
        frozenset({"sync_actions", "actions_only"}),
        identifier_statement=EMAIL_ADDRESS_STATEMENT,
        exported=False,
        listed_fields=_listed(("EmailAddress", EMAIL_ADDRESS_STATEMENT, "emailAddress")),
    ),
}
"""The rules of each kind of entity (``Entity.kind``)."""


def rules_of(entity: Entity) -> EntityRules:
    """The rules of the entity's kind."""
    return RULES[entity.kind]


def kinds_taking(option: str) -> str:
    """The kinds of entity an option applies to, in words: ``accounts and contacts``."""
    names = [rules.name for rules in RULES.values() if option in rules.options]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
