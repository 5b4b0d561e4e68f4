"""Reading back what a batch loaded (``verify: sample`` or ``all``), and comparing it with what
was sent (docs/verify.md).

Once a batch's sync has ended within policy, its batch job checks the batch here, in the job's
own thread: before any later sync of a record of the batch can overwrite what is read back, and
before the STATE the batch holds back is written. The rows to check come from the batch's spool
(every row Eloqua did not reject, or a random share of the stream's sample), so memory holds a
few groups of rows, never the batch. Eloqua finds them by their identifier through Bulk API
exports: an export definition per group of rows, its filter an ``OR`` of the identifiers'
equalities within Eloqua's 1,000 characters, a few syncs at a time, each sync's data read in
pages. Each row is then compared, field by field, with the record read back
(``mapping.readback``): a record that differs, or is not found, is a finding.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from typing import Any

from target_eloqua.bulk import BulkClient, EloquaError
from target_eloqua.bulk.logs import problem_messages
from target_eloqua.errors import VerifyFailedError
from target_eloqua.loading.spool import RowSpool
from target_eloqua.mapping.entities import ACCOUNTS, Entity, parse_statement
from target_eloqua.mapping.fields import FieldCatalog
from target_eloqua.mapping.readback import identifier_filters, identity, same_value
from target_eloqua.mapping.streams import Column, StreamMapping

VERIFY_STATUS = "VERIFY"
"""The status code of a record read back different from what was sent, in the rejects file."""

EXPORTS_AT_ONCE = 5
"""Export syncs a batch has running at once while it reads back."""

EXPORT_LIFETIME = "PT1H"
"""How long the export definitions and their data stay in Eloqua: the least Eloqua allows."""

READ_BACK_ENDS = frozenset({"success", "warning"})
"""The ends of an export sync that read its records."""

Row = tuple[int, list[str]]
"""A row to check: its position in the batch's uploads (``recordIndex``) and its values."""


class Verification:
    """What ``verify`` asks of the run, and what each stream's checks keep between batches."""

    def __init__(self, mode: str, sample_size: int) -> None:
        self.mode = mode
        self.sample_size = sample_size
        self._lock = threading.Lock()
        self._streams: dict[str, StreamChecks] = {}

    @property
    def enabled(self) -> bool:
        """Whether batches are read back at all (``verify`` is not ``none``)."""
        return self.mode != "none"

    def of(self, mapping: StreamMapping) -> StreamChecks:
        """The checks of the mapping's stream, made on first use."""
        with self._lock:
            checks = self._streams.get(mapping.stream)
            if checks is None:
                sample = self.sample_size if self.mode == "sample" else None
                checks = self._streams[mapping.stream] = StreamChecks(sample)
            return checks


def read_back_columns(mapping: StreamMapping) -> tuple[Column, ...]:
    """The columns read back: every mapped field but users linked to accounts, which an export
    does not read."""
    return tuple(column for column in mapping.columns if not column.user_link)


class StreamChecks:
    """One stream's checks across its batches: how many records of the sample are left to
    read, and the data type of each field read back (from Eloqua's ``/fields``, asked once per
    mapping: a new SCHEMA may leave a column out, ``missing_properties: skip``)."""

    def __init__(self, sample_left: int | None) -> None:
        self.sample_left = sample_left
        """Records the stream's batches may still read back; None: every one (``all``)."""
        self._lock = threading.Lock()
        self._types: dict[tuple[Column, ...], dict[str, str]] = {}

    def claim(self, wanted: int) -> int:
        """How many of ``wanted`` records a batch reads back: all of them with ``verify: all``,
        else as many as are left of the stream's sample (first come, first served)."""
        with self._lock:
            if self.sample_left is None:
                return wanted
            granted = min(wanted, self.sample_left)
            self.sample_left -= granted
            return granted

    def data_types(self, mapping: StreamMapping, client: BulkClient) -> dict[str, str]:
        """Each read-back column's field statement -> its data type."""
        with self._lock:
            types = self._types.get(mapping.columns)
            if types is None:
                columns = read_back_columns(mapping)
                types = self._types[mapping.columns] = _data_types(mapping, columns, client)
            return types


@dataclass(frozen=True)
class Findings:
    """What reading back one group of rows found: how many records were compared, and a line
    of the rejects file for each that differs or is missing."""

    verified: int
    mismatches: list[dict[str, Any]]


