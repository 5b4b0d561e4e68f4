"""Export definitions: which properties Eloqua keeps, its rules, and the rows an export sync reads.

What Oracle documents (the export tutorial, the op pages of ``POST /{entity}/exports``, Bulk API
limits and the 24A note on retention):

- a definition has a ``name`` (at most 100 characters) and ``fields`` (at most 250 statements of
  the exported entity), and optionally a ``filter`` (see ``filters``), ``maxRecords``,
  ``dataRetentionDuration`` (PT1H to P14D; PT6H when left out, since 24A),
  ``autoDeleteDuration`` (at least PT1H) and ``areSystemTimestampsInUTC``; a broken rule is a 400
  with ``failures``, as for import definitions;
- a sync of the definition takes a snapshot of the records the filter selects, which
  ``GET /syncs/{id}/data`` then reads, at most 50,000 a page, every value as text.

System timestamps (``C_DateModified``, ``{{CustomObject[9].CreatedAt}}``, ...: see
``timestamps``) are exported in UTC when the definition has ``areSystemTimestampsInUTC: true``,
else in the instance's time zone, and filters compare them in that same time zone.

The emulator's choices where Oracle shows no example: each value read back is in the form
``export_text`` gives it (dates ``YYYY-MM-DD HH:MM:SS.fff``, numbers as plain decimals, booleans
``true``/``false``, email addresses in lower case); rows come oldest record first; an export
sync has no rejects, and logs ELQ-00102 with the count exported.

https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Tutorials/Export.htm
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-contacts-exports-post.html
https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/bulk-limits.htm
https://docs.oracle.com/en/cloud/saas/readiness/marketing/24a/eloq-24a/24A-eloqua-wn-f32117.htm
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from target_eloqua.emulator.model.catalog import Catalog
from target_eloqua.emulator.model.checks import read_date
from target_eloqua.emulator.model.coerce import as_bool, as_text
from target_eloqua.emulator.model.definitions import (
    BOOLEAN_RULE,
    MAX_NAME_LENGTH,
    NAME_RULE,
    definition_json,
    duration_failures,
)
from target_eloqua.emulator.model.entities import ACCOUNTS, Entity
from target_eloqua.emulator.model.errors import Failure, ValidationError
from target_eloqua.emulator.model.filters import (
    FilterError,
    MomentOf,
    Node,
    Operand,
    parse_filter,
    select,
)
from target_eloqua.emulator.model.records import ID, RecordStores, StoredRecord
from target_eloqua.emulator.model.statements import (
    ACTIVITY_ATTRIBUTES,
    StatementError,
    Target,
    resolve,
)
from target_eloqua.emulator.model.syncs import LogEntry, Outcome, SyncCounts, summary_log
from target_eloqua.emulator.model.timestamps import (
    Stamp,
    export_form,
    local_moment,
    shown_in,
    stamp_of,
)

MAX_EXPORT_FIELDS = 250
DEFAULT_RETENTION = "PT6H"

FIELDS_RULE = "Must be an object of at least 1 and at most 250 field statements."
STATEMENT_RULE = "Must be a valid statement naming an existing field of the exported entity."
FILTER_FIELD_RULE = "Must name a field of the exported entity."
MAX_RECORDS_RULE = "Must be a positive integer."

# Properties in the order the emulator echoes them; any other property is dropped.
PROPERTIES = (
    "name",
    "fields",
    "filter",
    "maxRecords",
    "dataRetentionDuration",
    "areSystemTimestampsInUTC",
    "autoDeleteDuration",
)

ACTIVITY_PATHS: Mapping[str, str] = {
    "Id": "number",
    "Type": "string",
    "CreatedAt": "date",
    "ExternalId": "string",
    "Contact.Id": "number",
    "Asset.Id": "number",
    "Asset.Type": "string",
    "Asset.Name": "string",
    "Campaign.Id": "number",
    "Visitor.Id": "number",
    "Visitor.ExternalId": "string",
}
"""The system statements of activities (``{{Activity.Type}}``, ...) and their data types, from
Oracle's activity fields reference; ``{{Activity.Field(Name)}}`` names the others. An activity
record keeps the values an import gives it under their internal names (``ActivityType``: see
``statements.ACTIVITY_ATTRIBUTES``), other values under the statement's path or the field's name,
its contact as the entity it is mapped to, and its id as the record id.
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Reference/activity-fields.htm
"""

CONTACT_ID = "Contact.Id"

_ACTIVITY = re.compile(r"\{\{Activity\.(?:Field\((\w+)\)|([\w.]+))\}\}")


@dataclass(frozen=True)
class ExportColumn:
    """What one key of an export reads: the value a record keeps under ``name`` (``Id``: the
    record id) or its system timestamp ``stamp``, on the record itself or on its account
    (``{{Contact.Account.Field(X)}}``)."""

    key: str
    name: str
    data_type: str
    on_account: bool = False
    stamp: Stamp | None = None


@dataclass(frozen=True)
class ExportDefinition:
    """A stored export definition of one entity."""

    id: int
    entity: Entity
    properties: Mapping[str, Any]
    columns: tuple[ExportColumn, ...]
    filter: Node | None
    created_by: str
    created_at: str
    updated_at: str

    @property
    def uri(self) -> str:
        return f"/{self.entity.path}/exports/{self.id}"

    def to_json(self) -> dict[str, Any]:
        return definition_json(self)


@dataclass(frozen=True)
class Accepted:
    """An export definition body as Eloqua keeps it, and what its parts read."""

    properties: Mapping[str, Any]
    columns: tuple[ExportColumn, ...]
    filter: Node | None


@dataclass(frozen=True)
class ExportedRows:
    """What one export sync read: the definition's keys and each record's values, as text.

    Rows are tuples of text, which Python's garbage collector does not walk however many an
    emulator keeps."""

    keys: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()

    def items(self, offset: int, limit: int) -> list[dict[str, str]]:
        """One page of rows as ``/syncs/{id}/data`` items."""
        return [
            dict(zip(self.keys, row, strict=True)) for row in self.rows[offset : offset + limit]
        ]


def accept_export(catalog: Catalog, entity: Entity, body: Mapping[str, Any]) -> Accepted:
    """Validate an export definition body for ``entity``; ValidationError lists every broken
    rule. What it returns is what the emulator keeps: the known properties that were set, in
    echo order, with the default retention and booleans as booleans."""
    failures: list[Failure] = []
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH:
        failures.append(Failure("name", as_text(name), NAME_RULE))
    columns = _columns(catalog, entity, body.get("fields"), failures)
    zone = shown_in(as_bool(body.get("areSystemTimestampsInUTC")) is True)
    node = _filter(catalog, entity, body.get("filter"), zone, failures)
    failures += _option_failures(body)
    if failures:
        raise ValidationError(failures)
    given = {k: body[k] for k in PROPERTIES if body.get(k) is not None}
    merged = {"dataRetentionDuration": DEFAULT_RETENTION, **given}
    if "areSystemTimestampsInUTC" in merged:
        merged["areSystemTimestampsInUTC"] = as_bool(merged["areSystemTimestampsInUTC"])
    properties = {k: merged[k] for k in PROPERTIES if k in merged}
    return Accepted(properties, columns, node)


def run_export(
    definition: ExportDefinition, stores: RecordStores, sync_id: int
) -> tuple[Outcome, ExportedRows]:
    """The snapshot an export sync takes: the rows of the records its filter selects (up to
    ``maxRecords``), and how the sync ended."""
    store = stores.of(definition.entity)
    records = select(definition.filter, store)
    limit = definition.properties.get("maxRecords")
    if isinstance(limit, int):
        records = records[:limit]
    zone = shown_in(definition.properties.get("areSystemTimestampsInUTC") is True)
    readers = [_reader(column, stores, zone) for column in definition.columns]
    rows = tuple(tuple(read(record) for read in readers) for record in records)
    exported = ExportedRows(tuple(column.key for column in definition.columns), rows)
    logs = (
        LogEntry("ELQ-00102", "Successfully exported members to csv file.", len(rows)),
        summary_log(sync_id, "success"),
    )
    return Outcome("success", SyncCounts(processed=len(rows)), logs), exported


def export_text(data_type: str, text: str) -> str:
    """A stored value as an export gives it back (the emulator's reading where Oracle shows no
    example): dates as ``YYYY-MM-DD HH:MM:SS.fff`` (in UTC when the stored text had an offset),
    numbers as plain decimals without trailing zeros, booleans as ``true``/``false``, email
    addresses in lower case; other text, and any value that does not read as its type, as
    stored."""
    form = _EXPORT_FORMS.get(data_type)
    return form(text) if text and form is not None else text


def _export_date(text: str) -> str:
    moment = _stored_moment(text)
    return text if moment is None else export_form(moment)


def _stored_moment(text: str) -> datetime | None:
    """The moment a stored date names, as a wall-clock time (in UTC if it had an offset)."""
    moment = read_date(text)
    if moment is not None and moment.tzinfo is not None:
        return local_moment(moment, UTC)
    return moment


def _export_number(text: str) -> str:
    try:
        number = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        return text
    if not number.is_finite():
        return text
    plain = format(number.normalize(), "f")
    return "0" if plain == "-0" else plain


def _export_boolean(text: str) -> str:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return "true"
    return "false" if lowered in ("false", "0", "no") else text


_EXPORT_FORMS: Mapping[str, Callable[[str], str]] = {
    "date": _export_date,
    "number": _export_number,
    "boolean": _export_boolean,
    "emailAddress": lambda text: text.strip().lower(),
}


def _reader(
    column: ExportColumn, stores: RecordStores, zone: tzinfo
) -> Callable[[StoredRecord], str]:
    """A function of a record that gives the column's text (system timestamps in ``zone``)."""
    read = _own_reader(column, zone)
    if not column.on_account:
        return read
    accounts = stores.accounts

    def on_account(record: StoredRecord) -> str:
        account = accounts.get(record.account_id) if record.account_id is not None else None
        return read(account) if account else ""

    return on_account


