"""One batch of rows, spooled to disk and cut into upload parts.

Rows are encoded for upload as they arrive (a CSV line, or a JSON object) and appended to an
anonymous temporary file, so memory holds offsets and the batch's identifiers (to find
duplicates), about 150 bytes a row, not rows. The operating system removes the files when they
are closed, or when the process ends in any way.

A later row with the same key supersedes the earlier one: the last one wins. The upload parts
skip superseded rows, and rows left out as unchanged (see ``loading.change_store``, which the
fingerprints of rows are for); the position of a row across all parts (``recordIndex`` in
Eloqua's rejects, 1-based) leads back to the record the row came from.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import tempfile
import weakref
from array import array
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import IO, Any

from singer_sdk.singerlib.json import deserialize_json

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}

FINGERPRINT_BYTES = 8
"""The size of a row's fingerprint: a BLAKE2b hash of its bytes as uploaded."""

SUPERSEDED, UNCHANGED = 1, 2
"""Why a row is left out of the parts: a later row has its key, or Eloqua has it already."""


class RowTooLargeError(ValueError):
    """A single row does not fit in one upload part."""


@dataclass(frozen=True)
class Part:
    """The body of one data upload and how many rows it holds."""

    body: bytes
    rows: int


class RowSpool:
    """The rows of one batch, on disk, ready to be cut into parts of at most ``max_part_bytes``.

    With ``keep_records``, the records the rows came from are spooled too, so that a rejected
    row can be reported with the record as the tap sent it. With ``fingerprints``, each row's
    fingerprint is kept (8 bytes a row), for the change store.
    """

    def __init__(
        self,
        keys: Sequence[str],
        upload_format: str,
        max_part_bytes: int,
        *,
        keep_records: bool = False,
        fingerprints: bool = False,
    ) -> None:
        self.keys = list(keys)
        self.upload_format = upload_format
        self.content_type = CONTENT_TYPES[upload_format]
        self.max_part_bytes = max_part_bytes
        self.record_count = 0
        """Records added, merged ones included."""
        self.merged_count = 0
        """Records replaced by a later one with the same key."""
        self.unchanged_count = 0
        """Rows left out as unchanged (``leave_out``)."""
        self.staged_bytes = 0
        self.part_count = 0
        self._encoder = (
            _CsvRowEncoder(self.keys) if upload_format == "csv" else _JsonRowEncoder(self.keys)
        )
        self._head, self._separator, self._tail = self._encoder.framing()
        self._framing = len(self._head) + len(self._tail)
        self._room = max_part_bytes - self._framing
        """The most bytes a row may take: a part holding it alone."""
        self._counting_packer = self._packer()
        # The spool owns its files: close() ends them (and the OS removes them) after the drain.
        self._rows: IO[bytes] = tempfile.TemporaryFile(prefix="target-eloqua-rows-")  # noqa: SIM115
        self._row_ends = array("q")
        self._left_out = bytearray()
        """Per row: 0, ``SUPERSEDED`` or ``UNCHANGED``."""
        self._latest: dict[str, int] = {}
        self._fingerprints = bytearray() if fingerprints else None
        self._records: IO[bytes] | None = None
        self._record_ends = array("q")
        if keep_records:
            self._records = tempfile.TemporaryFile(prefix="target-eloqua-records-")  # noqa: SIM115
        self._uploaded = array("q")
        self._sealed = False
        # A batch the run never drained (it failed first) is closed when it is collected.
        self._finalizer = weakref.finalize(self, _close_all, self._rows, self._records)

    def add(self, key: str | None, row: Sequence[str], record_json: bytes | None = None) -> bool:
        """Spool ``row`` (its values in the order of ``keys``) and the JSON text of the record
        it came from (kept only with ``keep_records``; without it, the record is unknown).

        ``key`` is what rows are matched on; ``None`` never matches. Returns whether the row
        supersedes an earlier one. Raises ``RowTooLargeError`` if the row cannot fit in a part.
        """
        if self._sealed:
            raise RuntimeError("rows cannot be added once the spool's parts have been read")
        encoded = self._encoder.encode(row)
        size = len(encoded)
        if size > self._room:
            raise RowTooLargeError(
                f"the row takes {size} bytes, more than fits in one upload "
                f"(max_upload_bytes: {self.max_part_bytes})"
            )
        # Leaving superseded rows out later never needs more parts than counted here.
        if self._counting_packer.place(size):
            self.part_count += 1
        sequence = self.record_count
        self._rows.write(encoded)
        self.staged_bytes += size
        self._row_ends.append(self.staged_bytes)
        self._left_out.append(0)
        if self._fingerprints is not None:
            self._fingerprints += hashlib.blake2b(encoded, digest_size=FINGERPRINT_BYTES).digest()
        if self._records is not None:
            self._records.write(record_json or b"null")
            self._record_ends.append(self._records.tell())
        self.record_count += 1
        superseded = False
        if key is not None:
            earlier = self._latest.get(key)
            if earlier is not None:
                self._left_out[earlier] = SUPERSEDED
                self.merged_count += 1
                superseded = True
            self._latest[key] = sequence
        return superseded

    def identifiers(self) -> Set[str]:
        """The batch's identifiers as Eloqua compares them (letter case folded), blank ones
        left out.
        """
        return self._latest.keys()

    def keyed_rows(self) -> tuple[list[str], list[int], list[int]]:
        """The rows that go in with a key (the last row of each key): their keys, their
        sequences in the batch and their fingerprints (as signed 64-bit integers); none
        without ``fingerprints``.
        """
        fingerprints = self._fingerprints
        if fingerprints is None:
            return [], [], []
        size = FINGERPRINT_BYTES
        sequences = list(self._latest.values())
        return (
            list(self._latest),
            sequences,
            [
                int.from_bytes(fingerprints[at : at + size], "little", signed=True)
                for at in (sequence * size for sequence in sequences)
            ],
        )

    def leave_out(self, sequences: Iterable[int]) -> None:
        """Leave the rows at these sequences out of the parts: Eloqua has them as they are."""
        if self._sealed:
            raise RuntimeError("rows cannot be left out once the spool's parts have been read")
        for sequence in sequences:
            self._left_out[sequence] = UNCHANGED
            self.unchanged_count += 1

    @property
    def rows_to_upload(self) -> int:
        """Rows the parts hold: neither superseded nor left out as unchanged."""
        return self.record_count - self.merged_count - self.unchanged_count

    def _packer(self) -> _PartPacker:
        return _PartPacker(self._framing, len(self._separator), self.max_part_bytes)

    def parts(self) -> Iterator[Part]:
        """The upload bodies, in row order, each within ``max_part_bytes``; CSV parts each
        start with the header row. Once they are read, no more rows can be added; reading them
        again gives the same parts (a drain uploads them again after a lost answer).
        """
        self._sealed = True
        self._uploaded = array("q")
        if self.merged_count or self.unchanged_count or self._separator:
            yield from self._parts_row_by_row()
        else:
            yield from self._contiguous_parts()

    def _contiguous_parts(self) -> Iterator[Part]:
        """The parts when every row goes in, with nothing between rows (CSV without merges):
        each is a run of the file, found by its bytes, and read at once.
        """
        ends = self._row_ends
        first, start = 0, 0
        while first < len(ends):
            after = max(bisect.bisect_right(ends, start + self._room), first + 1)  # past the last
            self._rows.seek(start)
            body = self._rows.read(ends[after - 1] - start)
            yield Part(b"".join([self._head, body, self._tail]), after - first)
            self._uploaded.extend(range(first, after))
            first, start = after, ends[after - 1]

    def _parts_row_by_row(self) -> Iterator[Part]:
        """The parts, leaving superseded and unchanged rows out."""
        self._rows.seek(0)
        packer = self._packer()
        chunks: list[bytes] = []
        start = 0
        for sequence, end in enumerate(self._row_ends):
            encoded = self._rows.read(end - start)
            start = end
            if self._left_out[sequence]:
                continue
            if packer.place(len(encoded)) and chunks:
                yield self._part(chunks)
                chunks = []
            chunks.append(encoded)
            self._uploaded.append(sequence)
        if chunks:
            yield self._part(chunks)

    def _part(self, chunks: list[bytes]) -> Part:
        """One body from the rows, built with a single copy: parts are up to 32 MB."""
        pieces = [self._head]
        for chunk in chunks:
            if self._separator and len(pieces) > 1:
                pieces.append(self._separator)
            pieces.append(chunk)
        pieces.append(self._tail)
        return Part(b"".join(pieces), len(chunks))

    def records(self, indexes: Iterable[int]) -> dict[int, Any]:
        """The records behind rows at 1-based positions across the parts (``recordIndex``),
        once ``parts()`` has been read.

        Positions outside the parts are left out; so is everything when records are not kept.
        """
        found: dict[int, Any] = {}
        if self._records is None:
            return found
        for index in sorted(set(indexes)):
            sequence = self.uploaded_sequence(index)
            if sequence is not None:
                found[index] = self._record(self._records, sequence)
        return found

    @property
    def uploaded_count(self) -> int:
        """Rows in the parts, once ``parts()`` has been read."""
        return len(self._uploaded)

    def uploaded_sequence(self, index: int) -> int | None:
        """The sequence in the batch of the row at a 1-based position across the parts
        (``recordIndex``), once ``parts()`` has been read; ``None`` outside them.
        """
        return self._uploaded[index - 1] if 1 <= index <= len(self._uploaded) else None

    def uploaded_rows(self, indexes: Iterable[int]) -> Iterator[tuple[int, list[str]]]:
        """The rows at 1-based positions across the parts (``recordIndex``), each with its
        values as they were uploaded, in the order given, once ``parts()`` has been read.
        Positions outside the parts are left out.
        """
        for index in indexes:
            sequence = self.uploaded_sequence(index)
            if sequence is not None:
                yield index, self._encoder.decode(_item(self._rows, self._row_ends, sequence))

    def superseded_records(self) -> Iterator[Any]:
        """The records behind the rows a later row with the same key superseded, one at a time,
        in the order they were added; none when records are not kept.
        """
        if self._records is None:
            return
        sequence = self._left_out.find(SUPERSEDED)
        while sequence != -1:
            yield self._record(self._records, sequence)
            sequence = self._left_out.find(SUPERSEDED, sequence + 1)

    def _record(self, records: IO[bytes], sequence: int) -> Any:
        """The record added with the row at ``sequence`` (0-based)."""
        return deserialize_json(_item(records, self._record_ends, sequence))

    def close(self) -> None:
        """Remove the spooled files."""
        self._finalizer()

    def __enter__(self) -> RowSpool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _PartPacker:
    """Fills parts in row order, each at most ``limit`` bytes with its framing: a row goes
    into the open part if it fits, else it opens the next one.
    """

    def __init__(self, framing: int, separator: int, limit: int) -> None:
        self.framing = framing
        self.separator = separator
        self.limit = limit
        self._open_part_bytes = 0  # none open yet

    def place(self, row_bytes: int) -> bool:
        """Place a row of ``row_bytes``; returns whether it opened a new part."""
        grown = self._open_part_bytes + self.separator + row_bytes
        if self._open_part_bytes and grown <= self.limit:
            self._open_part_bytes = grown
            return False
        self._open_part_bytes = self.framing + row_bytes
        return True


