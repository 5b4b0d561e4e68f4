"""The target's sinks, one per stream: where singer-sdk hands each record over.

``EloquaSink`` maps each record to a row as it arrives, spools the rows of a batch to disk and,
on each drain, hands the batch to the run's sync pipeline (``loading.batch_job``); a record
without an identifier is rejected, never sent. ``SkippedStreamSink`` counts and drops the
records of a stream left unmapped with ``unmapped_streams: skip``. Every sink belongs to one
run (``loading.run.Run``), given to it with its class; it never reaches back into the target.

This module and ``target.py`` are the SDK seam: the only files that use singer-sdk's private
names, each beside its reason. Here, three hooks of the SDK's record handling are overridden
(``_validate_and_parse``, ``_parse_timestamps_in_record``, ``_singer_validate_message``), one
attribute is read (``_warned_missing_fields``) and one function of a private module is used
(``get_datelike_property_type``).
"""

from __future__ import annotations

import abc
import tempfile
from collections.abc import Sequence
from functools import cached_property
from typing import Any, ClassVar, Self, cast

from singer_sdk.exceptions import InvalidRecord, MissingKeyPropertiesError
from singer_sdk.helpers._typing import get_datelike_property_type
from singer_sdk.singerlib.json import deserialize_json, serialize_json
from singer_sdk.sinks import BatchSink

from target_eloqua.errors import UnloadableRecordError, UnsupportedMessageError
from target_eloqua.loading.batch_job import BatchJob
from target_eloqua.loading.mirror import MirrorJob
from target_eloqua.loading.rejects import MERGED, MERGED_MESSAGE, RejectTally, unsent_entry
from target_eloqua.loading.run import Run
from target_eloqua.loading.spool import RowSpool, RowTooLargeError
from target_eloqua.loading.versions import SentIdentifiers
from target_eloqua.mapping.definition import MAX_PARTS_PER_SYNC, definition_body
from target_eloqua.mapping.rows import blank_identifier_reason, format_row, record_to_row
from target_eloqua.mapping.schemas import fit_to_schema
from target_eloqua.mapping.streams import StreamMapping
from target_eloqua.reading.timestamps import DatelikeProperties
from target_eloqua.reading.typed_records import RecordDecoder
from target_eloqua.reading.validation import RecordValidator


def sdk_datelike_properties(schema: dict[str, Any]) -> DatelikeProperties:
    """The date-like properties of ``schema``, as the SDK finds them."""
    # SDK function of a private module (helpers._typing.get_datelike_property_type): how the
    # SDK's sink tells which properties to parse, so that the target's fast paths parse exactly
    # those.
    return DatelikeProperties(schema, get_datelike_property_type)


