"""STATE, written as soon as every record read before it is loaded, in the order it came.

Each batch gets a number when its first record arrives (``open_batch``), in the order of the
input, whatever its stream. A STATE needs exactly the batches opened before it: they hold every
record read before it (a batch opened later holds only later records), and a batch opened
before it may still be filling, or syncing. So a STATE costs one number, whatever the size of
the batches, and is due once every batch below that number is loaded: its sync ended within the
run's policy. A batch that never loads (its sync failed or never ran) holds back every STATE
after it, and none before it.

One thread writes STATE: the newest one due, each time one is. Nothing else writes to stdout, so
lines are whole and in order, and a signal (handled on the main thread) never cuts one short.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


class Checkpoints:
    """The run's STATE messages, each held until the batches opened before it are loaded.

    Safe to use from several threads.
    """

    def __init__(self, write_state: Callable[[dict[str, Any]], None]) -> None:
        self._write_state = write_state
        self._changed = threading.Condition()
        self._opened = 0
        """Batches opened so far: they are numbered from 0."""
        self._loaded_below = 0
        """Every batch numbered below this is loaded."""
        self._loaded_later: set[int] = set()
        """Loaded batches above an unloaded one: one number each, until the gap closes."""
        self._held: deque[tuple[int, dict[str, Any]]] = deque()
        """STATEs not written yet, oldest first, each with how many batches it needs."""
        self._last_state: dict[str, Any] | None = None
        self._closing = False
        self._writer: threading.Thread | None = None
        self.write_error: OSError | None = None
        """Why STATE could not be written to stdout, if it could not."""

    def open_batch(self) -> int:
        """The number of a new batch, whose first record has just been read."""
        with self._changed:
            self._opened += 1
            return self._opened - 1

    def batch_loaded(self, batch: int) -> None:
        """Say that the batch is loaded: its sync ended within the run's policy."""
        with self._changed:
            self._loaded_later.add(batch)
            while self._loaded_below in self._loaded_later:
                self._loaded_later.remove(self._loaded_below)
                self._loaded_below += 1
            self._changed.notify()

    def hold(self, state: dict[str, Any]) -> None:
        """Write ``state`` once every batch opened so far is loaded (soon, if they are).

        A STATE that needs the same batches as the one held before it replaces it: both would
        be due at once, and only the newest due STATE is written. So STATEs held cost one per
        batch at most, however often the tap sends them. A STATE equal to the one before it
        is ignored, as the SDK does.
        """
        with self._changed:
            if self._closing or state == self._last_state:
                return
            self._last_state = state
            if self._held and self._held[-1][0] == self._opened:
                self._held.pop()
            self._held.append((self._opened, state))
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_due, name="target-eloqua-state", daemon=True
                )
                self._writer.start()
            self._changed.notify()

    def close(self) -> None:
        """Write the newest STATE that is due, if it was not already, then stop writing; later
        STATEs are never written. Waits for a STATE being written to be written whole.
        """
        with self._changed:
            self._closing = True
            self._changed.notify()
            writer = self._writer
        if writer is not None:
            writer.join()

    def _write_due(self) -> None:
        """The writer thread: write the newest due STATE each time one is, until closed."""
        while (state := self._next_due()) is not None:
            try:
                self._write_state(state)
            except OSError as error:
                logger.error("Cannot write STATE to standard output: %s", error)
                self.write_error = error
                return

    def _next_due(self) -> dict[str, Any] | None:
        """Wait for a STATE to be due, and take it; ``None`` once closed with none due."""
        with self._changed:
            self._changed.wait_for(lambda: self._due() or self._closing)
            return self._take_due()

    def _due(self) -> bool:
        return bool(self._held) and self._held[0][0] <= self._loaded_below

    def _take_due(self) -> dict[str, Any] | None:
        """The newest due STATE, dropping older due ones; ``None`` if none is due."""
        state = None
        while self._due():
            state = self._held.popleft()[1]
        return state
