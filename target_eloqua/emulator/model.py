"""The model of one Eloqua instance: what Eloqua stores and does, with no HTTP in it.

``EloquaInstance`` holds the field catalog and users, account import definitions, the rows staged
on each definition, syncs and the accounts that syncs stored. It takes already-decoded JSON values
(definition and sync properties, rows) and raises ``NotFoundError`` or ``ValidationError``; the HTTP
layer (``routes.py``) turns those into status codes.

Syncs run lazily: every public method first brings syncs up to date with the clock, so no
background thread exists. A sync of duration ``d`` (the instance's ``sync_seconds`` when it was
created) is ``pending`` at creation, ``active`` once ``0.2 * d`` has passed and terminal once ``d``
has passed; at that step it takes the rows staged on its definition and upserts them.

Model objects are frozen dataclasses: the instance replaces them instead of changing them, so a
caller can read one outside the lock while other threads go on.
"""

from __future__ import annotations

import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

from target_eloqua.emulator.catalog import Catalog, Field, FieldTarget, User, load_catalog

DEFAULT_COMPANY = "ACME"
DEFAULT_USERNAME = "API.User"
DEFAULT_PASSWORD = "emulator"  # noqa: S105 - the emulator's documented default, not a secret
DEFAULT_SYNC_SECONDS = 1.0

SITE_ID = 42
API_USER_ID = 7
ACTIVE_AFTER = 0.2
"""Fraction of a sync's duration that it spends ``pending`` before it turns ``active``."""

MAX_NAME_LENGTH = 100
MAX_FIELDS = 100

NAME_RULE = "Must be a string value, at least 1 character and at most 100 characters long."
FIELDS_RULE = "Must be an object of at least 1 and at most 100 field statements."
STATEMENT_RULE = "Must be a valid statement naming an existing field."
IDENTIFIER_NOT_IN_FIELDS_RULE = (
    "identifierFieldName {name} must be contained within Fields, if specified"
)
IDENTIFIER_TARGET_RULE = "Must be the key of an Account field statement."
BOOLEAN_RULE = "Must be a boolean value."
VALUE_RULE = "Must be a string, number, boolean or null."
SYNCED_INSTANCE_RULE = "Must reference an existing import definition."
CALLBACK_RULE = "Must be a string value."

SyncStatus = Literal["pending", "active", "success", "warning", "error"]
Row = Mapping[str, str]
Outcome = Literal["created", "updated", "rejected"]

# Import-definition properties, in the order Eloqua echoes them. Others are dropped silently.
_DEFINITION_PROPERTIES = (
    "name",
    "fields",
    "identifierFieldName",
    "isSyncTriggeredOnImport",
    "dataRetentionDuration",
    "isUpdatingMultipleMatchedRecords",
    "linkUsers",
    "nullIdentifierFieldName",
    "updateRule",
    "updateRuleByField",
    "importRule",
    "autoDeleteDuration",
    "syncActions",
    "importPriorityUri",
    "externalSystemId",
)
_DEFINITION_DEFAULTS: Mapping[str, Any] = {
    "isSyncTriggeredOnImport": False,
    "dataRetentionDuration": "P7D",
    "isUpdatingMultipleMatchedRecords": False,
    "linkUsers": False,
}
_BOOLEAN_PROPERTIES = (
    "isSyncTriggeredOnImport",
    "isUpdatingMultipleMatchedRecords",
    "linkUsers",
    "nullIdentifierFieldName",
)
_ACCOUNT_IMPORT_URI = "/accounts/imports/"


class ModelError(Exception):
    """Base of the errors the model raises."""


class NotFoundError(ModelError):
    """The named definition, sync or other resource does not exist."""


@dataclass(frozen=True)
class Failure:
    """One broken rule, as Eloqua lists it in a 400 body."""

    field: str
    value: str
    constraint: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "value": self.value, "constraint": self.constraint}


