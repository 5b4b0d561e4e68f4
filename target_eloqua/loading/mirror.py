"""``mirror``: the members of a list kept to what a version of a stream sent (docs/mapping.md,
"Keeping a list to its source: mirror").

A mirror job runs in the sync pipeline once every earlier sync of its stream has succeeded
(``versions`` puts it there at the stream's ACTIVATE_VERSION). For each list the stream's sync
actions add to, it reads the list's members with a Bulk API export
(``EXISTS('{{ContactList[id]}}')``, Oracle's filter), ``MEMBERS_PAGE_SIZE`` at a time: each
member's value of the stream's identifier and its Eloqua id (``{{Contact.Id}}``). It keeps, by
their id, spooled to disk, those whose identifier the version did not send (compared as Eloqua
compares identifiers; a member without a value was not sent), and removes them through a
sync-action definition matching on the id with ``remove`` on the list: the same upload, sync and
logs as any batch (``batch_job``), each sync at most ``batch_size_rows`` members,
``max_sync_bytes`` or 500 uploads. Removing by id removes exactly the members read, also those
without a value or sharing one. The members removed are those Eloqua's logs count; those it did
not remove are logged as a warning. Memory holds a page of members, never the list. With a
change store, the identifiers of the members removed are forgotten there, so that a later
version that sends them adds them back.

https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/Filtering.htm
https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/Syncs/sync-actions.htm
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from target_eloqua.bulk import BulkClient
from target_eloqua.errors import SyncFailedError
from target_eloqua.loading.batch_job import BatchJob
from target_eloqua.loading.report import SyncRecord
from target_eloqua.loading.run import Run
from target_eloqua.loading.spool import RowSpool
from target_eloqua.loading.verify import export_failure, start_export
from target_eloqua.loading.versions import SentIdentifiers
from target_eloqua.mapping.definition import MAX_PARTS_PER_SYNC
from target_eloqua.mapping.streams import Column, StreamMapping
from target_eloqua.mapping.sync_actions import SyncAction, record_id_statement

MEMBERS_PAGE_SIZE = 10_000
"""Members read per page of the export: pages of 50,000 (the most Eloqua gives) hold about 25 MB
more at once, and read no faster (``bench/mirror.py``)."""

ID_KEY = "Id"
"""The key of a member's Eloqua id, in the export of the members and the removal's rows."""
IDENTIFIER_KEY = "Identifier"
"""The key of a member's value of the stream's identifier, in the export of the members."""


class MirrorJob:
    """Removes from the stream's lists the members one version did not send."""

    def __init__(
        self,
        run: Run,
        mapping: StreamMapping,
        sent: SentIdentifiers,
        *,
        logger: logging.Logger,
        max_rows: int,
    ) -> None:
        self.run = run
        self.mapping = mapping
        self.sent = sent
        self.logger = logger
        self.max_rows = max_rows
        record_id = record_id_statement(mapping.entity)
        identifier = mapping.column(mapping.identifier).field
        self.identifier_key = ID_KEY if identifier == record_id else IDENTIFIER_KEY
        self.member_fields = {ID_KEY: record_id, self.identifier_key: identifier}
        """What the export of the members reads: each one's id and identifier."""

    def run_job(self) -> None:
        """Mirror each list, then let go of the version's identifiers."""
        try:
            for destination in self.mapping.mirrored_lists:
                self._mirror(destination)
        finally:
            self.sent.close()

    def skip(self, reason: BaseException) -> None:
        """An earlier sync of the stream failed: nothing is removed."""
        self.sent.close()
        self.logger.warning(
            "Stream '%s': no member removed from %s: %s",
            self.mapping.stream,
            ", ".join(self.mapping.mirrored_lists),
            reason,
        )

    def _mirror(self, destination: str) -> None:
        """Remove the list's members the version did not send."""
        client = self.run.new_client(self.mapping.stream)
        spool, members, leaving, removed = self._new_spool(), 0, 0, 0
        try:
            members_sync = self._export_members(destination, client)
            for page in client.export_pages(members_sync, page_size=MEMBERS_PAGE_SIZE):
                members += len(page)
                for member_id in self._not_sent(page):
                    leaving += 1
                    spool.add(None, [member_id])
                    if self._full(spool):
                        removed += self._remove(spool, destination)
                        spool = self._new_spool()
            if spool.record_count:
                removed += self._remove(spool, destination)
        finally:
            spool.close()
            client.close()
        self.logger.info(
            "Stream '%s': %s had %d members, %d of them sent by this version; %d removed%s",
            self.mapping.stream,
            destination,
            members,
            members - leaving,
            removed,
            f", {leaving - removed} not removed" if removed < leaving else "",
        )

    def _not_sent(self, page: Sequence[dict[str, Any]]) -> list[str]:
        """The ids of the members of the page whose identifier the version did not send."""
        values = [str(item.get(self.identifier_key) or "") for item in page]
        missing = set(self.sent.missing(values))
        if self.run.changes is not None:  # a member removed is sent again when it returns
            self.run.changes.forget(self.mapping.stream, missing)
        return [
            str(item[ID_KEY]) for item, value in zip(page, values, strict=True) if value in missing
        ]

    def _export_members(self, destination: str, client: BulkClient) -> str:
        """Export the list's members' ids and identifiers; the ended export sync's uri."""
        sync_uri = start_export(
            client,
            self.mapping.entity,
            f"target-eloqua mirror {self.mapping.stream}",
            self.member_fields,
            f"EXISTS('{destination}')",
        )
        failure = export_failure(
            client,
            sync_uri,
            timeout=float(self.run.config["sync_timeout_seconds"]),
            poll_interval=float(self.run.config["poll_interval_seconds"]),
        )
        if failure is not None:
            raise SyncFailedError(
                f"stream '{self.mapping.stream}': export sync {sync_uri}, reading the members "
                f"of {destination}, {failure}"
            )
        return sync_uri

    def _remove(self, spool: RowSpool, destination: str) -> int:
        """Remove the spooled members from the list by their id, in one sync; how many Eloqua
        removed.
        """
        removal = removal_mapping(self.mapping, destination)
        client = self.run.new_client(self.mapping.stream)
        try:
            uri = self.run.definitions.acquire(removal, client, self.run.stopping)
        except BaseException:
            client.close()
            raise
        job = BatchJob(
            self.run, removal, spool, uri, client=client, logger=self.logger, mirror=True
        )
        job.stage()
        job.sync()
        assert job.ended is not None  # sync() returns once the sync has ended
        warning = not_removed_warning(self.mapping.stream, destination, job.ended)
        if warning:
            self.logger.warning("%s", warning)
        return job.ended.list_removed

    def _new_spool(self) -> RowSpool:
        config = self.run.config
        return RowSpool([ID_KEY], config["upload_format"], config["max_upload_bytes"])

    def _full(self, spool: RowSpool) -> bool:
        """Whether the removal takes no more members: as a stream's batch is full."""
        return (
            spool.record_count >= self.max_rows
            or spool.staged_bytes >= self.run.config["max_sync_bytes"]
            or spool.part_count >= MAX_PARTS_PER_SYNC
        )


def removal_mapping(mapping: StreamMapping, destination: str) -> StreamMapping:
    """The mapping of a removal of the stream's members from the list: a sync-action definition
    matching them on their Eloqua id, which each member has, with ``remove`` on the list.
    """
    return replace(
        mapping,
        identifier=ID_KEY,
        columns=(Column(ID_KEY, ID_KEY, record_id_statement(mapping.entity)),),
        sync_actions=(SyncAction("remove", destination),),
        mirror=False,
    )


def not_removed_warning(stream: str, destination: str, sync: SyncRecord) -> str | None:
    """What to warn of when a removal sync did not remove every member it was given, and
    where Eloqua's rejects of it are; ``None`` when it did.
    """
    if sync.list_removed >= sync.rows:
        return None
    return (
        f"Stream '{stream}': {sync.rows - sync.list_removed} of the {sync.rows} members to "
        f"remove from {destination} were not removed: sync {sync.uri} ended {sync.status} "
        f"({sync.rejected} rejected, {sync.unmatched} matching no record); Eloqua's rejects "
        f"of it are at {sync.uri}/rejects"
    )
