"""One sink per stream: buffer mapped rows, and on each drain import them with one sync."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.sinks import BatchSink

from target_eloqua.bulk import BulkClient, SyncTimeoutError
from target_eloqua.bulk.logs import count_sync_logs, problem_messages
from target_eloqua.mapping import import_definition_body, record_to_row
from target_eloqua.staging import encode_rows

if TYPE_CHECKING:
    from target_eloqua.target import TargetEloqua


class SyncFailedError(Exception):
    """An import sync that did not end in ``success``; the drain's records are not committed."""


class UnsupportedMessageError(Exception):
    """A Singer message the target cannot load (a BATCH message): the run stops unloaded."""


class EloquaSink(BatchSink):
    """Loads one stream into Eloqua: one drain is one upload and one sync, awaited to its end.

    Rows are buffered by identifier value: a later record with the same identifier (in any
    letter case, as Eloqua matches them) replaces the earlier one in the batch (the last one
    wins) and is counted as merged.
    """

    def __init__(
        self,
        target: TargetEloqua,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: list[str] | None,
    ) -> None:
        super().__init__(target, stream_name, schema, key_properties)
        self.eloqua = target
        self.mapping = target.stream_mappings[stream_name]
        self._client: BulkClient | None = None

    @property
    def client(self) -> BulkClient:
        """This sink's own Bulk API client: drains of several sinks run in threads."""
        if self._client is None:
            self._client = self.eloqua.new_client()
        return self._client

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

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Map and format the record now, so that a bad value fails before anything is sent."""
        row = record_to_row(self.mapping, record)
        rows: dict[Any, dict[str, str]] = context.setdefault("rows", {})
        # Eloqua matches identifiers in any letter case; a blank one matches no record at all.
        key: Any = row[self.mapping.identifier_key].casefold() or object()
        if key in rows:
            self.tally_duplicate_merged()
        rows[key] = row
        context["read"] = context.get("read", 0) + 1

    def process_batch(self, context: dict[str, Any]) -> None:
        """Stage the batch, sync it, and return only once Eloqua has imported all of it."""
        rows = list(context.get("rows", {}).values())
        if not rows:
            return
        read = context["read"]
        self.eloqua.report.add(self.stream_name, read=read, merged=read - len(rows))
        payload, content_type = encode_rows(rows, self.mapping.keys, self.config["upload_format"])
        if self.eloqua.dry_run:
            self._write_dry_run(payload)
            return
        import_uri = self.eloqua.definitions.uri(self.mapping, self.client)
        started = time.monotonic()
        self.client.upload(import_uri, payload, content_type)
        self.eloqua.report.add(self.stream_name, uploaded=len(rows), uploaded_bytes=len(payload))
        self.logger.info(
            "Uploaded %d rows (%d bytes) to %s in %.1f s",
            len(rows),
            len(payload),
            import_uri,
            time.monotonic() - started,
        )
        self._sync(import_uri, len(rows))

    def _sync(self, import_uri: str, row_count: int) -> None:
        started = time.monotonic()
        sync = self.client.create_sync(import_uri)
        self.logger.info("Created sync %s for %s", sync["uri"], import_uri)
        try:
            sync = self._wait_for(sync["uri"], row_count)
        except SyncTimeoutError as error:
            raise SyncFailedError(f"stream '{self.stream_name}': {error}") from error
        elapsed = time.monotonic() - started
        logs = self.client.list_items(f"{sync['uri']}/logs")
        counts = count_sync_logs(logs)
        self.eloqua.report.add_sync(self.stream_name, counts)
        self.logger.info(
            "Sync %s ended %s in %.1f s: %d rows, %d created, %d updated, %d rejected",
            sync["uri"],
            sync["status"],
            elapsed,
            row_count,
            counts.created,
            counts.updated,
            counts.rejected,
        )
        if sync["status"] != "success":
            for line in problem_messages(logs):
                self.logger.error("Sync %s: %s", sync["uri"], line)
            raise SyncFailedError(
                f"stream '{self.stream_name}': sync {sync['uri']} ended '{sync['status']}'; "
                f"Eloqua's log of it is at {sync['uri']}/logs and the records it rejected at "
                f"{sync['uri']}/rejects"
            )

    def _wait_for(self, sync_uri: str, row_count: int) -> dict[str, Any]:
        """Poll the sync to its end, logging each new status with the drain's row count."""
        return self.client.wait_for_sync(
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

    def _write_dry_run(self, payload: bytes) -> None:
        """Write the upload and, once, the definition a real run would create."""
        assert self.eloqua.dry_run is not None
        part = self.eloqua.dry_run.write(
            self.stream_name,
            import_definition_body(self.mapping),
            payload,
            self.config["upload_format"],
        )
        self.logger.info("Dry run: wrote %d bytes to %s", len(payload), part)

    def process_batch_files(self, encoding: Any, files: Sequence[str]) -> None:
        """Refuse BATCH messages: the SDK would hand their records to ``process_batch`` with no
        validation or mapping, and nothing would reach Eloqua while STATE went on.
        """
        raise UnsupportedMessageError(
            f"stream '{self.stream_name}': BATCH messages are not supported; have the tap send "
            "RECORD messages (leave its batch_config unset)"
        )

    def clean_up(self) -> None:
        """At the end of the input: release the client's connections."""
        if self._client is not None:
            self._client.close()
        super().clean_up()

    def activate_version(self, new_version: int) -> None:
        """Eloqua imports are upserts; there is no table version to switch to."""
        self.logger.debug("Ignoring ACTIVATE_VERSION %d", new_version)


class SkippedStreamSink(BatchSink):
    """A stream without a mapping under ``unmapped_streams: skip``: its records are dropped."""

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Send nothing."""

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load nothing."""

    def activate_version(self, new_version: int) -> None:
        """Nothing to switch."""