class ValidationError(ModelError):
    """A request broke one or more of Eloqua's rules; nothing was changed."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        super().__init__("; ".join(f"{f.field}: {f.constraint}" for f in failures))
        self.failures = list(failures)


@dataclass(frozen=True)
class Credentials:
    """The one login the instance accepts: ``Company\\User`` and a password."""

    company: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class ImportDefinition:
    """An account import definition.

    ``properties`` are the accepted properties with defaults filled in, in echo order;
    ``targets`` maps each field key to the field its statement names.
    """

    id: int
    properties: Mapping[str, Any]
    targets: Mapping[str, FieldTarget]
    created_by: str
    created_at: str

    @property
    def uri(self) -> str:
        return f"{_ACCOUNT_IMPORT_URI}{self.id}"

    @property
    def identifier_field_name(self) -> str:
        return str(self.properties["identifierFieldName"])

    @property
    def link_users(self) -> bool:
        return bool(self.properties["linkUsers"])

    def to_json(self) -> dict[str, Any]:
        return {
            **self.properties,
            "uri": self.uri,
            "createdBy": self.created_by,
            "createdAt": self.created_at,
            "updatedBy": self.created_by,
            "updatedAt": self.created_at,
        }


@dataclass(frozen=True)
class SyncCounts:
    """What a finished sync did with its rows."""

    processed: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "processed": self.processed,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
        }


@dataclass(frozen=True)
class Sync:
    """A sync of an import definition. ``active_from`` and ``ends_at`` are clock readings."""

    id: int
    definition_id: int
    synced_instance_uri: str
    created_by: str
    created_at: str
    active_from: float
    ends_at: float
    callback_url: str | None = None
    status: SyncStatus = "pending"
    started_at: str | None = None
    ended_at: str | None = None
    counts: SyncCounts | None = None
    """Set when the sync reaches its terminal status."""

    @property
    def uri(self) -> str:
        return f"/syncs/{self.id}"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"syncedInstanceUri": self.synced_instance_uri}
        if self.started_at is not None:
            body["syncStartedAt"] = self.started_at
        if self.ended_at is not None:
            body["syncEndedAt"] = self.ended_at
        body.update(
            status=self.status, createdAt=self.created_at, createdBy=self.created_by, uri=self.uri
        )
        if self.callback_url is not None:
            body["callbackUrl"] = self.callback_url
        return body


@dataclass(frozen=True)
class Account:
    """A stored account: internal field name -> value, and the users linked to it."""

    id: int
    fields: Mapping[str, str]
    linked_users: tuple[User, ...] = ()

    def updated(self, values: Mapping[str, str], users: Iterable[User]) -> Account:
        """A copy with these field values set and these users linked as well."""
        linked = self.linked_users + tuple(u for u in users if u not in self.linked_users)
        return replace(self, fields={**self.fields, **values}, linked_users=linked)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fields": dict(self.fields),
            "linkedUsers": [user.to_json() for user in self.linked_users],
        }


@dataclass
class _State:
    """Everything ``reset()`` forgets."""

    definitions: dict[int, ImportDefinition] = field(default_factory=dict)
    staged: dict[int, list[Row]] = field(default_factory=dict)
    syncs: dict[int, Sync] = field(default_factory=dict)
    accounts: dict[int, Account] = field(default_factory=dict)
    definition_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    sync_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    account_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class EloquaInstance:
    """One emulated Eloqua instance (site). Thread-safe."""

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        company: str = DEFAULT_COMPANY,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        sync_seconds: float = DEFAULT_SYNC_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog if catalog is not None else load_catalog()
        self.credentials = Credentials(company, username, password)
        self.sync_seconds = sync_seconds
        """How long a sync takes from creation to its terminal status, for syncs created later."""
        self._clock = clock
        self._lock = threading.RLock()
        # Timestamps are wall time at construction plus clock time elapsed since, in 100 ns ticks.
        self._clock_origin = clock()
        self._wall_origin_ticks = time.time_ns() // 100
        self._state = _State()

    # -- login -------------------------------------------------------------------------------

    def authenticate(self, company: str, username: str, password: str) -> bool:
        """Whether these are the credentials this instance accepts."""
        expected = self.credentials
        checks = (
            (company, expected.company),
            (username, expected.username),
            (password, expected.password),
        )
        return all(hmac.compare_digest(a.encode(), b.encode()) for a, b in checks)

    def identity(self) -> dict[str, Any]:
        """The ``site`` and ``user`` parts of ``/id``: who the login is, on which site."""
        username = self.credentials.username
        first, _, last = username.partition(".")
        return {
            "site": {"id": SITE_ID, "name": self.credentials.company},
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

    def account_fields(self) -> tuple[Field, ...]:
        return self.catalog.accounts.fields

    def users(self) -> tuple[User, ...]:
        return self.catalog.users

    # -- import definitions and staging ------------------------------------------------------

    def create_account_import(self, properties: Mapping[str, Any]) -> ImportDefinition:
        """Validate and store an account import definition (the decoded JSON body)."""
        with self._up_to_date():
            failures = _definition_failures(properties, self.catalog)
            if failures:
                raise ValidationError(failures)
            accepted = _accepted_properties(properties)
            definition = ImportDefinition(
                id=next(self._state.definition_ids),
                properties=accepted,
                targets=_targets(accepted["fields"], self.catalog),
                created_by=self.credentials.username,
                created_at=self._timestamp(self._clock()),
            )
            self._state.definitions[definition.id] = definition
            self._state.staged[definition.id] = []
            return definition

    def account_import(self, definition_id: int) -> ImportDefinition:
        with self._up_to_date():
            return self._definition(definition_id)

    def account_imports(self) -> list[ImportDefinition]:
        with self._up_to_date():
            return list(self._state.definitions.values())

    def stage_rows(self, definition_id: int, rows: Iterable[Mapping[str, object]]) -> int:
        """Stage rows on a definition until a sync takes them; returns how many were staged.

        Values may be strings, numbers, booleans or None; they are stored as text (None as "").
        If any value is of another type, nothing is staged.
        """
        with self._up_to_date():
            self._definition(definition_id)
            failures: list[Failure] = []
            converted = [_row_as_text(row, failures) for row in rows]
            if failures:
                raise ValidationError(failures)
            self._state.staged[definition_id].extend(converted)
            return len(converted)

    def staged_rows(self, definition_id: int) -> list[Row]:
        """The rows staged on a definition and not yet taken by a sync."""
        with self._up_to_date():
            self._definition(definition_id)
            return list(self._state.staged[definition_id])

    # -- syncs -------------------------------------------------------------------------------

    def create_sync(self, properties: Mapping[str, Any]) -> Sync:
        """Start a sync of ``properties["syncedInstanceUri"]`` (the decoded JSON body)."""
        with self._up_to_date():
            definition = self._synced_definition(properties.get("syncedInstanceUri"))
            callback_url = properties.get("callbackUrl")
            failures: list[Failure] = []
            if definition is None:
                value = _as_text(properties.get("syncedInstanceUri"))
                failures.append(Failure("syncedInstanceUri", value, SYNCED_INSTANCE_RULE))
            if callback_url is not None and not isinstance(callback_url, str):
                failures.append(Failure("callbackUrl", _as_text(callback_url), CALLBACK_RULE))
            if definition is None or failures:
                raise ValidationError(failures)
            now = self._clock()
            sync = Sync(
                id=next(self._state.sync_ids),
                definition_id=definition.id,
                synced_instance_uri=definition.uri,
                created_by=self.credentials.username,
                created_at=self._timestamp(now),
                active_from=now + ACTIVE_AFTER * self.sync_seconds,
                ends_at=now + self.sync_seconds,
                callback_url=callback_url,
            )
            self._state.syncs[sync.id] = sync
            return sync

    def sync(self, sync_id: int) -> Sync:
        with self._up_to_date():
            try:
                return self._state.syncs[sync_id]
            except KeyError:
                raise NotFoundError(f"sync {sync_id}") from None

    def syncs(self) -> list[Sync]:
        with self._up_to_date():
            return list(self._state.syncs.values())

    # -- stored records ----------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        with self._up_to_date():
            return list(self._state.accounts.values())

    def reset(self) -> None:
        """Forget every definition, staged row, sync and account; keep catalog and settings."""
        with self._lock:
            self._state = _State()

    # -- internals ---------------------------------------------------------------------------

    @contextmanager
    def _up_to_date(self) -> Iterator[None]:
        """Hold the lock, with every sync advanced to where the clock says it is."""
        with self._lock:
            self._advance_syncs()
            yield

    def _advance_syncs(self) -> None:
        now = self._clock()
        for sync in list(self._state.syncs.values()):
            current = sync
            if current.status == "pending" and now >= current.active_from:
                started_at = self._timestamp(current.active_from)
                current = replace(current, status="active", started_at=started_at)
            if current.status == "active" and now >= current.ends_at:
                current = self._finish(current)
            self._state.syncs[sync.id] = current

    def _finish(self, sync: Sync) -> Sync:
        """Take the definition's staged rows, upsert them and give the sync its final status."""
        definition = self._state.definitions[sync.definition_id]
        rows = self._state.staged[definition.id]
        self._state.staged[definition.id] = []
        outcomes = [self._upsert(definition, row) for row in rows]
        counts = SyncCounts(
            processed=len(outcomes),
            created=outcomes.count("created"),
            updated=outcomes.count("updated"),
            rejected=outcomes.count("rejected"),
        )
        status: SyncStatus = "success" if counts.rejected == 0 else "warning"
        ended_at = self._timestamp(sync.ends_at)
        return replace(sync, status=status, ended_at=ended_at, counts=counts)

    def _upsert(self, definition: ImportDefinition, row: Row) -> Outcome:
        """Update the account whose identifier field has the row's value, or create one."""
        key = definition.identifier_field_name
        identifier = row.get(key, "")
        if not identifier.strip():
            return "rejected"
        match_on = definition.targets[key].internal_name
        values = {
            target.internal_name: row[k]
            for k, target in definition.targets.items()
            if target.kind == "account" and k in row
        }
        users = self._users_to_link(definition, row)
        accounts = self._state.accounts
        existing = next(
            (a for a in accounts.values() if a.fields.get(match_on) == identifier), None
        )
        if existing is not None:
            accounts[existing.id] = existing.updated(values, users)
            return "updated"
        account = Account(next(self._state.account_ids), values).updated({}, users)
        accounts[account.id] = account
        return "created"

    def _users_to_link(self, definition: ImportDefinition, row: Row) -> list[User]:
        """Users named by the row's ``{{Account.User.Field(X)}}`` values (comma-separated)."""
        if not definition.link_users:
            return []
        wanted = {
            (target.internal_name, value.strip())
            for key, target in definition.targets.items()
            if target.kind == "user" and key in row
            for value in row[key].split(",")
            if value.strip()
        }
        return [
            user
            for user in self.catalog.users
            if any(user.fields.get(name) == value for name, value in wanted)
        ]

    def _definition(self, definition_id: int) -> ImportDefinition:
        try:
            return self._state.definitions[definition_id]
        except KeyError:
            raise NotFoundError(f"account import {definition_id}") from None

    def _synced_definition(self, uri: object) -> ImportDefinition | None:
        if not isinstance(uri, str) or not uri.startswith(_ACCOUNT_IMPORT_URI):
            return None
        definition_id = uri.removeprefix(_ACCOUNT_IMPORT_URI)
        if not definition_id.isdigit():
            return None
        return self._state.definitions.get(int(definition_id))

    def _timestamp(self, clock_reading: float) -> str:
        elapsed_ticks = round((clock_reading - self._clock_origin) * 10_000_000)
        return format_timestamp(self._wall_origin_ticks + elapsed_ticks)


