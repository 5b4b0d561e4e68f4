"""Sync actions as Oracle documents them: which each entity takes, what a sync-action definition
matches records on, and destinations given by name, turned into Eloqua's statements.

Pure data and functions: the caller looks the names up (``GET /contacts/lists``,
``/accounts/lists``, ``/emailGroups``, see ``LOOKUPS``) and passes what it found in.

Oracle's pages:

- the actions, their destinations and statuses (contacts: ``add`` and ``remove`` on
  ``{{ContactList[id]}}``, ``setStatus`` ``subscribed`` or ``unsubscribed`` on
  ``{{EmailGroup[id]}}`` and ``{{GlobalSubscribe}}``; accounts: ``add`` and ``remove`` on
  ``{{AccountList[id]}}``; email addresses: the global unsubscribe and the bounceback):
  https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/Syncs/sync-actions.htm
- sync-action definitions, of accounts, contacts, custom objects and email addresses (an
  ``/emailAddresses/imports`` definition "can only be used with sync actions"), and the one field
  each may match records on:
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/sync_actions.htm
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-accounts-syncactions-post.html
  (the tutorial allows a custom object's ``Id`` and ``ExternalId``, the op pages only
  ``ExternalId``: both are taken here, and Eloqua refuses the definition if it disagrees);
- email addresses: globally unsubscribed (never subscribed) "without having to create a
  contact", or marked as bounced since 24A, "unsubscribed or bounced but not both":
  https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-emailaddresses-imports-post.html
  https://docs.oracle.com/en/cloud/saas/readiness/marketing/24a/eloq-24a/24A-eloqua-wn-f32117.htm
  The bounceback is sent as ``setStatus`` ``{{GlobalSubscribe}}`` ``bounced``, the ``bounced``
  of Oracle's MemberStatus values (the sync-actions page names the action without a statement
  this project could read).
- at most 10 actions per definition:
  https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/bulk-limits.htm
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from target_eloqua.mapping.entities import Entity

MAX_SYNC_ACTIONS = 10

_STATEMENT = re.compile(
    r"^\{\{(?:(ContactList|AccountList|EmailGroup)\[(\d+)\]|(GlobalSubscribe))\}\}$"
)
_SUBSCRIPTION = ("subscribed", "unsubscribed")


@dataclass(frozen=True)
class SyncAction:
    """An action Eloqua takes on each record of a sync, e.g. add it to a contact list.

    ``destination`` is Eloqua's statement (``{{ContactList[101]}}``), or until the mapping is
    resolved, the name of a list or email group as configured.
    """

    action: str
    destination: str
    status: str | None = None


@dataclass(frozen=True)
class Destination:
    """A kind of destination: the actions it takes and, for ``setStatus``, the statuses."""

    actions: tuple[str, ...]
    statuses: tuple[str, ...] = ()


_LIST = Destination(("add", "remove"))
_SUBSCRIPTIONS = Destination(("setStatus",), _SUBSCRIPTION)
_CONTACT_DESTINATIONS = {
    "ContactList": _LIST,
    "EmailGroup": _SUBSCRIPTIONS,
    "GlobalSubscribe": _SUBSCRIPTIONS,
}
DESTINATIONS: Mapping[str, Mapping[str, Destination]] = {
    "contacts": _CONTACT_DESTINATIONS,
    "customObjects": _CONTACT_DESTINATIONS,
    "accounts": {"AccountList": _LIST},
    "emailAddresses": {"GlobalSubscribe": Destination(("setStatus",), ("unsubscribed", "bounced"))},
}
"""Per kind of entity, the kinds of destination its sync actions take (custom objects take the
contacts' ones, for the contacts their records are linked to)."""

IDENTIFIERS: Mapping[str, tuple[str, ...]] = {
    "contacts": ("Id", "Field(C_EmailAddress)", "Field(ContactIDExt)"),
    "accounts": ("Id", "Field(M_CompanyName)", "Field(CompanyIDExt)"),
    "customObjects": ("Id", "ExternalId"),
    "emailAddresses": ("Field(EmailAddress)",),
}
"""Per kind of entity, the statements (after the prefix) a sync-action definition may match
records on."""

EMAIL_ADDRESS_STATEMENT = "{{EmailAddress.Field(EmailAddress)}}"

LOOKUPS = {
    "ContactList": "/contacts/lists",
    "AccountList": "/accounts/lists",
    "EmailGroup": "/emailGroups",
}
"""Where Eloqua lists each kind of destination that has a name."""

NAMES = {
    "ContactList": "contact list",
    "AccountList": "account list",
    "EmailGroup": "email group",
    "GlobalSubscribe": "the global subscription",
}


def parse_destination(destination: str) -> tuple[str, int | None] | None:
    """``("ContactList", 101)`` for ``{{ContactList[101]}}``, ``("GlobalSubscribe", None)``;
    ``None`` for anything else (a name)."""
    match = _STATEMENT.match(destination.strip())
    if match is None:
        return None
    if match.group(3):
        return "GlobalSubscribe", None
    return match.group(1), int(match.group(2))


def named_kind(entity: Entity, action: str) -> str | None:
    """The kind of destination a name stands for in an action of the entity: a contact list
    (``add``, ``remove``) or email group (``setStatus``), an account list for accounts."""
    if entity.kind == "accounts":
        return "AccountList" if action in ("add", "remove") else None
    if entity.kind in ("contacts", "customObjects"):
        return "ContactList" if action in ("add", "remove") else "EmailGroup"
    return None


def action_problems(stream: str, entity: Entity, actions: Sequence[SyncAction]) -> list[str]:
    """What is wrong with the sync actions of a stream, as far as the config alone can tell."""
    where = f"stream '{stream}'"
    problems = []
    if len(actions) > MAX_SYNC_ACTIONS:
        problems.append(
            f"{where}: {len(actions)} sync_actions; Eloqua takes at most {MAX_SYNC_ACTIONS}"
        )
    taken = DESTINATIONS.get(entity.kind, {})
    if not taken:  # the entity takes no sync action: its option's problem says so
        return problems
    for number, action in enumerate(actions, start=1):
        at = f"{where}, sync action {number} ({action.action} {action.destination})"
        parsed = parse_destination(action.destination)
        kind = parsed[0] if parsed else named_kind(entity, action.action)
        if not action.destination.strip():
            problems.append(f"{at}: the destination is blank")
        elif kind is None or kind not in taken:
            problems.append(f"{at}: {entity.path} take sync actions on {_listing(taken)} only")
        elif action.action not in taken[kind].actions:
            wanted = " or ".join(taken[kind].actions)
            problems.append(f"{at}: {NAMES[kind]} takes the action {wanted}")
        elif taken[kind].statuses and action.status not in taken[kind].statuses:
            wanted = " or ".join(taken[kind].statuses)
            problems.append(f"{at}: the status must be {wanted}, not {action.status!r}")
        elif not taken[kind].statuses and action.status is not None:
            problems.append(f"{at}: {action.action} takes no status")
    statuses = {action.status for action in actions if action.status in ("unsubscribed", "bounced")}
    if entity.kind == "emailAddresses" and len(statuses) > 1:
        problems.append(
            f"{where}: an email address is unsubscribed or marked as bounced, not both: "
            "use one stream for each"
        )
    return problems


def named_destinations(entity: Entity, actions: Sequence[SyncAction]) -> set[tuple[str, str]]:
    """The (kind, name) of each destination given by name, for the caller to look up."""
    named = set()
    for action in actions:
        kind = named_kind(entity, action.action)
        if parse_destination(action.destination) is None and kind is not None:
            named.add((kind, action.destination.strip()))
    return named


def statement_of(kind: str, item: Mapping[str, object]) -> str:
    """The statement of a destination Eloqua listed (``/contacts/lists`` item), by its uri."""
    destination_id = str(item.get("uri", "")).rsplit("/", 1)[-1]
    return f"{{{{{kind}[{destination_id}]}}}}"


def identifier_problem(entity: Entity, statement: str) -> str | None:
    """Why a sync-action definition of the entity cannot match records on ``statement``."""
    allowed = [f"{{{{{entity.prefix}.{path}}}}}" for path in IDENTIFIERS.get(entity.kind, ())]
    if statement in allowed:
        return None
    return f"Eloqua's sync actions match {entity.path} only on {' or '.join(allowed)}"


def list_destinations(actions: Sequence[SyncAction]) -> list[str]:
    """The contact and account lists the actions add to."""
    return [
        action.destination
        for action in actions
        if action.action == "add"
        and (parsed := parse_destination(action.destination)) is not None
        and parsed[0] in ("ContactList", "AccountList")
    ]


def record_id_statement(entity: Entity) -> str:
    """The statement of the Eloqua id of the entity's records (``{{Contact.Id}}``), which every
    sync-action definition but an email address's may match on (``IDENTIFIERS``)."""
    return f"{{{{{entity.prefix}.Id}}}}"


def identifier_type(statement: str) -> str:
    """The data type Eloqua compares a sync-action identifier's values as."""
    if statement.endswith(".Id}}"):
        return "number"
    if statement.endswith(("Field(C_EmailAddress)}}", "Field(EmailAddress)}}")):
        return "emailAddress"
    return "string"


def _listing(taken: Mapping[str, Destination]) -> str:
    names = [NAMES[kind] for kind in taken]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
