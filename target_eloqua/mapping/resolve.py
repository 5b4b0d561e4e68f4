"""Check stream mappings against the fields Eloqua has, and complete them from there.

Internal names (``M_Country``) become statements, an import priority given by name becomes its
uri, lists and email groups given by name become their statements, and every field is checked:
it exists, belongs to the stream's entity, is writable, and can identify records if it is the
identifier (for sync actions only, one Oracle allows them to match on); the statements the
entity needs (``entity_rules``) are all there. Pure functions: the caller fetches ``/fields``,
``/imports/priorities`` and the lists and groups named (see ``catalogs_needed`` and
``sync_actions.named_destinations``) and passes them in; the fields of entities that Eloqua lists
no ``/fields`` of come from ``entity_rules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from target_eloqua.errors import MappingError
from target_eloqua.mapping.entities import (
    ACCOUNTS,
    CONTACTS,
    SYSTEM_TIMESTAMPS,
    Entity,
    Statement,
    parse_statement,
)
from target_eloqua.mapping.entity_rules import rules_of
from target_eloqua.mapping.fields import EloquaField, FieldCatalog
from target_eloqua.mapping.streams import Column, StreamMapping, convert_each
from target_eloqua.mapping.sync_actions import (
    LOOKUPS,
    NAMES,
    SyncAction,
    identifier_problem,
    named_kind,
    parse_destination,
)

IDENTIFIER_TYPES_REFUSED = frozenset({"date", "boolean"})
DATA_CARD_ENTITIES = {"Contact": CONTACTS, "Company": ACCOUNTS}

Catalogs = Mapping[Entity, FieldCatalog]
Destinations = Mapping[tuple[str, str], Sequence[str]]
"""(kind, name) -> the statements of the lists or email groups Eloqua has under that name."""


def catalogs_needed(mapping: StreamMapping) -> set[Entity]:
    """The entities whose ``/fields`` the mapping is checked against."""
    rules = rules_of(mapping.entity)
    needed = {mapping.entity} if rules.listed_fields is None else set()
    for column in mapping.columns:
        related = rules.related.get(_related(column.field) or "")
        if related is not None:
            needed.add(related)
    if mapping.map_data_cards and mapping.map_data_cards.entity_type in DATA_CARD_ENTITIES:
        needed.add(DATA_CARD_ENTITIES[mapping.map_data_cards.entity_type])
    return needed


def resolve_stream_mappings(
    mappings: Mapping[str, StreamMapping],
    catalogs: Catalogs,
    priorities: Sequence[Mapping[str, Any]] = (),
    destinations: Destinations | None = None,
) -> tuple[dict[str, StreamMapping], list[str]]:
    """Resolve every stream's mapping: the mappings that resolve, and the problems of all the
    others, so that they are reported at once.
    """
    return convert_each(
        mappings,
        lambda _, mapping: resolve_stream_mapping(mapping, catalogs, priorities, destinations),
    )


def resolve_stream_mapping(
    mapping: StreamMapping,
    catalogs: Catalogs,
    priorities: Sequence[Mapping[str, Any]] = (),
    destinations: Destinations | None = None,
) -> StreamMapping:
    """The mapping with statements for every field and destination, and the import priority's
    uri.
    """
    problems: list[str] = []
    columns: list[Column] = []
    for column in mapping.columns:
        at = f"stream '{mapping.stream}', property '{column.property}', field '{column.field}'"
        field, problem = _find_field(mapping.entity, column, catalogs)
        resolved = (
            replace(column, field=field.statement, max_length=field.max_length) if field else column
        )
        taken = [c.property for c in columns if c.field == resolved.field]
        if problem:
            problems.append(f"{at}: {problem}")
        elif taken:
            problems.append(f"{at}: property '{taken[0]}' is already imported into that field")
        elif column.property == mapping.identifier and (
            reason := _cannot_identify(mapping, resolved, field)
        ):
            problems.append(f"{at}: cannot be the identifier: {reason}")
        columns.append(resolved)
    problems += _missing_statements(mapping, columns)
    actions, unknown = _destinations(mapping, destinations or {})
    problems += unknown

    priority = mapping.import_priority
    if priority is not None:
        priority = _priority_uri(priority, priorities)
        if priority is None:
            problems.append(_unknown_priority(mapping, priorities))
    data_cards = mapping.map_data_cards
    if data_cards is not None:
        entity_field, problem = _data_card_field(
            data_cards.entity_type, data_cards.entity_field, catalogs
        )
        if problem:
            problems.append(f"stream '{mapping.stream}': map_data_cards: {problem}")
        data_cards = replace(data_cards, entity_field=entity_field)

    if problems:
        raise MappingError(problems)
    return replace(
        mapping,
        columns=tuple(columns),
        import_priority=priority,
        map_data_cards=data_cards,
        sync_actions=actions,
    )


def _find_field(
    entity: Entity, column: Column, catalogs: Catalogs
) -> tuple[EloquaField | None, str | None]:
    """The field a column imports into, or why there is none to use.

    ``(None, None)`` stands for a statement Eloqua itself checks when the definition is created
    (a user field of linked users), since ``/fields`` does not list those.
    """
    statement = parse_statement(column.field)
    if statement is None:
        return _by_name(entity, column.field, _catalog(entity, catalogs))
    related = statement.related
    if related is None:
        return _own_field(entity, statement, _catalog(entity, catalogs))
    relation, name = related
    if (entity.kind, relation) == ("accounts", "User"):
        return None, None
    other = rules_of(entity).related.get(relation)
    if other is not None:
        field, problem = _by_name(other, name, catalogs[other])
        return (replace(field, statement=statement.text), None) if field else (None, problem)
    return None, (
        "fields of related records are imported only as {{Contact.Account.Field(...)}} on "
        "contacts, {{Account.User.Field(...)}} on accounts, {{Activity.Contact.Field(...)}} on "
        "activities and {{Opportunity.Contact.Field(...)}} or "
        "{{Opportunity.Account.Field(...)}} on opportunity links"
    )


def _own_field(
    entity: Entity, statement: Statement, catalog: FieldCatalog
) -> tuple[EloquaField | None, str | None]:
    """The field of the entity a statement names: as listed, else a system statement."""
    if (listed := catalog.by_statement(statement.text)) is not None:
        return _writable(listed)
    if (data_type := entity.system_field_type(statement.path)) is not None:
        read_only = statement.path in SYSTEM_TIMESTAMPS
        return _writable(EloquaField(statement.path, statement.text, data_type, read_only))
    return None, _no_such_field(entity, statement.path, catalog)


def _catalog(entity: Entity, catalogs: Catalogs) -> FieldCatalog:
    """The entity's fields: as ``/fields`` lists them, or as Oracle's reference does for an
    entity without ``/fields``.
    """
    listed = rules_of(entity).listed_fields
    return catalogs[entity] if listed is None else FieldCatalog(listed)


def _lookup(
    entity: Entity, statement: Statement | None, name: str, catalog: FieldCatalog
) -> tuple[EloquaField | None, str | None]:
    """The field a statement (or, without one, an internal name) names, or why there is none."""
    field = catalog.by_statement(statement.text) if statement else catalog.by_name(name)
    if field is None:
        return None, _no_such_field(entity, statement.path if statement else name, catalog)
    return field, None


def _by_name(
    entity: Entity, name: str, catalog: FieldCatalog
) -> tuple[EloquaField | None, str | None]:
    field, problem = _lookup(entity, None, name, catalog)
    return _writable(field) if field else (None, problem)


def _writable(field: EloquaField) -> tuple[EloquaField | None, str | None]:
    if field.read_only:
        return None, f"{field.internal_name} is read-only in Eloqua and cannot be imported"
    return field, None


def _no_such_field(entity: Entity, name: str, catalog: FieldCatalog) -> str:
    similar = catalog.similar_names(name)
    hint = f" (did you mean {' or '.join(similar)}?)" if similar else ""
    listed = rules_of(entity).listed_fields
    if listed is not None:
        statements = ", ".join(field.statement for field in listed)
        return f"no field of {entity.path} matches{hint}; they take {statements}"
    return (
        f"no field of {entity.path} matches{hint}; GET /api/bulk/2.0{entity.fields_path} "
        "lists their internal names and statements"
    )


def _cannot_identify(
    mapping: StreamMapping, column: Column, field: EloquaField | None
) -> str | None:
    entity = mapping.entity
    if mapping.actions_only:
        return identifier_problem(entity, column.field)
    wanted = rules_of(entity).identifier_statement
    if wanted is not None and column.field != wanted:
        return f"Eloqua matches {entity.path} on {wanted}"
    if field is None or _related(column.field):
        return "it is not a field of the stream's own entity"
    if field.data_type in IDENTIFIER_TYPES_REFUSED:
        return f"Eloqua does not match records on {field.data_type} fields"
    return None


def _destinations(
    mapping: StreamMapping, found: Destinations
) -> tuple[tuple[SyncAction, ...], list[str]]:
    """The sync actions with each list or group given by name replaced by its statement, and a
    problem for each name Eloqua has none of, or more than one of."""
    actions, problems = [], []
    for action in mapping.sync_actions:
        kind = named_kind(mapping.entity, action.action)
        if parse_destination(action.destination) is not None or kind is None:
            actions.append(action)
            continue
        name = action.destination.strip()
        statements = found.get((kind, name), ())
        where = f"stream '{mapping.stream}', sync action {action.action} '{name}'"
        if len(statements) == 1:
            actions.append(replace(action, destination=statements[0]))
        elif not statements:
            problems.append(
                f"{where}: Eloqua has no {NAMES[kind]} of that name (GET /api/bulk/2.0"
                f"{LOOKUPS[kind]} lists them; names match exactly, letter case too)"
            )
        else:
            problems.append(
                f"{where}: Eloqua has {len(statements)} {NAMES[kind]}s of that name "
                f"({', '.join(statements)}); give the one meant by its statement"
            )
    return tuple(actions), problems


def _missing_statements(mapping: StreamMapping, columns: Sequence[Column]) -> list[str]:
    """The statements the entity needs that the columns do not map, or map more than once."""
    problems = []
    for required in rules_of(mapping.entity).required:
        mapped = [column.property for column in columns if required.met_by(column.field)]
        wanted = " or ".join(s + "...}}" if s.endswith(".") else s for s in required.statements)
        if not mapped:
            problems.append(
                f"stream '{mapping.stream}': {mapping.entity.path} need {required.what} "
                f"among 'fields' ({wanted})"
            )
        elif required.only_one and len(mapped) > 1:
            problems.append(
                f"stream '{mapping.stream}': properties {', '.join(map(repr, mapped))} all give "
                f"{required.what}; map only one of them"
            )
    return problems


def _related(configured: str) -> str | None:
    statement = parse_statement(configured)
    related = statement.related if statement else None
    return related[0] if related else None


def _priority_uri(priority: str, priorities: Sequence[Mapping[str, Any]]) -> str | None:
    for item in priorities:
        if priority in (item.get("uri"), item.get("name")):
            return str(item["uri"])
    lowered = priority.lower()
    for item in priorities:
        if str(item.get("name", "")).lower() == lowered:
            return str(item["uri"])
    return None


def _unknown_priority(mapping: StreamMapping, priorities: Sequence[Mapping[str, Any]]) -> str:
    names = ", ".join(str(item.get("name")) for item in priorities) or "none"
    return (
        f"stream '{mapping.stream}': import_priority '{mapping.import_priority}' is not an "
        f"import priority of this instance (GET /api/bulk/2.0/imports/priorities has: {names})"
    )


def _data_card_field(
    entity_type: str, configured: str, catalogs: Catalogs
) -> tuple[str, str | None]:
    """The statement of the contact or account field that custom object records are matched on."""
    entity = DATA_CARD_ENTITIES.get(entity_type)
    if entity is None:
        return configured, f"entity_type '{entity_type}' must be Contact or Company"
    statement = parse_statement(configured)
    if statement is not None and statement.entity != entity:
        return configured, f"entity_field '{configured}' is not a field of {entity.path}"
    if statement is not None and entity.system_field_type(statement.path) is not None:
        return configured, None
    field, problem = _lookup(entity, statement, configured, catalogs[entity])
    if field is None:
        return configured, f"entity_field '{configured}': {problem}"
    return field.statement, None
