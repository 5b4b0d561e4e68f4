"""A stream's mapping as the config gives it: read, and checked as far as the config alone can be.

Pure functions over plain data: nothing here talks to Eloqua or knows about Singer messages.
``parse_stream_mapping`` checks what can be checked from the config alone; ``resolve.py`` then
checks the mapping against the entity's fields in Eloqua; ``definition.py`` makes the import
definition of a mapping, and ``rows.py`` the row of a record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

from target_eloqua.errors import MappingError
from target_eloqua.mapping.entities import Entity, parse_entity, parse_statement
from target_eloqua.mapping.entity_rules import kinds_taking, rules_of
from target_eloqua.mapping.sync_actions import SyncAction, action_problems, list_destinations
from target_eloqua.mapping.values import format_user_links, format_value

MAX_KEY_LENGTH = 100
MAX_FIELDS = 100

T = TypeVar("T")

_INTERNAL_NAME = re.compile(r"^\w+$")
_UNSAFE_KEY_CHARACTERS = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Column:
    """One stream property imported into one Eloqua field.

    ``field`` is the statement, or until the mapping is resolved, the internal name as configured.
    ``max_length`` is the most characters the field is known to hold (see ``fields.py``).
    """

    property: str
    key: str
    field: str
    user_link: bool = False
    max_length: int | None = None


@dataclass(frozen=True)
class DataCardLink:
    """How custom object records are linked to contacts (``Contact``) or accounts (``Company``)."""

    entity_type: str
    entity_field: str
    source_property: str
    case_sensitive: bool = False


@dataclass(frozen=True)
class StreamMapping:
    """How one stream's records become rows of one import definition (or, with
    ``actions_only``, of a sync-action definition: the rows only name the records to act on).
    """

    stream: str
    entity: Entity
    identifier: str
    columns: tuple[Column, ...]
    link_users: bool = False
    update_rule: str | None = None
    update_rule_by_field: Mapping[str, str] = field(default_factory=dict)
    update_multiple_matched_records: bool = False
    import_rule: str | None = None
    sync_actions: tuple[SyncAction, ...] = ()
    import_priority: str | None = None
    map_data_cards: DataCardLink | None = None
    actions_only: bool = False
    mirror: bool = False
    """With ``actions_only`` and an ``add`` to a list: at each ACTIVATE_VERSION, the members of
    the list that the version did not send are removed (``loading.mirror``)."""
    mirror_allow_empty: bool = False
    """Whether a version that sent no record may empty the lists it mirrors."""

    def column(self, prop: str) -> Column:
        """The column of a mapped property."""
        return next(column for column in self.columns if column.property == prop)

    @cached_property
    def identifier_key(self) -> str:
        """The definition field key that Eloqua matches existing records on ("" for an entity
        that takes no identifier).
        """
        return self.column(self.identifier).key if self.identifier else ""

    @cached_property
    def keys(self) -> list[str]:
        """The definition field keys, in the order the rows carry them."""
        return [column.key for column in self.columns]

    @cached_property
    def property_of_key(self) -> dict[str, str]:
        """Definition field key -> the stream property sent under it."""
        return {column.key: column.property for column in self.columns}

    @cached_property
    def length_limits(self) -> tuple[tuple[int, str, int], ...]:
        """Position, property and most characters of each column whose field's length is known."""
        return tuple(
            (position, column.property, column.max_length)
            for position, column in enumerate(self.columns)
            if column.max_length is not None
        )

    @cached_property
    def identifier_may_be_blank(self) -> bool:
        """Whether a record may leave its identifier blank: when it is the record's id
        (``{{Account.Id}}``, ``{{CustomObject[9].ExternalId}}``), a blank one asks Eloqua for a
        new record; any other blank identifier matches nothing and is rejected, and so does
        every blank identifier of sync actions, which create nothing.
        """
        if not self.identifier or self.actions_only or not rules_of(self.entity).blank_id_is_new:
            return False
        statement = parse_statement(self.column(self.identifier).field)
        return statement is not None and statement.path in ("Id", "ExternalId")

    @cached_property
    def formatters(self) -> tuple[Callable[[Any], str], ...]:
        """Per column, the function that formats its values."""
        return tuple(
            format_user_links if column.user_link else format_value for column in self.columns
        )

    @cached_property
    def identifier_position(self) -> int:
        """Where the identifier is in a row."""
        return self.properties.index(self.identifier)

    def identifier_of(self, row: Sequence[str]) -> str | None:
        """The row's identifier, or ``None`` when it is blank and must not be (see
        ``identifier_may_be_blank``); "" for every row of an entity that takes no identifier
        (each row is then a record of its own).
        """
        if not self.identifier:
            return ""
        identifier = row[self.identifier_position]
        if not identifier.strip() and not self.identifier_may_be_blank:
            return None
        return identifier

    @property
    def can_be_read_back(self) -> bool:
        """Whether ``verify`` can read the stream's records back: an export of its entity finds
        them by their identifier, and they write fields (not sync actions only).
        """
        rules = rules_of(self.entity)
        return rules.exported and rules.takes_identifier and not self.actions_only

    @property
    def load_rank(self) -> int:
        """Where the stream loads in a run: where its entity does (``Entity.load_rank``), or
        for sync actions only, just after, so that the records they act on are imported first.
        """
        return self.entity.load_rank + (1 if self.actions_only else 0)

    @property
    def sync_action_definitions(self) -> bool:
        """Whether the stream's definitions are sync-action definitions: for sync actions only,
        but of email addresses, whose imports take only sync actions.
        """
        return self.actions_only and self.entity.kind != "emailAddresses"

    @property
    def definitions_path(self) -> str:
        """The collection the stream's definitions are created in: ``/contacts/imports``, or
        ``/contacts/syncActions`` (``sync_action_definitions``).
        """
        if self.sync_action_definitions:
            return f"/{self.entity.path}/syncActions"
        return self.entity.imports_path

    @cached_property
    def mirrored_lists(self) -> list[str]:
        """The lists whose members ``mirror`` keeps to each version: those the actions add to."""
        return list_destinations(self.sync_actions) if self.mirror else []

    @cached_property
    def properties(self) -> list[str]:
        """The stream properties that are sent, in column order."""
        return [column.property for column in self.columns]

    def without(self, properties: Iterable[str]) -> StreamMapping:
        """The mapping without the columns of ``properties`` (nor their update rules); the other
        columns keep their keys.
        """
        dropped = set(properties)
        rules = self.update_rule_by_field.items()
        return replace(
            self,
            columns=tuple(column for column in self.columns if column.property not in dropped),
            update_rule_by_field={prop: rule for prop, rule in rules if prop not in dropped},
        )


