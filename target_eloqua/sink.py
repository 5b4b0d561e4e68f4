"""One sink per stream: buffer mapped rows, and on each drain import them with one sync."""

from __future__ import annotations

import abc
import tempfile
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import ConfigValidationError, InvalidRecord, MissingKeyPropertiesError
from singer_sdk.singerlib.json import serialize_json
from singer_sdk.sinks import BatchSink

from target_eloqua.batch_job import BatchJob
from target_eloqua.mapping import (
    StreamMapping,
    blank_identifier_error,
    format_row,
    import_definition_body,
    record_to_row,
)
from target_eloqua.settings import MAX_PARTS_PER_SYNC
from target_eloqua.spool import RowSpool, RowTooLargeError
from target_eloqua.timestamps import DatelikeProperties
from target_eloqua.typed_records import RecordDecoder
from target_eloqua.validation import RecordValidator

if TYPE_CHECKING:
    from target_eloqua.target import TargetEloqua


class UnsupportedMessageError(Exception):
    """A Singer message the target cannot load (a BATCH message): the run stops unloaded."""


class UnloadableRecordError(Exception):
    """A record that cannot be buffered or uploaded: its row is larger than
    ``max_upload_bytes``, or the disk it is spooled to is full.
    """


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
        identifier = self.mapping.identifier_of(row)
        if identifier is None:
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
            client = self.eloqua.new_client(self.stream_name)  # the batch's own, for its thread
            try:
                # Taken here, not in the pipeline: with every definition busy, reading waits.
                import_uri = self.eloqua.definitions.acquire(
                    self.mapping, client, self.eloqua.stopping
                )
            except BaseException:
                client.close()
                raise
        except BaseException:
            spool.close()
            raise
        job = BatchJob(self, spool, import_uri, client)
        self.eloqua.syncs.submit(
            self.stream_name,
            self.mapping.entity.load_order,
            spool.identifiers(),
            prepare=job.stage,
            run=job.sync,
            skip=job.drop,
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
        """At the end of the input: wait for the run's syncs (STATE comes after them)."""
        self.eloqua.syncs.wait(self.eloqua.stopping)
        super().clean_up()

    def activate_version(self, new_version: int) -> None:
        """Eloqua imports are upserts; there is no table version to switch to."""
        self.logger.debug("Ignoring ACTIVATE_VERSION %d", new_version)


class SkippedStreamSink(TargetSink):
    """A stream without a mapping under ``unmapped_streams: skip``: its records are counted
    as read in the run's report, and dropped.
    """

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Send nothing (the SDK has counted the record)."""

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load nothing; report what was read."""
        self.eloqua.report.add(self.stream_name, read=self.current_size)

    def unloaded_records(self) -> int:
        """Records read since the last drain."""
        return self.current_size

    def activate_version(self, new_version: int) -> None:
        """Nothing to switch."""
