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
from target_eloqua.definitions import DefinitionRefusedError, ImportDefinitions
from target_eloqua.entities import Entity
from target_eloqua.fields import FieldCatalog
from target_eloqua.mapping import MappingError, StreamMapping
from target_eloqua.resolve import catalogs_needed, resolve_stream_mappings


def resolve_with_eloqua(
    mappings: Mapping[str, StreamMapping], client: BulkClient
) -> dict[str, StreamMapping]:
    """The mappings, completed and checked against the fields Eloqua lists (reads only)."""
    catalogs = field_catalogs(mappings, client)
    priorities: list[dict[str, Any]] = []
    if any(mapping.import_priority for mapping in mappings.values()):
        priorities = client.list_items("/imports/priorities")
    return resolve_stream_mappings(mappings, catalogs, priorities)


def field_catalogs(
    mappings: Mapping[str, StreamMapping], client: BulkClient
) -> dict[Entity, FieldCatalog]:
    """The fields of every entity the mappings use; an entity Eloqua does not have (a custom
    object id that does not exist) is told with the streams that use it.
    """
    catalogs, problems = {}, []
    for entity in sorted(set().union(*map(catalogs_needed, mappings.values()))):
        try:
            catalogs[entity] = FieldCatalog.from_api(client.list_items(entity.fields_path))
        except EloquaAPIError as error:
            if error.status != 404:
                raise
            problems += [
                f"stream '{stream}': Eloqua has no {entity.path} "
                f"(GET /api/bulk/2.0{entity.fields_path} answered 404)"
                for stream, mapping in mappings.items()
                if entity in catalogs_needed(mapping)
            ]
    if problems:
        raise MappingError(problems)
    return catalogs


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
