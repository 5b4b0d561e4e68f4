"""A drained batch's way into Eloqua: uploaded, synced, and every row accounted for.

A drain hands its batch to the run's sync pipeline as a ``BatchJob``, whose steps run in the
pipeline's thread, with a Bulk API client of its own (clients are not shared by threads):
``stage`` uploads the batch at once, ``sync`` runs its sync once the syncs it must follow have
succeeded, reads the sync's logs and rejects and, with the ``verify`` setting, reads back what
it loaded (``loading.verify``); ``drop`` lets go of a batch whose sync must not run. Each step
reports to the run's report as soon as it learns something. The definition is the mapping's:
an import definition, or a sync-action definition for sync actions only; ``mirror`` removals
(``loading.mirror``) go the same way.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from target_eloqua.bulk import BulkClient, OutcomeUnknownError, SyncTimeoutError
from target_eloqua.bulk.client import TERMINAL_SYNC_STATUSES
from target_eloqua.bulk.logs import count_sync_logs, problem_messages
from target_eloqua.errors import RunStoppedError, SyncFailedError
from target_eloqua.loading.change_store import BatchChanges
from target_eloqua.loading.metrics import log_sync_duration
from target_eloqua.loading.rejects import RejectTally, record_matches, reject_entry
from target_eloqua.loading.report import ACTION_COUNTERS, SyncRecord
from target_eloqua.loading.run import Run
from target_eloqua.loading.spool import Part, RowSpool
from target_eloqua.loading.verify import BatchReadBack
from target_eloqua.mapping.entity_rules import rules_of
from target_eloqua.mapping.streams import StreamMapping

MAX_UPLOAD_PASSES = 3
"""How many times a drain uploads its parts, each time Eloqua's answer to one is lost."""

MAX_SYNC_CREATIONS = 3
"""How many times a drain asks for its sync, each time the answer is lost and none was created."""

STILL_RUNNING_FIRST_LINE = 60.0
"""Seconds of waiting after which a sync not yet ended is logged at INFO as still running."""

STILL_RUNNING_LINE_EVERY = 300.0
"""Seconds between two such lines of one sync."""


@dataclass(frozen=True)
class Staged:
    """What a drain has uploaded to the definition's staging area so far."""

    rows: int = 0
    parts: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def plus(self, part: Part, seconds: float) -> Staged:
        """These totals with one more part, uploaded in ``seconds``."""
        return Staged(
            self.rows + part.rows,
            self.parts + 1,
            self.bytes + len(part.body),
            self.seconds + seconds,
        )


