"""The sync pipeline: syncs in an order where links and identifiers resolve; each batch loaded
reported, for the STATE that waits for it (``checkpoints``).
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from target_eloqua.errors import SyncSkippedError
from target_eloqua.loading.checkpoints import Checkpoints
from target_eloqua.loading.pipeline import SyncPipeline

NEVER = threading.Event()
ACCOUNTS, CONTACTS = 0, 1


class Syncs:
    """A pipeline whose syncs end when the test says so, and the STATE written after them."""

    def __init__(self) -> None:
        self._states: list[dict[str, Any]] = []
        self._written = threading.Condition()
        self.checkpoints = Checkpoints(self._write_state)
        self.pipeline = SyncPipeline(self._batch_loaded)
        self.loaded: list[str] = []
        """The syncs whose batches the pipeline reported loaded, by name."""
        self._names: dict[int, str] = {}
        self.started: list[str] = []
        self.skipped: list[str] = []
        self.finished: list[str] = []
        self._ends: dict[str, threading.Event] = {}
        self._failures: dict[str, Exception] = {}
        self._started = threading.Condition()

    def open(self, name: str) -> int:
        """Open the batch of sync ``name``: its first record is read."""
        batch = self.checkpoints.open_batch()
        self._names[batch] = name
        return batch

    def submit(
        self,
        name: str,
        load_rank: int = ACCOUNTS,
        ids: tuple[str, ...] = (),
        *,
        batch: int | None = None,
        whole_stream: bool = False,
    ) -> None:
        """Hand the batch of sync ``name`` over (opened now, unless ``batch`` says which)."""
        self._ends[name] = threading.Event()
        stream = name.rstrip("0123456789")
        self.pipeline.submit(
            stream,
            load_rank,
            frozenset(ids),
            batch=self.open(name) if batch is None else batch,
            run=self._run(name),
            skip=self._skip(name),
            whole_stream=whole_stream,
        )

    def states(self) -> list[dict[str, Any]]:
        """The STATEs written, once every one due is (no more is written after)."""
        self.checkpoints.close()
        return self._states

    def states_so_far(self) -> list[dict[str, Any]]:
        """The STATEs written, after a moment for the writer to write what is due (to see
        that one is not)."""
        time.sleep(0.2)
        return list(self._states)

    def wait_for_states(self, *states: dict[str, Any]) -> None:
        """Return once exactly ``states`` are written (the writer is a thread); fail after 5 s."""
        with self._written:
            assert self._written.wait_for(lambda: len(self._states) >= len(states), timeout=5)
        assert self._states == list(states)

    def _write_state(self, state: dict[str, Any]) -> None:
        with self._written:
            self._states.append(state)
            self._written.notify_all()

    def _batch_loaded(self, batch: int) -> None:
        self.loaded.append(self._names[batch])
        self.checkpoints.batch_loaded(batch)

    def end(self, name: str, failure: Exception | None = None) -> None:
        if failure is not None:
            self._failures[name] = failure
        self._ends[name].set()

    def wait_started(self, *names: str) -> None:
        with self._started:
            assert self._started.wait_for(lambda: set(names) <= set(self.started), timeout=5)

    def wait_finished(self, name: str) -> None:
        with self._started:
            assert self._started.wait_for(lambda: name in self.finished, timeout=5)

    def _run(self, name: str) -> Callable[[], None]:
        def run() -> None:
            with self._started:
                self.started.append(name)
                self._started.notify_all()
            assert self._ends[name].wait(5)
            with self._started:
                self.finished.append(name)
                self._started.notify_all()
            if name in self._failures:
                raise self._failures[name]

        return run

    def _skip(self, name: str) -> Callable[[BaseException], None]:
        return lambda reason: self.skipped.append(name)


def test_state_is_written_once_every_sync_submitted_before_it_has_succeeded() -> None:
    syncs = Syncs()
    syncs.submit("accounts1", ids=("a",))
    syncs.submit("accounts2", ids=("b",))
    syncs.checkpoints.hold({"bookmark": 1})
    syncs.wait_started("accounts1", "accounts2")

    syncs.end("accounts2")
    syncs.wait_finished("accounts2")
    assert syncs.states_so_far() == []  # accounts1 still runs
    syncs.end("accounts1")
    syncs.pipeline.wait(NEVER)

    assert syncs.states() == [{"bookmark": 1}]


def test_state_waits_for_a_batch_still_buffered_when_it_came_not_for_one_opened_after() -> None:
    syncs = Syncs()
    partners = syncs.open("partners1")  # a batch of another stream is still filling
    syncs.submit("companies1", ids=("a",))
    syncs.checkpoints.hold({"bookmark": 1})
    syncs.submit("companies2", ids=("b",))  # records read after the STATE
    syncs.end("companies1")
    syncs.wait_finished("companies1")
    assert syncs.states_so_far() == []  # the partners read before the STATE are not loaded

    syncs.submit("partners1", ids=("p",), batch=partners)
    syncs.end("partners1")
    syncs.wait_finished("partners1")

    syncs.wait_for_states({"bookmark": 1})  # while companies2 still runs
    syncs.end("companies2")
    syncs.pipeline.wait(NEVER)


def test_state_with_no_sync_pending_is_written_at_once_and_only_the_newest_due_one() -> None:
    syncs = Syncs()
    syncs.checkpoints.hold({"bookmark": 1})
    syncs.wait_for_states({"bookmark": 1})
    syncs.submit("accounts1")
    syncs.checkpoints.hold({"bookmark": 2})
    syncs.checkpoints.hold({"bookmark": 3})

    syncs.end("accounts1")
    syncs.pipeline.wait(NEVER)

    assert syncs.states() == [{"bookmark": 1}, {"bookmark": 3}]


def test_contacts_sync_only_after_the_accounts_submitted_before_them() -> None:
    syncs = Syncs()
    syncs.submit("accounts1")
    syncs.submit("contacts1", load_rank=CONTACTS)
    syncs.wait_started("accounts1")

    assert syncs.started == ["accounts1"]
    syncs.end("accounts1")
    syncs.wait_started("contacts1")
    syncs.end("contacts1")
    syncs.pipeline.wait(NEVER)


def test_batches_of_a_stream_sync_side_by_side_unless_they_share_an_identifier() -> None:
    syncs = Syncs()
    syncs.submit("accounts1", ids=("a", "b"))
    syncs.submit("accounts2", ids=("c",))
    syncs.submit("accounts3", ids=("b",))
    syncs.wait_started("accounts1", "accounts2")

    assert "accounts3" not in syncs.started  # it would overwrite 'b' with an older value
    syncs.end("accounts1")
    syncs.wait_started("accounts3")
    syncs.end("accounts2")
    syncs.end("accounts3")
    syncs.pipeline.wait(NEVER)


def test_a_job_of_the_whole_stream_follows_its_earlier_syncs_and_precedes_its_later_ones() -> None:
    syncs = Syncs()
    syncs.submit("audience1", ids=("a",))
    syncs.submit("audience2", ids=("b",))
    syncs.submit("audience3", whole_stream=True)  # mirror's: no identifier of its own
    syncs.submit("audience4", ids=("c",))
    syncs.submit("others1", ids=("a",))
    syncs.wait_started("audience1", "audience2", "others1")

    assert "audience3" not in syncs.started
    syncs.end("audience1")
    syncs.end("audience2")
    syncs.wait_started("audience3")
    assert "audience4" not in syncs.started
    syncs.end("audience3")
    syncs.wait_started("audience4")
    syncs.end("audience4")
    syncs.end("others1")
    syncs.pipeline.wait(NEVER)

    assert syncs.started.index("audience3") < syncs.started.index("audience4")


def test_a_batch_is_prepared_at_once_though_its_sync_waits_for_an_earlier_one() -> None:
    syncs = Syncs()
    syncs.submit("accounts1", ids=("a",))
    syncs.wait_started("accounts1")
    prepared = threading.Event()
    syncs.pipeline.submit(
        "accounts",
        ACCOUNTS,
        frozenset({"a"}),
        batch=syncs.open("accounts2"),
        prepare=prepared.set,
        run=lambda: syncs.started.append("accounts2"),
        skip=print,
    )

    assert prepared.wait(5)  # uploaded while the sync it must follow still runs
    assert syncs.started == ["accounts1"]
    syncs.end("accounts1")
    syncs.pipeline.wait(NEVER)
    assert syncs.started == ["accounts1", "accounts2"]


def test_a_failed_preparation_fails_the_job_without_running_or_skipping_it() -> None:
    syncs = Syncs()
    called: list[str] = []

    def upload() -> None:
        raise OSError("the upload failed")

    syncs.pipeline.submit(
        "accounts",
        ACCOUNTS,
        frozenset({"a"}),
        batch=syncs.open("accounts1"),
        prepare=upload,
        run=lambda: called.append("run"),
        skip=lambda reason: called.append("skip"),
    )
    syncs.checkpoints.hold({"after": "the batch"})

    with pytest.raises(OSError, match="the upload failed"):
        syncs.pipeline.wait(NEVER)
    assert called == []
    assert syncs.loaded == []
    assert syncs.states() == []


def test_a_failed_sync_stops_what_follows_it_holds_state_back_and_is_raised() -> None:
    syncs = Syncs()
    syncs.submit("accounts1", ids=("a",))
    syncs.submit("others1", ids=("x",))
    syncs.submit("contacts1", load_rank=CONTACTS)
    syncs.checkpoints.hold({"bookmark": 1})
    syncs.wait_started("accounts1", "others1")

    syncs.end("accounts1", failure=ValueError("sync ended 'error'"))
    syncs.end("others1")
    with pytest.raises(ValueError, match="ended 'error'"):
        syncs.pipeline.wait(NEVER)

    assert syncs.skipped == ["contacts1"]
    assert sorted(syncs.started) == ["accounts1", "others1"]
    assert syncs.loaded == ["others1"]  # neither the failed sync nor the one skipped
    assert syncs.states() == []
    with pytest.raises(ValueError, match="ended 'error'"):
        syncs.pipeline.raise_if_failed()


def test_a_batch_submitted_after_a_failure_it_depends_on_is_skipped() -> None:
    syncs = Syncs()
    syncs.submit("accounts1", ids=("a",))
    syncs.wait_started("accounts1")
    syncs.end("accounts1", failure=ValueError("timeout"))
    with pytest.raises(ValueError, match="timeout"):
        syncs.pipeline.wait(NEVER)

    syncs.submit("accounts2", ids=("a",))
    with pytest.raises(ValueError, match="timeout"):
        syncs.pipeline.wait(NEVER)

    assert syncs.skipped == ["accounts2"]


def test_settling_after_a_failed_run_waits_for_running_syncs_and_writes_their_state() -> None:
    syncs = Syncs()
    syncs.submit("accounts1")
    syncs.checkpoints.hold({"bookmark": 1})
    threading.Timer(0.2, syncs.end, args=("accounts1",)).start()

    syncs.pipeline.settle(NEVER, ValueError("bad input"))

    assert syncs.states() == [{"bookmark": 1}]


def test_settling_logs_the_failures_of_syncs_but_the_runs_own(
    caplog: pytest.LogCaptureFixture,
) -> None:
    syncs = Syncs()
    ending = ValueError("the run's own failure")
    syncs.submit("accounts1", ids=("a",))
    syncs.submit("accounts2", ids=("a",))  # skipped: it follows accounts1
    syncs.submit("contacts1", CONTACTS)  # skipped too: it follows every accounts sync
    syncs.submit("accounts3", ids=("b",))
    syncs.end("accounts1", failure=ValueError("upload refused"))
    syncs.end("accounts3", failure=ending)

    syncs.pipeline.settle(NEVER, ending)

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["Stream 'accounts': a sync failed as the run ended: upload refused"]


def test_a_stop_cuts_the_wait_short() -> None:
    syncs = Syncs()
    syncs.submit("accounts1")
    stop = threading.Event()
    stop.set()

    syncs.pipeline.wait(stop)

    assert syncs.started in ([], ["accounts1"])  # waited for nothing
    syncs.end("accounts1")


def test_the_skip_reason_names_both_streams() -> None:
    reasons: list[BaseException] = []
    pipeline = SyncPipeline(lambda batch: None)

    def fail() -> None:
        raise RuntimeError("boom")

    pipeline.submit("companies", ACCOUNTS, frozenset(), batch=0, run=fail, skip=reasons.append)
    pipeline.submit("people", CONTACTS, frozenset(), batch=1, run=lambda: None, skip=reasons.append)
    with pytest.raises(RuntimeError):
        pipeline.wait(NEVER)

    [reason] = reasons
    assert isinstance(reason, SyncSkippedError)
    assert "stream 'people'" in str(reason)
    assert "stream 'companies'" in str(reason)


def test_a_sync_that_ended_holds_on_to_nothing_of_its_batch() -> None:
    class Batch:
        def sync(self) -> None:
            pass

    batch = Batch()
    alive = weakref.ref(batch)
    pipeline = SyncPipeline(lambda batch: None)
    pipeline.submit("companies", ACCOUNTS, frozenset({"a"}), batch=0, run=batch.sync, skip=print)
    del batch

    pipeline.wait(NEVER)
    gc.collect()

    assert alive() is None  # a long run's memory does not grow with its batches