def _own_reader(column: ExportColumn, zone: tzinfo) -> Callable[[StoredRecord], str]:
    """A function of a record that gives the text of the column's value on that record."""
    name, data_type = column.name, column.data_type
    if column.stamp is not None:
        moment_of = _stamp_moment(column.stamp, zone)
        return lambda record: export_form(moment) if (moment := moment_of(record)) else ""
    if name == ID:
        return lambda record: str(record.id)
    if name == CONTACT_ID:  # an activity's contact, the entity its record is mapped to
        return lambda record: str(record.mapped_entity[1]) if record.mapped_entity else ""
    if data_type == "string":
        return lambda record: record.fields.get(name, "")
    return lambda record: export_text(data_type, record.fields.get(name, ""))


def _stamp_moment(stamp: Stamp, zone: tzinfo) -> MomentOf:
    """A function of a record that gives its system timestamp as a wall-clock time in ``zone``."""

    def moment_of(record: StoredRecord) -> datetime | None:
        moment = record.created_at if stamp == "created" else record.modified_at
        return local_moment(moment, zone) if moment is not None else None

    return moment_of


def _columns(
    catalog: Catalog, entity: Entity, fields: object, failures: list[Failure]
) -> tuple[ExportColumn, ...]:
    if not isinstance(fields, dict) or not 1 <= len(fields) <= MAX_EXPORT_FIELDS:
        shown = f"{len(fields)} fields" if isinstance(fields, dict) else as_text(fields)
        failures.append(Failure("fields", shown, FIELDS_RULE))
        return ()
    columns = []
    for key, statement in fields.items():
        column = _column(catalog, entity, str(key), statement)
        if column is None:
            failures.append(Failure(f"fields.{key}", as_text(statement), STATEMENT_RULE))
        else:
            columns.append(column)
    return tuple(columns)


