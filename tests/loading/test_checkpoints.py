"""STATE written as soon as the batches opened before it are loaded, in order, by one thread."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from typing import Any

import pytest

from target_eloqua.loading.checkpoints import Checkpoints

NOT_WRITTEN_SECONDS = 0.2
"""How long a test waits to see that a STATE that is not due stays unwritten."""


class State(dict[str, Any]):
    """A STATE value that a test can hold a weak reference to."""


class Output:
    """What a ``Checkpoints`` wrote, and a way to wait for it (its writer is a thread)."""

    def __init__(self) -> None:
        self.states: list[dict[str, Any]] = []
        self.threads: set[str] = set()
        self._written = threading.Condition()

    def write(self, state: dict[str, Any]) -> None:
        with self._written:
            self.states.append(state)
            self.threads.add(threading.current_thread().name)
            self._written.notify_all()

    def wait_for(self, *states: dict[str, Any]) -> None:
        """Return once exactly ``states`` are written; fail after 5 s."""
        with self._written:
            assert self._written.wait_for(lambda: len(self.states) >= len(states), timeout=5)
        assert self.states == list(states)

    def stays(self, *states: dict[str, Any]) -> None:
        """Check that nothing more than ``states`` is written for a little while."""
        time.sleep(NOT_WRITTEN_SECONDS)
        assert self.states == list(states)


@pytest.fixture
def output() -> Output:
    return Output()


@pytest.fixture
def checkpoints(output: Output) -> Checkpoints:
    return Checkpoints(output.write)


def test_a_state_with_no_batch_open_is_written_at_once(
    checkpoints: Checkpoints, output: Output
) -> None:
    checkpoints.hold({"bookmark": 1})

    output.wait_for({"bookmark": 1})
    assert output.threads == {"target-eloqua-state"}  # never the main thread, which signals cut


def test_a_state_waits_for_every_batch_opened_before_it_in_every_stream(
    checkpoints: Checkpoints, output: Output
) -> None:
    companies = checkpoints.open_batch()
    people = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 1})

    checkpoints.batch_loaded(people)
    output.stays()
    checkpoints.batch_loaded(companies)
    output.wait_for({"bookmark": 1})


def test_a_batch_opened_after_a_state_does_not_hold_it_back(
    checkpoints: Checkpoints, output: Output
) -> None:
    first = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 1})
    later = checkpoints.open_batch()  # records read after the STATE
    checkpoints.hold({"bookmark": 2})

    checkpoints.batch_loaded(first)
    output.wait_for({"bookmark": 1})
    checkpoints.batch_loaded(later)
    output.wait_for({"bookmark": 1}, {"bookmark": 2})


def test_only_the_newest_due_state_is_written_and_in_the_tap_s_order(
    checkpoints: Checkpoints, output: Output
) -> None:
    first = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 1})
    second = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 2})
    checkpoints.hold({"bookmark": 3})

    checkpoints.batch_loaded(second)  # the second sync ends first
    output.stays()
    checkpoints.batch_loaded(first)
    output.wait_for({"bookmark": 3})


def test_a_batch_never_loaded_holds_back_the_states_after_it_only(
    checkpoints: Checkpoints, output: Output
) -> None:
    loaded = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 1})
    checkpoints.open_batch()  # its sync fails: never loaded
    checkpoints.hold({"bookmark": 2})
    after = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 3})

    checkpoints.batch_loaded(after)
    checkpoints.batch_loaded(loaded)
    checkpoints.close()

    assert output.states == [{"bookmark": 1}]


def test_closing_writes_what_is_due_and_nothing_after(
    checkpoints: Checkpoints, output: Output
) -> None:
    running = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 1})

    checkpoints.close()
    checkpoints.batch_loaded(running)  # a sync that ends after the run stopped
    checkpoints.hold({"bookmark": 2})

    output.stays()


def test_closing_waits_for_a_state_being_written() -> None:
    lines: list[str] = []

    def write_slowly(state: dict[str, Any]) -> None:
        time.sleep(0.2)
        lines.append(f"{state}\n")

    checkpoints = Checkpoints(write_slowly)
    checkpoints.hold({"bookmark": 1})
    time.sleep(0.05)  # the writer has started on it

    checkpoints.close()

    assert lines == ["{'bookmark': 1}\n"]


def test_a_state_equal_to_the_last_one_is_ignored(checkpoints: Checkpoints, output: Output) -> None:
    checkpoints.hold({"bookmark": 1})
    output.wait_for({"bookmark": 1})
    batch = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 1})

    checkpoints.batch_loaded(batch)
    checkpoints.close()

    assert output.states == [{"bookmark": 1}]


def test_states_held_cost_one_per_batch_however_many_the_tap_sends(
    checkpoints: Checkpoints, output: Output
) -> None:
    batch = checkpoints.open_batch()
    held = [State(bookmark=n) for n in range(1000)]
    for state in held:
        checkpoints.hold(state)
    alive = [weakref.ref(state) for state in held]
    del held, state
    gc.collect()

    assert [kept for ref in alive if (kept := ref()) is not None] == [{"bookmark": 999}]
    checkpoints.batch_loaded(batch)
    output.wait_for({"bookmark": 999})


def test_a_failed_write_is_kept_and_no_state_follows_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    written: list[dict[str, Any]] = []
    failed = threading.Event()

    def write(state: dict[str, Any]) -> None:
        written.append(state)
        if not failed.is_set():
            failed.set()
            raise BrokenPipeError(32, "Broken pipe")

    checkpoints = Checkpoints(write)
    checkpoints.hold({"bookmark": 1})
    assert failed.wait(5)
    batch = checkpoints.open_batch()
    checkpoints.hold({"bookmark": 2})
    checkpoints.batch_loaded(batch)
    checkpoints.close()

    assert written == [{"bookmark": 1}]
    assert isinstance(checkpoints.write_error, BrokenPipeError)
    assert "Cannot write STATE to standard output: [Errno 32] Broken pipe" in caplog.text
