"""Field statements (Eloqua Markup Language) as import definitions use them: what each writes to."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from target_eloqua.emulator.model.catalog import SMALL_TEXT_LENGTH, Catalog, Field, FieldCatalog
from target_eloqua.emulator.model.entities import ACCOUNTS, CONTACTS, Entity, fields_of
from target_eloqua.emulator.model.timestamps import CREATED_AT, SYSTEM_TIMESTAMPS, UPDATED_AT

TargetKind = Literal[
    "field",
    "id",
    "externalId",
    "createdAt",
    "updatedAt",
    "user",
    "account",
    "contact",
    "activity",
    "opportunity",
]

NO_SUCH_FIELD = "Must be a valid statement naming an existing field."
OPPORTUNITY_ID = "{{Opportunity.Id}}"
OTHER_ENTITY = "Must name a field of the entity the definition imports into ({entity})."

_STATEMENT = re.compile(
    r"\{\{(Account|Contact|CustomObject\[\d+\]|Event\[\d+\]|Activity|Opportunity"
    r"|CampaignResponse|EmailAddress)\.(.+)\}\}"
)
_NAMED = re.compile(r"Field\(([^(){}\[\]]+)\)")
_BY_ID = re.compile(r"Field\[(\d+)\]")
_SYSTEM_NAMES: dict[TargetKind, str] = {
    "externalId": "ExternalId",
    "createdAt": CREATED_AT,
    "updatedAt": UPDATED_AT,
}
"""The names that system statements other than ``Id`` are kept or read under."""
_TIMESTAMP_KINDS: dict[str, TargetKind] = {CREATED_AT: "createdAt", UPDATED_AT: "updatedAt"}
_RELATED: dict[str, tuple[str, TargetKind]] = {
    "Account": ("User.", "user"),
    "Contact": ("Account.", "account"),
}


def _attribute(
    name: str,
    statement: str,
    data_type: str,
    required: bool = True,
    uri: str = "/activities/fields/0",
) -> Field:
    """An activity attribute (or the address of an email address), as if ``/fields`` listed it
    (it does not)."""
    item = {
        "name": name,
        "internalName": name,
        "dataType": data_type,
        "hasReadOnlyConstraint": False,
        "hasNotNullConstraint": required,
        "hasUniquenessConstraint": False,
        "statement": statement,
        "uri": uri,
    }
    return Field(item, SMALL_TEXT_LENGTH)


ACTIVITY_ATTRIBUTES = {
    "Type": _attribute("ActivityType", "{{Activity.Type}}", "string"),
    "Asset.Type": _attribute("AssetType", "{{Activity.Asset.Type}}", "string"),
    "Asset.Name": _attribute("AssetName", "{{Activity.Asset.Name}}", "string"),
    "CreatedAt": _attribute("ActivityDate", "{{Activity.CreatedAt}}", "date"),
    "Campaign.Id": _attribute("CampaignId", "{{Activity.Campaign.Id}}", "number", required=False),
}
"""What an external activity import writes, by statement path: the statements of Oracle's
activity import (the activity's contact aside), stored under the names of its activity fields
reference. Oracle's page gives no lengths: the emulator takes 100 characters for text."""

EMAIL_ADDRESS = _attribute(
    "EmailAddress",
    "{{EmailAddress.Field(EmailAddress)}}",
    "emailAddress",
    uri="/emailAddresses/fields/0",
)
"""The one field of an email address import, as Oracle's example maps it:
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-emailaddresses-imports-get.html"""


class StatementError(ValueError):
    """The statement is malformed, names no known field, or a field of another entity."""


@dataclass(frozen=True)
class Target:
    """What one statement writes to (or, in an export, reads). ``field`` is None for the system
    statements ``Id``, ``ExternalId``, ``CreatedAt`` and ``UpdatedAt`` (and for the ``Id`` of a
    contact an activity or an opportunity link names)."""

    kind: TargetKind
    field: Field | None = None

    @property
    def name(self) -> str:
        """The internal name the value is stored or matched under (``Id``, ``ExternalId``,
        ``CreatedAt`` or ``UpdatedAt`` for those)."""
        if self.field is not None:
            return self.field.internal_name
        return _SYSTEM_NAMES.get(self.kind, "Id")


def resolve(catalog: Catalog, entity: Entity, statement: str) -> Target:
    """What ``statement`` writes to in an import into ``entity``; StatementError if nothing.

    The statements it knows, for each entity:

    - accounts: ``{{Account.Field(X)}}``, ``{{Account.Id}}``, ``{{Account.User.Field(X)}}`` (a user
      field, for linking users);
    - contacts: ``{{Contact.Field(X)}}``, ``{{Contact.Id}}``, ``{{Contact.Account.Field(X)}}`` (an
      account field, for linking the contact to the account that has that value);
    - custom objects: ``{{CustomObject[9].Field[103]}}`` (field ids), ``{{CustomObject[9].Id}}``,
      ``{{CustomObject[9].ExternalId}}``; events alike: ``{{Event[5].Field[501]}}``,
      ``{{Event[5].Id}}``;
    - activities: ``ACTIVITY_ATTRIBUTES``, and the contact as ``{{Activity.Contact.Id}}`` or
      ``{{Activity.Contact.Field(X)}}``;
    - opportunities and campaign responses: the statements their ``/fields`` list, and
      ``{{CampaignResponse.Id}}``;
    - email addresses: ``{{EmailAddress.Field(EmailAddress)}}``;
    - links of opportunities to contacts: ``{{Opportunity.Id}}`` (the opportunity's field), and
      ``{{Opportunity.Contact.Id}}``, ``{{Opportunity.Contact.Field(X)}}`` or
      ``{{Opportunity.Account.Field(X)}}``.

    ``Id``, ``ExternalId``, ``CreatedAt`` and ``UpdatedAt`` (accounts, contacts, custom objects and
    events: the records' system timestamps, read-only) are system statements: ``/fields`` does not
    list them.
    """
    match = _STATEMENT.fullmatch(statement)
    if match is None:
        raise StatementError(NO_SUCH_FIELD)
    root, rest = match.group(1), match.group(2)
    if root != entity.markup:
        raise StatementError(OTHER_ENTITY.format(entity=entity.path))
    unlisted = _UNLISTED.get(entity.kind)
    if unlisted is not None:
        return unlisted(catalog, rest)
    fields = fields_of(catalog, entity)
    if fields is None:
        raise StatementError(NO_SUCH_FIELD)
    if (listed := fields.by_statement(statement)) is not None:
        return Target("field", listed)
    if entity.kind == "opportunities":
        raise StatementError(NO_SUCH_FIELD)
    if (system := _system_target(entity.kind, rest)) is not None:
        return system
    related = _RELATED.get(root)
    if related is not None and rest.startswith(related[0]):
        prefix, kind = related
        other = catalog.user_fields if kind == "user" else fields_of(catalog, ACCOUNTS)
        return _field_target(kind, other, rest.removeprefix(prefix), by_id=False)
    by_id = entity.kind in ("customObjects", "events")
    return _field_target("field", fields, rest, by_id=by_id)


def _system_target(kind: str, rest: str) -> Target | None:
    """The system statement ``Id``, ``ExternalId`` (custom objects), ``CreatedAt`` or
    ``UpdatedAt`` (entities with system timestamps), if ``rest`` is one of the entity's."""
    if rest == "Id":
        return Target("id")
    if rest == "ExternalId" and kind == "customObjects":
        return Target("externalId")
    if rest in _TIMESTAMP_KINDS and kind in SYSTEM_TIMESTAMPS:
        return Target(_TIMESTAMP_KINDS[rest])
    return None


def _activity_target(catalog: Catalog, rest: str) -> Target:
    if rest in ACTIVITY_ATTRIBUTES:
        return Target("activity", ACTIVITY_ATTRIBUTES[rest])
    return _related_contact(catalog, rest)


def _link_target(catalog: Catalog, rest: str) -> Target:
    if rest == "Id":
        return Target("opportunity", _listed_target(catalog.opportunities, OPPORTUNITY_ID).field)
    if rest.startswith("Account."):
        return _field_target("account", fields_of(catalog, ACCOUNTS), rest[8:], by_id=False)
    return _related_contact(catalog, rest)


def _related_contact(catalog: Catalog, rest: str) -> Target:
    """A contact named by its id (``Contact.Id``) or one of its fields (``Contact.Field(X)``)."""
    if rest == "Contact.Id":
        return Target("contact")
    if not rest.startswith("Contact."):
        raise StatementError(NO_SUCH_FIELD)
    return _field_target("contact", fields_of(catalog, CONTACTS), rest[8:], by_id=False)


def _email_address_target(catalog: Catalog, rest: str) -> Target:
    match = _NAMED.fullmatch(rest)
    if match is None or match.group(1).lower() != EMAIL_ADDRESS.internal_name.lower():
        raise StatementError(NO_SUCH_FIELD)
    return Target("field", EMAIL_ADDRESS)


_UNLISTED: dict[str, Callable[[Catalog, str], Target]] = {
    "activities": _activity_target,
    "opportunityContacts": _link_target,
    "emailAddresses": _email_address_target,
}
"""The entities that ``/fields`` lists nothing of, and what their statements write to."""


def _listed_target(fields: FieldCatalog, statement: str) -> Target:
    """The field ``/fields`` lists with this very statement."""
    found = fields.by_statement(statement)
    if found is None:
        raise StatementError(NO_SUCH_FIELD)
    return Target("field", found)


def _field_target(kind: TargetKind, fields: FieldCatalog | None, rest: str, by_id: bool) -> Target:
    found: Field | None = None
    if fields is not None and by_id and (match := _BY_ID.fullmatch(rest)):
        found = fields.by_id(int(match.group(1)))
    elif fields is not None and not by_id and (match := _NAMED.fullmatch(rest)):
        found = fields.find(match.group(1))
    if found is None:
        raise StatementError(NO_SUCH_FIELD)
    return Target(kind, found)