def parse_stream_mapping(stream: str, raw: Mapping[str, Any]) -> StreamMapping:
    """Read one entry of the ``streams`` setting, reporting every problem at once.

    Fields may still be internal names afterwards; ``resolve.resolve_stream_mapping`` turns them
    into statements.
    """
    try:
        entity = parse_entity(raw.get("entity") or "accounts")
    except ValueError as error:
        raise MappingError([f"stream '{stream}': {error}"]) from error
    fields: Mapping[str, str] = raw.get("fields") or {}
    keys = definition_keys(fields)
    mapping = StreamMapping(
        stream=stream,
        entity=entity,
        identifier=raw.get("identifier") or "",
        columns=tuple(
            Column(prop, keys[prop], configured.strip(), _is_user_link(configured))
            for prop, configured in fields.items()
        ),
        link_users=bool(raw.get("link_users", False)),
        update_rule=raw.get("update_rule"),
        update_rule_by_field=dict(raw.get("update_rule_by_field") or {}),
        update_multiple_matched_records=bool(raw.get("update_multiple_matched_records", False)),
        import_rule=raw.get("import_rule"),
        sync_actions=tuple(SyncAction(**action) for action in raw.get("sync_actions") or ()),
        import_priority=raw.get("import_priority"),
        map_data_cards=_parse_data_cards(raw.get("map_data_cards")),
        actions_only=bool(raw.get("actions_only", False)),
        mirror=bool(raw.get("mirror", False)),
        mirror_allow_empty=bool(raw.get("mirror_allow_empty", False)),
    )
    problems = [
        *_shape_problems(mapping),
        *(problem for column in mapping.columns for problem in _column_problems(mapping, column)),
        *_option_problems(mapping),
        *_entity_problems(mapping),
        *action_problems(mapping.stream, mapping.entity, mapping.sync_actions),
        *_actions_only_problems(mapping),
    ]
    if problems:
        raise MappingError(problems)
    return mapping