def _column(catalog: Catalog, entity: Entity, key: str, statement: object) -> ExportColumn | None:
    """What a statement of an export of ``entity`` reads, or None if it reads nothing."""
    if not isinstance(statement, str):
        return None
    if entity.kind == "activities":
        return _activity_column(key, statement)
    try:
        target = resolve(catalog, entity, statement)
    except StatementError:
        return None
    if target.field is None:
        return _system_column(key, entity, target)
    if target.kind == "user":
        return None
    on_account = target.kind == "account"
    stamp = stamp_of(ACCOUNTS.kind if on_account else entity.kind, target.name)
    return ExportColumn(key, target.name, target.field.data_type, on_account, stamp)


def _system_column(key: str, entity: Entity, target: Target) -> ExportColumn:
    """The column of a system statement: ``Id``, ``ExternalId``, ``CreatedAt`` or
    ``UpdatedAt``."""
    data_type = {"id": "number", "externalId": "string"}.get(target.kind, "date")
    return ExportColumn(key, target.name, data_type, stamp=stamp_of(entity.kind, target.name))


def _activity_column(key: str, statement: str) -> ExportColumn | None:
    match = _ACTIVITY.fullmatch(statement)
    if match is None:
        return None
    field_name, path = match.groups()
    if field_name:
        return ExportColumn(key, field_name, "string")
    if path not in ACTIVITY_PATHS:
        return None
    attribute = ACTIVITY_ATTRIBUTES.get(path)
    name = ID if path == "Id" else attribute.internal_name if attribute is not None else path
    return ExportColumn(key, name, ACTIVITY_PATHS[path])


