"""The errors that end a run in their own words, and which of them do.

Every layer raises these (the Bulk API client raises its own, ``bulk.errors``); the target turns
each into one line of log and an exit status (``EXPLAINED_FAILURES``). Their messages say what
went wrong and where (stream, record, property), so that a traceback would only bury them.
"""

from __future__ import annotations

import signal

from singer_sdk.exceptions import (
    InvalidInputLine,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)

from target_eloqua.bulk import EloquaError


class MappingError(ValueError):
    """A stream mapping that cannot work; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class DefinitionRefusedError(MappingError):
    """Eloqua refused a stream's import definition; ``problems`` says why, one line each."""


class RecordValueError(ValueError):
    """A record whose value of one property cannot be sent to Eloqua."""

    def __init__(self, stream: str, prop: str, problem: str) -> None:
        super().__init__(f"stream '{stream}', property '{prop}': {problem}")
        self.stream = stream
        self.property = prop
        self.problem = problem


class BadInputError(Exception):
    """Input the target cannot load; the message says where it is and what is wrong with it."""


class NotAMessageError(BadInputError, InvalidInputLine):
    """A line that is not JSON, or not a Singer message."""


class BadRecordError(BadInputError):
    """A record the target cannot load."""


class RecordBeforeSchemaError(BadRecordError, RecordsWithoutSchemaException):
    """A RECORD before any SCHEMA of its stream (still the SDK's error, for those catching it)."""


class RecordWithoutKeyError(BadRecordError, MissingKeyPropertiesError):
    """A record without one of its stream's key properties (still the SDK's error too)."""


class UnsupportedMessageError(Exception):
    """A Singer message the target cannot load (a BATCH message): the run stops unloaded."""


class UnloadableRecordError(Exception):
    """A record that cannot be buffered or uploaded: its row is larger than
    ``max_upload_bytes``, or the disk it is spooled to is full.
    """


class SyncFailedError(Exception):
    """A drain's sync ended ``error`` or timed out, or its batch could not be staged or its
    sync created; the drain's records are not committed.
    """


class VerifyFailedError(SyncFailedError):
    """Reading back what a drain's sync loaded failed (Eloqua refused or failed an export, past
    retries): the drain's records are not committed."""


class EmptyVersionError(Exception):
    """A version of a ``mirror`` stream sent no record: it would empty the lists it mirrors,
    which only ``mirror_allow_empty`` lets happen."""


class SyncSkippedError(Exception):
    """A sync that never started because one it had to follow failed."""


class TooManyRejectsError(Exception):
    """The run's rejected records went over ``max_rejects``."""


class RunStoppedError(Exception):
    """The run is stopping (a signal): a drain ends before its next request to Eloqua, or its
    wait for a free definition.
    """


class ChangeStoreError(Exception):
    """The change store (``change_store``) cannot serve this run: another run holds it, it was
    written for another Eloqua instance, or it is not a change store.
    """


class StateNotWrittenError(Exception):
    """STATE could not be written to standard output (the orchestrator stopped reading it)."""


class StoppedBySignal(SystemExit):
    """SIGTERM or SIGINT: the run stops at once, with the exit status ``128 + signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"stopped by signal {self.signum} ({signal.Signals(self.signum).name})"


EXPLAINED_FAILURES = (
    BadInputError,
    ChangeStoreError,
    DefinitionRefusedError,
    EloquaError,
    EmptyVersionError,
    StateNotWrittenError,
    SyncFailedError,
    TooManyRejectsError,
    UnloadableRecordError,
    UnsupportedMessageError,
)
"""Errors whose message says what went wrong and where, so a traceback would only bury it."""