class BatchJob:
    """One drained batch of a stream, on the definition ``import_uri`` (another one after a
    lost answer), until its sync has ended or the batch is dropped.

    With ``mirror``, the rows are list members to remove, not records read: the sync's
    rejects are logged by Eloqua's counts, not as records, and never count against
    ``max_rejects``.
    """

    def __init__(
        self,
        run: Run,
        mapping: StreamMapping,
        spool: RowSpool,
        import_uri: str,
        *,
        client: BulkClient,
        logger: logging.Logger,
        mirror: bool = False,
        changes: BatchChanges | None = None,
    ) -> None:
        self.run = run
        self.stream = mapping.stream
        self.mapping = mapping
        self.config = run.config
        self.logger = logger
        self.spool = spool
        self.import_uri = import_uri
        self.client = client
        self.staged = Staged()
        self.rejected_indexes: set[int] = set()
        """The positions (``recordIndex``) of the rows Eloqua rejected."""
        self.mirror = mirror
        self.mismatched_indexes: set[int] = set()
        """The positions of the rows read back different from what was sent (``verify``)."""
        self.changes = changes
        """What the change store knows of the batch (with ``change_store``)."""
        self.ended: SyncRecord | None = None
        """The sync once it has ended, with what Eloqua did with the batch."""

    def stage(self) -> None:
        """Upload the batch to its definition's staging area, at once.

        A part whose answer was lost may or may not be staged, and a sync must not take a row
        twice: that definition is never synced (Eloqua deletes it after a day), and the batch
        goes to a fresh one from its first part, at most ``MAX_UPLOAD_PASSES`` times. On a
        failure, the batch is dropped.
        """
        definitions = self.run.definitions
        try:
            for passes in range(1, MAX_UPLOAD_PASSES + 1):
                if passes > 1:
                    self._stop_if_asked()
                    self.import_uri = definitions.replace(
                        self.mapping, self.import_uri, self.client
                    )
                try:
                    self.staged = self._upload()
                except OutcomeUnknownError as error:
                    self.logger.warning(
                        "Stream '%s': %s; %s is left unsynced%s (upload pass %d of %d)",
                        self.stream,
                        error,
                        self.import_uri,
                        " and the batch goes to a fresh definition"
                        if passes < MAX_UPLOAD_PASSES
                        else "",
                        passes,
                        MAX_UPLOAD_PASSES,
                    )
                    continue
                self.run.report.add(
                    self.stream, uploaded=self.staged.rows, uploaded_bytes=self.staged.bytes
                )
                return
            raise SyncFailedError(
                f"stream '{self.stream}': Eloqua's answer to an upload was lost in each "
                f"of {MAX_UPLOAD_PASSES} passes; nothing of this batch was synced"
            )
        except BaseException as error:
            self.drop(error, log=False)
            raise

    def sync(self) -> None:
        """Sync the staged batch, then free its definition."""
        reusable = False
        try:
            self._sync_to_end()
            reusable = True
        finally:
            self._let_go(reusable=reusable)

    def drop(self, reason: BaseException, *, log: bool = True) -> None:
        """Let go of a batch whose sync must not run (an earlier one failed, or its upload
        did).
        """
        self._let_go(reusable=False)
        if log:
            self.logger.warning("Rows staged on %s are not synced: %s", self.import_uri, reason)

    def _let_go(self, *, reusable: bool) -> None:
        """Close the batch's spool and client, and release its definition (for the stream's
        next batch if ``reusable``) and its rows in flight in the change store.
        """
        self.spool.close()
        self.client.close()
        self.run.definitions.release(self.mapping, self.import_uri, reusable=reusable)
        if self.changes is not None:
            self.changes.release()

    def _upload(self) -> Staged:
        """Upload every part of the spool to the definition's staging area, from the first."""
        staged = Staged()
        for part in self.spool.parts():
            self._stop_if_asked()
            started = time.monotonic()
            self.client.upload(self.import_uri, part.body, self.spool.content_type)
            seconds = time.monotonic() - started
            staged = staged.plus(part, seconds)
            self.logger.debug(
                "Uploaded part %d: %d rows (%d bytes) to %s in %.1f s",
                staged.parts,
                part.rows,
                len(part.body),
                self.import_uri,
                seconds,
            )
            del part  # the next part is built while this one would still be held
        return staged

    def _sync_to_end(self) -> None:
        """Sync what is staged, wait for the end, and account for every row: fail the run on
        an ``error`` or a timeout, or when the run's rejects go over ``max_rejects``.

        The sync is in the run's report from its creation (as ``unknown``), and each thing
        learnt about it is added as soon as it is known, so that a run stopped at any point
        reports what Eloqua did.
        """
        self._stop_if_asked()
        if self.changes is not None:
            self.changes.forget_replaced()
        started = time.monotonic()
        sync = self._create_sync()
        staged = self.staged
        self.logger.info(
            "Stream '%s': created sync %s for %d rows uploaded to %s (%d part%s, %d bytes, "
            "in %.1f s)",
            self.stream,
            sync["uri"],
            staged.rows,
            self.import_uri,
            staged.parts,
            "" if staged.parts == 1 else "s",
            staged.bytes,
            staged.seconds,
        )
        sync_record = SyncRecord(
            sync["uri"],
            self.import_uri,
            "unknown",
            seconds=0.0,
            rows=staged.rows,
            parts=staged.parts,
            bytes=staged.bytes,
            mirror=self.mirror,
        )
        self.run.report.record_sync(self.stream, sync_record)
        try:
            ended = self._wait_for(sync_record.uri, sync_record.rows)
            sync_record = replace(sync_record, status=ended["status"])
            self.run.report.record_sync(self.stream, sync_record)
            sync_record = self._read_logs(sync_record)
            if sync_record.status in ("warning", "error") and not self.mirror:
                sync_record = self._read_rejects(sync_record)
        except SyncTimeoutError as error:
            sync_record = replace(sync_record, status="timeout")
            raise SyncFailedError(f"stream '{self.stream}': {error}") from error
        finally:
            sync_record = replace(sync_record, seconds=round(time.monotonic() - started, 3))
            self._record_end(sync_record)
            self.ended = sync_record
        self.logger.info("Stream '%s': %s", self.stream, ended_line(sync_record))
        rejected = 0 if self.mirror else sync_record.rejected
        too_many_rejects = self.run.count_rejects(rejected=rejected)
        if sync_record.status == "error":
            raise SyncFailedError(
                f"stream '{self.stream}': sync {sync_record.uri} ended 'error'; Eloqua's "
                f"log of it is at {sync_record.uri}/logs"
            )
        if too_many_rejects is not None:
            raise too_many_rejects
        if self.run.verification.enabled and self.mapping.can_be_read_back:
            too_many_rejects = self.run.count_rejects(mismatched=self._verify(sync_record.uri))
            if too_many_rejects is not None:
                raise too_many_rejects
        self._record_loaded(sync_record)

    def _create_sync(self) -> dict[str, Any]:
        """Create the sync of what is staged on the definition.

        Eloqua has no idempotency key: when the answer to a sync's creation is lost, the
        definition's syncs that the run does not know of are looked for (the definition is this
        run's own), and the one found is adopted; another is created only if there is none, at
        most ``MAX_SYNC_CREATIONS`` times.
        """
        definitions, client, import_uri = self.run.definitions, self.client, self.import_uri
        for _ in range(MAX_SYNC_CREATIONS):
            try:
                sync = client.create_sync(import_uri, callback_url=self.config.get("callback_url"))
            except OutcomeUnknownError as error:
                found = client.new_syncs(import_uri, definitions.syncs_of(import_uri))
                if found:
                    self.logger.warning(
                        "Stream '%s': %s; it did create %s, which is the drain's sync",
                        self.stream,
                        error,
                        found[0]["uri"],
                    )
                    definitions.add_sync(import_uri, found[0]["uri"])
                    return found[0]
                self.logger.warning(
                    "Stream '%s': %s; Eloqua has no new sync of %s, so it is created again",
                    self.stream,
                    error,
                    import_uri,
                )
            else:
                definitions.add_sync(import_uri, sync["uri"])
                return sync
        raise SyncFailedError(
            f"stream '{self.stream}': Eloqua's answer to creating a sync of {import_uri} "
            f"was lost {MAX_SYNC_CREATIONS} times, and it created none"
        )

    def _verify(self, sync_uri: str) -> int:
        """Read back what the sync loaded, and report each record that differs: a ``VERIFY``
        line in the rejects file; return how many differ (they count against ``max_rejects``).
        The time it takes is the stream's ``verify_seconds``.
        """
        started = time.monotonic()
        read_back = BatchReadBack(
            self.run.verification.of(self.mapping),
            self.mapping,
            self.client,
            timeout=float(self.config["sync_timeout_seconds"]),
            poll_interval=float(self.config["poll_interval_seconds"]),
            stop_if_asked=self._stop_if_asked,
        )
        verified = mismatched = 0
        try:
            for findings in read_back.findings(self.spool, self.rejected_indexes, sync_uri):
                if findings.mismatches and self.run.rejects is not None:
                    self.run.rejects.write(findings.mismatches)
                self.mismatched_indexes.update(m["record_index"] for m in findings.mismatches)
                verified += findings.verified
                mismatched += len(findings.mismatches)
                self.run.report.add(
                    self.stream, verified=findings.verified, mismatched=len(findings.mismatches)
                )
        finally:
            seconds = time.monotonic() - started
            self.run.report.add(self.stream, verify_seconds=seconds)
        self.logger.log(
            logging.WARNING if mismatched else logging.INFO,
            "Read back %d records that sync %s loaded, with %d exports in %.1f s: %d differ%s",
            verified,
            sync_uri,
            read_back.exports,
            seconds,
            mismatched,
            " (VERIFY lines in rejects_path)" if mismatched and self.run.rejects else "",
        )
        return mismatched

    def _record_loaded(self, sync_record: SyncRecord) -> None:
        """Record in the change store what the sync, ended within the run's policy, loaded:
        every row but those Eloqua rejected and those read back different. When Eloqua left
        rows unloaded without naming them (rejects without their row, rows ``unmatched``), none
        is (the store forgot what they replaced before the sync): the whole batch is sent again
        next run.
        """
        if self.changes is None:
            return
        placed = {i for i in self.rejected_indexes if 1 <= i <= self.spool.uploaded_count}
        if sync_record.rejected > len(placed):
            unnamed = "not every reject names its row"
        elif sync_record.unmatched:
            unnamed = (
                f"Eloqua left {sync_record.unmatched} of its rows alone (unmatched) and does "
                "not say which"
            )
        else:
            self.changes.record_loaded(self.spool, placed | self.mismatched_indexes)
            return
        self.logger.info(
            "Sync %s: %s, so the change store records none of the sync's rows: they are sent "
            "again next run",
            sync_record.uri,
            unnamed,
        )

    def _read_logs(self, sync_record: SyncRecord) -> SyncRecord:
        """The ended sync with the counts of its logs, in the report at once. Eloqua's
        warnings and errors about it are logged.
        """
        logs = self.client.list_items(f"{sync_record.uri}/logs")
        counts = count_sync_logs(logs)
        if not rules_of(self.mapping.entity).logs_count_loaded:
            counts = counts.by_totals()
        matched = 0
        if self.mapping.sync_action_definitions:  # they log no created, updated
            matched = max(0, counts.processed - counts.rejected - counts.unmatched)
        sync_record = replace(
            sync_record,
            created=counts.created,
            updated=counts.updated,
            matched=matched,
            rejected=counts.rejected,
            unmatched=counts.unmatched,
            linked=counts.linked if self.mapping.map_data_cards else None,
            **{name: getattr(counts, name) for name in ACTION_COUNTERS},
        )
        self.run.report.record_sync(self.stream, sync_record)
        if sync_record.status in ("warning", "error"):
            level = logging.ERROR if sync_record.status == "error" else logging.WARNING
            for line in problem_messages(logs):
                self.logger.log(level, "Sync %s: %s", sync_record.uri, line)
        return sync_record

    def _read_rejects(self, sync_record: SyncRecord) -> SyncRecord:
        """The sync with its rejects reported; the count that goes against ``max_rejects`` is
        the larger of the rejects listed and those its logs count.
        """
        listed = self._report_rejects(sync_record.uri)
        if listed < sync_record.rejected:
            self.logger.warning(
                "Sync %s: Eloqua's log counts %d rejected records, its list of rejects only "
                "%d; the larger number counts against max_rejects",
                sync_record.uri,
                sync_record.rejected,
                listed,
            )
        return replace(sync_record, rejected=max(listed, sync_record.rejected))

    def _record_end(self, sync_record: SyncRecord) -> None:
        """Put the ended sync in the run's report, and emit its duration as a metric."""
        self.run.report.record_sync(self.stream, sync_record)
        log_sync_duration(
            self.run.metrics_logger, self.stream, sync_record.status, sync_record.seconds
        )

    def _report_rejects(self, sync_uri: str) -> int:
        """Read every page of the sync's rejects, write them to the rejects file with their
        source records, count them per status code, and return how many there were.
        """
        listed = 0
        unmatched = 0
        for page in self.client.pages(f"{sync_uri}/rejects"):
            indexes = [int(item.get("recordIndex") or 0) for item in page]
            self.rejected_indexes.update(indexes)
            records = self.spool.records(indexes)
            entries = []
            for item, index in zip(page, indexes, strict=True):
                record = records.get(index)
                if record is not None and not record_matches(self.mapping, item, record):
                    unmatched += 1
                    record = None
                entries.append(reject_entry(self.mapping, sync_uri, item, record))
            if self.run.rejects is not None:
                self.run.rejects.write(entries)
            tally = RejectTally()
            for entry in entries:
                # A record of an entity without an identifier (an activity) is named by position.
                named = (
                    entry["identifier"]
                    if self.mapping.identifier
                    else f"record {entry['record_index']}"
                )
                tally.add(str(entry["status_code"]), str(entry["message"]), named)
            self.run.report.add_rejects(self.stream, tally)
            listed += len(entries)
        if unmatched:
            self.logger.warning(
                "Sync %s: %d rejects name a position whose record has another identifier; "
                "they are reported with Eloqua's values only",
                sync_uri,
                unmatched,
            )
        return listed

    def _stop_if_asked(self) -> None:
        """End the drain before its next request to Eloqua once the run is stopping."""
        if self.run.stopping.is_set():
            raise RunStoppedError(f"stream '{self.stream}': the run was stopped")

    def _wait_for(self, sync_uri: str, row_count: int) -> dict[str, Any]:
        """Poll the sync to its end, logging the wait (``SyncWaitLog``)."""
        return self.client.wait_for_sync(
            sync_uri,
            timeout=float(self.config["sync_timeout_seconds"]),
            first_interval=float(self.config["poll_interval_seconds"]),
            on_poll=SyncWaitLog(self.logger, self.stream, row_count),
        )


