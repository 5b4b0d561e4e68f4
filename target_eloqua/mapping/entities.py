"""The Eloqua entities a stream imports into, and the field statements that belong to each.

A statement is Eloqua markup such as ``{{Account.Field(M_CompanyName)}}``; its first part (the
*prefix*: ``Account``, ``Contact``, ``CustomObject[9]``) says which entity it belongs to.
Pure data and functions: nothing here talks to Eloqua.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ENTITY = re.compile(r"^(?:accounts|contacts|customObjects/[1-9][0-9]*)$")
ENTITY_PATTERN = _ENTITY.pattern
"""What the ``entity`` key of a stream mapping accepts."""

_STATEMENT = re.compile(r"^\{\{(?P<prefix>Account|Contact|CustomObject\[\d+\])\.(?P<path>.+)\}\}$")
_RELATED_FIELD = re.compile(r"^(?P<relation>Account|User)\.Field\((?P<name>\w+)\)$")

LOAD_ORDER = ("accounts", "contacts", "customObjects")

_PREFIXES = {"accounts": "Account", "contacts": "Contact"}
"""The statement prefix of each entity whose prefix carries no id."""

SYSTEM_FIELDS = {
    "Id": "number",
    "CreatedAt": "date",
    "UpdatedAt": "date",
}
"""System statements (``{{Account.Id}}``, ...) that ``/fields`` does not list, with their type."""

_EXTRA_SYSTEM_FIELDS = {
    "contacts": {
        "Email.IsSubscribed": "boolean",
        "Email.IsBounced": "boolean",
        "Email.Format": "string",
    },
    "customObjects": {"ExternalId": "string"},
}


@dataclass(frozen=True, order=True)
class Entity:
    """An importable Eloqua entity: ``accounts``, ``contacts`` or ``customObjects/<id>``."""

    path: str

    @property
    def kind(self) -> str:
        """``accounts``, ``contacts`` or ``customObjects``."""
        return self.path.split("/", 1)[0]

    @property
    def prefix(self) -> str:
        """The first part of this entity's statements."""
        if self.kind == "customObjects":
            return f"CustomObject[{self.path.split('/', 1)[1]}]"
        return _PREFIXES[self.kind]

    @property
    def load_rank(self) -> int:
        """Where the entity loads in a run: accounts first, then the contacts that link to
        them, then the custom object records that link to either.
        """
        return LOAD_ORDER.index(self.kind)

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
        return SYSTEM_FIELDS.get(path) or _EXTRA_SYSTEM_FIELDS.get(self.kind, {}).get(path)


ACCOUNTS = Entity("accounts")
CONTACTS = Entity("contacts")


def parse_entity(text: str) -> Entity:
    """Read an ``entity`` setting; raises ``ValueError`` for anything Eloqua cannot import into."""
    if not _ENTITY.match(text):
        raise ValueError(
            f"entity '{text}' is not supported; use accounts, contacts or customObjects/<id>"
        )
    return Entity(text)


def entity_of_prefix(prefix: str) -> Entity:
    """The entity whose statements start with ``prefix`` (``Account`` -> accounts)."""
    if prefix.startswith("CustomObject["):
        return Entity(f"customObjects/{prefix[len('CustomObject[') : -1]}")
    return Entity({known: kind for kind, known in _PREFIXES.items()}[prefix])


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
        """``("Account", name)`` or ``("User", name)`` for a field of a related record."""
        match = _RELATED_FIELD.match(self.path)
        return (match["relation"], match["name"]) if match else None


def parse_statement(text: str) -> Statement | None:
    """Take a statement apart, or ``None`` if ``text`` is not one."""
    match = _STATEMENT.match(text.strip())
    if not match:
        return None
    return Statement(text=text.strip(), prefix=match["prefix"], path=match["path"])
