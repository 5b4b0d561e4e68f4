"""From a stream's mapping in the config to an import definition, and from a record to a row.

Pure functions over plain data: nothing here talks to Eloqua or knows about Singer messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from target_eloqua.values import UnformattableValueError, format_value

SUPPORTED_ENTITIES = ("accounts",)
DEFINITION_NAME_PREFIX = "target-eloqua"
MAX_DEFINITION_NAME_LENGTH = 100

_STATEMENT = re.compile(r"^\{\{.+\}\}$")
_USER_LINK_STATEMENT = re.compile(r"^\{\{Account\.User\.Field\(\w+\)\}\}$")


class MappingError(ValueError):
    """A stream mapping that cannot work; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Column:
    """One stream property imported into one Eloqua field."""

    property: str
    key: str
    statement: str
    user_link: bool


@dataclass(frozen=True)
class StreamMapping:
    """How one stream's records become rows of one import definition."""

    stream: str
    entity: str
    identifier: str
    columns: tuple[Column, ...]
    link_users: bool

    @property
    def identifier_key(self) -> str:
        """The definition field key that Eloqua matches existing records on."""
        return next(column.key for column in self.columns if column.property == self.identifier)

    @property
    def keys(self) -> list[str]:
        """The definition field keys, in the order the rows carry them."""
        return [column.key for column in self.columns]


def parse_stream_mapping(stream: str, raw: Mapping[str, Any]) -> StreamMapping:
    """Read one entry of the ``streams`` setting, reporting every problem at once."""
    entity = raw.get("entity") or "accounts"
    identifier: str = raw.get("identifier") or ""
    fields = raw.get("fields") or {}
    link_users = bool(raw.get("link_users", False))

    problems = []
    if entity not in SUPPORTED_ENTITIES:
        problems.append(
            f"stream '{stream}': entity '{entity}' is not supported; "
            f"use one of: {', '.join(SUPPORTED_ENTITIES)}"
        )
    if not fields:
        problems.append(f"stream '{stream}': 'fields' must map at least one property")
    if not identifier:
        problems.append(f"stream '{stream}': 'identifier' must name the property to match on")
    elif fields and identifier not in fields:
        problems.append(
            f"stream '{stream}', property '{identifier}': the identifier is not among 'fields'"
        )

    columns = []
    for prop, statement in fields.items():
        user_link = bool(_USER_LINK_STATEMENT.match(statement))
        if not _STATEMENT.match(statement):
            problems.append(
                f"stream '{stream}', property '{prop}': '{statement}' is not a field "
                "statement such as {{Account.Field(M_CompanyName)}}"
            )
        elif user_link and not link_users:
            problems.append(
                f"stream '{stream}', property '{prop}': '{statement}' links users; "
                "set link_users: true on the stream"
            )
        columns.append(Column(property=prop, key=prop, statement=statement, user_link=user_link))

    if problems:
        raise MappingError(problems)
    return StreamMapping(
        stream=stream,
        entity=entity,
        identifier=identifier,
        columns=tuple(columns),
        link_users=link_users,
    )


def parse_stream_mappings(streams: Mapping[str, Mapping[str, Any]]) -> dict[str, StreamMapping]:
    """Read the whole ``streams`` setting, reporting the problems of every stream at once."""
    mappings, problems = {}, []
    for stream, raw in streams.items():
        try:
            mappings[stream] = parse_stream_mapping(stream, raw)
        except MappingError as error:
            problems += error.problems
    if problems:
        raise MappingError(problems)
    return mappings


def definition_name(stream: str) -> str:
    """A readable definition name within Eloqua's 100 characters."""
    return f"{DEFINITION_NAME_PREFIX} {stream}"[:MAX_DEFINITION_NAME_LENGTH]


def import_definition_body(mapping: StreamMapping) -> dict[str, Any]:
    """The body of ``POST /{entity}/imports`` for a stream.

    Syncs are never triggered by uploads: the target stages every part first, then creates
    one sync itself and waits for it.
    """
    body: dict[str, Any] = {
        "name": definition_name(mapping.stream),
        "fields": {column.key: column.statement for column in mapping.columns},
        "identifierFieldName": mapping.identifier_key,
        "isSyncTriggeredOnImport": False,
    }
    if mapping.link_users:
        body["linkUsers"] = True
    return body


def imports_path(entity: str) -> str:
    """The collection that import definitions of ``entity`` are created in."""
    return f"/{entity}/imports"


def record_to_row(mapping: StreamMapping, record: Mapping[str, Any]) -> dict[str, str]:
    """The row staged for one record: every definition key, formatted as Eloqua text.

    Properties the mapping does not name (``_sdc_*`` metadata among them) are left out.
    """
    row = {}
    for column in mapping.columns:
        try:
            row[column.key] = format_value(record.get(column.property), user_link=column.user_link)
        except UnformattableValueError as error:
            raise UnformattableValueError(
                f"stream '{mapping.stream}', property '{column.property}': {error}"
            ) from error
    return row
