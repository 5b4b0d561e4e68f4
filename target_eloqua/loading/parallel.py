"""Run tasks in threads, and wait for every one of them before reporting a failure."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence

WAIT_SLICE_SECONDS = 0.2
"""How long a thread waits at a time, so that a signal or a stop is noticed without delay."""


def run_all(tasks: Sequence[Callable[[], None]], parallelism: int, stop: threading.Event) -> None:
    """Run ``tasks`` in up to ``parallelism`` threads; once all have ended, raise the first
    failure.

    The SDK's joblib pool re-raises the first failure while other tasks still run, so a sink
    still syncing would go unreported and be cut off at exit. Here every task that started
    ends and is accounted for; after a failure, or once ``stop`` is set, tasks not yet started
    are not started. The threads are daemons, so a signal that ends the main thread ends the
    process; ``stop`` is set then, for the tasks to end early too.
    """
    pending: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
    for task in tasks:
        pending.put(task)
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        while not failures and not stop.is_set():
            try:
                task = pending.get_nowait()
            except queue.Empty:
                return
            try:
                task()
            except BaseException as error:  # re-raised on the main thread
                with lock:
                    failures.append(error)

    threads = [
        threading.Thread(target=work, name=f"target-eloqua-drain-{n}", daemon=True)
        for n in range(max(1, min(parallelism, len(tasks))))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(WAIT_SLICE_SECONDS)
    except BaseException:
        stop.set()
        raise
    if failures:
        raise failures[0]
