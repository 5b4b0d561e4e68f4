"""What was last loaded into Eloqua, per stream and identifier: the change store (``change_store``).

A local SQLite file keeps, per stream, a fingerprint of each identifier's row as it was last
loaded: an 8-byte hash of the row's bytes as uploaded (``RowSpool`` makes it). A drain leaves out
the rows equal to theirs (``unchanged``); once a sync has ended within the run's policy, its
batch job records the fingerprints of the rows it loaded, in one transaction, leaving out the rows
Eloqua rejected and those read back different. Before a sync starts, the store forgets the
fingerprints its rows replace: a sync may load some rows and then fail, and a row changed back to
what was loaded before must not be left out. So a failed sync leaves its rows unknown to the
store, and they are sent again next run; as does a sync that left rows unloaded without naming
them (``unmatched`` ones, say), which records none of its rows.

Identifiers are kept as 8-byte hashes too (of the identifier as Eloqua compares it, letter case
folded), so the file holds no value of any record. Two identifiers of a stream that share a hash
(about one chance in 40 million among a million identifiers) only make rows be sent again, never
left out: each overwrites the other's fingerprint, which then matches neither row.

Fingerprints are kept under a scope: a stream and the import definition of its mapping (fields
and options, hashed), so that a changed mapping sends every row again. The first batch of a stream
in a run drops the stream's other scopes (an older mapping's fingerprints would be wrong after
this one loads); with ``change_store_refresh``, it empties its own too.

A store is written for one Eloqua instance, known by the site id and name that ``/id`` gives: a
store of another instance is refused (many instances share a pod's URL, and one may move to
another pod).

A run holds the file locked from ``open_change_store`` to ``close`` with SQLite's own locking
(exclusive locking mode): another run on the same file is refused at once, and the operating
system releases the lock of a run that is killed, however it ends. The file is in WAL mode: a run
killed mid-transaction leaves it as it was before that transaction.
https://www.sqlite.org/pragma.html#pragma_locking_mode
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from target_eloqua.errors import ChangeStoreError, RunStoppedError
from target_eloqua.loading.spool import RowSpool
from target_eloqua.mapping.definition import import_definition_body
from target_eloqua.mapping.streams import StreamMapping

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""The layout of the file's tables; a file of another layout is refused."""

LOCK_WAIT_SECONDS = 1.0
"""How long opening the file waits for another run's lock before refusing."""

PAGE_BYTES = 16384
"""The page size of a new file (SQLite's default is 4096)."""

LOOKUP_CHUNK = 500
"""Identifiers looked up per query (SQLite takes 999 parameters at least)."""

TABLES = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE scopes (id INTEGER PRIMARY KEY, stream TEXT NOT NULL, "
    "definition TEXT NOT NULL, UNIQUE (stream, definition))",
    "CREATE TABLE fingerprints (scope INTEGER NOT NULL, key INTEGER NOT NULL, "
    "fingerprint INTEGER NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID",
)


@dataclass(frozen=True)
class Instance:
    """The Eloqua instance a store is written for: its site id and name, which tell instances
    apart (many share a pod's URL, an instance may move to another pod, and emulators and real
    instances may share an id), and for messages, the URL of its pod.
    """

    site_id: int
    site_name: str
    base_url: str

    def __str__(self) -> str:
        return f"{self.site_name!r} (site id {self.site_id}, at {self.base_url})"


