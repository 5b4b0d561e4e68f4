"""One sink per stream: buffer mapped rows, and on each drain import them with one sync."""

from __future__ import annotations

import abc
import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from singer_sdk import metrics
from singer_sdk.exceptions import ConfigValidationError, InvalidRecord, MissingKeyPropertiesError
from singer_sdk.metrics import Metric, Point, Tag
from singer_sdk.singerlib.json import serialize_json
from singer_sdk.sinks import BatchSink

from target_eloqua.bulk import BulkClient, OutcomeUnknownError, SyncTimeoutError
from target_eloqua.bulk.logs import count_sync_logs, problem_messages
from target_eloqua.definitions import RunStoppedError
from target_eloqua.mapping import (
    StreamMapping,
    blank_identifier_error,
    format_row,
    import_definition_body,
    record_to_row,
)
from target_eloqua.rejects import RejectTally, record_matches, reject_entry
from target_eloqua.report import SyncRecord
from target_eloqua.settings import MAX_PARTS_PER_SYNC
from target_eloqua.spool import Part, RowSpool, RowTooLargeError
from target_eloqua.timestamps import DatelikeProperties
from target_eloqua.typed_records import RecordDecoder
from target_eloqua.validation import RecordValidator

if TYPE_CHECKING:
    from target_eloqua.target import TargetEloqua

MAX_UPLOAD_PASSES = 3
"""How many times a drain uploads its parts, each time Eloqua's answer to one is lost."""

MAX_SYNC_CREATIONS = 3
"""How many times a drain asks for its sync, each time the answer is lost and none was created."""


class SyncFailedError(Exception):
    """A drain's sync ended ``error`` or timed out, or its batch could not be staged or its
    sync created; the drain's records are not committed.
    """


class UnsupportedMessageError(Exception):
    """A Singer message the target cannot load (a BATCH message): the run stops unloaded."""


class UnloadableRecordError(Exception):
    """A record that cannot be buffered or uploaded: its row is larger than
    ``max_upload_bytes``, or the disk it is spooled to is full.
    """


@dataclass(frozen=True)
class Staged:
    """What a drain has uploaded to the definition's staging area so far."""

    rows: int = 0
    parts: int = 0
    bytes: int = 0

    def plus(self, part: Part) -> Staged:
        """These totals with one more part."""
        return Staged(self.rows + part.rows, self.parts + 1, self.bytes + len(part.body))


@dataclass(eq=False)
class _Batch:
    """A drained batch on its way to Eloqua, in the pipeline's thread (with a client of its
    own: clients are not shared by threads).
    """

    spool: RowSpool
    import_uri: str
    """The definition it is staged on (another one after a lost answer)."""
    client: BulkClient
    staged: Staged = Staged()


class TargetSink(BatchSink):
    """A sink of this target: it reports to the run's report (``self.eloqua.report``)."""

    _datelike: DatelikeProperties | None = None

    def __init__(
        self,
        target: TargetEloqua,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: list[str] | None,
    ) -> None:
        super().__init__(target, stream_name, schema, key_properties)
        self.eloqua = target

    def get_validator(self) -> RecordValidator | None:
        """The SDK's record validation, as strict, with the schema compiled to cheap checks."""
        if not self.validate_schema:
            return None
        return RecordValidator(self.schema, validate_formats=self.validate_field_string_format)

    @abc.abstractmethod
    def unloaded_records(self) -> int:
        """Records read since the last drain, so not loaded (yet)."""

    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """The SDK's validation and date parsing, raising ``InvalidRecord`` for both, quietly.

        The SDK logs a failed validation with a traceback before raising, and raises a plain
        ``ValueError`` for a date it cannot parse; the target reports each once, with the
        record's position in the input.
        """
        if self._validator is not None:
            self._validator.validate(record)
        try:
            self._parse_timestamps_in_record(
                record=record, schema=self.schema, treatment=self.datetime_error_treatment
            )
        except ValueError as error:
            raise InvalidRecord(str(error), record) from error
        return record

    def _parse_timestamps_in_record(
        self, record: dict[str, Any], schema: dict[str, Any], treatment: Any
    ) -> None:
        """The SDK's parsing of date-like values, with the schema's date-like properties
        found once (see ``timestamps``); a record that needs more than parsing goes to the SDK.
        """
        datelike = self._datelike
        if datelike is None or datelike.schema is not schema:
            datelike = self._datelike = DatelikeProperties(schema)
        parsed = datelike.parsed(record, self._warned_missing_fields)
        if parsed is None:
            super()._parse_timestamps_in_record(record, schema, treatment)
        else:
            record.update(parsed)

    def _singer_validate_message(self, record: dict[str, Any]) -> None:
        """The SDK's check that the record has its key properties, naming the missing ones."""
        missing = [key for key in self._key_properties if key not in record]
        if missing:
            names = ", ".join(f"'{key}'" for key in missing)
            plural = "y" if len(missing) == 1 else "ies"
            raise MissingKeyPropertiesError(f"key propert{plural} {names} missing from the record")


