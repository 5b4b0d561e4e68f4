"""Running a drain's sinks in threads: every task ends before a failure is raised."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest

from target_eloqua.loading.parallel import run_all


def test_every_task_runs() -> None:
    done: list[int] = []

    run_all([partial(done.append, n) for n in range(5)], parallelism=2, stop=threading.Event())

    assert sorted(done) == [0, 1, 2, 3, 4]


def test_a_failure_is_raised_only_after_the_tasks_already_running_have_ended() -> None:
    slow_finished = threading.Event()

    def slow() -> None:
        time.sleep(0.3)
        slow_finished.set()

    def failing() -> None:
        raise ValueError("stream 'a': sync ended 'error'")

    with pytest.raises(ValueError, match="stream 'a'"):
        run_all([slow, failing], parallelism=2, stop=threading.Event())

    assert slow_finished.is_set()


def test_after_a_failure_no_new_task_starts() -> None:
    started: list[str] = []

    def failing() -> None:
        started.append("failing")
        raise RuntimeError("first")

    def later() -> None:
        started.append("later")

    with pytest.raises(RuntimeError, match="first"):
        run_all([failing, later], parallelism=1, stop=threading.Event())

    assert started == ["failing"]


def test_no_more_threads_than_parallelism_run_at_once() -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def task() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    run_all([task] * 6, parallelism=2, stop=threading.Event())

    assert most == 2


def test_once_stop_is_set_no_new_task_starts() -> None:
    stop = threading.Event()
    started: list[str] = []

    def first() -> None:
        started.append("first")
        stop.set()

    run_all([first, lambda: started.append("second")], parallelism=1, stop=stop)

    assert started == ["first"]
