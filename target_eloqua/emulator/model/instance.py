"""The model of one Eloqua instance, with no HTTP in it: ``EloquaInstance``, the login and OAuth app
it accepts unless told otherwise, and ``SyncPlan`` (what the admin API asks of coming syncs)."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from target_eloqua.emulator.model.activities import ActivityImport
from target_eloqua.emulator.model.catalog import Catalog, Field, ImportPriority, load_catalog
from target_eloqua.emulator.model.coerce import as_text
from target_eloqua.emulator.model.definitions import (
    Accepted,
    DefinitionKind,
    ImportDefinition,
    accept,
)
from target_eloqua.emulator.model.email_addresses import EmailAddressImport
from target_eloqua.emulator.model.entities import Entity, exists, fields_of
from target_eloqua.emulator.model.errors import (
    ConflictError,
    Failure,
    NotFoundError,
    ValidationError,
)
from target_eloqua.emulator.model.exports import (
    ExportDefinition,
    ExportedRows,
    accept_export,
    run_export,
)
from target_eloqua.emulator.model.importer import Upload, run_import
from target_eloqua.emulator.model.logins import (
    DEFAULT_TOKEN_SECONDS,
    Credentials,
    Logins,
    OAuthClient,
)
from target_eloqua.emulator.model.lookups import LookupKind, lookup_items
from target_eloqua.emulator.model.opportunity_links import OpportunityLinkImport
from target_eloqua.emulator.model.records import RecordStores
from target_eloqua.emulator.model.sync_actions import SyncActionRun, accept_sync_actions
from target_eloqua.emulator.model.syncs import (
    LogEntry,
    Outcome,
    Reject,
    Sync,
    SyncStatus,
    failed,
)
from target_eloqua.emulator.model.timestamps import (
    WriteTime,
    format_timestamp,
    moment_of,
    stamp_of,
    ticks_of,
)

DEFAULT_COMPANY = "ACME"
DEFAULT_USERNAME = "API.User"
DEFAULT_PASSWORD = "emulator"  # noqa: S105 - the emulator's documented default, not a secret
DEFAULT_CLIENT_ID = "emulator-client"
DEFAULT_CLIENT_SECRET = "emulator-secret"  # noqa: S105 - documented default, not a secret
DEFAULT_SYNC_SECONDS = 1.0

DEFAULT_SITE_ID = 42
API_USER_ID = 7
ACTIVE_AFTER = 0.2
"""Fraction of a sync's duration that it spends ``pending`` before it turns ``active``."""
MAX_UPLOADS_PER_SYNC = 500

SYNCED_INSTANCE_RULE = "Must reference an existing import or export definition."
EXPORT_SYNC_RULE = "Must be the id of an export sync: import syncs have no data to retrieve."
RECORD_FIELDS_RULE = (
    "Must be an object of internal field names of the entity (not its system timestamps) and "
    "text values."
)
CALLBACK_RULE = "Must be a string value."
UPLOADS_RULE = "At most 500 data uploads may be staged before a sync."

CallbackSender = Callable[[str, Mapping[str, Any]], None]
ImportRun = Callable[[ImportDefinition, list[Upload], RecordStores, Catalog, int], Outcome]

_IMPORTS: Mapping[str, ImportRun] = {
    "activities": ActivityImport.run,
    "opportunityContacts": OpportunityLinkImport.run,
    "emailAddresses": EmailAddressImport.run,
}
"""How a sync imports rows, for the entities whose imports are not upserts."""


@dataclass(frozen=True)
class SyncPlan:
    """What the admin API asked of a coming sync: end ``error``, or take this long."""

    status: SyncStatus | None = None
    seconds: float | None = None


