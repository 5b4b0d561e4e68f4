"""The versions of ``mirror`` streams: the identifiers each sends, and its ACTIVATE_VERSION.

A tap that replicates a table whole (tap-postgres FULL_TABLE, say) sends its rows, then
ACTIVATE_VERSION: Singer's sign that this version of the table is complete. For a ``mirror``
stream, the identifiers of the records a version sends are kept here, on disk (an SQLite file
per version, so millions of them take no memory), in the form Eloqua compares them (email
addresses in any letter case, numbers by value). At its ACTIVATE_VERSION, the version's
mirror job (``mirror.MirrorJob``) goes into the sync pipeline after every earlier sync of the
stream, and holds a batch number of the checkpoints: a STATE read after the ACTIVATE_VERSION
is written only once the job has removed the members the version did not send.

A version that sent no record never empties a list unasked. An ACTIVATE_VERSION with no record
since the stream's last one is held: taps send one before the first rows of a new version
too, so when records follow, it was that, and it is let go; when none follow before the end
of the input, it ends a version that sent nothing, which fails the run
(``EmptyVersionError``) unless ``mirror_allow_empty`` lets its job empty the lists. Either way,
STATE read after it waits for it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from target_eloqua.errors import EmptyVersionError
from target_eloqua.loading.checkpoints import Checkpoints
from target_eloqua.loading.pipeline import SyncPipeline
from target_eloqua.mapping.readback import identity
from target_eloqua.mapping.streams import StreamMapping
from target_eloqua.mapping.sync_actions import identifier_type


class SentIdentifiers:
    """The identifiers a version sent, in a temporary SQLite database (on disk, removed when
    closed), as Eloqua compares them. Safe to use from several threads.
    """

    def __init__(self, identifier_statement: str) -> None:
        self._type = identifier_type(identifier_statement)
        self._lock = threading.Lock()
        # "" opens a private temporary database on disk, removed when it is closed.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("CREATE TABLE sent (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.count = 0
        """How many different identifiers were sent."""

    def add(self, identifiers: Iterable[str]) -> None:
        """Note identifiers the version sent."""
        rows = ((identity(self._type, value),) for value in identifiers)
        with self._lock:
            before = self._db.total_changes
            self._db.executemany("INSERT OR IGNORE INTO sent VALUES (?)", rows)
            self.count += self._db.total_changes - before

    def missing(self, values: Sequence[str]) -> list[str]:
        """The values, as Eloqua gave them, that the version did not send."""
        with self._lock:
            return [
                value
                for value in values
                if self._db.execute(
                    "SELECT 1 FROM sent WHERE id = ?", (identity(self._type, value),)
                ).fetchone()
                is None
            ]

    def close(self) -> None:
        """Remove the database."""
        with self._lock:
            self._db.close()


class MirrorRun(Protocol):
    """A mirror job, as the sync pipeline runs it."""

    def run_job(self) -> None: ...
    def skip(self, reason: BaseException) -> None: ...


StartMirror = Callable[[SentIdentifiers], MirrorRun]
"""Makes the mirror job of a version, from the identifiers it sent."""


@dataclass
class _Held:
    """An ACTIVATE_VERSION with no record since the last one, and the batch STATE waits for."""

    batch: int
    mapping: StreamMapping
    start: StartMirror


class Versions:
    """Each ``mirror`` stream's current version. Safe to use from several threads."""

    def __init__(self, checkpoints: Checkpoints, syncs: SyncPipeline) -> None:
        self._checkpoints = checkpoints
        self._syncs = syncs
        self._lock = threading.Lock()
        self._sent: dict[str, SentIdentifiers] = {}
        self._held: dict[str, _Held] = {}

    def sent(self, mapping: StreamMapping, identifiers: Iterable[str]) -> None:
        """Note the identifiers a drained batch of the stream sends; a held ACTIVATE_VERSION
        was one that opens this version, and is let go.
        """
        with self._lock:
            sent = self._sent.get(mapping.stream)
            if sent is None:
                sent = self._sent[mapping.stream] = SentIdentifiers(
                    mapping.column(mapping.identifier).field
                )
            held = self._held.pop(mapping.stream, None)
        sent.add(identifiers)
        if held is not None:
            self._checkpoints.batch_loaded(held.batch)

    def activate(self, mapping: StreamMapping, start: StartMirror) -> None:
        """The stream's ACTIVATE_VERSION, once its batches before it are drained: its mirror
        job into the pipeline, or, when the version sent no record, held (see the module's
        docstring). STATE read from now on waits for either.
        """
        with self._lock:
            sent = self._sent.pop(mapping.stream, None)
            if sent is None or not sent.count:
                if mapping.stream not in self._held:
                    batch = self._checkpoints.open_batch()
                    self._held[mapping.stream] = _Held(batch, mapping, start)
                if sent is not None:
                    sent.close()
                return
        self._submit(mapping, start(sent), self._checkpoints.open_batch())

    def end_of_input(self) -> None:
        """At the end of the input: the jobs of held versions that may empty their lists go
        into the pipeline; raise ``EmptyVersionError`` naming those that may not (their
        STATE is never written).
        """
        with self._lock:
            held, self._held = list(self._held.values()), {}
        refused = []
        for version in held:
            if version.mapping.mirror_allow_empty:
                sent = SentIdentifiers(version.mapping.column(version.mapping.identifier).field)
                self._submit(version.mapping, version.start(sent), version.batch)
            else:
                refused.append(version.mapping)
        if refused:
            raise EmptyVersionError(
                "; ".join(
                    f"stream '{m.stream}': its ACTIVATE_VERSION ends a version that sent no "
                    f"record, which would remove every member of {', '.join(m.mirrored_lists)}; "
                    "nothing was removed (set mirror_allow_empty: true on the stream to let an "
                    "empty version empty its lists)"
                    for m in refused
                )
            )

    def close(self) -> None:
        """Remove the identifiers of versions not activated."""
        with self._lock:
            sent, self._sent = list(self._sent.values()), {}
        for identifiers in sent:
            identifiers.close()

    def _submit(self, mapping: StreamMapping, job: MirrorRun, batch: int) -> None:
        self._syncs.submit(
            mapping.stream,
            mapping.load_rank,
            frozenset(),
            batch=batch,
            run=job.run_job,
            skip=job.skip,
            whole_stream=True,
        )
