"""Fixtures shared by the tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from target_eloqua.emulator import EloquaInstance, EmulatorServer


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A fresh emulated Eloqua on a free loopback port; its syncs take 0.2 s."""
    with EmulatorServer(EloquaInstance(sync_seconds=0.2)) as server:
        yield server
