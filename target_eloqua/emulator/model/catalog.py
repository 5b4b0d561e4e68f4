"""The catalog, what an instance knows of its data model (fields, users, priorities, lists, events,
opportunity stages, external asset types, campaigns and campaign responses), and how it is read
from a JSON file (``default_catalog.json`` beside this module is the packaged one)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_CATALOG_FILE = "default_catalog.json"
DATA_TYPES = frozenset({"string", "number", "date", "boolean", "emailAddress"})
SMALL_TEXT_LENGTH = 100
CUSTOM_OBJECT_TEXT_LENGTH = 250
LARGE_TEXT_LENGTH = 32000

_PACKAGE = "target_eloqua.emulator.model"
_LENGTH_KEY = "length"
_REQUIRED_FIELD_KEYS: Mapping[str, type] = {
    "name": str,
    "internalName": str,
    "dataType": str,
    "statement": str,
    "uri": str,
}
_CONSTRAINT_KEYS = ("hasReadOnlyConstraint", "hasNotNullConstraint", "hasUniquenessConstraint")


class CatalogError(ValueError):
    """The catalog file is missing, is not JSON, or does not have the documented shape."""


@dataclass(frozen=True)
class Field:
    """One field: the ``/fields`` item as served, and the most characters it takes."""

    item: Mapping[str, Any]
    length: int

    @property
    def id(self) -> int:
        return int(str(self.item["uri"]).rsplit("/", 1)[-1])

    @property
    def internal_name(self) -> str:
        return str(self.item["internalName"])

    @property
    def data_type(self) -> str:
        return str(self.item["dataType"])

    @property
    def statement(self) -> str:
        return str(self.item["statement"])

    @property
    def read_only(self) -> bool:
        return bool(self.item["hasReadOnlyConstraint"])

    @property
    def not_null(self) -> bool:
        return bool(self.item["hasNotNullConstraint"])

    @property
    def large_text(self) -> bool:
        return self.data_type == "string" and self.length > CUSTOM_OBJECT_TEXT_LENGTH


@dataclass(frozen=True)
class FieldCatalog:
    """The fields of one entity, in the order ``/fields`` lists them."""

    fields: tuple[Field, ...]

    def find(self, internal_name: str) -> Field | None:
        """The field with this internal name, or None."""
        return next((f for f in self.fields if f.internal_name == internal_name), None)

    def by_id(self, field_id: int) -> Field | None:
        """The field whose uri ends in this id, or None."""
        return next((f for f in self.fields if f.id == field_id), None)

    def by_statement(self, statement: str) -> Field | None:
        """The field whose statement this is, or None."""
        return next((f for f in self.fields if f.statement == statement), None)


NO_FIELDS = FieldCatalog(())


@dataclass(frozen=True)
class CustomObject:
    """A custom object (CDO): its id, name and fields."""

    id: int
    name: str
    fields: FieldCatalog


@dataclass(frozen=True)
class AssetType:
    """An external asset type (a trade show, a webinar) and the activity types it has."""

    id: int
    name: str
    activity_types: tuple[str, ...]


@dataclass(frozen=True)
class CampaignResponses:
    """The campaign response fields, and the campaign responses Eloqua made (when contacts
    responded to campaigns) that imports write to: id -> field values."""

    fields: FieldCatalog = NO_FIELDS
    items: tuple[tuple[int, Mapping[str, str]], ...] = ()


@dataclass(frozen=True)
class User:
    """An Eloqua user that accounts can be linked to."""

    id: int
    name: str
    fields: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "fields": dict(self.fields)}


@dataclass(frozen=True)
class Named:
    """A contact list, account list or email group: an id and a name."""

    id: int
    name: str


@dataclass(frozen=True)
class ImportPriority:
    """An import priority, served by ``/imports/priorities``."""

    id: int
    name: str
    priority: int
    created_at: str

    @property
    def uri(self) -> str:
        return f"/imports/priorities/{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "priority": self.priority,
            "uri": self.uri,
            "createdAt": self.created_at,
        }


@dataclass(frozen=True)
class Catalog:
    """Everything an instance knows about its data model."""

    accounts: FieldCatalog
    contacts: FieldCatalog
    custom_objects: tuple[CustomObject, ...]
    user_fields: FieldCatalog
    users: tuple[User, ...]
    priorities: tuple[ImportPriority, ...]
    contact_lists: tuple[Named, ...]
    account_lists: tuple[Named, ...]
    email_groups: tuple[Named, ...]
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The JSON document the catalog was read from, as given: what the admin API reads back
    and extends (``extended``)."""
    events: tuple[CustomObject, ...] = ()
    opportunities: FieldCatalog = NO_FIELDS
    opportunity_stages: tuple[str, ...] = ()
    asset_types: tuple[AssetType, ...] = ()
    campaigns: tuple[Named, ...] = ()
    campaign_responses: CampaignResponses = CampaignResponses()

    def custom_object(self, object_id: int) -> CustomObject | None:
        return next((o for o in self.custom_objects if o.id == object_id), None)

    def event(self, event_id: int) -> CustomObject | None:
        return next((e for e in self.events if e.id == event_id), None)

    def priority(self, uri: str) -> ImportPriority | None:
        return next((p for p in self.priorities if p.uri == uri), None)

    def extended(self, addition: Mapping[str, Any]) -> Catalog:
        """This catalog with a partial catalog document merged in (CatalogError if the result
        is not a catalog): objects merge key by key, and arrays item by item, an item with the
        ``internalName`` or ``id`` of one there replacing it (merged in turn), any other added.
        So ``{"customObjects": [{"id": 9, "fields": [<field>]}]}`` adds a field to custom
        object 9, and ``{"contactLists": [{"id": 103, "name": "VIP"}]}`` adds a list.
        """
        return parse_catalog(_merged(self.document, addition))


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read a catalog file (of the shape ``parse_catalog`` takes); with no path, the packaged
    default catalog."""
    source = "the default catalog" if path is None else f"catalog {path}"
    try:
        if path is None:
            text = resources.files(_PACKAGE).joinpath(DEFAULT_CATALOG_FILE).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read {source}: {exc.strerror or exc}") from exc
    try:
        return parse_catalog(json.loads(text))
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{source} is not valid JSON: {exc}") from exc
    except CatalogError as exc:
        raise CatalogError(f"{source}: {exc}") from None


def parse_catalog(document: object) -> Catalog:
    """Build a catalog from an already-decoded JSON document.

    The document has this shape; every key but ``accounts`` may be left out::

        {
          "accounts": {"fields": [<field>, ...]},
          "contacts": {"fields": [<field>, ...]},
          "customObjects": [{"id": 9, "name": "Purchases", "fields": [<field>, ...]}, ...],
          "users": {
            "fields": [<field>, ...],
            "items": [{"id": 9, "name": "Jane Smith", "fields": {"CRMOSCUserId": "754a..."}}, ...]
          },
          "importPriorities": [{"id": 1, "name": "High", "priority": 1, "createdAt": "..."}, ...],
          "contactLists": [{"id": 101, "name": "Newsletter"}, ...],
          "accountLists": [{"id": 201, "name": "Key accounts"}, ...],
          "emailGroups": [{"id": 301, "name": "Product news"}, ...],
          "events": [{"id": 5, "name": "Product launch webinar", "fields": [<field>, ...]}, ...],
          "opportunities": {"fields": [<field>, ...]},
          "opportunityStages": ["Prospecting", "Closed Won", ...],
          "externalAssetTypes": [{"id": 1, "name": "Tradeshow",
                                  "activityTypes": ["Visited Booth", ...]}, ...],
          "campaigns": [{"id": 1001, "name": "Spring launch"}, ...],
          "campaignResponses": {"fields": [<field>, ...],
                                "items": [{"id": 1, "fields": {"MemberStatus": "Responded"}}]}
        }

    Each ``<field>`` is an item as Eloqua's ``GET /api/bulk/2.0/{entity}/fields`` returns it:
    ``name``, ``internalName``, ``dataType`` (string, number, date, boolean or emailAddress),
    ``hasReadOnlyConstraint``, ``hasNotNullConstraint``, ``hasUniquenessConstraint`` (false when
    left out), ``statement``, ``uri``, plus any optional keys (``createdAt``, ``defaultValue``,
    ...), served back unchanged. One key is the emulator's own and is never served: ``length``, the
    most characters a ``string`` field takes (default: 100 on accounts and contacts, 250 on custom
    objects; large text fields say 32000). The last segment of ``uri`` is the field's id, as in
    ``{{CustomObject[9].Field[103]}}``. User fields are what ``{{Account.User.Field(X)}}``
    statements name when an account import links users. Events are like custom objects
    (``{{Event[5].Field[501]}}``); ``campaignResponses.items`` are the campaign responses the
    instance starts with (Eloqua makes them; imports only write to them).
    """
    root = _object(document, "the catalog")
    accounts = _object(root.get("accounts"), "accounts")
    contacts = _object(root.get("contacts", {"fields": []}), "contacts")
    users = _object(root.get("users", {"fields": [], "items": []}), "users")
    user_fields = _field_catalog(users.get("fields"), "users.fields", SMALL_TEXT_LENGTH)
    user_items = tuple(
        _user(item, user_fields) for item in _list(users.get("items", []), "users.items")
    )
    custom_objects = tuple(
        _custom_object(item, f"customObjects[{i}]")
        for i, item in enumerate(_list(root.get("customObjects", []), "customObjects"))
    )
    events = tuple(
        _custom_object(item, f"events[{i}]")
        for i, item in enumerate(_list(root.get("events", []), "events"))
    )
    _unique_ids(user_items, "users.items")
    _unique_ids(custom_objects, "customObjects")
    _unique_ids(events, "events")
    opportunities = _object(root.get("opportunities", {"fields": []}), "opportunities")
    return Catalog(
        accounts=_field_catalog(accounts.get("fields"), "accounts.fields", SMALL_TEXT_LENGTH),
        contacts=_field_catalog(contacts.get("fields"), "contacts.fields", SMALL_TEXT_LENGTH),
        custom_objects=custom_objects,
        user_fields=user_fields,
        users=user_items,
        priorities=tuple(_priority(item) for item in _list_of(root, "importPriorities")),
        contact_lists=_named_items(root, "contactLists"),
        account_lists=_named_items(root, "accountLists"),
        email_groups=_named_items(root, "emailGroups"),
        document=copy.deepcopy(root),
        events=events,
        opportunities=_field_catalog(
            opportunities.get("fields"), "opportunities.fields", SMALL_TEXT_LENGTH
        ),
        opportunity_stages=tuple(_texts(root, "opportunityStages")),
        asset_types=tuple(_asset_type(item) for item in _list_of(root, "externalAssetTypes")),
        campaigns=_named_items(root, "campaigns"),
        campaign_responses=_campaign_responses(root.get("campaignResponses")),
    )


def _merged(base: Any, addition: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(addition, Mapping):
        return {**base, **{k: _merged(base[k], v) if k in base else v for k, v in addition.items()}}
    if isinstance(base, list) and isinstance(addition, list):
        merged = list(base)
        for item in addition:
            found = next((n for n, old in enumerate(merged) if _same_item(old, item)), None)
            if found is None:
                merged.append(item)
            else:
                merged[found] = _merged(merged[found], item)
        return merged
    return addition


def _same_item(old: Any, new: Any) -> bool:
    """Whether two array items are one: the same ``internalName`` (fields) or ``id``."""
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return False
    key = "internalName" if "internalName" in new else "id"
    return key in new and old.get(key) == new[key]


def _field_catalog(value: object, where: str, default_length: int) -> FieldCatalog:
    fields = tuple(
        _field(item, f"{where}[{i}]", default_length) for i, item in enumerate(_list(value, where))
    )
    names = [f.internal_name for f in fields]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"{where}: internalName repeated: {', '.join(duplicates)}")
    return FieldCatalog(fields)


def _field(value: object, where: str, default_length: int) -> Field:
    item = dict(_object(value, where))
    for key, expected in _REQUIRED_FIELD_KEYS.items():
        if not isinstance(item.get(key), expected):
            raise CatalogError(f"{where}: '{key}' must be a {expected.__name__}")
    for key in _CONSTRAINT_KEYS:
        item.setdefault(key, False)
        if not isinstance(item[key], bool):
            raise CatalogError(f"{where}: '{key}' must be a bool")
    if item["dataType"] not in DATA_TYPES:
        raise CatalogError(f"{where}: dataType must be one of {', '.join(sorted(DATA_TYPES))}")
    if not str(item["uri"]).rsplit("/", 1)[-1].isdigit():
        raise CatalogError(f"{where}: 'uri' must end in the field's numeric id")
    length = item.pop(_LENGTH_KEY, default_length)
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise CatalogError(f"{where}: '{_LENGTH_KEY}' must be a positive integer")
    return Field(item, length)


def _custom_object(value: object, where: str) -> CustomObject:
    item = _object(value, where)
    object_id, name = item.get("id"), item.get("name")
    if not _is_int(object_id) or not isinstance(name, str):
        raise CatalogError(f"{where}: needs an integer 'id' and a string 'name'")
    fields = _field_catalog(item.get("fields"), f"{where}.fields", CUSTOM_OBJECT_TEXT_LENGTH)
    return CustomObject(int(str(object_id)), name, fields)


def _user(value: object, user_fields: FieldCatalog) -> User:
    item = _object(value, "users.items[]")
    user_id, name, fields = item.get("id"), item.get("name"), item.get("fields", {})
    if not _is_int(user_id) or not isinstance(name, str) or not isinstance(fields, dict):
        raise CatalogError("each user needs an integer 'id', a string 'name' and a 'fields' object")
    for key, field_value in fields.items():
        if user_fields.find(key) is None or not isinstance(field_value, str):
            raise CatalogError(f"user {user_id}: '{key}' must be a user field with a string value")
    return User(int(str(user_id)), name, dict(fields))


def _asset_type(value: object) -> AssetType:
    item = _object(value, "externalAssetTypes[]")
    type_id, name, activity_types = item.get("id"), item.get("name"), item.get("activityTypes")
    if not (_is_int(type_id) and isinstance(name, str) and isinstance(activity_types, list)):
        raise CatalogError(
            "each external asset type needs an integer 'id', a 'name' and 'activityTypes'"
        )
    if not all(isinstance(activity_type, str) for activity_type in activity_types):
        raise CatalogError(f"external asset type {type_id}: activityTypes must be strings")
    return AssetType(int(str(type_id)), name, tuple(activity_types))


def _campaign_responses(value: object) -> CampaignResponses:
    if value is None:
        return CampaignResponses()
    root = _object(value, "campaignResponses")
    fields = _field_catalog(root.get("fields", []), "campaignResponses.fields", SMALL_TEXT_LENGTH)
    items = []
    for value_item in _list(root.get("items", []), "campaignResponses.items"):
        item = _object(value_item, "campaignResponses.items[]")
        response_id, values = item.get("id"), item.get("fields", {})
        if not _is_int(response_id) or not isinstance(values, dict):
            raise CatalogError("each campaign response needs an integer 'id' and 'fields'")
        for key, field_value in values.items():
            if fields.find(key) is None or not isinstance(field_value, str):
                raise CatalogError(
                    f"campaign response {response_id}: '{key}' must be a campaign response "
                    "field with a string value"
                )
        items.append((int(str(response_id)), dict(values)))
    if len({response_id for response_id, _ in items}) != len(items):
        raise CatalogError("campaignResponses.items: ids must be unique")
    return CampaignResponses(fields, tuple(items))


def _texts(root: Mapping[str, Any], key: str) -> list[str]:
    values = _list_of(root, key)
    if not all(isinstance(value, str) for value in values):
        raise CatalogError(f"{key} must be an array of strings")
    return list(values)


def _priority(value: object) -> ImportPriority:
    item = _object(value, "importPriorities[]")
    priority_id, name = item.get("id"), item.get("name")
    priority, created_at = item.get("priority", 0), item.get("createdAt", "")
    if not (_is_int(priority_id) and isinstance(name, str) and _is_int(priority)):
        raise CatalogError("each import priority needs an integer 'id' and 'priority', a 'name'")
    return ImportPriority(int(str(priority_id)), name, int(str(priority)), str(created_at))


def _named_items(root: Mapping[str, Any], key: str) -> tuple[Named, ...]:
    items = []
    for value in _list_of(root, key):
        item = _object(value, f"{key}[]")
        if not _is_int(item.get("id")) or not isinstance(item.get("name"), str):
            raise CatalogError(f"{key}: each item needs an integer 'id' and a string 'name'")
        items.append(Named(int(item["id"]), str(item["name"])))
    _unique_ids(items, key)
    return tuple(items)


def _unique_ids(items: Sequence[User | CustomObject | Named], where: str) -> None:
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{where}: ids must be unique")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise CatalogError(f"{where} must be a JSON object")
    return value


def _list(value: object, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise CatalogError(f"{where} must be a JSON array")
    return value


def _list_of(root: Mapping[str, Any], key: str) -> Sequence[Any]:
    return _list(root.get(key, []), key)
