"""What one run shares: its report, definitions, syncs, checkpoints, versions of mirror streams,
change store, verification, rejects file, stop flag, clients and notes.

The target builds one ``Run`` before it reads any input and hands it to every sink; sinks and their
batch jobs take all they need from it and never reach back into the target. Nothing here knows
of Singer messages: STATE arrives as a dict, and leaves through ``write_state``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from target_eloqua.bulk import BulkClient, EloquaError
from target_eloqua.bulk.connection import Connection
from target_eloqua.errors import ChangeStoreError, TooManyRejectsError
from target_eloqua.loading import run_files
from target_eloqua.loading.change_store import Instance, RunChanges, open_change_store
from target_eloqua.loading.checkpoints import Checkpoints
from target_eloqua.loading.definitions import ImportDefinitions
from target_eloqua.loading.github_actions import append_step_summary
from target_eloqua.loading.metrics import RequestStats
from target_eloqua.loading.pipeline import SyncPipeline
from target_eloqua.loading.preflight import settle_with_eloqua
from target_eloqua.loading.rejects import NO_IDENTIFIER, RejectsFile, RejectTally, unsent_entry
from target_eloqua.loading.report import RunReport, error_text, exit_code_of
from target_eloqua.loading.verify import Verification
from target_eloqua.loading.versions import Versions
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
        requests: RequestStats,
    ) -> None:
        self.config = config
        self.connection = connection
        self.flush_earlier_entities = flush_earlier_entities
        self.logger = logger
        self.metrics_logger = metrics_logger
        self.requests = requests
        """The run's requests to Eloqua, counted by endpoint (the connection's are among them)."""
        self.stopping = threading.Event()
        """Set by a signal: drains end before their next request to Eloqua."""
        self.report = RunReport()
        self.summary_path = run_files.summary_path(config)
        self.dry_run = run_files.dry_run_writer(config)
        self._rejects_path = run_files.rejects_path(config)
        self._change_store_path = run_files.change_store_path(config)
        self.changes: RunChanges | None = None
        """The change store (``change_store``), once opened (``open_change_store``)."""
        self.rejects: RejectsFile | None = None
        """The rejects file (``rejects_path``), once the run is accepted (``open_rejects_file``)."""
        self.definitions = ImportDefinitions(per_stream=config["max_syncs_per_stream"])
        self.checkpoints = Checkpoints(write_state)
        self.syncs = SyncPipeline(self.checkpoints.batch_loaded)
        self.versions = Versions(self.checkpoints, self.syncs)
        """What each ``mirror`` stream's version sent, until its ACTIVATE_VERSION."""
        self.verification = Verification(config["verify"], config["verify_sample_size"])
        """What ``verify`` reads back, and what each stream's checks keep between batches."""
        self.mappings: dict[str, StreamMapping] = {}
        """Each stream's mapping, once ``settle_mappings`` has checked it against Eloqua (as
        the config gives it, for a stream whose mapping Eloqua refused: see ``refused``).
        """
        self.mapping_problems: list[str] = []
        """Why stream mappings do not work with this Eloqua (``settle_mappings``)."""
        self.schema_problems: list[str] = []
        """Why streams cannot load under the SCHEMAs read (a mapped property missing, no
        mapping).
        """
        self._lock = threading.Lock()
        self._notes: set[str] = set()
        self._rejected_counted = 0
        self._mismatched_counted = 0

    @property
    def refused(self) -> bool:
        """Whether the run loads nothing more: a mapping does not work with Eloqua, or a SCHEMA
        read does not fit the config. The target stops it before its next record, or at the
        end of the input, with every problem (``problems``).

        Before its first record, a run refused for its mappings still reads the SCHEMAs, and
        holds them against the mappings (those Eloqua refused as the config gives them), so
        that their problems are told in the same round.
        """
        return bool(self.mapping_problems or self.schema_problems)

    def problems(self) -> list[str]:
        """Every problem that refuses the run, each once (a SCHEMA may come again)."""
        return list(dict.fromkeys(self.mapping_problems + self.schema_problems))

    def settle_mappings(self, configured: Mapping[str, StreamMapping]) -> None:
        """Check the stream mappings against Eloqua, and complete them from its fields; in a
        real run, create each stream's import definition too (see ``preflight``). The problems
        found refuse the run (``mapping_problems``).
        """
        client = self.new_client()
        try:
            definitions = self.definitions if self.dry_run is None else None
            settled, self.mapping_problems = settle_with_eloqua(configured, client, definitions)
        finally:
            client.close()
        self.mappings = {stream: settled.get(stream, m) for stream, m in configured.items()}

    def open_change_store(self) -> None:
        """Open the change store (with ``change_store``) for this run before anything is sent,
        and hold it locked until the run ends: raises ``ChangeStoreError`` if another run holds
        it, or it was written for another Eloqua instance.
        """
        if self._change_store_path is None:
            return
        base_url = self.connection.base_url()
        try:
            site = self.connection.site()  # with base_url given, /id is asked for it alone
        except EloquaError as error:
            raise ChangeStoreError(
                "change_store is kept per Eloqua instance, and "
                f"{self.config['login_url']}/id did not tell which one this is: {error}"
            ) from error
        instance = Instance(site.id, site.name, base_url)
        self.changes = open_change_store(
            self._change_store_path,
            instance,
            refresh=self.config["change_store_refresh"],
            dry_run=self.dry_run is not None,
        )

    def open_rejects_file(self) -> None:
        """Empty the rejects file (with ``rejects_path``) for this run, once it is accepted:
        a run refused for its config or mappings leaves the last run's file as it was.
        """
        if self._rejects_path is not None:
            self.rejects = run_files.open_rejects_file(self._rejects_path)

    def new_client(self, stream: str | None = None) -> BulkClient:
        """A Bulk API client of the caller's own (clients are not shared by threads); its
        requests are counted, and logged at DEBUG with ``stream``, if given.
        """
        return self.connection.new_client(on_response=self.requests.hook(stream))

    def note_once(self, message: str, *args: Any, warning: bool = False) -> None:
        """Log a note about a stream once per run, however many sinks the stream gets."""
        text = message % args
        with self._lock:
            if text in self._notes:
                return
            self._notes.add(text)
        (self.logger.warning if warning else self.logger.info)(text)

    def reject_unsent(
        self, mapping: StreamMapping, message: str, record: Mapping[str, Any] | None
    ) -> None:
        """Reject a record of the stream that has no identifier, so is never sent: listed in
        the rejects file (``NO_IDENTIFIER``, with the ``record`` as the tap sent it, if kept),
        counted as read and rejected, and against ``max_rejects``.
        """
        entry = unsent_entry(mapping, NO_IDENTIFIER, message, record)
        if self.rejects is not None:
            self.rejects.write([entry])
        tally = RejectTally()
        tally.add(NO_IDENTIFIER, message, entry["identifier"])
        self.report.add_rejects(mapping.stream, tally)
        self.report.add(mapping.stream, read=1, refused=1)
        too_many_rejects = self.count_rejects(rejected=1)
        if too_many_rejects is not None:
            raise too_many_rejects

    def count_rejects(
        self, *, rejected: int = 0, mismatched: int = 0
    ) -> TooManyRejectsError | None:
        """Count the rejects of a sync that has ended (or of a record never sent), or the
        records read back different from what was sent; the error to fail it with if they take
        the run over ``max_rejects`` (none, when there are none). Syncs ending side by side are
        counted one at a time, so that only those that went over fail.
        """
        with self._lock:
            self._rejected_counted += rejected
            self._mismatched_counted += mismatched
            counted = self._rejected_counted + self._mismatched_counted
            if (rejected or mismatched) and counted > self.config["max_rejects"]:
                return self.too_many_rejects(self._rejected_counted, self._mismatched_counted)
        return None

    def too_many_rejects(self, rejected: int, mismatched: int = 0) -> TooManyRejectsError:
        """The error of a run whose ``rejected`` records (and records read back different,
        ``mismatched``) are more than ``max_rejects``.
        """
        where = self.config.get("rejects_path")
        read_back = (
            f" and {mismatched} read back different from what was sent" if mismatched else ""
        )
        return TooManyRejectsError(
            f"{rejected} record{'s' if rejected != 1 else ''} rejected{read_back} in this run, "
            f"more than max_rejects ({self.config['max_rejects']}); "
            + (f"they are listed in {where}" if where else "set rejects_path to list them")
        )

    def ending_error(self, error: BaseException) -> BaseException:
        """The error that ends the run, told with the run's final numbers: the syncs that
        ran beside the one that went over ``max_rejects`` may have rejected more records.
        """
        if isinstance(error, TooManyRejectsError):
            return self.too_many_rejects(self.report.rejected(), self.report.mismatched())
        return error

    def finish(self, error: BaseException | None = None) -> None:
        """Write the last STATE due and stop writing STATE; end the run's log with its numbers
        and the syncs it leaves running; write the summary (and in GitHub Actions, the job
        summary) and close the rejects file.
        """
        self.checkpoints.close()
        self.versions.close()
        self._delete_lasting_definitions()
        summary = self.report.summary(
            exit_code=0 if error is None else exit_code_of(error),
            error=None if error is None else error_text(error),
            requests=self.requests.summary(),
        )
        for line in self.report.reject_summary() + self.report.merge_summary():
            self.logger.info(line)
        for line in self.report.link_summary():
            self.logger.warning(line)
        if self.report.streams:
            for line in self.report.table().splitlines():
                self.logger.info(line)
        for line in self.requests.lines():
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
        if self.changes is not None:
            self.changes.close()
        if self.summary_path is not None:
            run_files.write_summary_file(self.summary_path, summary)
        append_step_summary(summary, self.report.reject_tallies())

    def _delete_lasting_definitions(self) -> None:
        """Delete the sync-action definitions of the run, which Eloqua would keep (they take no
        ``autoDeleteDuration``), but those a sync the run did not see end may still use. After
        a signal, they are left.
        """
        if self.stopping.is_set() or not self.definitions.lasting:
            return
        unfinished = {sync.import_uri for _, sync in self.report.unfinished_syncs()}
        client = self.new_client()
        try:
            left = self.definitions.delete_lasting(client, keep=unfinished)
        except EloquaError as error:
            self.logger.warning("The run's sync-action definitions were not deleted: %s", error)
            return
        finally:
            client.close()
        if left:
            self.logger.warning("Sync-action definitions left in Eloqua: %s", ", ".join(left))
