"""Import definitions: which properties Eloqua keeps, its defaults and its rules.

Each kind of entity has its own rules, after Oracle's pages (linked where each rule is); where
Oracle is silent, the emulator's choice is marked [choice]:

- activities take no identifier (one given is kept and ignored at sync time, ELQ-00123) and must
  map the activity type, asset type, asset name, activity date and one contact
  [choice: Oracle's activity import maps them all; the emulator refuses a definition without
  them, so that every activity names what Eloqua shows of it];
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-activities-imports-post.html
- opportunities must map ``{{Opportunity.Id}}``, ``Field(Name)``, ``Field(Stage)`` and
  ``Field(Amount)``, and match on ``{{Opportunity.Id}}``; their links to contacts map
  ``{{Opportunity.Id}}`` and a contact (``{{Opportunity.Contact...}}``) or account
  (``{{Opportunity.Account.Field(X)}}``) and say how to match them in ``linkOpportunities*``
  [choice: the entity type, match field and source field are required];
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/opportunities.htm
- ``mapDataCards*`` is for custom objects and events; sync actions are not for events,
  activities, opportunities or campaign responses; ``importRule`` is for accounts and contacts.
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/import_export_parameters.htm
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/sync_actions.htm
- sync actions: contacts go to and from contact lists (``add``, ``remove``), and have their email
  group and global subscription set (``setStatus`` ``subscribed`` or ``unsubscribed``); accounts
  go to and from account lists; custom object records take the contacts' actions [choice: for
  the contact each is linked to]; email addresses are globally unsubscribed or marked as bounced
  (``setStatus`` ``{{GlobalSubscribe}}`` ``unsubscribed`` or ``bounced`` [choice: Oracle's page
  of sync actions lists "Email addresses set bounceback" without the statement the emulator could
  read; the status is the ``bounced`` of Oracle's MemberStatus]), one of the two per definition
  ("an email address can be set to unsubscribed or bounced but not both", 24A), and an email
  address import takes at least one, as "import definitions that can only be used with sync
  actions".
  https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/Syncs/sync-actions.htm
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-emailaddresses-imports-post.html
  https://docs.oracle.com/en/cloud/saas/readiness/marketing/24a/eloq-24a/24A-eloqua-wn-f32117.htm
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from target_eloqua.emulator.model.catalog import Catalog, Named
from target_eloqua.emulator.model.coerce import as_bool, as_text
from target_eloqua.emulator.model.entities import ACCOUNTS, CONTACTS, EMAIL_ADDRESSES, Entity
from target_eloqua.emulator.model.errors import Failure, ValidationError
from target_eloqua.emulator.model.statements import OPPORTUNITY_ID, StatementError, Target, resolve

MAX_NAME_LENGTH = 100
MAX_FIELDS = 100
MAX_SYNC_ACTIONS = 10
HOUR = 3600
DAY = 24 * HOUR
UPDATE_RULES = ("always", "ifNewIsNotNull", "ifExistingIsNull", "useFieldRule")
IMPORT_RULES = ("createAndUpdate", "updateOnly", "createOnly")
DATA_CARD_ENTITIES: Mapping[str, Entity] = {"Contact": CONTACTS, "Company": ACCOUNTS}

NAME_RULE = "Must be a string value, at least 1 character and at most 100 characters long."
FIELDS_RULE = "Must be an object of at least 1 and at most 100 field statements."
READ_ONLY_RULE = "Must not name a read-only field."
IDENTIFIER_NOT_IN_FIELDS_RULE = (
    "identifierFieldName {name} must be contained within Fields, if specified"
)
IDENTIFIER_TYPE_RULE = "Must not be a Large Text, Date or Boolean field."
IDENTIFIER_TARGET_RULE = "Must be the key of a field of the entity the definition imports into."
BOOLEAN_RULE = "Must be a boolean value."
ENUM_RULE = "Must be one of: {values}."
BY_FIELD_RULE = "Must map keys of fields to one of: " + ", ".join(UPDATE_RULES) + "."
RETENTION_RULE = "Must be an ISO-8601 duration from PT1H to P14D."
AUTO_DELETE_RULE = "Must be an ISO-8601 duration of at least PT1H."
SYNC_ACTIONS_RULE = "Must be an array of at most 10 sync actions."
SYNC_ACTION_RULE = "Must be a sync action {action, destination, status} this entity supports."
SYNC_ACTIONS_NEEDED_RULE = (
    "Must include at least one sync action: email address imports only take sync actions."
)
ONE_EMAIL_STATUS_RULE = "An email address can be set to unsubscribed or bounced but not both."
PRIORITY_RULE = "Must reference an existing /imports/priorities/{id}."
INTEGER_RULE = "Must be an integer."
ACCOUNTS_ONLY_RULE = "Only account imports can link users."
CUSTOM_OBJECTS_ONLY_RULE = "Only custom object and event imports can map data cards."
NOT_FOR_ENTITY_RULE = "Not supported for this entity."
DATA_CARDS_RULE = "Must be set when mapDataCards is true: {detail}."
REQUIRED_RULE = "Must include {what}."
OPPORTUNITY_IDENTIFIER_RULE = "Must contain the {{Opportunity.Id}} field within fields."
LINKS_RULE = "Must be {detail}."

# Properties in the order Eloqua echoes them; any other property is dropped.
PROPERTIES = (
    "name",
    "fields",
    "identifierFieldName",
    "isSyncTriggeredOnImport",
    "dataRetentionDuration",
    "isUpdatingMultipleMatchedRecords",
    "linkUsers",
    "nullIdentifierFieldName",
    "updateRule",
    "updateRuleByField",
    "importRule",
    "autoDeleteDuration",
    "syncActions",
    "importPriorityUri",
    "externalSystemId",
    "mapDataCards",
    "mapDataCardsEntityType",
    "mapDataCardsEntityField",
    "mapDataCardsSourceField",
    "mapDataCardsCaseSensitiveMatch",
    "linkOpportunitiesCaseSensitiveMatchField",
    "linkOpportunitiesCaseSensitiveSourceField",
    "linkOpportunitiesEntityType",
    "linkOpportunitiesMatchFieldName",
    "linkOpportunitiesMultipleSourceMatches",
    "linkOpportunitiesSourceField",
)
BOOLEAN_PROPERTIES = (
    "isSyncTriggeredOnImport",
    "isUpdatingMultipleMatchedRecords",
    "linkUsers",
    "nullIdentifierFieldName",
    "mapDataCards",
    "mapDataCardsCaseSensitiveMatch",
    "linkOpportunitiesCaseSensitiveMatchField",
    "linkOpportunitiesCaseSensitiveSourceField",
    "linkOpportunitiesMultipleSourceMatches",
)
# Defaults Eloqua echoes when the property was not sent, as the responses in Oracle's account and
# custom object import tutorials show; other optional properties, linkUsers and mapDataCards among
# them, are echoed only when sent.
# https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/import_account_data.htm
# https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/new_custom_object_records.htm
_DEFAULTS: Mapping[str, Any] = {
    "isSyncTriggeredOnImport": False,
    "dataRetentionDuration": "P7D",
    "isUpdatingMultipleMatchedRecords": False,
}
_ENTITY_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "customObjects": {"mapDataCardsCaseSensitiveMatch": False},
    "events": {"mapDataCardsCaseSensitiveMatch": False},
}
_ONLY_FOR: Mapping[str, tuple[str, ...]] = {
    "linkUsers": ("accounts",),
    "importRule": ("accounts", "contacts"),
    **{
        name: ("customObjects", "events")
        for name in PROPERTIES
        if name.startswith("mapDataCards") and name != "mapDataCards"
    },
    **{name: ("opportunityContacts",) for name in PROPERTIES if name.startswith("linkOpp")},
}
_NO_IDENTIFIER = ("activities", "opportunityContacts")
"""The entities whose definitions need no identifier: activities are never updated, and links
match on their own fields."""
_DURATION = re.compile(
    r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_DESTINATION = re.compile(
    r"\{\{(ContactList|AccountList|EmailGroup)\[(\d+)\]\}\}|\{\{GlobalSubscribe\}\}"
)
_MEMBER_STATUSES = ("subscribed", "unsubscribed")
_EMAIL_ADDRESS_STATUSES = ("unsubscribed", "bounced")
_CONTACT_ACTIONS = ("ContactList", "EmailGroup", "GlobalSubscribe")
_ACTIONS_OF: Mapping[str, tuple[str, ...]] = {
    "contacts": _CONTACT_ACTIONS,
    "customObjects": _CONTACT_ACTIONS,
    "accounts": ("AccountList",),
    "emailAddresses": ("GlobalSubscribe",),
}
"""The kinds of sync action each kind of entity takes."""

SyncActionKind = Literal["ContactList", "AccountList", "EmailGroup", "GlobalSubscribe"]
DefinitionKind = Literal["imports", "syncActions"]
_ACTION_KINDS: Mapping[str, SyncActionKind] = {
    "ContactList": "ContactList",
    "AccountList": "AccountList",
    "EmailGroup": "EmailGroup",
    "GlobalSubscribe": "GlobalSubscribe",
}


@dataclass(frozen=True)
class SyncAction:
    """One parsed sync action: add to or remove from a list, or set a subscription status."""

    action: str
    kind: SyncActionKind
    target_id: int | None
    status: str | None


@dataclass(frozen=True)
class DataCardMapping:
    """How custom object records are linked to contacts or accounts (``mapDataCards*``)."""

    entity: Entity
    entity_target: Target
    source_key: str
    case_sensitive: bool


@dataclass(frozen=True)
class OpportunityLinks:
    """How a link import finds its opportunities and the contacts they link to
    (``linkOpportunities*``): ``Contact`` links to the contacts the source value names,
    ``Account`` to every contact of the accounts it names."""

    entity_type: str
    match_key: str
    source_key: str
    case_sensitive_match: bool
    case_sensitive_source: bool
    multiple_source_matches: bool


@dataclass(frozen=True)
class Accepted:
    """A definition body as Eloqua keeps it, and what its parts mean."""

    properties: Mapping[str, Any]
    targets: Mapping[str, Target]
    sync_actions: tuple[SyncAction, ...]
    data_cards: DataCardMapping | None
    links: OpportunityLinks | None = None


def accept(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> Accepted:
    """Validate a definition body for ``entity``; ValidationError lists every broken rule.

    What it returns is what Eloqua keeps: the known properties that were set, in the order Eloqua
    echoes them, with defaults filled in and string booleans made booleans (unknown properties are
    dropped silently), plus what each field statement writes to.
    """
    failures: list[Failure] = []
    targets = _targets(catalog, entity, body.get("fields"), failures)
    failures += _name_failures(body.get("name"))
    failures += _identifier_failures(entity, body, targets)
    if targets:
        failures += _required_failures(entity, targets)
    for check in _CHECKS:
        failures += check(catalog, entity, body)
    sync_actions = parse_sync_actions(catalog, entity, body.get("syncActions"), failures)
    properties = _properties(entity, body)
    data_cards = _data_cards(catalog, properties, failures)
    links = _opportunity_links(entity, properties, targets, failures)
    if failures:
        raise ValidationError(failures)
    return Accepted(properties, targets, sync_actions, data_cards, links)


def duration_seconds(text: object) -> float | None:
    """Seconds in an ISO-8601 duration such as ``P7D`` or ``PT1H30M``; None if not one."""
    if not isinstance(text, str) or text in ("P", "PT"):
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    weeks, days, hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return weeks * 7 * DAY + days * DAY + hours * HOUR + minutes * 60 + seconds


def _properties(entity: Entity, body: Mapping[str, Any]) -> dict[str, Any]:
    """Known properties that were set, defaults for the rest, booleans as booleans."""
    allowed = {n for n in PROPERTIES if entity.kind in _ONLY_FOR.get(n, (entity.kind,))}
    given = {k: body[k] for k in PROPERTIES if k in allowed and body.get(k) is not None}
    merged = {**_DEFAULTS, **_ENTITY_DEFAULTS.get(entity.kind, {}), **given}
    for name in BOOLEAN_PROPERTIES:
        if name in merged:
            merged[name] = as_bool(merged[name])
    return {k: merged[k] for k in PROPERTIES if k in merged}


def _targets(
    catalog: Catalog, entity: Entity, fields: object, failures: list[Failure]
) -> dict[str, Target]:
    if not isinstance(fields, dict) or not 1 <= len(fields) <= MAX_FIELDS:
        shown = f"{len(fields)} fields" if isinstance(fields, dict) else as_text(fields)
        failures.append(Failure("fields", shown, FIELDS_RULE))
        return {}
    targets = {}
    for key, statement in fields.items():
        try:
            target = resolve(catalog, entity, statement if isinstance(statement, str) else "")
        except StatementError as exc:
            failures.append(Failure(f"fields.{key}", as_text(statement), str(exc)))
            continue
        if _read_only(target):
            failures.append(Failure(f"fields.{key}", statement, READ_ONLY_RULE))
        targets[key] = target
    return targets


def _read_only(target: Target) -> bool:
    """Whether an import may not write to the target: a read-only field (system timestamps
    ``C_DateCreated`` and ``C_DateModified`` among them), or ``CreatedAt`` or ``UpdatedAt``."""
    if target.kind in ("createdAt", "updatedAt"):
        return True
    return target.field is not None and target.field.read_only and target.kind == "field"


def _name_failures(name: object) -> list[Failure]:
    if isinstance(name, str) and 1 <= len(name) <= MAX_NAME_LENGTH:
        return []
    return [Failure("name", as_text(name), NAME_RULE)]


def _identifier_failures(
    entity: Entity, body: Mapping[str, Any], targets: Mapping[str, Target]
) -> list[Failure]:
    identifier, fields = body.get("identifierFieldName"), body.get("fields")
    if identifier is None and entity.kind in _NO_IDENTIFIER:
        return []
    if not isinstance(identifier, str) or not 1 <= len(identifier) <= MAX_NAME_LENGTH:
        return [Failure("identifierFieldName", as_text(identifier), NAME_RULE)]
    if not isinstance(fields, dict):
        return []  # already reported as a fields failure
    if identifier not in fields:
        missing = IDENTIFIER_NOT_IN_FIELDS_RULE.format(name=identifier)
        return [Failure("identifierFieldName", identifier, missing)]
    target = targets.get(identifier)
    if entity.kind == "opportunities" and target is not None and not _is(OPPORTUNITY_ID)(target):
        return [Failure("identifierFieldName", identifier, OPPORTUNITY_IDENTIFIER_RULE)]
    rule = _identifier_target_rule(target) if entity.kind not in _NO_IDENTIFIER else None
    return [Failure("identifierFieldName", identifier, rule)] if rule else []


def _is(statement: str) -> Callable[[Target], bool]:
    """Whether a target is the field with this statement."""
    return lambda target: target.field is not None and target.field.statement == statement


def _of_kind(*kinds: str) -> Callable[[Target], bool]:
    return lambda target: target.kind in kinds


_REQUIRED: Mapping[str, tuple[tuple[str, Callable[[Target], bool]], ...]] = {
    "activities": (
        *((s, _is(s)) for s in ("{{Activity.Type}}", "{{Activity.Asset.Type}}")),
        *((s, _is(s)) for s in ("{{Activity.Asset.Name}}", "{{Activity.CreatedAt}}")),
        (
            "a contact ({{Activity.Contact.Id}} or {{Activity.Contact.Field(X)}})",
            _of_kind("contact"),
        ),
    ),
    "opportunities": tuple(
        (s, _is(s))
        for s in (
            OPPORTUNITY_ID,
            "{{Opportunity.Field(Name)}}",
            "{{Opportunity.Field(Stage)}}",
            "{{Opportunity.Field(Amount)}}",
        )
    ),
    "opportunityContacts": (
        (OPPORTUNITY_ID, _of_kind("opportunity")),
        ("a contact or an account to link to", _of_kind("contact", "account")),
    ),
}
"""What definitions of each entity must map, and how to tell it among the fields' targets."""