@dataclass
class _State:
    """Everything ``reset()`` forgets."""

    stores: RecordStores
    definitions: dict[int, ImportDefinition] = field(default_factory=dict)
    exports: dict[int, ExportDefinition] = field(default_factory=dict)
    exported: dict[int, ExportedRows] = field(default_factory=dict)
    """What each ended export sync read, by sync id."""
    staged: dict[int, list[Upload]] = field(default_factory=dict)
    syncs: dict[int, Sync] = field(default_factory=dict)
    sync_uploads: dict[int, list[Upload]] = field(default_factory=dict)
    unfinished: set[int] = field(default_factory=set)
    """The ids of the syncs not yet ended, pending or active."""
    plans: deque[SyncPlan] = field(default_factory=deque)
    definition_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    sync_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    export_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class EloquaInstance:
    """One emulated Eloqua instance (site). Thread-safe.

    It holds the catalog, the logins, import definitions of every entity, the uploads staged on
    each, syncs with their logs and rejects, and the records syncs stored. It takes
    already-decoded JSON values and raises ``NotFoundError``, ``ConflictError`` or
    ``ValidationError``; the HTTP side's ``routes`` turns those into status codes.

    Syncs run lazily: every public method first brings syncs up to date with the clock, so no thread
    is needed for a client that polls. A sync takes the uploads staged on its definition when it is
    created. Its duration ``d`` is ``sync_seconds + seconds_per_record * rows`` (or what the admin
    API planned for it); it is ``pending`` at creation, ``active`` once ``0.2 * d`` has passed and
    terminal once ``d`` has passed, when its rows are imported (``importer``). A sync with a
    ``callbackUrl`` also has a timer that brings it up to date at its end, so the callback is made
    without polling; the call itself goes through ``callback_sender`` (``EmulatorServer`` gives one
    that POSTs).

    Timestamps (of definitions, syncs, and records' system timestamps) are the wall time at
    construction (``started_at``, now unless given) plus the time ``clock`` says has passed since:
    a test that gives both controls every timestamp.
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        site_id: int = DEFAULT_SITE_ID,
        company: str = DEFAULT_COMPANY,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        sync_seconds: float = DEFAULT_SYNC_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        started_at: datetime | None = None,
        seconds_per_record: float = 0.0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str | None = None,
        token_seconds: float = DEFAULT_TOKEN_SECONDS,
        callback_sender: CallbackSender | None = None,
    ) -> None:
        self.catalog = catalog if catalog is not None else load_catalog()
        self.site_id = site_id
        """The instance's id, which ``/id`` gives with its name (the company of its login)."""
        self.sync_seconds = sync_seconds
        """Base duration of syncs created from now on."""
        self.seconds_per_record = seconds_per_record
        """Added to a sync's duration per staged row, for syncs created from now on."""
        self.logins = Logins(
            Credentials(company, username, password),
            OAuthClient(client_id, client_secret, refresh_token),
            clock,
            token_seconds,
        )
        self.callback_sender = callback_sender
        """Called with ``callbackUrl`` and the sync when a sync with a callback ends. None: no
        callback is made; ``EmulatorServer`` supplies one that POSTs (the model has no HTTP)."""
        self._clock = clock
        self._lock = threading.RLock()
        # Timestamps are wall time at construction plus clock time elapsed since, in 100 ns ticks.
        self._clock_origin = clock()
        self._wall_origin_ticks = (
            time.time_ns() // 100 if started_at is None else ticks_of(started_at)
        )
        self._state = self._fresh_state()

    @property
    def credentials(self) -> Credentials:
        return self.logins.credentials

    # -- login -------------------------------------------------------------------------------

    def authenticate(self, login: str, password: str) -> bool:
        """Whether HTTP Basic ``Company\\User`` and password are the accepted ones."""
        with self._lock:
            return self.logins.basic(login, password)

    def authenticate_token(self, token: str) -> bool:
        """Whether a bearer token is one the token endpoint issued and it has not expired."""
        with self._lock:
            return self.logins.bearer(token)

    def issue_token(
        self, client_id: str, client_secret: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The token endpoint; raises ``logins.OAuthError``."""
        with self._lock:
            return self.logins.grant(client_id, client_secret, body)

    def issued_tokens(self) -> list[dict[str, Any]]:
        """Every token response the token endpoint gave, in order, with its ``grant_type``."""
        with self._lock:
            return self.logins.issued()

    def expire_tokens(self, token: str | None = None) -> int:
        """Expire one access token or all of them now; how many were valid."""
        with self._lock:
            return self.logins.expire(token)

    def identity(self) -> dict[str, Any]:
        """The ``site`` and ``user`` parts of ``/id``: who the login is, on which site."""
        username = self.credentials.username
        first, _, last = username.partition(".")
        return {
            "site": {"id": self.site_id, "name": self.credentials.company},
            "user": {
                "id": API_USER_ID,
                "username": username,
                "displayName": f"{first} {last}".strip(),
                "firstName": first,
                "lastName": last,
                "emailAddress": f"{username.lower()}@example.com",
            },
        }

    # -- catalog -----------------------------------------------------------------------------

    def fields(self, entity: Entity) -> tuple[Field, ...]:
        """The fields ``/fields`` lists for the entity; NotFoundError for an unknown object and
        for an entity without ``/fields``."""
        catalog = fields_of(self.catalog, entity)
        if catalog is None:
            raise NotFoundError(entity.path)
        return catalog.fields

    def require(self, entity: Entity) -> None:
        """NotFoundError unless the instance has the entity (a custom object or event must be
        in the catalog)."""
        if not exists(self.catalog, entity):
            raise NotFoundError(entity.path)

    def field(self, entity: Entity, field_id: int) -> Field:
        found = next((f for f in self.fields(entity) if f.id == field_id), None)
        if found is None:
            raise NotFoundError(f"{entity.path}/fields/{field_id}")
        return found

    def priorities(self) -> tuple[ImportPriority, ...]:
        return self.catalog.priorities

    def priority(self, priority_id: int) -> ImportPriority:
        found = next((p for p in self.catalog.priorities if p.id == priority_id), None)
        if found is None:
            raise NotFoundError(f"imports/priorities/{priority_id}")
        return found

    def replace_catalog(self, catalog: Catalog) -> None:
        """Use another catalog from now on; definitions are checked against it at sync time."""
        with self._lock:
            self.catalog = catalog

    def extend_catalog(self, addition: Mapping[str, Any]) -> Catalog:
        """Merge a partial catalog document into the catalog (see ``Catalog.extended``)."""
        with self._lock:
            self.catalog = self.catalog.extended(addition)
            return self.catalog

    def lookups(self, kind: LookupKind) -> list[dict[str, Any]]:
        """Contact lists, account lists, email groups or custom objects, as the API lists them."""
        with self._up_to_date():
            members = self._state.stores.of(
                Entity("accounts" if kind == "accountLists" else "contacts")
            )
            return lookup_items(kind, self.catalog, members)

    def lookup(self, kind: LookupKind, item_id: int) -> dict[str, Any]:
        found = next((i for i in self.lookups(kind) if i["uri"].endswith(f"/{item_id}")), None)
        if found is None:
            raise NotFoundError(f"{kind} {item_id}")
        return found

    # -- import definitions and staging ------------------------------------------------------

    def create_import(
        self, entity: Entity, body: Mapping[str, Any], kind: DefinitionKind = "imports"
    ) -> ImportDefinition:
        """Validate and store an import definition (the decoded JSON body), or a sync-action
        definition (``kind`` ``syncActions``)."""
        with self._up_to_date():
            self.require(entity)
            now = self._now()
            definition = ImportDefinition(
                id=next(self._state.definition_ids),
                entity=entity,
                accepted=self._accept(entity, body, kind),
                created_by=self.credentials.username,
                created_at=now,
                updated_at=now,
                kind=kind,
            )
            self._state.definitions[definition.id] = definition
            self._state.staged[definition.id] = []
            return definition

    def import_definition(
        self, entity: Entity, definition_id: int, kind: DefinitionKind = "imports"
    ) -> ImportDefinition:
        with self._up_to_date():
            return self._definition(entity, definition_id, kind)

    def import_definitions(
        self, entity: Entity | None = None, kind: DefinitionKind | None = None
    ) -> list[ImportDefinition]:
        """Every definition of the entity, or of every entity; of one kind, or of both."""
        with self._up_to_date():
            definitions = self._state.definitions.values()
            return [
                d
                for d in definitions
                if (entity is None or d.entity == entity) and (kind is None or d.kind == kind)
            ]

    def update_import(
        self, entity: Entity, definition_id: int, body: Mapping[str, Any]
    ) -> ImportDefinition:
        """Replace a definition's properties (PUT), keeping its id, uri and staged data."""
        with self._up_to_date():
            definition = replace(
                self._definition(entity, definition_id),
                accepted=accept(self.catalog, entity, body),
                updated_at=self._now(),
            )
            self._state.definitions[definition_id] = definition
            return definition

    def delete_import(
        self, entity: Entity, definition_id: int, kind: DefinitionKind = "imports"
    ) -> None:
        """Drop a definition and its staged data; a sync still running on it will fail."""
        with self._up_to_date():
            self._definition(entity, definition_id, kind)
            del self._state.definitions[definition_id]
            del self._state.staged[definition_id]

    def stage(
        self,
        entity: Entity,
        definition_id: int,
        upload: Upload,
        kind: DefinitionKind = "imports",
    ) -> Sync | None:
        """Stage an upload until a sync takes it; the sync it started if the definition says so."""
        with self._up_to_date():
            definition = self._definition(entity, definition_id, kind)
            staged = self._state.staged[definition_id]
            if len(staged) >= MAX_UPLOADS_PER_SYNC:
                raise ValidationError([Failure("data", str(len(staged) + 1), UPLOADS_RULE)])
            staged.append(upload)
            if definition.properties.get("isSyncTriggeredOnImport"):
                return self._start_sync(definition, None)
            return None

    def clear_staged(
        self, entity: Entity, definition_id: int, kind: DefinitionKind = "imports"
    ) -> None:
        """Drop the data staged on a definition; ConflictError while a sync of it runs."""
        with self._up_to_date():
            definition = self._definition(entity, definition_id, kind)
            if any(
                self._state.syncs[i].definition_uri == definition.uri
                for i in self._state.unfinished
            ):
                raise ConflictError(definition.uri)
            self._state.staged[definition_id] = []

    def staged(self, definition_id: int) -> list[Upload]:
        """The uploads staged on a definition and not yet taken by a sync."""
        with self._up_to_date():
            return list(self._state.staged.get(definition_id, []))

    # -- export definitions ------------------------------------------------------------------

    def create_export(self, entity: Entity, body: Mapping[str, Any]) -> ExportDefinition:
        """Validate and store an export definition (the decoded JSON body)."""
        with self._up_to_date():
            if entity.kind != "activities":
                self.fields(entity)
            accepted = accept_export(self.catalog, entity, body)
            now = self._now()
            definition = ExportDefinition(
                id=next(self._state.export_ids),
                entity=entity,
                properties=accepted.properties,
                columns=accepted.columns,
                filter=accepted.filter,
                created_by=self.credentials.username,
                created_at=now,
                updated_at=now,
            )
            self._state.exports[definition.id] = definition
            return definition

    def export_definition(self, entity: Entity, definition_id: int) -> ExportDefinition:
        with self._up_to_date():
            found = self._state.exports.get(definition_id)
            if found is None or found.entity != entity:
                raise NotFoundError(f"{entity.path}/exports/{definition_id}")
            return found

    def export_definitions(self, entity: Entity) -> list[ExportDefinition]:
        with self._up_to_date():
            return [d for d in self._state.exports.values() if d.entity == entity]

    def delete_export(self, entity: Entity, definition_id: int) -> None:
        """Drop an export definition; the data its syncs read stays (it is the syncs')."""
        with self._up_to_date():
            self.export_definition(entity, definition_id)
            del self._state.exports[definition_id]

    def sync_data(self, sync_id: int) -> ExportedRows:
        """What an export sync read (nothing before it ends); ValidationError for an import
        sync, whose data Eloqua does not give."""
        sync = self.sync(sync_id)
        if "/exports/" not in sync.definition_uri:
            raise ValidationError([Failure("id", str(sync_id), EXPORT_SYNC_RULE)])
        with self._lock:
            return self._state.exported.get(sync_id, ExportedRows(()))

    # -- syncs -------------------------------------------------------------------------------

    def create_sync(self, body: Mapping[str, Any]) -> Sync:
        """Start a sync of ``body["syncedInstanceUri"]``; the definition is validated again."""
        with self._up_to_date():
            uri, callback_url = body.get("syncedInstanceUri"), body.get("callbackUrl")
            definition = self._definition_at(uri) or self._export_at(uri)
            failures = []
            if definition is None:
                failures.append(Failure("syncedInstanceUri", as_text(uri), SYNCED_INSTANCE_RULE))
            if callback_url is not None and not isinstance(callback_url, str):
                failures.append(Failure("callbackUrl", as_text(callback_url), CALLBACK_RULE))
            if definition is None or failures:
                raise ValidationError(failures)
            if isinstance(definition, ImportDefinition):
                self._accept(definition.entity, definition.properties, definition.kind)
            else:
                accept_export(self.catalog, definition.entity, definition.properties)
            return self._start_sync(definition, callback_url)

    def sync(self, sync_id: int) -> Sync:
        with self._up_to_date():
            try:
                return self._state.syncs[sync_id]
            except KeyError:
                raise NotFoundError(f"sync {sync_id}") from None

    def syncs(self) -> list[Sync]:
        with self._up_to_date():
            return list(self._state.syncs.values())

    def sync_logs(self, sync_id: int) -> list[dict[str, Any]]:
        """The sync's log entries as ``/logs`` items; none before it ends."""
        sync = self.sync(sync_id)
        entries: tuple[LogEntry, ...] = sync.outcome.logs if sync.outcome else ()
        created_at = sync.ended_at or sync.created_at
        return [
            {
                "syncUri": sync.uri,
                "count": entry.count,
                "severity": entry.severity,
                "statusCode": entry.code,
                "message": entry.message,
                "createdAt": created_at,
            }
            for entry in entries
        ]

    def sync_rejects(self, sync_id: int) -> tuple[Reject, ...]:
        sync = self.sync(sync_id)
        return sync.outcome.rejects if sync.outcome else ()

    def plan_syncs(self, count: int, plan: SyncPlan) -> None:
        """Make the next ``count`` syncs end ``plan.status`` and/or take ``plan.seconds``."""
        with self._lock:
            self._state.plans.extend([plan] * count)

    # -- stored records ----------------------------------------------------------------------

    def records(self, entity: Entity) -> list[dict[str, Any]]:
        """The entity's stored records, as the admin API shows them."""
        with self._up_to_date():
            self.require(entity)
            return [record.to_json(entity.kind) for record in self._state.stores.of(entity)]

    def update_record(self, entity: Entity, record_id: int, values: object) -> dict[str, Any]:
        """Set field values (internal name -> text) on a stored record, as a user editing it in
        Eloqua would; the record as the admin API shows it."""
        with self._up_to_date():
            catalog = fields_of(self.catalog, entity)
            store = self._state.stores.of(entity)
            record = store.get(record_id) if catalog is not None else None
            if catalog is None or record is None:
                raise NotFoundError(f"{entity.path} record {record_id}")
            if not isinstance(values, dict) or not all(
                catalog.find(str(name)) is not None
                and stamp_of(entity.kind, str(name)) is None
                and isinstance(value, str)
                for name, value in values.items()
            ):
                raise ValidationError([Failure("fields", as_text(values), RECORD_FIELDS_RULE)])
            self._state.stores.write_time.now = self._write_time(self._clock())
            store.write(record, dict(values))
            return record.to_json(entity.kind)

    def reset(self) -> None:
        """Forget definitions, staged data, syncs, records and tokens; keep catalog and settings.
        The campaign responses of the catalog are back as they were."""
        with self._lock:
            self._state = self._fresh_state()
            self.logins.reset()

    # -- internals ---------------------------------------------------------------------------

    @contextmanager
    def _up_to_date(self) -> Iterator[None]:
        """Hold the lock, with every sync advanced to where the clock says it is."""
        with self._lock:
            self._advance_syncs()
            yield

    def _start_sync(
        self, definition: ImportDefinition | ExportDefinition, callback_url: str | None
    ) -> Sync:
        state = self._state
        uploads: list[Upload] = []
        if isinstance(definition, ImportDefinition):
            uploads = state.staged[definition.id]
            state.staged[definition.id] = []
        plan = state.plans.popleft() if state.plans else SyncPlan()
        rows = sum(len(upload.rows) for upload in uploads)
        duration = plan.seconds
        if duration is None:
            duration = self.sync_seconds + self.seconds_per_record * rows
        now = self._clock()
        sync = Sync(
            id=next(state.sync_ids),
            definition_uri=definition.uri,
            created_by=self.credentials.username,
            created_at=self._timestamp(now),
            active_from=now + ACTIVE_AFTER * duration,
            ends_at=now + duration,
            callback_url=callback_url,
            forced_status=plan.status,
        )
        state.syncs[sync.id] = sync
        state.sync_uploads[sync.id] = uploads
        state.unfinished.add(sync.id)
        if callback_url is not None:
            self._wake_at_end(duration)
        return sync

    def _wake_at_end(self, duration: float) -> None:
        timer = threading.Timer(duration + 0.01, self._tick)
        timer.daemon = True
        timer.start()

    def _tick(self) -> None:
        with self._up_to_date():
            pass

    def _advance_syncs(self) -> None:
        now = self._clock()
        for sync_id in sorted(self._state.unfinished):
            current = self._state.syncs[sync_id]
            if current.status == "pending" and now >= current.active_from:
                started_at = self._timestamp(current.active_from)
                current = replace(current, status="active", started_at=started_at)
            if current.status == "active" and now >= current.ends_at:
                current = self._finish(current)
                self._state.unfinished.discard(sync_id)
                if current.callback_url is not None and self.callback_sender is not None:
                    self.callback_sender(current.callback_url, current.to_json())
            self._state.syncs[sync_id] = current

    def _finish(self, sync: Sync) -> Sync:
        """Import the sync's rows, or take its export, and give it its final status."""
        uploads = self._state.sync_uploads.pop(sync.id)
        if "/exports/" in sync.definition_uri:
            outcome = self._export(sync)
        else:
            outcome = self._import(sync, uploads)
        ended_at = self._timestamp(sync.ends_at)
        return replace(sync, status=outcome.status, ended_at=ended_at, outcome=outcome)

    def _import(self, sync: Sync, uploads: list[Upload]) -> Outcome:
        """Import the rows of an import sync now ending; its outcome."""
        definition = self._definition_at(sync.definition_uri)
        if definition is None:
            message = f"Import definition for id {sync.definition_uri} has been deleted."
            return failed("ELQ-00143", message, sync.id)
        if sync.forced_status == "error":
            self._state.staged[definition.id][:0] = uploads  # kept for a later sync
            message = "The sync failed because of a temporary error."
            return failed("ELQ-00146", message, sync.id)
        if definition.kind == "syncActions":
            run: ImportRun = SyncActionRun.run
        else:
            run = _IMPORTS.get(definition.entity.kind, run_import)
        self._state.stores.write_time.now = self._write_time(sync.ends_at)
        return run(definition, uploads, self._state.stores, self.catalog, sync.id)

    def _export(self, sync: Sync) -> Outcome:
        """Take the export of an export sync now ending; its outcome."""
        definition = self._export_at(sync.definition_uri)
        if definition is None:
            message = f"Export definition for id {sync.definition_uri} has been deleted."
            return failed("ELQ-00143", message, sync.id)
        if sync.forced_status == "error":
            return failed("ELQ-00141", "Error when exporting members to csv file.", sync.id)
        outcome, rows = run_export(definition, self._state.stores, sync.id)
        self._state.exported[sync.id] = rows
        return outcome

    def _export_at(self, uri: object) -> ExportDefinition | None:
        """The export definition whose uri is ``uri`` (``/contacts/exports/5``), or None."""
        return _definition_at(uri, "exports", self._state.exports)

    def _accept(self, entity: Entity, body: Mapping[str, Any], kind: DefinitionKind) -> Accepted:
        if kind == "syncActions":
            return accept_sync_actions(self.catalog, entity, body)
        return accept(self.catalog, entity, body)

    def _definition(
        self, entity: Entity, definition_id: int, kind: DefinitionKind = "imports"
    ) -> ImportDefinition:
        found = self._state.definitions.get(definition_id)
        if found is None or found.entity != entity or found.kind != kind:
            raise NotFoundError(f"{entity.path}/{kind}/{definition_id}")
        return found

    def _definition_at(self, uri: object) -> ImportDefinition | None:
        """The import or sync-action definition whose uri is ``uri``
        (``/accounts/imports/43``, ``/contacts/syncActions/7``), or None."""
        kinds: tuple[DefinitionKind, ...] = ("imports", "syncActions")
        for kind in kinds:
            found = _definition_at(uri, kind, self._state.definitions)
            if found is not None and found.kind == kind:
                return found
        return None

    def _fresh_state(self) -> _State:
        """State with nothing in it but the campaign responses of the catalog."""
        write_time = WriteTime(self._write_time(self._clock()))
        return _State(RecordStores(write_time, self.catalog.campaign_responses.items))

    def _now(self) -> str:
        return self._timestamp(self._clock())

    def _timestamp(self, clock_reading: float) -> str:
        return format_timestamp(self._ticks(clock_reading))

    def _write_time(self, clock_reading: float) -> datetime:
        """The moment records written at a clock reading are stamped with (in UTC): to the
        millisecond, as exports give it, so that a filter on a value read back names it."""
        ticks = self._ticks(clock_reading)
        return moment_of(ticks - ticks % 10_000)

    def _ticks(self, clock_reading: float) -> int:
        elapsed_ticks = round((clock_reading - self._clock_origin) * 10_000_000)
        return self._wall_origin_ticks + elapsed_ticks


Definition = TypeVar("Definition", ImportDefinition, ExportDefinition)


def _definition_at(
    uri: object, kind: str, definitions: Mapping[int, Definition]
) -> Definition | None:
    """The definition among ``definitions`` whose uri is ``uri`` (``/{entity}/{kind}/{id}``)."""
    if not isinstance(uri, str):
        return None
    entity_path, _, definition_id = uri.strip("/").rpartition(f"/{kind}/")
    entity = Entity.parse(entity_path)
    if entity is None or not definition_id.isdigit():
        return None
    found = definitions.get(int(definition_id))
    return found if found is not None and found.entity == entity else None
