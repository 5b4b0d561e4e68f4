"""One sink per stream: buffer mapped rows, and on each drain import them with one sync."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from singer_sdk.sinks import BatchSink

from target_eloqua.bulk import BulkClient
from target_eloqua.mapping import record_to_row
from target_eloqua.staging import encode_rows

if TYPE_CHECKING:
    from target_eloqua.target import TargetEloqua


class SyncFailedError(Exception):
    """An import sync that did not end in ``success``; the drain's records are not committed."""


class EloquaSink(BatchSink):
    """Loads one stream into Eloqua: one drain is one upload and one sync, awaited to its end."""

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
            self._client = BulkClient(self.eloqua.base_url(), self.eloqua.auth)
        return self._client

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Map and format the record now, so that a bad value fails before anything is sent."""
        context.setdefault("rows", []).append(record_to_row(self.mapping, record))

    def process_batch(self, context: dict[str, Any]) -> None:
        """Stage the batch, sync it, and return only once Eloqua has imported all of it."""
        rows = context.get("rows")
        if not rows:
            return
        import_uri = self.eloqua.import_definition_uri(self.mapping, self.client)
        payload, content_type = encode_rows(rows, self.mapping.keys, self.config["upload_format"])
        self.client.upload(import_uri, payload, content_type)
        self.logger.info("Uploaded %d rows (%d bytes) to %s", len(rows), len(payload), import_uri)

        started = time.monotonic()
        sync = self.client.create_sync(import_uri)
        self.logger.info("Created sync %s for %s", sync["uri"], import_uri)
        sync = self.client.wait_for_sync(
            sync["uri"],
            timeout=float(self.config["sync_timeout_seconds"]),
            first_interval=float(self.config["poll_interval_seconds"]),
        )
        elapsed = time.monotonic() - started
        if sync["status"] != "success":
            raise SyncFailedError(
                f"stream '{self.stream_name}': sync {sync['uri']} ended '{sync['status']}' "
                f"after {elapsed:.1f} s; Eloqua's logs and rejected records are at "
                f"{sync['uri']}/logs and {sync['uri']}/rejects"
            )
        self.logger.info("Sync %s succeeded in %.1f s: %d rows", sync["uri"], elapsed, len(rows))

    def clean_up(self) -> None:
        """At the end of the input: release the client's connections."""
        if self._client is not None:
            self._client.close()
        super().clean_up()

    def activate_version(self, new_version: int) -> None:
        """Eloqua imports are upserts; there is no table version to switch to."""
        self.logger.debug("Ignoring ACTIVATE_VERSION %d", new_version)
