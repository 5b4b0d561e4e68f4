"""Each stream's import definition in Eloqua: created once per run, reused by every drain.

A definition deletes itself ``AUTO_DELETE_DURATION`` after it was created, so that definitions
never pile up in the user's instance. A run that goes on for longer than half of that gets a
fresh definition for its next drain instead of one that is about to disappear.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from target_eloqua.bulk import BulkClient, EloquaAPIError
from target_eloqua.mapping import (
    AUTO_DELETE_SECONDS,
    MappingError,
    StreamMapping,
    definition_refusal_problems,
    import_definition_body,
)

logger = logging.getLogger(__name__)


class DefinitionRefusedError(MappingError):
    """Eloqua refused a stream's import definition; ``problems`` says why, one line each."""


@dataclass(frozen=True)
class _Definition:
    uri: str
    created_at: float


class ImportDefinitions:
    """The definitions of this run, by stream; safe to use from the drains' threads."""

    def __init__(
        self,
        *,
        max_age_seconds: float = AUTO_DELETE_SECONDS / 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._by_stream: dict[str, _Definition] = {}

    def create(self, mapping: StreamMapping, client: BulkClient) -> str:
        """Create the stream's definition now; it is the one its drains use from then on."""
        try:
            created = client.create_import(
                mapping.entity.imports_path, import_definition_body(mapping)
            )
        except EloquaAPIError as error:
            if error.status != 400:
                raise
            problems = definition_refusal_problems(mapping, error.failures) or [
                f"stream '{mapping.stream}': Eloqua refused the import definition: {error}"
            ]
            raise DefinitionRefusedError(problems) from error
        uri = str(created["uri"])
        with self._lock:
            self._by_stream[mapping.stream] = _Definition(uri, self._clock())
        logger.info("Created import definition %s for stream '%s'", uri, mapping.stream)
        return uri

    def uri(self, mapping: StreamMapping, client: BulkClient) -> str:
        """The stream's definition for its next drain: the current one while it is young."""
        with self._lock:
            current = self._by_stream.get(mapping.stream)
        if current is not None and self._clock() - current.created_at < self.max_age_seconds:
            return current.uri
        return self.create(mapping, client)