class SyncWaitLog:
    """Logs the wait for a sync's end (the end has a line of its own): each new status at
    DEBUG; at INFO only a sync still running after ``STILL_RUNNING_FIRST_LINE`` seconds, and
    again every ``STILL_RUNNING_LINE_EVERY`` seconds, so that a long sync is not taken for a
    stalled run.
    """

    def __init__(self, logger: logging.Logger, stream: str, rows: int) -> None:
        self.logger = logger
        self.stream = stream
        self.rows = rows
        self.status: str | None = None
        self.next_line_at = STILL_RUNNING_FIRST_LINE

    def __call__(self, sync: dict[str, Any], seconds: float) -> None:
        """Hear of the sync's status, read ``seconds`` after the wait began."""
        status = sync["status"]
        if status in TERMINAL_SYNC_STATUSES:
            return
        if status != self.status:
            self.status = status
            self.logger.debug(
                "Stream '%s': sync %s is %s after %.1f s (%d rows)",
                self.stream,
                sync["uri"],
                status,
                seconds,
                self.rows,
            )
        if seconds >= self.next_line_at:
            self.next_line_at = seconds + STILL_RUNNING_LINE_EVERY
            self.logger.info(
                "Stream '%s': sync %s is still %s after %.0f s (%d rows)",
                self.stream,
                sync["uri"],
                status,
                seconds,
                self.rows,
            )


def ended_line(sync: SyncRecord) -> str:
    """What the log says of an ended sync: its rows, and what Eloqua did with them."""
    line = (
        f"sync {sync.uri} ended {sync.status} in {sync.seconds:.1f} s: {sync.rows} rows, "
        f"{sync.created} created, {sync.updated} updated, {sync.rejected} rejected"
    )
    if sync.matched:
        line += f", {sync.matched} matched"
    if sync.unmatched:
        why = (
            "matching no record"
            if "/syncActions/" in sync.import_uri
            else "left alone by the import rule"
        )
        line += f", {sync.unmatched} {why} (unmatched)"
    if sync.linked is not None:
        line += f", {sync.linked} linked to a contact or account"
    for name in ACTION_COUNTERS:
        if getattr(sync, name):
            line += f", {name} {getattr(sync, name)}"
    return line
