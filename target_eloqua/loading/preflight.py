"""What the target settles with Eloqua before it reads any input.

Each stream's mapping is checked against, and completed from, the fields Eloqua lists and the
lists and email groups its sync actions name; then, in a real run, each stream's definition is
created, which lets Eloqua check what ``/fields`` does not show. Every problem of every stream
is gathered, one line each, for the run to tell with those of the SCHEMAs. The Bulk API client
and the pure mapping functions only: nothing of Singer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from target_eloqua.bulk import BulkClient, EloquaAPIError
from target_eloqua.errors import DefinitionRefusedError
from target_eloqua.loading.definitions import ImportDefinitions
from target_eloqua.mapping.entities import Entity
from target_eloqua.mapping.fields import FieldCatalog
from target_eloqua.mapping.resolve import Destinations, catalogs_needed, resolve_stream_mappings
from target_eloqua.mapping.streams import StreamMapping
from target_eloqua.mapping.sync_actions import LOOKUPS, named_destinations, statement_of


def settle_with_eloqua(
    mappings: Mapping[str, StreamMapping],
    client: BulkClient,
    definitions: ImportDefinitions | None,
) -> tuple[dict[str, StreamMapping], list[str]]:
    """The mappings completed and checked against the fields Eloqua lists, and every problem
    found in the others; with ``definitions`` (a real run), the import definition of each is
    created too.

    The definitions of the streams whose fields check out are created even when other streams
    have problems, so that what Eloqua refuses in them is told in the same round.
    """
    resolved, problems = resolve_with_eloqua(mappings, client)
    if definitions is not None:
        problems += create_definitions(resolved, definitions, client)
    return resolved, problems


def resolve_with_eloqua(
    mappings: Mapping[str, StreamMapping], client: BulkClient
) -> tuple[dict[str, StreamMapping], list[str]]:
    """The mappings that the fields Eloqua lists complete and check out (reads only), and the
    problems of the others, those of streams whose entity Eloqua does not have among them.
    """
    needed = {stream: catalogs_needed(mapping) for stream, mapping in mappings.items()}
    catalogs, problems = field_catalogs(needed, client)
    priorities: list[dict[str, Any]] = []
    if any(mapping.import_priority for mapping in mappings.values()):
        priorities = client.list_items("/imports/priorities")
    checkable = {
        stream: mapping for stream, mapping in mappings.items() if needed[stream] <= catalogs.keys()
    }
    destinations = named_lists(mappings, client)
    resolved, unresolved = resolve_stream_mappings(checkable, catalogs, priorities, destinations)
    return resolved, problems + unresolved


def named_lists(mappings: Mapping[str, StreamMapping], client: BulkClient) -> Destinations:
    """The lists and email groups the streams' sync actions name, looked up by name once each:
    (kind, name) -> the statements of those Eloqua has under that name.
    """
    named = set().union(*(named_destinations(m.entity, m.sync_actions) for m in mappings.values()))
    return {
        (kind, name): [statement_of(kind, item) for item in client.find_named(LOOKUPS[kind], name)]
        for kind, name in sorted(named)
    }


def field_catalogs(
    needed: Mapping[str, set[Entity]], client: BulkClient
) -> tuple[dict[Entity, FieldCatalog], list[str]]:
    """The fields of every entity the streams need, and a problem for each stream that needs an
    entity Eloqua does not have (a custom object id that does not exist).
    """
    catalogs, problems = {}, []
    for entity in sorted(set().union(*needed.values())):
        try:
            catalogs[entity] = FieldCatalog.from_api(client.list_items(entity.fields_path))
        except EloquaAPIError as error:
            if error.status != 404:
                raise
            problems += [
                f"stream '{stream}': Eloqua has no {entity.path} "
                f"(GET /api/bulk/2.0{entity.fields_path} answered 404)"
                for stream, entities in needed.items()
                if entity in entities
            ]
    return catalogs, problems


def create_definitions(
    mappings: Mapping[str, StreamMapping], definitions: ImportDefinitions, client: BulkClient
) -> list[str]:
    """Create every stream's definition, so that Eloqua refuses what ``/fields`` cannot show
    (a large-text identifier, a user field that linked users do not have) before any data
    moves; the problems of those it refuses.
    """
    problems = []
    for mapping in mappings.values():
        try:
            definitions.create(mapping, client)
        except DefinitionRefusedError as error:
            problems += error.problems
    return problems
