"""Fixtures shared by the tests."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from tests.support import TARGET_COMMAND


@pytest.fixture(autouse=True, scope="session")
def outside_github_actions() -> Iterator[None]:
    """The target runs of the tests write no job summary or annotations, also when the tests
    themselves run in GitHub Actions; the tests of those set the variables themselves.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A fresh emulated Eloqua on a free loopback port; its syncs take 0.2 s."""
    with EmulatorServer(EloquaInstance(sync_seconds=0.2)) as server:
        yield server


@pytest.fixture(scope="session")
def about() -> dict[str, Any]:
    """``target-eloqua --about --format json``, which needs no config."""
    completed = subprocess.run(
        [TARGET_COMMAND, "--about", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result
