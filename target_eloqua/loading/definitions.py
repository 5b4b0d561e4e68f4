"""Each stream's import definitions in Eloqua: created as the run needs them, reused by its drains.

A definition whose sync is running must not take the next batch (its staging area would be
synced with the running one or, worse, cleared), so a stream has up to ``per_stream``
definitions: the next batch uploads to a free one while the last one's sync runs. A drain that
finds them all busy waits for one to be released.

Definitions are kept by the mapping they were made for: a stream whose SCHEMA lacks a mapped
property loads with a mapping without that column (``missing_properties: skip``), on
definitions of its own.

A definition deletes itself ``AUTO_DELETE_DURATION`` after it was created, so that definitions
never pile up in the user's instance. A run that goes on for longer than half of that gets a
fresh definition for its next drain instead of one that is about to disappear. Sync-action
definitions take no ``autoDeleteDuration``: the run deletes those it made when it ends
(``delete_lasting``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from target_eloqua.bulk import BulkClient, EloquaAPIError
from target_eloqua.errors import DefinitionRefusedError, RunStoppedError
from target_eloqua.loading.parallel import WAIT_SLICE_SECONDS
from target_eloqua.mapping.definition import (
    AUTO_DELETE_SECONDS,
    definition_body,
    definition_refusal_problems,
)
from target_eloqua.mapping.streams import StreamMapping

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Definition:
    uri: str
    created_at: float


@dataclass
class _MappingDefinitions:
    free: list[_Definition] = field(default_factory=list)
    busy: dict[str, _Definition] = field(default_factory=dict)
    creating: int = 0

    @property
    def count(self) -> int:
        return len(self.free) + len(self.busy) + self.creating


class ImportDefinitions:
    """The definitions of this run, by mapping; safe to use from the drains' threads."""

    def __init__(
        self,
        *,
        per_stream: int = 2,
        max_age_seconds: float = AUTO_DELETE_SECONDS / 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_stream = per_stream
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._changed = threading.Condition()
        self._by_mapping: dict[str, _MappingDefinitions] = {}
        self._syncs: dict[str, set[str]] = {}
        self._lasting: set[str] = set()
        """The definitions made that do not delete themselves: sync-action definitions."""

    def create(self, mapping: StreamMapping, client: BulkClient) -> str:
        """Create one more definition for the stream now, free for its next drain."""
        with self._changed:
            definitions = self._of(mapping)
            definitions.creating += 1
        return self._create_counted(mapping, client, definitions, busy=False)

    def acquire(self, mapping: StreamMapping, client: BulkClient, stop: threading.Event) -> str:
        """A definition of the stream for the next batch, busy until ``release``: a free young
        one, else a new one while the stream has fewer than ``per_stream``, else the first one
        released. The wait ends with every sync (each has its timeout) or with ``stop``.
        """
        while not stop.is_set():
            with self._changed:
                definitions = self._of(mapping)
                while definitions.free:
                    definition = definitions.free.pop()
                    if self._clock() - definition.created_at < self.max_age_seconds:
                        definitions.busy[definition.uri] = definition
                        return definition.uri
                if definitions.count < self.per_stream:
                    definitions.creating += 1
                    break
                self._changed.wait(WAIT_SLICE_SECONDS)
        else:
            raise RunStoppedError(f"stream '{mapping.stream}': the run was stopped")
        return self._create_counted(mapping, client, definitions, busy=True)

    def release(self, mapping: StreamMapping, uri: str, *, reusable: bool) -> None:
        """The drain or sync using the definition is done with it: it takes the stream's next
        batch if ``reusable``; otherwise (rows no sync took may be staged, or its sync failed)
        it is dropped, and Eloqua deletes it after ``AUTO_DELETE_DURATION``.
        """
        with self._changed:
            definitions = self._of(mapping)
            definition = definitions.busy.pop(uri, None)
            if definition is not None and reusable:
                definitions.free.append(definition)
            self._changed.notify_all()

    def replace(self, mapping: StreamMapping, uri: str, client: BulkClient) -> str:
        """A new definition, busy, in place of the busy one at ``uri``, which is dropped (rows
        no sync took may be staged on it). The drain keeps its place among the stream's
        ``per_stream``: a drain waiting for a definition must not take it, since a later batch
        sharing an identifier with this one waits for this one's sync.
        """
        with self._changed:
            definitions = self._of(mapping)
            definitions.busy.pop(uri, None)
            definitions.creating += 1
        return self._create_counted(mapping, client, definitions, busy=True)

    def add_sync(self, uri: str, sync_uri: str) -> None:
        """Note a sync of the definition at ``uri``, created or found by this run."""
        with self._changed:
            self._syncs.setdefault(uri, set()).add(sync_uri)

    def syncs_of(self, uri: str) -> frozenset[str]:
        """The syncs of the definition at ``uri`` that this run knows of."""
        with self._changed:
            return frozenset(self._syncs.get(uri, ()))

    @property
    def lasting(self) -> frozenset[str]:
        """The definitions made that would stay in Eloqua (sync-action definitions)."""
        with self._changed:
            return frozenset(self._lasting)

    def delete_lasting(self, client: BulkClient, keep: Collection[str] = ()) -> list[str]:
        """Delete the definitions of this run that would stay in Eloqua (sync-action
        definitions), but those a drain still uses and those in ``keep`` (a sync of theirs may
        still run); the uris of those left in Eloqua.
        """
        with self._changed:
            busy = {uri for definitions in self._by_mapping.values() for uri in definitions.busy}
            lasting, self._lasting = sorted(self._lasting), set()
        left = []
        for uri in lasting:
            if uri in busy or uri in keep:
                left.append(uri)
                continue
            try:
                client.delete(uri)
            except EloquaAPIError as error:
                if error.status != 404:
                    logger.warning("Could not delete definition %s: %s", uri, error)
                    left.append(uri)
        return left

    def _create_counted(
        self,
        mapping: StreamMapping,
        client: BulkClient,
        definitions: _MappingDefinitions,
        *,
        busy: bool,
    ) -> str:
        """Create a definition already counted in ``creating``, and file it as busy or free
        in the same step as it stops being counted there.
        """
        try:
            definition = self._create(mapping, client)
        except BaseException:
            with self._changed:
                definitions.creating -= 1
            raise
        with self._changed:
            definitions.creating -= 1
            if busy:
                definitions.busy[definition.uri] = definition
            else:
                definitions.free.append(definition)
                self._changed.notify_all()
        return definition.uri

    def _of(self, mapping: StreamMapping) -> _MappingDefinitions:
        """The definitions made for the mapping (for the same definition body)."""
        key = json.dumps(definition_body(mapping), sort_keys=True)
        return self._by_mapping.setdefault(key, _MappingDefinitions())

    def _create(self, mapping: StreamMapping, client: BulkClient) -> _Definition:
        try:
            created = client.create_import(mapping.definitions_path, definition_body(mapping))
        except EloquaAPIError as error:
            if error.status != 400:
                raise
            problems = definition_refusal_problems(mapping, error.failures) or [
                f"stream '{mapping.stream}': Eloqua refused the import definition: {error}"
            ]
            raise DefinitionRefusedError(problems) from error
        uri = str(created["uri"])
        logger.info("Created definition %s for stream '%s'", uri, mapping.stream)
        if mapping.sync_action_definitions:
            with self._changed:
                self._lasting.add(uri)
        return _Definition(uri, self._clock())