def format_timestamp(ticks: int) -> str:
    """Eloqua's timestamp form for a count of 100 ns ticks since the Unix epoch.

    >>> format_timestamp(16257948103187286)
    '2021-07-09T01:40:10.3187286Z'
    """
    seconds, fraction = divmod(ticks, 10_000_000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction:07d}Z"


def _definition_failures(properties: Mapping[str, Any], catalog: Catalog) -> list[Failure]:
    return [
        *_name_failures(properties.get("name")),
        *_fields_failures(properties.get("fields"), catalog),
        *_identifier_failures(
            properties.get("identifierFieldName"), properties.get("fields"), catalog
        ),
        *(
            Failure(name, _as_text(properties[name]), BOOLEAN_RULE)
            for name in _BOOLEAN_PROPERTIES
            if properties.get(name) is not None and _as_bool(properties[name]) is None
        ),
    ]


def _name_failures(name: object) -> list[Failure]:
    if isinstance(name, str) and 1 <= len(name) <= MAX_NAME_LENGTH:
        return []
    return [Failure("name", _as_text(name), NAME_RULE)]


def _fields_failures(fields: object, catalog: Catalog) -> list[Failure]:
    if not isinstance(fields, dict) or not 1 <= len(fields) <= MAX_FIELDS:
        shown = f"{len(fields)} fields" if isinstance(fields, dict) else _as_text(fields)
        return [Failure("fields", shown, FIELDS_RULE)]
    return [
        Failure(f"fields.{key}", _as_text(statement), STATEMENT_RULE)
        for key, statement in fields.items()
        if not isinstance(statement, str) or catalog.resolve(statement) is None
    ]