def _required_failures(entity: Entity, targets: Mapping[str, Target]) -> list[Failure]:
    return [
        Failure("fields", f"{len(targets)} fields", REQUIRED_RULE.format(what=what))
        for what, present in _REQUIRED.get(entity.kind, ())
        if not any(present(target) for target in targets.values())
    ]


def _identifier_target_rule(target: Target | None) -> str | None:
    """The rule an identifier's target breaks, if any (None: its statement is reported)."""
    if target is None:
        return None
    if target.kind not in ("field", "id", "externalId"):
        return IDENTIFIER_TARGET_RULE
    field = target.field
    if field is not None and (field.data_type in ("date", "boolean") or field.large_text):
        return IDENTIFIER_TYPE_RULE
    return None


def _boolean_failures(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> list[Failure]:
    return [
        Failure(name, as_text(body[name]), BOOLEAN_RULE)
        for name in BOOLEAN_PROPERTIES
        if body.get(name) is not None and as_bool(body[name]) is None
    ]


def _rule_failures(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> list[Failure]:
    failures = [
        Failure(name, as_text(body[name]), ENUM_RULE.format(values=", ".join(values)))
        for name, values in (("updateRule", UPDATE_RULES), ("importRule", IMPORT_RULES))
        if body.get(name) is not None and body[name] not in values
    ]
    by_field = body.get("updateRuleByField")
    if by_field is None:
        return failures
    if not isinstance(by_field, dict):
        return [*failures, Failure("updateRuleByField", as_text(by_field), BY_FIELD_RULE)]
    keys = _keys(body)
    return failures + [
        Failure(f"updateRuleByField.{key}", as_text(value), BY_FIELD_RULE)
        for key, value in by_field.items()
        if key not in keys or value not in UPDATE_RULES
    ]


def _duration_failures(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> list[Failure]:
    return duration_failures(body)


def duration_failures(body: Mapping[str, Any]) -> list[Failure]:
    """The broken rules of a definition's ``dataRetentionDuration`` and ``autoDeleteDuration``
    (imports and exports alike)."""
    failures = []
    retention = body.get("dataRetentionDuration")
    seconds = duration_seconds(retention)
    if retention is not None and (seconds is None or not HOUR <= seconds <= 14 * DAY):
        failures.append(Failure("dataRetentionDuration", as_text(retention), RETENTION_RULE))
    auto_delete = body.get("autoDeleteDuration")
    seconds = duration_seconds(auto_delete)
    if auto_delete is not None and (seconds is None or seconds < HOUR):
        failures.append(Failure("autoDeleteDuration", as_text(auto_delete), AUTO_DELETE_RULE))
    return failures


def _reference_failures(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> list[Failure]:
    failures = []
    priority = body.get("importPriorityUri")
    if priority is not None and (not isinstance(priority, str) or not catalog.priority(priority)):
        failures.append(Failure("importPriorityUri", as_text(priority), PRIORITY_RULE))
    system = body.get("externalSystemId")
    if system is not None and (not isinstance(system, int) or isinstance(system, bool)):
        failures.append(Failure("externalSystemId", as_text(system), INTEGER_RULE))
    return failures


def _entity_failures(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> list[Failure]:
    failures = []
    if entity.kind != "accounts" and as_bool(body.get("linkUsers")):
        failures.append(Failure("linkUsers", as_text(body["linkUsers"]), ACCOUNTS_ONLY_RULE))
    if entity.kind not in ("customObjects", "events") and as_bool(body.get("mapDataCards")):
        rule = CUSTOM_OBJECTS_ONLY_RULE
        failures.append(Failure("mapDataCards", as_text(body["mapDataCards"]), rule))
    if entity.kind not in ("accounts", "contacts") and body.get("importRule") is not None:
        failures.append(Failure("importRule", as_text(body["importRule"]), NOT_FOR_ENTITY_RULE))
    return failures


_CHECKS: tuple[Callable[[Catalog, Entity, Mapping[str, Any]], list[Failure]], ...] = (
    _boolean_failures,
    _rule_failures,
    _duration_failures,
    _reference_failures,
    _entity_failures,
)


def parse_sync_actions(
    catalog: Catalog, entity: Entity, value: object, failures: list[Failure]
) -> tuple[SyncAction, ...]:
    """The definition's sync actions; a failure for each broken rule."""
    if value is None:
        if entity == EMAIL_ADDRESSES:
            failures.append(Failure("syncActions", "", SYNC_ACTIONS_NEEDED_RULE))
        return ()
    if not isinstance(value, list) or len(value) > MAX_SYNC_ACTIONS:
        shown = f"{len(value)} sync actions" if isinstance(value, list) else as_text(value)
        failures.append(Failure("syncActions", shown, SYNC_ACTIONS_RULE))
        return ()
    if entity == EMAIL_ADDRESSES and not value:
        failures.append(Failure("syncActions", as_text(value), SYNC_ACTIONS_NEEDED_RULE))
    actions = []
    for index, item in enumerate(value):
        action = _sync_action(catalog, entity, item)
        if action is None:
            failures.append(Failure(f"syncActions[{index}]", as_text(item), SYNC_ACTION_RULE))
        else:
            actions.append(action)
    if len({action.status for action in actions if entity == EMAIL_ADDRESSES}) > 1:
        failures.append(Failure("syncActions", as_text(value), ONE_EMAIL_STATUS_RULE))
    return tuple(actions)


def _sync_action(catalog: Catalog, entity: Entity, item: object) -> SyncAction | None:
    """The sync action, if it is well formed, exists and suits the entity."""
    if not isinstance(item, dict) or not isinstance(item.get("destination"), str):
        return None
    match = _DESTINATION.fullmatch(item["destination"])
    action, status = item.get("action"), item.get("status")
    if match is None:
        return None
    kind = _ACTION_KINDS[match.group(1) or "GlobalSubscribe"]
    target_id = int(match.group(2)) if match.group(2) else None
    if kind not in _ACTIONS_OF.get(entity.kind, ()):
        return None
    if kind in ("ContactList", "AccountList"):
        pool = catalog.contact_lists if kind == "ContactList" else catalog.account_lists
        valid = action in ("add", "remove") and _has(pool, target_id)
    else:
        known = kind == "GlobalSubscribe" or _has(catalog.email_groups, target_id)
        statuses = _EMAIL_ADDRESS_STATUSES if entity == EMAIL_ADDRESSES else _MEMBER_STATUSES
        valid = action == "setStatus" and status in statuses and known
    return SyncAction(str(action), kind, target_id, status) if valid else None


def _keys(properties: Mapping[str, Any]) -> set[str]:
    fields = properties.get("fields")
    return set(fields) if isinstance(fields, dict) else set()


def _has(pool: tuple[Named, ...], target_id: int | None) -> bool:
    return any(item.id == target_id for item in pool)


def _data_cards(
    catalog: Catalog, properties: Mapping[str, Any], failures: list[Failure]
) -> DataCardMapping | None:
    if not properties.get("mapDataCards"):
        return None
    entity = DATA_CARD_ENTITIES.get(str(properties.get("mapDataCardsEntityType")))
    source = properties.get("mapDataCardsSourceField")
    statement = properties.get("mapDataCardsEntityField")
    target: Target | None = None
    if entity is not None and isinstance(statement, str):
        try:
            target = resolve(catalog, entity, statement)
        except StatementError:
            target = None
    problems = [
        ("mapDataCardsEntityType", "Contact or Company", entity is None),
        ("mapDataCardsEntityField", "a field statement of that entity", target is None),
        ("mapDataCardsSourceField", "a key of fields", source not in _keys(properties)),
    ]
    for name, detail, broken in problems:
        if broken:
            rule = DATA_CARDS_RULE.format(detail=detail)
            failures.append(Failure(name, as_text(properties.get(name)), rule))
    if entity is None or target is None or target.kind not in ("field", "id"):
        return None
    case_sensitive = bool(properties.get("mapDataCardsCaseSensitiveMatch"))
    return DataCardMapping(entity, target, str(source), case_sensitive)


def _opportunity_links(
    entity: Entity,
    properties: Mapping[str, Any],
    targets: Mapping[str, Target],
    failures: list[Failure],
) -> OpportunityLinks | None:
    """How a link definition matches opportunities and contacts; None for other entities."""
    if entity.kind != "opportunityContacts":
        return None
    entity_type = properties.get("linkOpportunitiesEntityType")
    match_key = properties.get("linkOpportunitiesMatchFieldName")
    source_key = properties.get("linkOpportunitiesSourceField")
    match, source = targets.get(str(match_key)), targets.get(str(source_key))
    source_kind = "account" if entity_type == "Account" else "contact"
    sources = {
        "account": "{{Opportunity.Account.Field(X)}}",
        "contact": "{{Opportunity.Contact.Id}} or {{Opportunity.Contact.Field(X)}}",
    }
    problems = [
        (
            "linkOpportunitiesEntityType",
            "Contact or Account",
            entity_type in ("Contact", "Account"),
        ),
        (
            "linkOpportunitiesMatchFieldName",
            "the key of {{Opportunity.Id}} in fields",
            bool(match and match.kind == "opportunity"),
        ),
        (
            "linkOpportunitiesSourceField",
            f"the key of {sources[source_kind]} in fields",
            bool(source and source.kind == source_kind),
        ),
    ]
    for name, detail, valid in problems:
        if not valid:
            failures.append(
                Failure(name, as_text(properties.get(name)), LINKS_RULE.format(detail=detail))
            )
    if any(not valid for _, _, valid in problems):
        return None
    return OpportunityLinks(
        str(entity_type),
        str(match_key),
        str(source_key),
        bool(properties.get("linkOpportunitiesCaseSensitiveMatchField")),
        bool(properties.get("linkOpportunitiesCaseSensitiveSourceField")),
        bool(properties.get("linkOpportunitiesMultipleSourceMatches")),
    )


@dataclass(frozen=True)
class ImportDefinition:
    """A stored import (or sync-action) definition of one entity."""

    id: int
    entity: Entity
    accepted: Accepted
    created_by: str
    created_at: str
    updated_at: str
    kind: DefinitionKind = "imports"
    """``syncActions`` for a sync-action definition (``/contacts/syncActions``, ...)."""

    @property
    def uri(self) -> str:
        return f"/{self.entity.path}/{self.kind}/{self.id}"

    @property
    def properties(self) -> Mapping[str, Any]:
        return self.accepted.properties

    @property
    def targets(self) -> Mapping[str, Target]:
        return self.accepted.targets

    @property
    def identifier_field_name(self) -> str:
        return str(self.properties["identifierFieldName"])

    @property
    def identifier_key(self) -> str | None:
        """The identifier's key; None for an activity or link definition that has none."""
        identifier = self.properties.get("identifierFieldName")
        return None if identifier is None else str(identifier)

    def to_json(self) -> dict[str, Any]:
        return definition_json(self)


class StoredDefinition(Protocol):
    """What an import or export definition has, for its echo."""

    @property
    def id(self) -> int: ...
    @property
    def entity(self) -> Entity: ...
    @property
    def uri(self) -> str: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...
    @property
    def created_by(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def updated_at(self) -> str: ...


def definition_json(definition: StoredDefinition) -> dict[str, Any]:
    """A definition as the API shows it: its properties (after ``id`` and ``parentId`` for a
    custom object's), its uri, and who made and changed it when."""
    body = dict(definition.properties)
    if definition.entity.object_id is not None:
        body = {"id": definition.id, "parentId": definition.entity.object_id, **body}
    return {
        **body,
        "uri": definition.uri,
        "createdBy": definition.created_by,
        "createdAt": definition.created_at,
        "updatedBy": definition.created_by,
        "updatedAt": definition.updated_at,
    }