class EloquaSink(TargetSink):
    """Loads one stream into Eloqua: one drain is one sync, run in the background.

    Rows are spooled to disk as they arrive; a drain uploads them in parts of at most
    ``max_upload_bytes``. A later record with the same identifier (in any letter case, as
    Eloqua matches them) replaces the earlier one in the batch (the last one wins) and is
    counted as merged.
    """

    _client: BulkClient | None = None
    _record_json: bytes | None = None
    """The record being processed, as the tap sent it (only when rejects are reported)."""

    @property
    def _spool(self) -> RowSpool | None:
        """The batch being buffered: the spool in the SDK's pending batch context, if any."""
        pending = self._pending_batch
        return pending.get("spool") if pending else None

    @cached_property
    def mapping(self) -> StreamMapping:
        """How the stream's records map to Eloqua, as settled before any input was read."""
        return self.eloqua.stream_mappings[self.stream_name]

    @property
    def client(self) -> BulkClient:
        """This sink's own Bulk API client: drains of several sinks run in threads."""
        if self._client is None:
            self._client = self.eloqua.new_client(self.stream_name)
        return self._client

    def unloaded_records(self) -> int:
        """Records of the batch being buffered: read, but not loaded (yet)."""
        spool = self._spool  # read once: a drain thread may clear it
        return spool.read if spool is not None else 0

    def setup(self) -> None:
        """Check the stream's schema against its mapping before any of its records arrive."""
        schema_properties = list(self.schema.get("properties", {}))
        if not schema_properties:  # an open schema: records may carry anything
            return
        if self.mapping.identifier not in schema_properties:
            raise ConfigValidationError(
                "Identifier missing from the stream",
                errors=[
                    f"stream '{self.stream_name}', property '{self.mapping.identifier}': the "
                    "identifier is not in the stream's schema, so every record would be "
                    f"rejected (its properties: {', '.join(schema_properties)})"
                ],
            )
        self._note_unsent_and_absent(schema_properties)

    def _note_unsent_and_absent(self, schema_properties: list[str]) -> None:
        """Say once per stream which properties are not sent, and which mapped ones the schema
        does not have (they are sent blank).
        """
        mapped = self.mapping.properties
        unmapped = [p for p in schema_properties if p not in mapped and not p.startswith("_sdc_")]
        if unmapped:
            self.eloqua.log_once(
                "Stream '%s': properties not mapped, so not sent: %s",
                self.stream_name,
                ", ".join(unmapped),
            )
        absent = [p for p in mapped if p not in schema_properties]
        if absent:
            self.eloqua.log_once(
                "Stream '%s': mapped properties missing from the stream's schema are sent "
                "blank: %s",
                self.stream_name,
                ", ".join(absent),
                warning=True,
            )

    def start_batch(self, context: dict[str, Any]) -> None:
        """Open the batch's spool; records are only kept beside rows when rejects are reported."""
        context["spool"] = RowSpool(
            self.mapping.keys,
            self.config["upload_format"],
            self.config["max_upload_bytes"],
            keep_records=self.eloqua.rejects is not None,
        )

    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Keep the JSON text of the record as the tap sent it, for the rejects file, before
        its date-like values are parsed; then validate and parse it.
        """
        if self.eloqua.rejects is not None:
            self._record_json = serialize_json(record).encode("utf-8")
        return super()._validate_and_parse(record)

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Map and format the record now, so that a bad value fails before anything is sent."""
        row = record_to_row(self.mapping, record)
        identifier = row[self.mapping.identifier_position]
        if not identifier.strip() and not self.mapping.identifier_may_be_blank:
            raise blank_identifier_error(self.mapping, record)
        self._stage(context["spool"], identifier, row, self._record_json)

    @cached_property
    def record_decoder(self) -> RecordDecoder | None:
        """Decodes the stream's records from JSON straight into the values of their rows, when
        the schema allows it (see ``typed_records``).
        """
        validator = self._validator
        if self.include_sdc_metadata_properties or not isinstance(
            validator, RecordValidator | None
        ):
            return None
        return RecordDecoder.for_stream(self.schema, self.mapping, self.key_properties, validator)

    def load_json(self, record_json: bytes) -> bool:
        """The SDK's steps for one record (up to the check whether the sink is full), from the
        JSON text of its ``record``, in one pass (see ``typed_records``).

        Returns ``False``, having done nothing, for a record this pass cannot vouch for: it
        must then take the SDK's path, which loads it or says what is wrong with it.
        """
        decoder = self.record_decoder
        values = decoder.values(record_json) if decoder else None
        if values is None or decoder is None:
            return False
        try:
            row = format_row(self.mapping, values, decoder.formatters)
        except ValueError:  # a value the SDK's path refuses, or names the problem of
            return False
        identifier = row[self.mapping.identifier_position]
        if not identifier.strip() and not self.mapping.identifier_may_be_blank:
            return False
        context = self._get_context({})
        self.tally_record_read()
        self._stage(context["spool"], identifier, row, record_json)
        self.record_counter_metric.increment()
        self._after_process_record(context)
        return True

    def _stage(
        self, spool: RowSpool, identifier: str, row: list[str], record_json: bytes | None
    ) -> None:
        """Add the row to the batch; it replaces an earlier row with the same identifier."""
        # Eloqua matches identifiers in any letter case; a blank id (a new record) matches none.
        try:
            merged = spool.add(identifier.casefold() or None, row, record_json)
        except RowTooLargeError as error:
            raise UnloadableRecordError(
                f"stream '{self.stream_name}', record {self.mapping.identifier}="
                f"{identifier[:100]!r}: {error}"
            ) from error
        except OSError as error:
            raise UnloadableRecordError(
                f"stream '{self.stream_name}': cannot buffer rows in {tempfile.gettempdir()} "
                f"(set TMPDIR to a directory with more room): {error.strerror or error}"
            ) from error
        if merged:
            self.tally_duplicate_merged()

    @cached_property
    def _max_sync_bytes(self) -> int:
        """``max_sync_bytes``, read once: ``is_full`` is asked after every record."""
        return int(self.config["max_sync_bytes"])

    @cached_property
    def _max_rows(self) -> int:
        """``batch_size_rows`` (the SDK's ``max_size``), read once, as ``_max_sync_bytes``."""
        return self.max_size

    @property
    def is_full(self) -> bool:
        """Full at ``batch_size_rows`` records, ``max_sync_bytes`` staged, or as many parts as
        one sync takes.
        """
        spool = self._spool
        return self._batch_records_read >= self._max_rows or (
            spool is not None
            and (
                spool.staged_bytes >= self._max_sync_bytes or spool.part_count >= MAX_PARTS_PER_SYNC
            )
        )

    def process_batch(self, context: dict[str, Any]) -> None:
        """Hand the batch over to the run's sync pipeline, with a free definition of the
        stream: the pipeline uploads it at once and syncs it once the syncs it must follow have
        succeeded. Meanwhile the next batch is read: Eloqua's work does not stall the run.
        """
        spool: RowSpool | None = context.get("spool")
        if spool is None:
            return
        try:
            self.eloqua.report.add(self.stream_name, read=spool.read, merged=spool.merged)
            if self.eloqua.dry_run:
                with spool:
                    self._write_dry_run(spool)
                return
            self.eloqua.syncs.raise_if_failed()
            self.eloqua.drain_earlier_entities(self)
            # Taken here, not in the pipeline: a run with every definition busy reads no further.
            import_uri = self.eloqua.definitions.acquire(
                self.mapping, self.client, self.eloqua.stopping
            )
        except BaseException:
            spool.close()
            raise
        batch = _Batch(spool, import_uri, self.eloqua.new_client(self.stream_name))
        self.eloqua.syncs.submit(
            self.stream_name,
            self.mapping.entity.load_order,
            spool.identifiers(),
            prepare=partial(self._stage_batch, batch),
            run=partial(self._sync_batch, batch),
            skip=partial(self._drop_batch, batch),
        )

    def _stage_batch(self, batch: _Batch) -> None:
        """In the pipeline's thread: upload the batch to its definition's staging area.

        A part whose answer was lost may or may not be staged, and a sync must not take a row
        twice: that definition is never synced (Eloqua deletes it after a day), and the batch
        goes to a fresh one from its first part, at most ``MAX_UPLOAD_PASSES`` times. On a
        failure, the batch is dropped.
        """
        definitions = self.eloqua.definitions
        try:
            for passes in range(1, MAX_UPLOAD_PASSES + 1):
                if passes > 1:
                    batch.import_uri = definitions.acquire(
                        self.mapping, batch.client, self.eloqua.stopping
                    )
                try:
                    batch.staged = self._upload(batch.client, batch.import_uri, batch.spool)
                except OutcomeUnknownError as error:
                    definitions.release(self.stream_name, batch.import_uri, reusable=False)
                    self.logger.warning(
                        "Stream '%s': %s; %s is left unsynced and the batch goes to a fresh "
                        "definition (upload pass %d of %d)",
                        self.stream_name,
                        error,
                        batch.import_uri,
                        passes,
                        MAX_UPLOAD_PASSES,
                    )
                    continue
                self.eloqua.report.add(
                    self.stream_name, uploaded=batch.staged.rows, uploaded_bytes=batch.staged.bytes
                )
                return
            raise SyncFailedError(
                f"stream '{self.stream_name}': Eloqua's answer to an upload was lost in each "
                f"of {MAX_UPLOAD_PASSES} passes; nothing of this batch was synced"
            )
        except BaseException as error:
            self._drop_batch(batch, error, log=False)
            raise

    def _sync_batch(self, batch: _Batch) -> None:
        """In the pipeline's thread: sync the staged batch, then free its definition."""
        reusable = False
        try:
            with batch.spool:
                self._sync(batch.client, batch.import_uri, batch.spool, batch.staged)
            reusable = True
        finally:
            batch.client.close()
            self.eloqua.definitions.release(self.stream_name, batch.import_uri, reusable=reusable)

    def _drop_batch(self, batch: _Batch, reason: BaseException, *, log: bool = True) -> None:
        """In the pipeline's thread: a batch whose sync must not run (an earlier one failed,
        or its upload did).
        """
        batch.spool.close()
        batch.client.close()
        self.eloqua.definitions.release(self.stream_name, batch.import_uri, reusable=False)
        if log:
            self.logger.warning("Rows staged on %s are not synced: %s", batch.import_uri, reason)

    def _upload(self, client: BulkClient, import_uri: str, spool: RowSpool) -> Staged:
        """Upload every part of the spool to the definition's staging area, from the first."""
        staged = Staged()
        for part in spool.parts():
            self._stop_if_asked()
            started = time.monotonic()
            client.upload(import_uri, part.body, spool.content_type)
            staged = staged.plus(part)
            self.logger.info(
                "Uploaded part %d: %d rows (%d bytes) to %s in %.1f s",
                staged.parts,
                part.rows,
                len(part.body),
                import_uri,
                time.monotonic() - started,
            )
            del part  # the next part is built while this one would still be held
        return staged

    def _sync(self, client: BulkClient, import_uri: str, spool: RowSpool, staged: Staged) -> None:
        """Sync what is staged, wait for the end, and account for every row: fail the run on
        an ``error`` or a timeout, or when the run's rejects go over ``max_rejects``.

        The sync is in the run's report from its creation (as ``unknown``), and each thing
        learnt about it is added as soon as it is known, so that a run stopped at any point
        reports what Eloqua did.
        """
        self._stop_if_asked()
        started = time.monotonic()
        sync = self._create_sync(client, import_uri)
        self.logger.info("Created sync %s for %s (%d rows)", sync["uri"], import_uri, staged.rows)
        sync_record = SyncRecord(
            sync["uri"],
            import_uri,
            "unknown",
            seconds=0.0,
            rows=staged.rows,
            parts=staged.parts,
            bytes=staged.bytes,
        )
        self.eloqua.report.record_sync(self.stream_name, sync_record)
        try:
            ended = self._wait_for(client, sync_record.uri, sync_record.rows)
            sync_record = replace(sync_record, status=ended["status"])
            self.eloqua.report.record_sync(self.stream_name, sync_record)
            sync_record = self._read_logs(client, sync_record)
            if sync_record.status in ("warning", "error"):
                sync_record = self._read_rejects(client, sync_record, spool)
        except SyncTimeoutError as error:
            sync_record = replace(sync_record, status="timeout")
            raise SyncFailedError(f"stream '{self.stream_name}': {error}") from error
        finally:
            sync_record = replace(sync_record, seconds=round(time.monotonic() - started, 3))
            self._record_end(sync_record)
        self.logger.info(
            "Sync %s ended %s in %.1f s: %d rows, %d created, %d updated, %d rejected",
            sync_record.uri,
            sync_record.status,
            sync_record.seconds,
            sync_record.rows,
            sync_record.created,
            sync_record.updated,
            sync_record.rejected,
        )
        if sync_record.status == "error":
            raise SyncFailedError(
                f"stream '{self.stream_name}': sync {sync_record.uri} ended 'error'; Eloqua's "
                f"log of it is at {sync_record.uri}/logs"
            )
        self.eloqua.check_rejects()

    def _create_sync(self, client: BulkClient, import_uri: str) -> dict[str, Any]:
        """Create the sync of what is staged on the definition.

        Eloqua has no idempotency key: when the answer to a sync's creation is lost, the
        definition's syncs that the run does not know of are looked for (the definition is this
        run's own), and the one found is adopted; another is created only if there is none, at
        most ``MAX_SYNC_CREATIONS`` times.
        """
        definitions = self.eloqua.definitions
        for _ in range(MAX_SYNC_CREATIONS):
            try:
                sync = client.create_sync(import_uri, callback_url=self.config.get("callback_url"))
            except OutcomeUnknownError as error:
                found = client.new_syncs(import_uri, definitions.syncs_of(import_uri))
                if found:
                    self.logger.warning(
                        "Stream '%s': %s; it did create %s, which is the drain's sync",
                        self.stream_name,
                        error,
                        found[0]["uri"],
                    )
                    definitions.add_sync(import_uri, found[0]["uri"])
                    return found[0]
                self.logger.warning(
                    "Stream '%s': %s; Eloqua has no new sync of %s, so it is created again",
                    self.stream_name,
                    error,
                    import_uri,
                )
            else:
                definitions.add_sync(import_uri, sync["uri"])
                return sync
        raise SyncFailedError(
            f"stream '{self.stream_name}': Eloqua's answer to creating a sync of {import_uri} "
            f"was lost {MAX_SYNC_CREATIONS} times, and it created none"
        )

    def _read_logs(self, client: BulkClient, sync_record: SyncRecord) -> SyncRecord:
        """The ended sync with the counts of its logs, in the report at once. Eloqua's
        warnings and errors about it are logged.
        """
        logs = client.list_items(f"{sync_record.uri}/logs")
        counts = count_sync_logs(logs)
        sync_record = replace(
            sync_record, created=counts.created, updated=counts.updated, rejected=counts.rejected
        )
        self.eloqua.report.record_sync(self.stream_name, sync_record)
        if sync_record.status in ("warning", "error"):
            level = logging.ERROR if sync_record.status == "error" else logging.WARNING
            for line in problem_messages(logs):
                self.logger.log(level, "Sync %s: %s", sync_record.uri, line)
        return sync_record

    def _read_rejects(
        self, client: BulkClient, sync_record: SyncRecord, spool: RowSpool
    ) -> SyncRecord:
        """The sync with its rejects reported; the count that goes against ``max_rejects`` is
        the larger of the rejects listed and those its logs count.
        """
        listed = self._report_rejects(client, sync_record.uri, spool)
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
        self.eloqua.report.record_sync(self.stream_name, sync_record)
        tags: dict[str, Any] = {
            Tag.STREAM: self.stream_name,
            Tag.JOB_TYPE: "eloqua_sync",
            Tag.STATUS: sync_record.status,
        }
        point = Point("timer", Metric.JOB_DURATION, sync_record.seconds, tags)
        metrics.log(self.eloqua.metrics_logger, point)

    def _report_rejects(self, client: BulkClient, sync_uri: str, spool: RowSpool) -> int:
        """Read every page of the sync's rejects, write them to the rejects file with their
        source records, count them per status code, and return how many there were.
        """
        listed = 0
        unmatched = 0
        for page in client.pages(f"{sync_uri}/rejects"):
            indexes = [int(item.get("recordIndex") or 0) for item in page]
            records = spool.records(indexes)
            entries = []
            for item, index in zip(page, indexes, strict=True):
                record = records.get(index)
                if record is not None and not record_matches(self.mapping, item, record):
                    unmatched += 1
                    record = None
                entries.append(reject_entry(self.mapping, sync_uri, item, record))
            if self.eloqua.rejects is not None:
                self.eloqua.rejects.write(entries)
            tally = RejectTally()
            for entry in entries:
                tally.add(str(entry["status_code"]), str(entry["message"]), entry["identifier"])
            self.eloqua.report.add_rejects(self.stream_name, tally)
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
        if self.eloqua.stopping.is_set():
            raise RunStoppedError(f"stream '{self.stream_name}': the run was stopped")

    def _wait_for(self, client: BulkClient, sync_uri: str, row_count: int) -> dict[str, Any]:
        """Poll the sync to its end, logging each new status with the drain's row count."""
        return client.wait_for_sync(
            sync_uri,
            timeout=float(self.config["sync_timeout_seconds"]),
            first_interval=float(self.config["poll_interval_seconds"]),
            on_change=lambda changed, seconds: self.logger.info(
                "Sync %s is %s after %.1f s (%d rows)",
                changed["uri"],
                changed["status"],
                seconds,
                row_count,
            ),
        )

    def _write_dry_run(self, spool: RowSpool) -> None:
        """Write each part and, once, the definition a real run would create."""
        assert self.eloqua.dry_run is not None
        definition = import_definition_body(self.mapping)
        for part in spool.parts():
            path = self.eloqua.dry_run.write(
                self.stream_name, definition, part.body, self.config["upload_format"]
            )
            self.logger.info(
                "Dry run: wrote %d rows (%d bytes) to %s", part.rows, len(part.body), path
            )

    def process_batch_files(self, encoding: Any, files: Sequence[str]) -> None:
        """Refuse BATCH messages: the SDK would hand their records to ``process_batch`` with no
        validation or mapping, and nothing would reach Eloqua while STATE went on.
        """
        raise UnsupportedMessageError(
            f"stream '{self.stream_name}': BATCH messages are not supported; have the tap send "
            "RECORD messages (leave its batch_config unset)"
        )

    def clean_up(self) -> None:
        """At the end of the input: wait for the run's syncs (STATE comes after them), then
        release the clients' connections.
        """
        self.eloqua.syncs.wait(self.eloqua.stopping)
        if self._client is not None:
            self._client.close()
        super().clean_up()

    def activate_version(self, new_version: int) -> None:
        """Eloqua imports are upserts; there is no table version to switch to."""
        self.logger.debug("Ignoring ACTIVATE_VERSION %d", new_version)


class SkippedStreamSink(TargetSink):
    """A stream without a mapping under ``unmapped_streams: skip``: its records are counted
    as read in the run's report, and dropped.
    """

    _read = 0

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Count the record; send nothing."""
        self._read += 1

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load nothing; report what was read."""
        self.eloqua.report.add(self.stream_name, read=self._read)
        self._read = 0

    def unloaded_records(self) -> int:
        """Records read since the last drain."""
        return self._read

    def activate_version(self, new_version: int) -> None:
        """Nothing to switch."""
