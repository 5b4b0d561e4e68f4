"""The Eloqua entities a stream imports into, and the field statements that belong to each.

A statement is Eloqua markup such as ``{{Account.Field(M_CompanyName)}}``; its first part (the
*prefix*: ``Account``, ``Contact``, ``CustomObject[9]``, ``Event[5]``, ``Activity``,
``Opportunity``, ``CampaignResponse``, ``EmailAddress``) says which entity it belongs to. Pure
data and functions: nothing here talks to Eloqua.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ENTITY = re.compile(
    r"^(?:accounts|contacts|customObjects/[1-9][0-9]*|events/[1-9][0-9]*|activities"
    r"|opportunities|opportunities/contacts|campaignResponses|emailAddresses)$"
)
ENTITY_PATTERN = _ENTITY.pattern
"""What the ``entity`` key of a stream mapping accepts."""

_STATEMENT = re.compile(
    r"^\{\{(?P<prefix>Account|Contact|CustomObject\[\d+\]|Event\[\d+\]|Activity|Opportunity"
    r"|CampaignResponse|EmailAddress)\.(?P<path>.+)\}\}$"
)
_RELATED_FIELD = re.compile(r"^(?P<relation>Account|User|Contact)\.Field\((?P<name>\w+)\)$")

LOAD_RANKS = {
    "accounts": 0,
    "contacts": 1,
    "customObjects": 2,
    "events": 2,
    "activities": 2,
    "campaignResponses": 2,
    "opportunities": 2,
    "opportunities/contacts": 3,
    "emailAddresses": 2,
}
"""Where each kind of entity loads in a run: accounts first, then the contacts that link to them,
then what names contacts or accounts (email addresses unsubscribe contacts), and last the links
of opportunities to contacts."""

_PREFIXES = {
    "accounts": "Account",
    "contacts": "Contact",
    "activities": "Activity",
    "opportunities": "Opportunity",
    "opportunities/contacts": "Opportunity",
    "campaignResponses": "CampaignResponse",
    "emailAddresses": "EmailAddress",
}
"""The statement prefix of each entity whose prefix carries no id."""
_ID_PREFIXES = {"customObjects": "CustomObject", "events": "Event"}
"""The statement prefix of each entity addressed by an id: ``CustomObject[9]``, ``Event[5]``."""
_ENTITY_OF_PREFIX = {prefix: kind for kind, prefix in reversed(_PREFIXES.items())}
"""The entity of each prefix without an id: where two share one, the first in ``_PREFIXES``
(``Opportunity`` is opportunities, not their links to contacts)."""

SYSTEM_TIMESTAMPS = ("CreatedAt", "UpdatedAt")
"""System statements that Eloqua sets itself, when a record is created and modified: read-only.
https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/system-timestamps.htm
"""
_RECORD_TIMESTAMPS = {"Id": "number", **dict.fromkeys(SYSTEM_TIMESTAMPS, "date")}
SYSTEM_FIELDS = {
    "accounts": _RECORD_TIMESTAMPS,
    "contacts": {
        **_RECORD_TIMESTAMPS,
        "Email.IsSubscribed": "boolean",
        "Email.IsBounced": "boolean",
        "Email.Format": "string",
    },
    "customObjects": {**_RECORD_TIMESTAMPS, "ExternalId": "string"},
    "events": _RECORD_TIMESTAMPS,
    "campaignResponses": _RECORD_TIMESTAMPS,
}
"""Per kind of entity, the system statements (``{{Account.Id}}``, ...) that ``/fields`` does not
list, with their type. ``/opportunities/fields`` lists ``{{Opportunity.Id}}`` and
``{{Opportunity.CreatedAt}}`` as fields; activities and opportunity links have no ``/fields``."""


@dataclass(frozen=True, order=True)
class Entity:
    """An importable Eloqua entity: ``accounts``, ``contacts``, ``customObjects/<id>``,
    ``events/<id>``, ``activities``, ``opportunities``, ``opportunities/contacts`` (links of
    opportunities to contacts), ``campaignResponses`` or ``emailAddresses`` (sync actions only).
    """

    path: str

    @property
    def kind(self) -> str:
        """The path without an id: ``customObjects/9`` is ``customObjects``."""
        head, _, tail = self.path.partition("/")
        return head if tail.isdigit() or not tail else self.path

    @property
    def prefix(self) -> str:
        """The first part of this entity's statements."""
        if self.kind in _ID_PREFIXES:
            return f"{_ID_PREFIXES[self.kind]}[{self.path.split('/', 1)[1]}]"
        return _PREFIXES[self.kind]

    @property
    def load_rank(self) -> int:
        """Where the entity loads in a run (``LOAD_RANKS``): an entity's records load after
        those of the entities they link to.
        """
        return LOAD_RANKS[self.kind]

    @property
    def fields_path(self) -> str:
        """Where Eloqua lists this entity's fields."""
        return f"/{self.path}/fields"

    @property
    def imports_path(self) -> str:
        """The collection that import definitions of this entity are created in."""
        return f"/{self.path}/imports"

    def system_field_type(self, path: str) -> str | None:
        """The data type of a system statement's path (``Id``, ``CreatedAt``, ...), if it is one."""
        return SYSTEM_FIELDS.get(self.kind, {}).get(path)


ACCOUNTS = Entity("accounts")
CONTACTS = Entity("contacts")
OPPORTUNITY_CONTACTS = Entity("opportunities/contacts")


def parse_entity(text: str) -> Entity:
    """Read an ``entity`` setting; raises ``ValueError`` for anything Eloqua cannot import into."""
    if not _ENTITY.match(text):
        raise ValueError(
            f"entity '{text}' is not supported; use accounts, contacts, customObjects/<id>, "
            "events/<id>, activities, opportunities, opportunities/contacts, campaignResponses "
            "or emailAddresses"
        )
    return Entity(text)


def entity_of_prefix(prefix: str) -> Entity:
    """The entity whose statements start with ``prefix`` (``Account`` -> accounts;
    ``Opportunity`` -> opportunities, whose links share the prefix).
    """
    name, _, rest = prefix.partition("[")
    if rest:
        kind = next(kind for kind, known in _ID_PREFIXES.items() if known == name)
        return Entity(f"{kind}/{rest[:-1]}")
    return Entity(_ENTITY_OF_PREFIX[prefix])


@dataclass(frozen=True)
class Statement:
    """A field statement taken apart: ``{{Contact.Account.Field(M_CompanyName)}}`` has the prefix
    ``Contact`` and the path ``Account.Field(M_CompanyName)``.
    """

    text: str
    prefix: str
    path: str

    @property
    def entity(self) -> Entity:
        """The entity the statement belongs to."""
        return entity_of_prefix(self.prefix)

    @property
    def related(self) -> tuple[str, str] | None:
        """``("Account", name)``, ``("User", name)`` or ``("Contact", name)`` for a field of a
        related record.
        """
        match = _RELATED_FIELD.match(self.path)
        return (match["relation"], match["name"]) if match else None


def parse_statement(text: str) -> Statement | None:
    """Take a statement apart, or ``None`` if ``text`` is not one."""
    match = _STATEMENT.match(text.strip())
    if not match:
        return None
    return Statement(text=text.strip(), prefix=match["prefix"], path=match["path"])
