"""What the target settles with Eloqua before it reads any input.

Each stream's mapping is checked against, and completed from, the fields Eloqua lists; then, in a
real run, each stream's import definition is created, which lets Eloqua check what ``/fields``
does not show. Every problem of every stream is gathered into one ``MappingError``. The Bulk API
client and the pure mapping functions only: nothing of Singer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from target_eloqua.bulk import BulkClient, EloquaAPIError
from target_eloqua.errors import DefinitionRefusedError, MappingError
from target_eloqua.loading.definitions import ImportDefinitions
from target_eloqua.mapping.entities import Entity
from target_eloqua.mapping.fields import FieldCatalog
from target_eloqua.mapping.resolve import catalogs_needed, resolve_stream_mappings
from target_eloqua.mapping.streams import StreamMapping


def resolve_with_eloqua(
    mappings: Mapping[str, StreamMapping], client: BulkClient
) -> dict[str, StreamMapping]:
    """The mappings, completed and checked against the fields Eloqua lists (reads only).

    The problems of every stream come out together, those of streams whose entity Eloqua does
    not have among them.
    """
    needed = {stream: catalogs_needed(mapping) for stream, mapping in mappings.items()}
    catalogs, problems = field_catalogs(needed, client)
    priorities: list[dict[str, Any]] = []
    if any(mapping.import_priority for mapping in mappings.values()):
        priorities = client.list_items("/imports/priorities")
    checkable = {
        stream: mapping for stream, mapping in mappings.items() if needed[stream] <= catalogs.keys()
    }
    try:
        resolved = resolve_stream_mappings(checkable, catalogs, priorities)
    except MappingError as error:
        problems += error.problems
    if problems:
        raise MappingError(problems)
    return resolved


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
) -> None:
    """Create every stream's definition, so that Eloqua refuses what ``/fields`` cannot show
    (a large-text identifier, a user field that linked users do not have) before any data moves.
    """
    problems = []
    for mapping in mappings.values():
        try:
            definitions.create(mapping, client)
        except DefinitionRefusedError as error:
            problems += error.problems
    if problems:
        raise MappingError(problems)
