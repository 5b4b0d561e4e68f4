"""A stream's mapping held against the SCHEMA its records come with.

A mapped property that the schema lacks would reach Eloqua blank in every record, and blank its
field on every record the stream updates. So it is never sent: it stops the run
(``missing_properties: fail``), or its column is left out of the mapping (``skip``). The
identifier, and the property custom object records are linked by, cannot be left out: without
them no record loads as the mapping means it.

Pure functions over plain data.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from target_eloqua.mapping.entity_rules import rules_of
from target_eloqua.mapping.streams import StreamMapping

CLOSEST_PROPERTIES = 3
"""How many of the schema's properties a problem suggests in place of a missing one."""


@dataclass(frozen=True)
class SchemaFit:
    """What becomes of a stream's mapping under one SCHEMA of the stream."""

    mapping: StreamMapping
    """The mapping the stream's records are loaded with: without the ``dropped`` columns."""
    dropped: tuple[str, ...] = ()
    """Mapped properties the schema lacks, left out with ``missing_properties: skip``."""
    problems: tuple[str, ...] = ()
    """Why the mapping cannot load the stream under this schema, one line each."""


def fit_to_schema(
    mapping: StreamMapping, schema_properties: Sequence[str], missing_properties: str
) -> SchemaFit:
    """The mapping fitted to a schema with ``schema_properties`` (none: an open schema, whose
    records may carry anything, which fits any mapping).
    """
    present = set(schema_properties)
    missing = [prop for prop in mapping.properties if present and prop not in present]
    if not missing:
        return SchemaFit(mapping)
    needed = {mapping.identifier} | _required_properties(mapping)
    if mapping.map_data_cards is not None:
        needed.add(mapping.map_data_cards.source_property)
    problems = [
        missing_property_problem(mapping, prop, schema_properties)
        for prop in missing
        if prop in needed or missing_properties != "skip"
    ]
    if problems:
        return SchemaFit(mapping, problems=tuple(problems))
    return SchemaFit(mapping.without(missing), dropped=tuple(missing))


def _required_properties(mapping: StreamMapping) -> set[str]:
    """The properties mapped to statements the entity's definitions must have (an activity's
    type, say): a definition without them is refused, so they cannot be left out.
    """
    required = rules_of(mapping.entity).required
    return {
        column.property
        for column in mapping.columns
        if any(wanted.met_by(column.field) for wanted in required)
    }


def missing_property_problem(
    mapping: StreamMapping, prop: str, schema_properties: Sequence[str]
) -> str:
    """One line naming the stream, the property, its field and the schema's closest
    properties.
    """
    where = f"stream '{mapping.stream}', property '{prop}'"
    if prop == mapping.identifier:
        what = "the identifier is not in the stream's schema, so no record could be matched"
    elif prop in _required_properties(mapping):
        what = (
            f"mapped to {mapping.column(prop).field}, which {mapping.entity.path} must have, but "
            "not in the stream's schema"
        )
    elif mapping.map_data_cards is not None and prop == mapping.map_data_cards.source_property:
        what = "map_data_cards.source_property is not in the stream's schema"
    else:
        what = (
            f"mapped to {mapping.column(prop).field}, but not in the stream's schema (set "
            "missing_properties: skip to load the stream without it)"
        )
    return f"{where}: {what}; {_closest(prop, schema_properties)}"


def _closest(prop: str, schema_properties: Sequence[str]) -> str:
    candidates = [p for p in schema_properties if not p.startswith("_sdc_")]
    closest = difflib.get_close_matches(prop, candidates, n=CLOSEST_PROPERTIES)
    if closest:
        return f"its closest properties: {', '.join(closest)}"
    shown = ", ".join(candidates[:10]) + (", ..." if len(candidates) > 10 else "")
    return f"none of its properties is close ({shown or 'none'})"