class BatchReadBack:
    """Reads back the rows of one batch, loaded with ``mapping``, that its sync loaded, group by
    group."""

    def __init__(
        self,
        checks: StreamChecks,
        mapping: StreamMapping,
        client: BulkClient,
        *,
        timeout: float,
        poll_interval: float,
        stop_if_asked: Callable[[], None],
    ) -> None:
        self.checks = checks
        self.mapping = mapping
        self.columns = read_back_columns(mapping)
        self.client = client
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.stop_if_asked = stop_if_asked
        self.exports = 0
        """Export syncs made so far."""
        self.types: dict[str, str] = {}
        """Each column's statement -> its data type (known once ``findings`` has begun)."""
        self.read_back = [
            (position, column)
            for position, column in enumerate(mapping.columns)
            if column in self.columns
        ]
        """Each column read back, with its position in a row."""
        self.identifier = self.mapping.column(self.mapping.identifier)

    def findings(self, spool: RowSpool, rejected: Set[int], sync_uri: str) -> Iterator[Findings]:
        """The findings of each group of the batch's rows, as each group's export ends.

        ``rejected`` are the positions of the rows Eloqua rejected, which it did not load;
        ``sync_uri`` is the sync that loaded the others. Raises ``VerifyFailedError`` when
        Eloqua fails an export, or ``RunStoppedError`` when the run is stopping.
        """
        position = self.mapping.identifier_position
        rows = (
            row
            for row in spool.uploaded_rows(self._positions(spool, rejected))
            if row[1][position].strip()
        )
        groups = identifier_filters(self.identifier.field, rows, lambda row: row[1][position])
        running: deque[tuple[list[Row], str]] = deque()
        try:
            self.types = self.checks.data_types(self.mapping, self.client)
            for filter_text, group in groups:
                self.stop_if_asked()
                running.append((group, self._start_export(filter_text)))
                if len(running) >= EXPORTS_AT_ONCE:
                    yield self._compare(spool, sync_uri, *running.popleft())
            while running:
                yield self._compare(spool, sync_uri, *running.popleft())
        except EloquaError as error:
            raise VerifyFailedError(
                f"stream '{self.mapping.stream}': reading back what sync {sync_uri} loaded "
                f"failed: {error}"
            ) from error

    def _positions(self, spool: RowSpool, rejected: Set[int]) -> Iterable[int]:
        """The positions of the rows to read back, in upload order."""
        count = spool.uploaded_count
        if self.checks.sample_left is None:
            return (index for index in range(1, count + 1) if index not in rejected)
        rejected_rows = sum(1 for index in rejected if 1 <= index <= count)
        granted = self.checks.claim(count - rejected_rows)
        drawn = random.sample(range(1, count + 1), granted + rejected_rows)
        return sorted([index for index in drawn if index not in rejected][:granted])

    def _start_export(self, filter_text: str) -> str:
        """Start an export of the records the filter finds; its sync's uri."""
        self.exports += 1
        return start_export(
            self.client,
            self.mapping.entity,
            f"target-eloqua verify {self.mapping.stream}",
            {column.key: column.field for column in self.columns},
            filter_text,
            utc_timestamps=True,
        )

    def _compare(
        self, spool: RowSpool, sync_uri: str, group: list[Row], export_sync: str
    ) -> Findings:
        """Wait for the group's export, and compare each row with the record read back."""
        failure = export_failure(
            self.client, export_sync, timeout=self.timeout, poll_interval=self.poll_interval
        )
        if failure is not None:
            raise VerifyFailedError(
                f"stream '{self.mapping.stream}': export sync {export_sync}, reading back what "
                f"sync {sync_uri} loaded, {failure}"
            )
        stored = self._read(export_sync, {self._key(values) for _, values in group})
        verified, mismatches = 0, []
        for index, values in group:
            found = stored.get(self._key(values), [])
            if not found and self.mapping.import_rule == "updateOnly":
                continue  # a row that matched no record: Eloqua skipped it, and loaded nothing
            verified += 1
            differences = self._differences(values, found)
            if differences is not None:
                mismatches.append(self._line(spool, sync_uri, index, values, differences))
        return Findings(verified, mismatches)

    def _read(self, export_sync: str, wanted: Set[str]) -> dict[str, list[dict[str, str]]]:
        """The records an export read, by their identifier, those of the group only."""
        key = self.identifier.key
        stored: dict[str, list[dict[str, str]]] = {}
        for page in self.client.export_pages(export_sync):
            for item in page:
                found = identity(self.types[self.identifier.field], str(item.get(key) or ""))
                if found in wanted:
                    stored.setdefault(found, []).append(item)
        return stored

    def _key(self, values: list[str]) -> str:
        identifier_type = self.types[self.identifier.field]
        return identity(identifier_type, values[self.mapping.identifier_position])

    def _differences(
        self, values: list[str], found: list[dict[str, str]]
    ) -> dict[str, dict[str, str | None]] | None:
        """None if one of the records found has every value sent; else each field the first
        one has otherwise (each field, when none was found)."""
        if not found:
            return {c.property: {"sent": values[n], "stored": None} for n, c in self.read_back}
        first: dict[str, dict[str, str | None]] | None = None
        for item in found:
            differences: dict[str, dict[str, str | None]] = {
                column.property: {"sent": values[n], "stored": str(item.get(column.key) or "")}
                for n, column in self.read_back
                if not same_value(
                    self.types[column.field], values[n], str(item.get(column.key) or "")
                )
            }
            if not differences:
                return None
            first = first or differences
        return first

    def _line(
        self,
        spool: RowSpool,
        sync_uri: str,
        index: int,
        values: list[str],
        differences: dict[str, dict[str, str | None]],
    ) -> dict[str, Any]:
        """The rejects file's line about a record read back different from what was sent."""
        record = spool.records([index]).get(index)
        identifier = values[self.mapping.identifier_position]
        if isinstance(record, dict) and self.mapping.identifier in record:
            identifier = record[self.mapping.identifier]
        missing = all(change["stored"] is None for change in differences.values())
        return {
            "stream": self.mapping.stream,
            "identifier": identifier,
            "status_code": VERIFY_STATUS,
            "message": "Not found in Eloqua when read back"
            if missing
            else "Read back from Eloqua different from what was sent",
            "invalid_fields": list(differences),
            "differences": differences,
            "sync_uri": sync_uri,
            "record_index": index,
            "record": record,
        }


