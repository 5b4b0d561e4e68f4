"""The definition of a stream mapping, and Eloqua's refusal of one told in its terms.

Pure functions: the body of ``POST /{entity}/imports`` (or, for sync actions only, of
``POST /{entity}/syncActions``), its name, and the lines that tie Eloqua's ``failures`` back to
the mapping's properties and fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from target_eloqua.mapping.entities import OPPORTUNITY_CONTACTS, parse_statement
from target_eloqua.mapping.entity_rules import OPPORTUNITY_ID
from target_eloqua.mapping.streams import StreamMapping

DEFINITION_NAME_PREFIX = "target-eloqua"
MAX_DEFINITION_NAME_LENGTH = 100
AUTO_DELETE_DURATION, AUTO_DELETE_SECONDS = "P1D", 24 * 3600
"""Definitions delete themselves a day after creation, so they never pile up in the instance."""

MAX_PARTS_PER_SYNC = 500
"""Eloqua refuses a 501st data upload to a definition before a sync (since 24D)."""


def definition_refusal_problems(
    mapping: StreamMapping, failures: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Eloqua's ``failures`` for a refused import definition, tied back to the mapping.

    A failure whose value is a field key or a statement is told about its property and field.
    """
    columns = {column.key: column for column in mapping.columns}
    columns |= {column.field: column for column in mapping.columns}
    problems = []
    for failure in failures:
        said = f"{failure.get('field')}: {failure.get('constraint')}"
        column = columns.get(str(failure.get("value")))
        if column is None:
            problems.append(
                f"stream '{mapping.stream}': Eloqua refused the import definition: "
                f"{said} (value: {failure.get('value')!r})"
            )
        else:
            problems.append(
                f"stream '{mapping.stream}', property '{column.property}', "
                f"field '{column.field}': Eloqua refused it: {said}"
            )
    return problems


def definition_body(mapping: StreamMapping) -> dict[str, Any]:
    """The body of the definition the mapping's records are synced with, created at
    ``mapping.definitions_path``.
    """
    if mapping.sync_action_definitions:
        return sync_action_definition_body(mapping)
    return import_definition_body(mapping)


def sync_action_definition_body(mapping: StreamMapping) -> dict[str, Any]:
    """The body of ``POST /{entity}/syncActions``: the one field records are matched on, and
    the actions. Oracle's sync-action definitions take no ``autoDeleteDuration``: the run
    deletes its own (``loading.definitions``).
    https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/sync_actions.htm
    """
    body: dict[str, Any] = {
        "fields": {column.key: column.field for column in mapping.columns},
        "identifierFieldName": mapping.identifier_key,
        "syncActions": _sync_actions(mapping),
        "isSyncTriggeredOnImport": False,
    }
    return {"name": definition_name(mapping.stream, body), **body}


def import_definition_body(mapping: StreamMapping) -> dict[str, Any]:
    """The body of ``POST /{entity}/imports`` for a resolved stream mapping.

    Syncs are never triggered by uploads: the target stages every part first, then creates
    one sync itself and waits for it. An entity that takes no identifier gets no
    ``identifierFieldName``.
    """
    body: dict[str, Any] = {
        "fields": {column.key: column.field for column in mapping.columns},
        "isSyncTriggeredOnImport": False,
        "isUpdatingMultipleMatchedRecords": mapping.update_multiple_matched_records,
        "autoDeleteDuration": AUTO_DELETE_DURATION,
    }
    if mapping.identifier:
        body["identifierFieldName"] = mapping.identifier_key
    body.update(_optional_properties(mapping))
    return {"name": definition_name(mapping.stream, body), **body}


def _optional_properties(mapping: StreamMapping) -> dict[str, Any]:
    """The definition properties that are sent only when the mapping sets them."""
    optional: dict[str, Any] = {
        "updateRule": mapping.update_rule,
        "importRule": mapping.import_rule,
        "importPriorityUri": mapping.import_priority,
    }
    if mapping.update_rule_by_field:
        optional["updateRuleByField"] = {
            mapping.column(prop).key: rule for prop, rule in mapping.update_rule_by_field.items()
        }
    if mapping.sync_actions:
        optional["syncActions"] = _sync_actions(mapping)
    if mapping.link_users:
        optional["linkUsers"] = True
    if link := mapping.map_data_cards:
        optional |= {
            "mapDataCards": True,
            "mapDataCardsEntityType": link.entity_type,
            "mapDataCardsEntityField": link.entity_field,
            "mapDataCardsSourceField": mapping.column(link.source_property).key,
            "mapDataCardsCaseSensitiveMatch": link.case_sensitive,
        }
    if mapping.entity == OPPORTUNITY_CONTACTS:
        optional |= _opportunity_links(mapping)
    return {key: value for key, value in optional.items() if value is not None}


def _sync_actions(mapping: StreamMapping) -> list[dict[str, str]]:
    return [
        {key: value for key, value in vars(action).items() if value is not None}
        for action in mapping.sync_actions
    ]


def _opportunity_links(mapping: StreamMapping) -> dict[str, Any]:
    """How a link import matches opportunities (on ``{{Opportunity.Id}}``) and the contacts
    they link to: directly (``{{Opportunity.Contact...}}``) or through their account
    (``{{Opportunity.Account.Field(...)}}``), with the values of Oracle's example.
    https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/opportunities.htm
    """
    match_key = source_key = entity_type = None
    for column in mapping.columns:
        statement = parse_statement(column.field)
        if column.field == OPPORTUNITY_ID:
            match_key = column.key
        elif statement is not None and statement.path.startswith(("Contact.", "Account.")):
            source_key, entity_type = column.key, statement.path.split(".", 1)[0]
    return {
        "linkOpportunitiesEntityType": entity_type,
        "linkOpportunitiesMatchFieldName": match_key,
        "linkOpportunitiesSourceField": source_key,
        "linkOpportunitiesCaseSensitiveMatchField": False,
        "linkOpportunitiesCaseSensitiveSourceField": False,
        "linkOpportunitiesMultipleSourceMatches": True,
    }


def definition_name(stream: str, body: Mapping[str, Any]) -> str:
    """``target-eloqua <stream> <hash>``: readable, the same for the same mapping, <= 100 chars.

    The short hash of the definition tells apart definitions of one stream under changed
    mappings when a user looks at them in Eloqua.
    """
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
    room = MAX_DEFINITION_NAME_LENGTH - len(DEFINITION_NAME_PREFIX) - len(digest) - 2
    return f"{DEFINITION_NAME_PREFIX} {stream[:room]} {digest}"
