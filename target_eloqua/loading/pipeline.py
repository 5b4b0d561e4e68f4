"""Syncs run in the background while the target reads on, each in the order its links need.

A drain hands its batch to the pipeline, which uploads it at once in a thread of its own (the
``prepare`` step: staging needs no other sync), and syncs it once the syncs it must follow have
succeeded:
- every earlier sync of an entity loaded before this one (accounts, then contacts, then what
  names them, then opportunity links), so that the records it links to exist;
- every earlier sync of the same stream that shares an identifier with it, so that a newer value
  is never overwritten by an older one; a job of the whole stream (``mirror``'s) follows every
  earlier sync of its stream, and every later one follows it.
Syncs with nothing to wait for run side by side. A sync whose predecessor failed never starts.

A job that succeeds (its sync ended within the run's policy) says so with its batch's number,
for the STATE that waits for it (see ``checkpoints``). Nothing here knows of Singer or Eloqua
beyond that.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Set
from dataclasses import dataclass, field

from target_eloqua.errors import SyncSkippedError
from target_eloqua.loading.parallel import WAIT_SLICE_SECONDS

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class _Job:
    number: int
    batch: int
    stream: str
    load_rank: int
    identifiers: Set[str]
    prepare: Callable[[], None]
    run: Callable[[], None]
    skip: Callable[[BaseException], None]
    waits_for: list[_Job]
    """The earlier jobs whose syncs must end before this one's starts."""
    whole_stream: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    @property
    def succeeded(self) -> bool:
        return self.done.is_set() and self.error is None

    def end(self) -> None:
        """Let go of what the job no longer needs (its batch, above all), and say it ended.

        A failed job keeps its identifiers: a later batch sharing one must not sync after it.
        """
        self.prepare = self.run = self.skip = _nothing
        if self.error is None:
            self.identifiers = frozenset()
        self.waits_for = []
        self.done.set()


def _nothing(*_: object) -> None:
    """What an ended job's steps become, and the ``prepare`` step of a job without one."""


class SyncPipeline:
    """The run's syncs, in the order their links and identifiers need. Safe to use from
    several threads.

    ``batch_loaded(batch)`` hears of each job that succeeded, by its batch's number.
    """

    def __init__(self, batch_loaded: Callable[[int], None]) -> None:
        self._batch_loaded = batch_loaded
        self._lock = threading.Lock()
        self._jobs: list[_Job] = []
        self._settled = 0
        """How many jobs, from the first, have all succeeded."""

    def submit(
        self,
        stream: str,
        load_rank: int,
        identifiers: Set[str],
        *,
        batch: int,
        run: Callable[[], None],
        skip: Callable[[BaseException], None],
        prepare: Callable[[], None] = _nothing,
        whole_stream: bool = False,
    ) -> None:
        """Call ``prepare`` (an upload) at once, then ``run`` (a sync to its end) once the
        syncs it must follow have succeeded; if one of them failed, call ``skip`` with the
        reason instead. A failure of ``prepare`` is the job's: ``run`` and ``skip`` are not
        called then (``prepare`` cleans up after itself).

        ``load_rank`` is the entity's place in the load order; ``identifiers`` are the batch's
        identifier values as Eloqua compares them; ``batch`` is its number. A ``whole_stream``
        job follows every earlier job of its stream, and every later one follows it.
        """
        with self._lock:
            while self._settled < len(self._jobs) and self._jobs[self._settled].succeeded:
                self._settled += 1
            waits_for = [
                job
                for job in self._jobs[self._settled :]
                if not job.succeeded
                and (
                    job.load_rank < load_rank
                    or (
                        job.stream == stream
                        and (
                            whole_stream
                            or job.whole_stream
                            or not job.identifiers.isdisjoint(identifiers)
                        )
                    )
                )
            ]
            job = _Job(
                len(self._jobs) + 1,
                batch,
                stream,
                load_rank,
                identifiers,
                prepare,
                run,
                skip,
                waits_for,
                whole_stream,
            )
            self._jobs.append(job)
        thread = threading.Thread(
            target=self._work, args=(job,), name=f"target-eloqua-sync-{job.number}", daemon=True
        )
        thread.start()

    def raise_if_failed(self) -> None:
        """Raise the first failure of a sync, if any has failed."""
        with self._lock:
            jobs = list(self._jobs)
        failure = _first_failure(jobs)
        if failure is not None:
            raise failure

    def wait(self, stop: threading.Event) -> None:
        """Wait for every sync to end; raise the first failure. ``stop`` cuts the wait short."""
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            while not job.done.wait(WAIT_SLICE_SECONDS):
                if stop.is_set():
                    return
        failure = _first_failure(jobs)
        if failure is not None:
            raise failure

    def settle(self, stop: threading.Event, ending: BaseException) -> None:
        """After the run failed with ``ending``: let the syncs already handed over end, so that
        they are reported and the STATE they cover can be written. Their own failures, but
        ``ending`` and their echoes, are logged: ``ending`` alone ends the run.
        """
        with contextlib.suppress(Exception):
            self.wait(stop)
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            error = job.error if job.done.is_set() else None
            if (
                error is not None
                and error is not ending
                and not isinstance(error, SyncSkippedError)
            ):
                logger.warning("Stream '%s': a sync failed as the run ended: %s", job.stream, error)

    def _work(self, job: _Job) -> None:
        try:
            job.prepare()
            for earlier in job.waits_for:
                earlier.done.wait()
            blocker = next((earlier for earlier in job.waits_for if not earlier.succeeded), None)
            if blocker is not None:
                skipped = SyncSkippedError(
                    f"stream '{job.stream}': sync not started, because an earlier sync of "
                    f"stream '{blocker.stream}' did not succeed"
                )
                job.skip(skipped)
                job.error = skipped
            else:
                job.run()
                self._batch_loaded(job.batch)  # before the job is seen to end
        except BaseException as error:  # kept for the main thread to raise
            job.error = error
        finally:
            job.end()


def _first_failure(jobs: list[_Job]) -> BaseException | None:
    """The failure that caused the others: a skipped sync only echoes an earlier failure."""
    failed = [job.error for job in jobs if job.done.is_set() and job.error is not None]
    causes = [error for error in failed if not isinstance(error, SyncSkippedError)]
    first = causes or failed
    return first[0] if first else None