def _data_types(
    mapping: StreamMapping, columns: Iterable[Column], client: BulkClient
) -> dict[str, str]:
    """Each column's statement -> the data type of its field, from Eloqua's ``/fields`` of the
    stream's entity (and of accounts, for a contact's account fields); text when unknown."""
    entity = mapping.entity
    catalogs = {entity: FieldCatalog.from_api(client.list_items(entity.fields_path))}
    types = {}
    for column in columns:
        statement = parse_statement(column.field)
        system = entity.system_field_type(statement.path) if statement else None
        related = statement.related if statement else None
        if system is not None:
            types[column.field] = system
            continue
        if related is not None:
            if ACCOUNTS not in catalogs:
                catalogs[ACCOUNTS] = FieldCatalog.from_api(client.list_items(ACCOUNTS.fields_path))
            field = catalogs[ACCOUNTS].by_name(related[1])
        else:
            field = catalogs[entity].by_statement(column.field)
        types[column.field] = field.data_type if field is not None else "string"
    return types


def start_export(
    client: BulkClient,
    entity: Entity,
    name: str,
    fields: Mapping[str, str],
    filter_text: str,
    *,
    utc_timestamps: bool = False,
) -> str:
    """Create an export of the entity's records the filter finds, living ``EXPORT_LIFETIME``,
    and start its sync; the sync's uri.
    """
    body: dict[str, Any] = {"name": name[:100], "fields": fields, "filter": filter_text}
    if utc_timestamps:
        body["areSystemTimestampsInUTC"] = True
    body["autoDeleteDuration"] = body["dataRetentionDuration"] = EXPORT_LIFETIME
    definition = client.create_export(f"/{entity.path}/exports", body)
    return str(client.sync_export(definition["uri"])["uri"])


def export_failure(
    client: BulkClient, sync_uri: str, *, timeout: float, poll_interval: float
) -> str | None:
    """Wait for an export sync's end; ``None`` when it read its records, else how it ended,
    with Eloqua's warnings and errors about it.
    """
    ended = client.wait_for_sync(sync_uri, timeout=timeout, first_interval=poll_interval)
    if ended["status"] in READ_BACK_ENDS:
        return None
    said = "; ".join(problem_messages(client.list_items(f"{sync_uri}/logs")))
    return f"ended '{ended['status']}'" + (f": {said}" if said else "")