def _item(file: IO[bytes], ends: array[int], sequence: int) -> bytes:
    """The bytes of the item at ``sequence`` (0-based) of a file of items ending at ``ends``."""
    start = ends[sequence - 1] if sequence else 0
    file.seek(start)
    return file.read(ends[sequence] - start)


def _close_all(*files: IO[bytes] | None) -> None:
    for file in files:
        if file is not None:
            file.close()


class _CsvRowEncoder:
    """CSV lines (RFC 4180, CRLF), one per row, in the order of the definition's keys.

    Values are quoted as the csv module quotes them: those with a comma, a quote or a line
    break, and a lone empty value (which would make an empty line).
    """

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self._commas = len(keys) - 1

    def framing(self) -> tuple[bytes, bytes, bytes]:
        """What goes before, between and after the rows of a part: the header row first."""
        return self._line(self.keys), b"", b""

    def encode(self, row: Sequence[str]) -> bytes:
        return self._line(row)

    @staticmethod
    def decode(line: bytes) -> list[str]:
        """The values of an encoded row."""
        return next(csv.reader(io.StringIO(line.decode("utf-8"), newline="")))

    def _line(self, values: Sequence[str]) -> bytes:
        line = ",".join(values)
        # Most lines need no quotes: one look at the whole line tells.
        if line.count(",") != self._commas or '"' in line or "\n" in line or "\r" in line:
            line = ",".join([_csv_field(value) for value in values])
        elif not line and not self._commas:
            line = '""'
        return (line + "\r\n").encode("utf-8")


def _csv_field(value: str) -> str:
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


class _JsonRowEncoder:
    """JSON objects, one per row, in the order of the definition's keys, framed as one JSON
    array per part. Every value is a string: each is encoded on its own, after its key.
    """

    def __init__(self, keys: list[str]) -> None:
        self._names = [encode_basestring(key) + ":" for key in keys]

    @staticmethod
    def framing() -> tuple[bytes, bytes, bytes]:
        """What goes before, between and after the rows of a part."""
        return b"[", b",", b"]"

    def encode(self, row: Sequence[str]) -> bytes:
        members = [
            name + encode_basestring(value) for name, value in zip(self._names, row, strict=True)
        ]
        return ("{" + ",".join(members) + "}").encode("utf-8")

    @staticmethod
    def decode(encoded: bytes) -> list[str]:
        """The values of an encoded row."""
        return list(json.loads(encoded).values())