def _identifier_failures(identifier: object, fields: object, catalog: Catalog) -> list[Failure]:
    if not isinstance(identifier, str) or not 1 <= len(identifier) <= MAX_NAME_LENGTH:
        return [Failure("identifierFieldName", _as_text(identifier), NAME_RULE)]
    if not isinstance(fields, dict):
        return []  # already reported as a fields failure
    if identifier not in fields:
        rule = IDENTIFIER_NOT_IN_FIELDS_RULE.format(name=identifier)
        return [Failure("identifierFieldName", identifier, rule)]
    statement = fields[identifier]
    target = catalog.resolve(statement) if isinstance(statement, str) else None
    if target is not None and target.kind != "account":
        return [Failure("identifierFieldName", identifier, IDENTIFIER_TARGET_RULE)]
    return []


def _accepted_properties(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Known properties that were set, defaults for the rest, booleans as booleans."""
    given = {k: properties[k] for k in _DEFINITION_PROPERTIES if properties.get(k) is not None}
    merged = {**_DEFINITION_DEFAULTS, **given}
    for name in _BOOLEAN_PROPERTIES:
        if name in merged:
            merged[name] = _as_bool(merged[name])
    merged["fields"] = dict(merged["fields"])
    return {k: merged[k] for k in _DEFINITION_PROPERTIES if k in merged}


def _targets(fields: Mapping[str, str], catalog: Catalog) -> dict[str, FieldTarget]:
    targets = {key: catalog.resolve(statement) for key, statement in fields.items()}
    return {key: target for key, target in targets.items() if target is not None}


def _as_bool(value: object) -> bool | None:
    """A boolean, or the strings "true"/"false" in any case; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _row_as_text(row: Mapping[str, object], failures: list[Failure]) -> dict[str, str]:
    """The row with every value as text; values of other types go to ``failures``."""
    converted = {}
    for key, value in row.items():
        if value is None or isinstance(value, (str, bool, int, float)):
            converted[key] = _as_text(value)
        else:
            failures.append(Failure(key, _as_text(value), VALUE_RULE))
    return converted


def _as_text(value: object) -> str:
    """Text as Eloqua would store it: None as "", booleans as true/false, others as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)