class TargetSink(BatchSink):
    """A sink of this target, belonging to the run of its class (see ``of_run``)."""

    run: ClassVar[Run]
    _datelike: DatelikeProperties | None = None

    @classmethod
    def of_run(cls, run: Run) -> type[Self]:
        """This class, for sinks that belong to ``run``: the SDK makes a sink from the class
        that ``get_sink_class`` gives, with no arguments but its own.
        """
        namespace = {"run": run, "__module__": cls.__module__, "__qualname__": cls.__qualname__}
        return cast("type[Self]", type(cls.__name__, (cls,), namespace))

    @cached_property
    def record_validator(self) -> RecordValidator | None:
        """The SDK's record validation, as strict, with the schema compiled to cheap checks;
        ``None`` when records are not validated.
        """
        if not self.validate_schema:
            return None
        return RecordValidator(self.schema, validate_formats=self.validate_field_string_format)

    def get_validator(self) -> RecordValidator | None:
        """What the SDK validates records with: ``record_validator``."""
        return self.record_validator

    def datelike_properties(self, schema: dict[str, Any]) -> DatelikeProperties:
        """The date-like properties of ``schema`` (the sink's, but for a sink whose records a
        stream map changed), found once.
        """
        datelike = self._datelike
        if datelike is None or datelike.schema is not schema:
            datelike = self._datelike = sdk_datelike_properties(schema)
        return datelike

    @abc.abstractmethod
    def unloaded_records(self) -> int:
        """Records read since the last drain, so not loaded (yet)."""

    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Validate the record and parse its date-like values, raising ``InvalidRecord`` for
        both, quietly.
        """
        # SDK hook (Sink._validate_and_parse): the SDK logs a failed validation with a
        # traceback, and raises a plain ValueError for a date it cannot parse; the target
        # reports each once, with the record's place in the input.
        if self.record_validator is not None:
            self.record_validator.validate(record)
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
        """Parse the record's date-like values, with the schema's date-like properties found
        once; a record that needs more than parsing goes to the SDK.
        """
        # SDK hook (Sink._parse_timestamps_in_record): the SDK looks up the type of every
        # property of every record. It warns once about each property the schema lacks; the
        # names it has warned about (_warned_missing_fields) say whether it would warn now.
        parsed = self.datelike_properties(schema).parsed(record, self._warned_missing_fields)
        if parsed is None:
            super()._parse_timestamps_in_record(record, schema, treatment)
        else:
            record.update(parsed)

    def _singer_validate_message(self, record: dict[str, Any]) -> None:
        """Raise ``MissingKeyPropertiesError`` naming the key properties the record lacks."""
        # SDK hook (Sink._singer_validate_message): the SDK's message lists the record's keys
        # (its values could follow), not the missing properties.
        missing = [key for key in self.key_properties if key not in record]
        if missing:
            names = ", ".join(f"'{key}'" for key in missing)
            plural = "y" if len(missing) == 1 else "ies"
            raise MissingKeyPropertiesError(f"key propert{plural} {names} missing from the record")


class EloquaSink(TargetSink):
    """Loads one stream into Eloqua: one drain is one sync at most, run in the background.

    Rows are spooled to disk as they arrive; a drain uploads them in parts of at most
    ``max_upload_bytes``. A later record with the same identifier (in any letter case, as
    Eloqua matches them) replaces the earlier one in the batch (the last one wins); the earlier
    one is counted as merged, and listed in the rejects file as ``MERGED``.
    """

    mapping: StreamMapping
    """How the stream's records map to Eloqua: as settled before any input was read, without
    the properties its schema lacks under ``missing_properties: skip`` (see ``setup``).
    """
    _batch: RowSpool | None = None
    """The rows read since the last drain (``None`` before the first of them)."""
    _batch_number = 0
    """The run's number for the batch (see ``loading.checkpoints``): STATE waits for it."""
    _record_json: bytes | None = None
    """The record being processed, as the tap sent it (only when rejects are reported)."""
    _merged: RejectTally | None = None
    """A few identifiers of the batch's merged records, for the log."""

    @property
    def current_size(self) -> int:
        """Records read since the last drain: the SDK drains a sink only when there are some."""
        batch = self._batch  # read once: a drain thread may take it
        return batch.record_count if batch is not None else 0

    def unloaded_records(self) -> int:
        """Records of the batch being buffered: read, but not loaded (yet)."""
        return self.current_size

    def setup(self) -> None:
        """Fit the stream's mapping to its schema before any of its records arrive: a mapped
        property the schema lacks is never sent blank. Its problems are the run's, which stops
        on them before its next record (the target's doing: the problems of every SCHEMA read
        until then are told together).
        """
        schema_properties = list(self.schema.get("properties", {}))
        fit = fit_to_schema(
            self.run.mappings[self.stream_name],
            schema_properties,
            self.config["missing_properties"],
        )
        self.mapping = fit.mapping
        if fit.problems:
            self.run.schema_problems.extend(fit.problems)
            return
        if fit.dropped:
            self.run.note_once(
                "Stream '%s': mapped properties missing from the stream's schema are not "
                "loaded (missing_properties: skip): %s",
                self.stream_name,
                ", ".join(fit.dropped),
                warning=True,
            )
        mapped = self.mapping.properties
        unmapped = [p for p in schema_properties if p not in mapped and not p.startswith("_sdc_")]
        if unmapped:
            self.run.note_once(
                "Stream '%s': properties not mapped, so not sent: %s",
                self.stream_name,
                ", ".join(unmapped),
            )

    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Keep the JSON text of the record as the tap sent it, for the rejects file, before
        its date-like values are parsed; then validate and parse it.
        """
        # SDK hook (Sink._validate_and_parse): the last point where the record is as sent.
        if self.run.rejects is not None:
            self._record_json = serialize_json(record).encode("utf-8")
        return super()._validate_and_parse(record)

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Map and format the record now, so that a bad value fails before anything is sent;
        reject it if it has no identifier (Eloqua would match it to nothing).
        """
        row = record_to_row(self.mapping, record)
        identifier = self.mapping.identifier_of(row)
        if identifier is None:
            as_sent = deserialize_json(self._record_json) if self._record_json else None
            self.run.reject_unsent(
                self.mapping, blank_identifier_reason(self.mapping, record), as_sent
            )
            return
        self._stage(identifier, row, self._record_json)

    @cached_property
    def record_decoder(self) -> RecordDecoder | None:
        """Decodes the stream's records from JSON straight into the values of their rows, when
        the schema allows it (see ``typed_records``), and the run is not refused (its records
        take the SDK's way, which stops it).
        """
        if self.include_sdc_metadata_properties or self.run.refused:
            return None
        return RecordDecoder.for_stream(
            self.schema,
            self.mapping,
            self.key_properties,
            self.record_validator,
            self.datelike_properties(self.schema),
        )

    def add_record_json(self, record_json: bytes) -> bool:
        """Take a record from the JSON text of its ``record``, in one pass: the SDK's steps for
        it (see ``typed_records``), up to the check whether the sink is full.

        Returns ``False``, having done nothing, for a record this pass cannot vouch for: it
        must then take the SDK's path, which loads it or says what is wrong with it.
        """
        decoder = self.record_decoder
        if decoder is None:
            return False
        values = decoder.values(record_json)
        if values is None:
            return False
        try:
            row = format_row(self.mapping, values, decoder.formatters)
        except ValueError:  # a value the SDK's path refuses, or names the problem of
            return False
        identifier = self.mapping.identifier_of(row)
        if identifier is None:
            return False
        self.tally_record_read()
        self._stage(identifier, row, record_json)
        self.record_counter_metric.increment()
        return True

    def _stage(self, identifier: str, row: list[str], record_json: bytes | None) -> None:
        """Add the row to the batch; it replaces an earlier row with the same identifier."""
        batch = self._batch
        if batch is None:
            batch = self._batch = self._new_batch()
        # Eloqua matches identifiers in any letter case; a blank id (a new record) matches none.
        try:
            merged = batch.add(identifier.casefold() or None, row, record_json)
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
            if self._merged is None:
                self._merged = RejectTally()
            self._merged.add(MERGED, MERGED_MESSAGE, identifier)

    def _new_batch(self) -> RowSpool:
        """An empty batch, numbered; records are only kept beside rows when rejects are
        reported.
        """
        self._batch_number = self.run.checkpoints.open_batch()
        return RowSpool(
            self.mapping.keys,
            self.config["upload_format"],
            self.config["max_upload_bytes"],
            keep_records=self.run.rejects is not None,
            fingerprints=self.run.changes is not None,
        )

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
        batch = self._batch
        return batch is not None and (
            batch.record_count >= self._max_rows
            or batch.staged_bytes >= self._max_sync_bytes
            or batch.part_count >= MAX_PARTS_PER_SYNC
        )

    def process_batch(self, context: dict[str, Any]) -> None:
        """Hand the batch over to the run's sync pipeline, with a free definition of the
        stream: the pipeline uploads it at once and syncs it once the syncs it must follow have
        succeeded. Meanwhile the next batch is read: Eloqua's work does not stall the run.

        With a change store, rows unchanged since they were last loaded are left out first; a
        batch left with nothing to send is loaded as it is, with no sync.
        """
        batch, number, self._batch = self._batch, self._batch_number, None
        if batch is None:
            return
        run = self.run
        changes = None
        try:
            if run.changes is not None:
                changes = run.changes.sort_out(self.mapping, batch)
                self._log_unchanged(batch)
            run.report.add(
                self.stream_name,
                read=batch.record_count,
                merged=batch.merged_count,
                unchanged=batch.unchanged_count,
            )
            self._report_merged(batch)
            if run.dry_run:
                with batch:
                    self._write_dry_run(batch)
                return
            run.syncs.raise_if_failed()
            if self.mapping.mirror:  # unchanged rows count as sent: their members stay
                run.versions.sent(self.mapping, batch.identifiers())
            if not batch.rows_to_upload:  # no sync: the batch is loaded as it is
                batch.close()
                run.checkpoints.batch_loaded(number)
                return
            run.flush_earlier_entities(self.mapping.load_rank)
            client = run.new_client(self.stream_name)  # the batch's own, for its thread
            try:
                # Taken here, not in the pipeline: with every definition busy, reading waits.
                import_uri = run.definitions.acquire(self.mapping, client, run.stopping)
            except BaseException:
                client.close()
                raise
        except BaseException:
            batch.close()
            if changes is not None:
                changes.release()
            raise
        job = BatchJob(
            run, self.mapping, batch, import_uri, client=client, logger=self.logger, changes=changes
        )
        run.syncs.submit(
            self.stream_name,
            self.mapping.load_rank,
            batch.identifiers(),
            batch=number,
            prepare=job.stage,
            run=job.sync,
            skip=job.drop,
        )

    def _log_unchanged(self, batch: RowSpool) -> None:
        """Say how many of the batch's rows the change store left out."""
        if batch.unchanged_count:
            self.logger.info(
                "Stream '%s': %d of the batch's %d rows are unchanged since they were last "
                "loaded, and not sent",
                self.stream_name,
                batch.unchanged_count,
                batch.record_count - batch.merged_count,
            )

    def _report_merged(self, batch: RowSpool) -> None:
        """Note a few identifiers of the batch's merged records for the log, and list each in
        the rejects file (``MERGED``) with the record as the tap sent it.
        """
        merged, self._merged = self._merged, None
        if merged is None:
            return
        self.run.report.add_merged(self.stream_name, merged)
        if self.run.rejects is not None:
            self.run.rejects.write(
                unsent_entry(self.mapping, MERGED, MERGED_MESSAGE, record)
                for record in batch.superseded_records()
            )

    def _write_dry_run(self, batch: RowSpool) -> None:
        """Write each part and, once, the definition a real run would create."""
        assert self.run.dry_run is not None
        definition = definition_body(self.mapping)
        for part in batch.parts():
            path = self.run.dry_run.write(
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
        """At the end of the input: wait for the run's syncs (STATE comes after them)."""
        self.run.syncs.wait(self.run.stopping)
        super().clean_up()

    def activate_version(self, new_version: int) -> None:
        """A version of a ``mirror`` stream is complete (its batches are drained): its mirror
        job removes the members it did not send from the lists the stream adds to
        (``loading.versions``). Other imports are upserts, with no table version to switch to.
        """
        if not self.mapping.mirror or self.run.refused:
            self.logger.debug("Ignoring ACTIVATE_VERSION %d", new_version)
        elif self.run.dry_run is not None:
            self.run.note_once(
                "Dry run: stream '%s' removes no list member at ACTIVATE_VERSION", self.stream_name
            )
        else:
            self.run.versions.activate(self.mapping, self._mirror_job)

    def _mirror_job(self, sent: SentIdentifiers) -> MirrorJob:
        return MirrorJob(self.run, self.mapping, sent, logger=self.logger, max_rows=self._max_rows)


class SkippedStreamSink(TargetSink):
    """A stream without a mapping under ``unmapped_streams: skip``: its records are counted
    as read and skipped in the run's report, and dropped.
    """

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Send nothing; count the record as read and skipped at once, however the run ends."""
        self.run.report.add(self.stream_name, read=1, skipped=1)

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load nothing: the records are counted already."""

    def unloaded_records(self) -> int:
        """None: every record read is skipped, and counted so."""
        return 0

    def activate_version(self, new_version: int) -> None:
        """Nothing to switch."""