def _filter(
    catalog: Catalog, entity: Entity, text: object, zone: tzinfo, failures: list[Failure]
) -> Node | None:
    """The filter's nodes (None without one); system timestamps are compared in ``zone``."""
    if text is None:
        return None
    if not isinstance(text, str):
        failures.append(Failure("filter", as_text(text), "Must be a string value."))
        return None

    def operand_of(statement: str) -> Operand:
        column = _column(catalog, entity, "filter", statement)
        if column is None or column.on_account:
            raise FilterError(FILTER_FIELD_RULE)
        if column.stamp is not None:
            return Operand(column.name, _stamp_moment(column.stamp, zone), zone)
        if column.data_type == "date":
            name = column.name
            return Operand(name, lambda record: _stored_moment(record.fields.get(name, "")))
        return Operand(column.name)

    def list_exists(kind: str, list_id: int) -> bool:
        pool = catalog.contact_lists if kind == "ContactList" else catalog.account_lists
        expected = "contacts" if kind == "ContactList" else ACCOUNTS.kind
        return entity.kind == expected and any(item.id == list_id for item in pool)

    try:
        return parse_filter(text, operand_of, list_exists) if text.strip() else None
    except FilterError as error:
        failures.append(Failure("filter", text, str(error)))
        return None


def _option_failures(body: Mapping[str, Any]) -> list[Failure]:
    failures = duration_failures(body)
    max_records = body.get("maxRecords")
    if max_records is not None and (
        not isinstance(max_records, int) or isinstance(max_records, bool) or max_records < 1
    ):
        failures.append(Failure("maxRecords", as_text(max_records), MAX_RECORDS_RULE))
    in_utc = body.get("areSystemTimestampsInUTC")
    if in_utc is not None and as_bool(in_utc) is None:
        failures.append(Failure("areSystemTimestampsInUTC", as_text(in_utc), BOOLEAN_RULE))
    return failures