def parse_stream_mappings(streams: Mapping[str, Mapping[str, Any]]) -> dict[str, StreamMapping]:
    """Read the whole ``streams`` setting, reporting the problems of every stream at once."""
    mappings, problems = convert_each(streams, parse_stream_mapping)
    if problems:
        raise MappingError(problems)
    return mappings


def convert_each(
    streams: Mapping[str, T], convert: Callable[[str, T], StreamMapping]
) -> tuple[dict[str, StreamMapping], list[str]]:
    """``convert`` each stream's item: the mappings of those that convert, and the problems of
    the others.
    """
    mappings, problems = {}, []
    for stream, item in streams.items():
        try:
            mappings[stream] = convert(stream, item)
        except MappingError as error:
            problems += error.problems
    return mappings, problems


def unmapped_stream_error(
    stream: str, schema: Mapping[str, Any], key_properties: Sequence[str] | None
) -> str:
    """Why a stream without a mapping stops the run, and a mapping to start from."""
    properties = [p for p in schema.get("properties", {}) if not p.startswith("_sdc_")]
    identifier = next(iter(key_properties or properties), "id")
    example = {
        stream: {"entity": "accounts", "identifier": identifier, "fields": {identifier: "..."}}
    }
    return (
        f"stream '{stream}' has no mapping. Map it under 'streams' in the config, e.g. "
        f"{json.dumps(example)} with an Eloqua field for each property to load (its "
        f"properties: {', '.join(properties) or 'none'}), or set unmapped_streams: skip"
    )


def _is_user_link(configured: str) -> bool:
    statement = parse_statement(configured)
    return bool(statement and statement.prefix == "Account" and statement.path.startswith("User."))


def _shape_problems(mapping: StreamMapping) -> list[str]:
    """Fields, identifier and entity that cannot make an import definition."""
    where, count = f"stream '{mapping.stream}'", len(mapping.columns)
    problems = []
    if not count:
        problems.append(f"{where}: 'fields' must map at least one property")
    elif count > MAX_FIELDS:
        problems.append(
            f"{where}: 'fields' maps {count} properties; an Eloqua import definition "
            f"takes at most {MAX_FIELDS}"
        )
    rules = rules_of(mapping.entity)
    if not rules.takes_identifier:
        if mapping.identifier:
            problems.append(
                f"{where}: {mapping.entity.path} take no 'identifier': {rules.no_identifier_reason}"
            )
    elif not mapping.identifier:
        problems.append(f"{where}: 'identifier' must name the property to match records on")
    elif count and mapping.identifier not in mapping.properties:
        problems.append(
            f"{where}, property '{mapping.identifier}': the identifier is not among 'fields'"
        )
    return problems


def _column_problems(mapping: StreamMapping, column: Column) -> list[str]:
    """What is wrong with a column's field, as far as the config alone can tell."""
    entity = mapping.entity
    at = f"stream '{mapping.stream}', property '{column.property}', field '{column.field}'"
    statement = parse_statement(column.field)
    if statement is None:
        if _INTERNAL_NAME.match(column.field):
            return []
        return [
            f"{at}: not a field statement such as {{{{{entity.prefix}.Field(Name)}}}} "
            "nor an internal field name"
        ]
    if statement.prefix != entity.prefix:
        return [
            f"{at}: a field of {statement.entity.path}, but the stream imports into {entity.path}"
        ]
    if column.user_link and not mapping.link_users:
        return [f"{at}: links users to accounts; set link_users: true on the stream"]
    return []


def _option_problems(mapping: StreamMapping) -> list[str]:
    """Import options that name unmapped properties or go beyond Eloqua's limits."""
    where = f"stream '{mapping.stream}'"
    problems = [
        f"{where}, property '{prop}': update_rule_by_field names a property that is not mapped"
        for prop in mapping.update_rule_by_field
        if prop not in mapping.properties
    ]
    link = mapping.map_data_cards
    if link is not None and link.source_property not in mapping.properties:
        problems.append(
            f"{where}, property '{link.source_property}': map_data_cards.source_property "
            "must be one of 'fields'"
        )
    return problems


