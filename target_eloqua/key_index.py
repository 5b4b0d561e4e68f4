"""Which row of a batch last had each key, in under 50 bytes a key.

A batch finds its duplicates by key (the identifier, in any letter case). A dict from key strings
to row numbers takes some 150 bytes a key (the string, the number and the dict's slot): 150 MB
for a batch of a million rows. This index holds numbers in arrays instead: an open-addressing
table of entry numbers, at most half full, and per entry the key's hash and the latest row with
that key. The keys themselves go to an anonymous temporary file, read back only when two keys
have the same hash, to tell a repeated key from a collision.
"""

from __future__ import annotations

import tempfile
import weakref
from array import array
from typing import IO

EMPTY = -1
INITIAL_SLOTS = 1024


class KeyIndex:
    """Key -> the latest row number noted with it."""

    def __init__(self) -> None:
        self._table = array("q", [EMPTY]) * INITIAL_SLOTS
        self._hashes = array("q")
        self._rows = array("q")
        self._key_ends = array("q")
        self._keys: IO[bytes] = tempfile.TemporaryFile(prefix="target-eloqua-keys-")  # noqa: SIM115
        self._keys_size = 0
        self._finalizer = weakref.finalize(self, self._keys.close)

    def __len__(self) -> int:
        """How many distinct keys were noted."""
        return len(self._rows)

    def replace(self, key: str, row: int) -> int | None:
        """Note ``row`` as the latest with ``key``; return the row that was, if any.

        Probing ends within one pass over the table: it always has empty slots.
        """
        key_hash = hash(key)
        mask = len(self._table) - 1
        slot = key_hash & mask
        entry = self._table[slot]
        while entry != EMPTY:
            if self._hashes[entry] == key_hash and self._key(entry) == key:
                earlier = self._rows[entry]
                self._rows[entry] = row
                return earlier
            slot = (slot + 1) & mask
            entry = self._table[slot]
        self._table[slot] = len(self._rows)
        self._hashes.append(key_hash)
        self._rows.append(row)
        encoded = key.encode("utf-8", "surrogatepass")
        self._keys.write(encoded)
        self._keys_size += len(encoded)
        self._key_ends.append(self._keys_size)
        if 2 * len(self._rows) > len(self._table):
            self._grow()
        return None

    def close(self) -> None:
        """Remove the keys' file."""
        self._finalizer()

    def _grow(self) -> None:
        """Double the table, so that it stays at most half full."""
        self._table = array("q", [EMPTY]) * (2 * len(self._table))
        mask = len(self._table) - 1
        for entry, key_hash in enumerate(self._hashes):
            slot = key_hash & mask
            while self._table[slot] != EMPTY:
                slot = (slot + 1) & mask
            self._table[slot] = entry

    def _key(self, entry: int) -> str:
        """The key of an entry, read back from the keys' file."""
        start = self._key_ends[entry - 1] if entry else 0
        self._keys.seek(start)
        key = self._keys.read(self._key_ends[entry] - start).decode("utf-8", "surrogatepass")
        self._keys.seek(0, 2)  # keys are appended
        return key