def identifier_key(identifier: str) -> int:
    """The hash an identifier (letter case folded) is kept under, as a signed 64-bit integer."""
    digest = hashlib.blake2b(identifier.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def definition_digest(mapping: StreamMapping) -> str:
    """A hash of the mapping's import definition: its fields and its options."""
    body = json.dumps(import_definition_body(mapping), sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ChangeStore:
    """The change store file, open and locked for one run. Safe to use from threads.

    ``writable`` is false in a dry run: it looks rows up, and never writes.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, *, writable: bool) -> None:
        self.path = path
        self.writable = writable
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, instance: Instance, *, refresh: bool, writable: bool) -> ChangeStore:
        """Open the file at ``path`` (made if it is missing, in a real run) and take its lock;
        raises ``ChangeStoreError`` if another run holds it, or if it is not a change store of
        this layout written for ``instance``. With ``refresh``, a store of another instance is
        emptied and taken over.
        """
        try:
            connection = _connect(path, writable=writable)
        except sqlite3.Error as error:
            raise _store_error(path, error) from error
        store = cls(connection, path, writable=writable)
        try:
            store.check(instance, refresh=refresh)
        except BaseException:
            store.close()
            raise
        return store

    def check(self, instance: Instance, *, refresh: bool) -> None:
        """Make the tables of a new file; check the layout of an existing one, and the
        instance it was written for.
        """
        with self._transaction() as cursor:
            self._check(cursor, instance, refresh=refresh)

    def _check(self, cursor: sqlite3.Cursor, instance: Instance, *, refresh: bool) -> None:
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master")}
        if not tables and self.writable:
            for statement in TABLES:
                cursor.execute(statement)
            self._write_meta(cursor, instance)
            return
        if "meta" not in tables:
            raise ChangeStoreError(f"change_store {self.path} is not a target-eloqua change store")
        meta = dict(cursor.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise ChangeStoreError(
                f"change_store {self.path} has layout {meta.get('schema_version')}, which this "
                f"version of target-eloqua does not read (it reads layout {SCHEMA_VERSION}): "
                "give it a new file"
            )
        if (meta.get("site_id"), meta.get("site_name")) == (
            str(instance.site_id),
            instance.site_name,
        ):
            self._follow(cursor, meta, instance)
            return
        if "site_id" not in meta:
            problem = (
                f"change_store {self.path} was written by an earlier build of target-eloqua, "
                "which did not record the Eloqua instance's site id"
            )
            remedy = "give it a new file"
        else:
            written_for = Instance(
                int(meta["site_id"]), meta.get("site_name", ""), meta.get("base_url", "")
            )
            problem = (
                f"change_store {self.path} was written for the Eloqua instance {written_for}, "
                f"not {instance}"
            )
            remedy = "give each instance a store of its own"
        if not (refresh and self.writable):
            raise ChangeStoreError(
                f"{problem}: {remedy}, or set change_store_refresh: true to empty this one and "
                "take it over"
            )
        logger.warning(
            "%s: emptied, and taken over for %s (change_store_refresh)", problem, instance
        )
        cursor.execute("DELETE FROM fingerprints")
        cursor.execute("DELETE FROM scopes")
        cursor.execute("DELETE FROM meta")
        self._write_meta(cursor, instance)

    def _follow(self, cursor: sqlite3.Cursor, meta: dict[str, str], instance: Instance) -> None:
        """Keep the instance's pod up to date in the store's own file: an instance may move to
        another pod (its site id and name stay).
        """
        if meta.get("base_url") == instance.base_url:
            return
        logger.info(
            "change_store %s was written for this Eloqua instance (%r, site id %d) when it was "
            "at %s; it is now at %s",
            self.path,
            instance.site_name,
            instance.site_id,
            meta.get("base_url"),
            instance.base_url,
        )
        if self.writable:
            self._write_meta(cursor, instance)

    @staticmethod
    def _write_meta(cursor: sqlite3.Cursor, instance: Instance) -> None:
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "site_id": str(instance.site_id),
            "site_name": instance.site_name,
            "base_url": instance.base_url,
        }
        cursor.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())

    def open_scope(self, stream: str, definition: str, *, keep: Set[int], clear: bool) -> int:
        """The id of the stream's scope under ``definition``, whose fingerprints alone stay
        with those of the scopes in ``keep``: the stream's other scopes are dropped, and with
        ``clear``, this one's fingerprints too. In a dry run, nothing is dropped, and a scope
        the file lacks is ``0`` (one without fingerprints).
        """
        with self._transaction() as cursor:
            found = cursor.execute(
                "SELECT id FROM scopes WHERE stream = ? AND definition = ?", (stream, definition)
            ).fetchone()
            if not self.writable:
                return int(found[0]) if found else 0
            if found is None:
                cursor.execute(
                    "INSERT INTO scopes (stream, definition) VALUES (?, ?)", (stream, definition)
                )
                scope = int(cursor.execute("SELECT last_insert_rowid()").fetchone()[0])
            else:
                scope = int(found[0])
            kept = set(keep) if clear else {scope, *keep}
            stale = [
                row[0]
                for row in cursor.execute("SELECT id FROM scopes WHERE stream = ?", (stream,))
                if row[0] not in kept
            ]
            for old in stale:
                cursor.execute("DELETE FROM fingerprints WHERE scope = ?", (old,))
                if old != scope:
                    cursor.execute("DELETE FROM scopes WHERE id = ?", (old,))
            return scope

    def has_fingerprints(self, scope: int) -> bool:
        """Whether the scope holds any fingerprint."""
        with self._transaction() as cursor:
            query = "SELECT 1 FROM fingerprints WHERE scope = ? LIMIT 1"
            return cursor.execute(query, (scope,)).fetchone() is not None

    def fingerprints(self, scope: int, keys: Sequence[int]) -> dict[int, int]:
        """The fingerprints the scope holds for ``keys`` (identifier hashes), by key."""
        found: dict[int, int] = {}
        ordered = sorted(keys)  # neighbours in the table's order: fewer pages read
        with self._transaction() as cursor:
            for start in range(0, len(ordered), LOOKUP_CHUNK):
                chunk = ordered[start : start + LOOKUP_CHUNK]
                found.update(cursor.execute(_lookup_query(len(chunk)), (scope, *chunk)))
        return found

    def record(self, scope: int, fingerprints: Iterable[tuple[int, int]]) -> int:
        """Record the fingerprints of rows just loaded (key, fingerprint), in one transaction;
        how many.
        """
        if not self.writable:
            raise RuntimeError("a dry run never writes the change store")
        rows = [(scope, key, fingerprint) for key, fingerprint in fingerprints]
        rows.sort()  # in the table's order: each page is written once
        with self._transaction() as cursor:
            cursor.executemany("INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?)", rows)
        return len(rows)

    def forget(self, stream: str, keys: Sequence[int]) -> None:
        """Drop the fingerprints that every scope of the stream holds for ``keys``, in one
        transaction: the rows of those identifiers are sent again, changed or not.
        """
        if not self.writable:
            raise RuntimeError("a dry run never writes the change store")
        with self._transaction() as cursor:
            scopes = [
                row[0]
                for row in cursor.execute("SELECT id FROM scopes WHERE stream = ?", (stream,))
            ]
            cursor.executemany(
                "DELETE FROM fingerprints WHERE scope = ? AND key = ?",
                [(scope, key) for scope in scopes for key in keys],
            )

    def close(self) -> None:
        """Close the file, which releases its lock; later uses raise ``RunStoppedError``."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """One transaction, under the store's lock: committed if the block ends well, else
        rolled back.
        """
        with self._lock:
            connection = self._connection
            if connection is None:
                raise RunStoppedError(f"change_store {self.path} is closed: the run is ending")
            try:
                cursor = connection.cursor()
                cursor.execute("BEGIN")
                try:
                    yield cursor
                except BaseException:
                    connection.rollback()
                    raise
                connection.commit()
            except sqlite3.Error as error:
                raise _store_error(self.path, error) from error


def _lookup_query(count: int) -> str:
    """The query of the fingerprints of ``count`` keys of a scope."""
    marks = ",".join("?" * count)  # placeholders only: the keys are parameters
    return f"SELECT key, fingerprint FROM fingerprints WHERE scope = ? AND key IN ({marks})"  # noqa: S608


def _connect(path: Path, *, writable: bool) -> sqlite3.Connection:
    """A connection to the file that keeps it locked until it is closed (exclusive locking
    mode, taken at once). A dry run's connection never makes the file, nor changes it.
    """
    target = str(path) if writable else f"{path.resolve().as_uri()}?mode=rw"
    connection = sqlite3.connect(
        target,
        uri=not writable,
        timeout=LOCK_WAIT_SECONDS,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        if writable:
            # For a new file: a batch's rows land on pages all over the table, and fewer,
            # larger pages cost less to write (bench/change_store.py).
            connection.execute(f"PRAGMA page_size = {PAGE_BYTES}")
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        if writable:
            connection.execute("PRAGMA journal_mode = WAL")
            # A commit is safe from a crash of the process; a power cut may lose the last ones,
            # whose rows are then sent again.
            connection.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        connection.close()
        raise
    return connection


def _store_error(path: Path, error: sqlite3.Error) -> ChangeStoreError:
    """What the user is told when SQLite fails on the file."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_BUSY:
        return ChangeStoreError(
            f"change_store {path} is in use by another run of target-eloqua (the file is "
            "locked): runs that share a store must run one after the other"
        )
    if code == sqlite3.SQLITE_NOTADB:
        return ChangeStoreError(f"change_store {path} is not a target-eloqua change store")
    return ChangeStoreError(f"change_store {path}: {error}")


@dataclass(eq=False)
class _Scope:
    """A stream's scope, as this run uses it."""

    stream: str
    id: int
    looks_up: bool
    """Whether rows are looked up: not after a refresh, nor in a scope without fingerprints."""
    in_flight: dict[int, tuple[int, BatchChanges]] = field(default_factory=dict)
    """Key -> the fingerprint of the row last sent, and its batch, until that batch's sync
    ends: a later row of the key is compared with it, not with the file."""


class RunChanges:
    """The change store as one run uses it: which rows of a batch are unchanged, and what its
    sync loaded. Safe to use from threads.
    """

    def __init__(self, store: ChangeStore, *, refresh: bool) -> None:
        self.store = store
        self.refresh = refresh
        self._lock = threading.Lock()
        self._scopes: dict[tuple[str, str], _Scope] = {}

    def sort_out(self, mapping: StreamMapping, spool: RowSpool) -> BatchChanges:
        """Leave the batch's unchanged rows out of its uploads: each row whose fingerprint is
        the one last loaded for its identifier (or sent, by a batch still syncing).
        """
        scope = self._scope(mapping)
        changes = BatchChanges(self, scope)
        identifiers, sequences, fingerprints = spool.keyed_rows()
        keys = [identifier_key(identifier) for identifier in identifiers]
        if not scope.looks_up:
            changes.sent = dict(zip(sequences, zip(keys, fingerprints, strict=True), strict=True))
            return changes
        in_flight = scope.in_flight
        with self._lock:
            expected = {key: in_flight[key][0] for key in keys if key in in_flight}
        expected.update(self.store.fingerprints(scope.id, [k for k in keys if k not in expected]))
        unchanged = []
        for key, sequence, fingerprint in zip(keys, sequences, fingerprints, strict=True):
            if expected.get(key) == fingerprint:
                unchanged.append(sequence)
            else:
                changes.sent[sequence] = (key, fingerprint)
                if key in expected:
                    changes.replaced.append(key)
        spool.leave_out(unchanged)
        changes.unchanged = len(unchanged)
        if self.store.writable:
            with self._lock:
                for key, fingerprint in changes.sent.values():
                    in_flight[key] = (fingerprint, changes)
        return changes

    def forget(self, stream: str, identifiers: Iterable[str]) -> None:
        """Forget what was loaded for these identifiers of the stream: their rows are sent
        again next time they come, even unchanged (``mirror`` removed their members).
        """
        if self.store.writable:
            keys = [identifier_key(identifier.casefold()) for identifier in identifiers]
            self.store.forget(stream, keys)

    def close(self) -> None:
        """Close the file, releasing its lock."""
        self.store.close()

    def _scope(self, mapping: StreamMapping) -> _Scope:
        """The mapping's scope, opened on its first use in the run."""
        name = (mapping.stream, definition_digest(mapping))
        with self._lock:
            scope = self._scopes.get(name)
            if scope is not None:
                return scope
            kept = {s.id for (stream, _), s in self._scopes.items() if stream == mapping.stream}
            scope_id = self.store.open_scope(*name, keep=kept, clear=self.refresh)
            looks_up = not self.refresh and self.store.has_fingerprints(scope_id)
            scope = self._scopes[name] = _Scope(mapping.stream, scope_id, looks_up)
            return scope

    def release(self, changes: BatchChanges) -> None:
        """Forget the batch's rows in flight (unless a later batch sent their keys since)."""
        in_flight = changes.scope.in_flight
        with self._lock:
            for key, _ in changes.sent.values():
                if in_flight.get(key, (0, None))[1] is changes:
                    del in_flight[key]


class BatchChanges:
    """What the change store knows of one batch: how many of its rows are unchanged, and the
    fingerprints of those sent, until its sync has ended.
    """

    def __init__(self, run_changes: RunChanges, scope: _Scope) -> None:
        self.run_changes = run_changes
        self.scope = scope
        self.unchanged = 0
        """Rows left out of the batch's uploads: Eloqua has them as they are."""
        self.sent: dict[int, tuple[int, int]] = {}
        """The rows sent with an identifier: sequence in the batch -> (key, fingerprint)."""
        self.replaced: list[int] = []
        """The keys of the rows sent whose earlier row the store holds, or a batch still syncing
        sent: their fingerprints are forgotten before the batch's sync starts."""

    def record_loaded(self, spool: RowSpool, not_loaded: Set[int]) -> int:
        """Record the fingerprints of the rows the batch's sync loaded: every row uploaded
        with an identifier but those at the positions ``not_loaded`` (``recordIndex``); how
        many were recorded. Only a sync that ended within the run's policy calls this.
        """
        store = self.run_changes.store
        if not store.writable:
            return 0
        left_out = {spool.uploaded_sequence(index) for index in not_loaded}
        loaded = [row for sequence, row in self.sent.items() if sequence not in left_out]
        try:
            return store.record(self.scope.id, loaded)
        except ChangeStoreError as error:  # the rows are loaded all the same
            logger.warning("%s; the rows just loaded are sent again next run", error)
            return 0

    def forget_replaced(self) -> None:
        """Drop the fingerprints of the rows the batch's sync is about to replace: a sync that
        fails may have loaded some of them, and a row changed back to what was loaded before
        must then be sent, not left out. Called before the sync starts.
        """
        store = self.run_changes.store
        if not store.writable or not self.replaced:
            return
        try:
            store.forget(self.scope.stream, sorted(self.replaced))
        except ChangeStoreError as error:
            logger.warning(
                "%s; if this sync fails, rows of it changed back to what was loaded before may "
                "be left out next run: set change_store_refresh: true for the next run",
                error,
            )

    def release(self) -> None:
        """The batch's sync has ended (or never will): later rows are compared with the file."""
        self.run_changes.release(self)
        self.sent = {}


def open_change_store(
    path: Path, instance: Instance, *, refresh: bool, dry_run: bool
) -> RunChanges | None:
    """The change store for a run on ``instance``; ``None`` in a dry run that would not read it
    (a refresh, or a file not made yet).
    """
    if dry_run and (refresh or not path.exists()):
        return None
    store = ChangeStore.open(path, instance, refresh=refresh, writable=not dry_run)
    logger.info(
        "Change store %s%s",
        path,
        ": every row is sent, and the store rebuilt (change_store_refresh)"
        if refresh
        else ": rows unchanged since they were last loaded are not sent",
    )
    return RunChanges(store, refresh=refresh)