_ENTITY_OPTIONS = (
    "link_users",
    "update_rule",
    "update_rule_by_field",
    "update_multiple_matched_records",
    "import_rule",
    "sync_actions",
    "import_priority",
    "map_data_cards",
    "actions_only",
    "mirror",
)
"""The options that only some kinds of entity take (``EntityRules.options``)."""

_IMPORT_OPTIONS = tuple(
    option for option in _ENTITY_OPTIONS if option not in ("sync_actions", "actions_only", "mirror")
)
"""The options that say how fields are written, which ``actions_only`` streams write none of."""


def _entity_problems(mapping: StreamMapping) -> list[str]:
    """Import options set on a stream whose entity does not take them."""
    taken = rules_of(mapping.entity).options
    return [
        f"stream '{mapping.stream}': {option} is for {kinds_taking(option)} only, "
        f"not {mapping.entity.path}"
        for option in _ENTITY_OPTIONS
        if option not in taken and _is_set(mapping, option)
    ]


def _actions_only_problems(mapping: StreamMapping) -> list[str]:
    """What ``actions_only``, ``mirror`` and ``mirror_allow_empty`` need."""
    where = f"stream '{mapping.stream}'"
    problems = []
    if mapping.entity.kind == "emailAddresses" and not mapping.actions_only:
        problems.append(
            f"{where}: emailAddresses take only sync actions (Eloqua's email address imports "
            "write no field): set actions_only: true"
        )
    if mapping.actions_only:
        if not mapping.sync_actions:
            problems.append(f"{where}: actions_only needs sync_actions, the actions to take")
        if mapping.identifier and mapping.properties != [mapping.identifier]:
            problems.append(
                f"{where}: an actions_only stream maps only its identifier, which selects the "
                "records to act on (Eloqua's sync-action definitions take that one field); "
                f"'fields' maps {', '.join(mapping.properties)}"
            )
        set_options = [option for option in _IMPORT_OPTIONS if _is_set(mapping, option)]
        problems += [
            f"{where}: {option} is for imports; an actions_only stream writes no field"
            for option in set_options
        ]
    if mapping.mirror and not mapping.actions_only:
        problems.append(f"{where}: mirror is for actions_only streams; set actions_only: true")
    elif mapping.mirror and not any(action.action == "add" for action in mapping.sync_actions):
        problems.append(
            f"{where}: mirror keeps the members of the lists a stream adds to: it needs a sync "
            "action that adds to a contact or account list"
        )
    if mapping.mirror_allow_empty and not mapping.mirror:
        problems.append(f"{where}: mirror_allow_empty is for mirror streams; set mirror: true")
    return problems


def _is_set(mapping: StreamMapping, option: str) -> bool:
    value = getattr(mapping, option)
    return value not in (None, False, {}, ())


def _parse_data_cards(raw: Mapping[str, Any] | None) -> DataCardLink | None:
    if not raw:
        return None
    return DataCardLink(
        entity_type=raw.get("entity_type", ""),
        entity_field=raw.get("entity_field", ""),
        source_property=raw.get("source_property", ""),
        case_sensitive=bool(raw.get("case_sensitive", False)),
    )


def definition_keys(properties: Iterable[str]) -> dict[str, str]:
    """Each property's definition field key: letters, digits and ``_``, unique, <= 100 chars.

    Keys are also the CSV header and the JSON keys of the uploaded rows, and what Eloqua's
    rejects name, so they stay close to the property names: a property that is already a safe
    key keeps it, and the others get theirs after, with ``_2``, ``_3``... where two would clash.
    """
    properties = list(properties)
    keys = {prop: prop for prop in properties if _is_safe_key(prop)}
    taken = set(keys.values())
    for prop in properties:
        if prop in keys:
            continue
        base = (_UNSAFE_KEY_CHARACTERS.sub("_", prop) or "field")[:MAX_KEY_LENGTH]
        key, number = base, 1
        while key in taken:
            number += 1
            suffix = f"_{number}"
            key = base[: MAX_KEY_LENGTH - len(suffix)] + suffix
        keys[prop] = key
        taken.add(key)
    return {prop: keys[prop] for prop in properties}


def _is_safe_key(prop: str) -> bool:
    return 0 < len(prop) <= MAX_KEY_LENGTH and not _UNSAFE_KEY_CHARACTERS.search(prop)
