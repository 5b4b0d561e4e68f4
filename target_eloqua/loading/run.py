"""What one run shares: its report, definitions, syncs, checkpoints, rejects file, stop flag,
clients and notes.

The target builds one ``Run`` before it reads any input and hands it to every sink; sinks and their
batch jobs take all they need from it and never reach back into the target. Nothing here knows
of Singer messages: STATE arrives as a dict, and leaves through ``write_state``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from target_eloqua.bulk import BulkClient
from target_eloqua.bulk.connection import Connection
from target_eloqua.errors import TooManyRejectsError
from target_eloqua.loading import run_files
from target_eloqua.loading.checkpoints import Checkpoints
from target_eloqua.loading.definitions import ImportDefinitions
from target_eloqua.loading.metrics import request_metric
from target_eloqua.loading.pipeline import SyncPipeline
from target_eloqua.loading.preflight import create_definitions, resolve_with_eloqua
from target_eloqua.loading.rejects import RejectsFile
from target_eloqua.loading.report import RunReport, error_text, exit_code_of
from target_eloqua.mapping.streams import StreamMapping


class Run:
    """One run of the target: what its sinks and batch jobs share, safe to use from threads.

    ``write_state`` writes a STATE (``checkpoints`` calls it once the batches it needs are
    loaded); ``flush_earlier_entities(load_rank)`` hands the buffered batches of entities that
    load before ``load_rank`` to the sync pipeline (the target's to do: it alone drains sinks).
    The files the run writes are checked here, before any input is read.
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        connection: Connection,
        *,
        write_state: Callable[[dict[str, Any]], None],
        flush_earlier_entities: Callable[[int], None],
        logger: logging.Logger,
        metrics_logger: logging.Logger,
    ) -> None:
        self.config = config
        self.connection = connection
        self.flush_earlier_entities = flush_earlier_entities
        self.logger = logger
        self.metrics_logger = metrics_logger
        self.stopping = threading.Event()
        """Set by a signal: drains end before their next request to Eloqua."""
        self.report = RunReport()
        self.summary_path = run_files.summary_path(config)
        self.dry_run = run_files.dry_run_writer(config)
        self._rejects_path = run_files.rejects_path(config)
        self.rejects: RejectsFile | None = None
        """The rejects file (``rejects_path``), once the run is accepted (``open_rejects_file``)."""
        self.definitions = ImportDefinitions(per_stream=config["max_syncs_per_stream"])
        self.checkpoints = Checkpoints(write_state)
        self.syncs = SyncPipeline(self.checkpoints.batch_loaded)
        self.mappings: dict[str, StreamMapping] = {}
        """Each stream's mapping, once ``settle_mappings`` has checked it against Eloqua."""
        self._lock = threading.Lock()
        self._notes: set[str] = set()
        self._rejects_counted = 0

    def settle_mappings(self, configured: Mapping[str, StreamMapping]) -> None:
        """Check the stream mappings against Eloqua, and complete them from its fields; in a
        real run, create each stream's import definition too (see ``preflight``). Raises
        ``MappingError`` with every problem found.
        """
        client = self.new_client()
        try:
            mappings = resolve_with_eloqua(configured, client)
            if self.dry_run is None:
                create_definitions(mappings, self.definitions, client)
        finally:
            client.close()
        self.mappings = mappings

    def open_rejects_file(self) -> None:
        """Empty the rejects file (with ``rejects_path``) for this run, once it is accepted:
        a run refused for its config or mappings leaves the last run's file as it was.
        """
        if self._rejects_path is not None:
            self.rejects = run_files.open_rejects_file(self._rejects_path)

    def new_client(self, stream: str | None = None) -> BulkClient:
        """A Bulk API client of the caller's own (clients are not shared by threads); its
        requests are metrics tagged with ``stream``, if given.
        """
        return self.connection.new_client(on_response=request_metric(self.metrics_logger, stream))

    def note_once(self, message: str, *args: Any, warning: bool = False) -> None:
        """Log a note about a stream once per run, however many sinks the stream gets."""
        text = message % args
        with self._lock:
            if text in self._notes:
                return
            self._notes.add(text)
        (self.logger.warning if warning else self.logger.info)(text)

    def count_rejects(self, rejected: int) -> TooManyRejectsError | None:
        """Count the rejects of a sync that has ended; the error to fail it with if they take
        the run's rejected records over ``max_rejects`` (a sync without rejects never does).
        Syncs ending side by side are counted one at a time, so that only those that went
        over fail.
        """
        with self._lock:
            self._rejects_counted += rejected
            if rejected and self._rejects_counted > self.config["max_rejects"]:
                return self.too_many_rejects(self._rejects_counted)
        return None

    def too_many_rejects(self, rejected: int) -> TooManyRejectsError:
        """The error of a run whose ``rejected`` records are more than ``max_rejects``."""
        where = self.config.get("rejects_path")
        return TooManyRejectsError(
            f"Eloqua has rejected {rejected} record{'s' if rejected != 1 else ''} in this run, "
            f"more than max_rejects ({self.config['max_rejects']}); "
            + (f"they are listed in {where}" if where else "set rejects_path to list them")
        )

    def ending_error(self, error: BaseException) -> BaseException:
        """The error that ends the run, told with the run's final numbers: the syncs that
        ran beside the one that went over ``max_rejects`` may have rejected more records.
        """
        if isinstance(error, TooManyRejectsError):
            return self.too_many_rejects(self.report.rejected())
        return error

    def finish(self, error: BaseException | None = None) -> None:
        """Write the last STATE due and stop writing STATE; end the run's log with its numbers
        and the syncs it leaves running; write the summary and close the rejects file.
        """
        self.checkpoints.close()
        summary = self.report.summary(
            exit_code=0 if error is None else exit_code_of(error),
            error=None if error is None else error_text(error),
        )
        for line in self.report.reject_summary():
            self.logger.info(line)
        if self.report.streams:
            for line in self.report.table().splitlines():
                self.logger.info(line)
        for sync in summary["unfinished_syncs"]:
            self.logger.warning(
                "Stream '%s': sync %s was not seen to end (%s); Eloqua finishes it on its own, "
                "and GET /api/bulk/2.0%s tells its outcome (with /logs and /rejects). No STATE "
                "covers its records: the next run sends them again",
                sync["stream"],
                sync["uri"],
                sync["status"],
                sync["uri"],
            )
        if self.rejects is not None:
            self.rejects.close()
        if self.summary_path is not None:
            run_files.write_summary_file(self.summary_path, summary)
