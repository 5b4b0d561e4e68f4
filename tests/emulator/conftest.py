"""Fixtures for the emulator's own tests: a running server on a fake clock, and sessions on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from target_eloqua.emulator.model.entities import Entity
from target_eloqua.emulator.model.importer import Upload

AUTH = ("ACME\\API.User", "emulator")
ROOT = "/api/bulk/2.0"
CLIENT = ("emulator-client", "emulator-secret")
STARTED_AT = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
"""The wall time the fixtures' instance starts at (noon in Eastern time, winter: UTC-5)."""


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Bulk:
    """A logged-in session on the Bulk API root of a running emulator."""

    def __init__(self, server: EmulatorServer, clock: FakeClock, session: requests.Session) -> None:
        self.server = server
        self.clock = clock
        self.session = session
        self.root = server.url + ROOT

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.root + path, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def define(self, entity: str, body: dict[str, Any]) -> str:
        """Create an import definition; its uri."""
        response = self.post(f"/{entity}/imports", json=body)
        assert response.status_code == 201, response.text
        uri: str = response.json()["uri"]
        return uri

    def stage(self, uri: str, rows: list[dict[str, Any]]) -> None:
        response = self.post(uri + "/data", json=rows)
        assert response.status_code == 204, response.text

    def sync(self, uri: str) -> dict[str, Any]:
        """Sync the definition, let the sync end, and return it as the API shows it."""
        response = self.post("/syncs", json={"syncedInstanceUri": uri})
        assert response.status_code == 201, response.text
        self.clock.advance(3600)
        finished: dict[str, Any] = self.get(response.json()["uri"]).json()
        return finished

    def load(self, entity: str, body: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Define, stage and sync in one go; the finished sync."""
        uri = self.define(entity, body)
        self.stage(uri, rows)
        return self.sync(uri)

    def log_counts(self, sync: dict[str, Any]) -> dict[str, int]:
        """The sync's log: ELQ code -> count."""
        return {item["statusCode"]: item["count"] for item in self.items(sync["uri"] + "/logs")}

    def items(self, path: str, **params: Any) -> list[Any]:
        response = self.get(path, params=params)
        assert response.status_code == 200, response.text
        items: list[Any] = response.json()["items"]
        return items


def load_rows(
    instance: EloquaInstance, entity: Entity, body: dict[str, Any], rows: list[dict[str, str]]
) -> None:
    """Import the rows into the model through a new definition and its sync, brought to its end
    (at once on an instance whose syncs take no time)."""
    definition = instance.create_import(entity, body)
    instance.stage(entity, definition.id, Upload(rows))
    instance.sync(instance.create_sync({"syncedInstanceUri": definition.uri}).id)


def admin(server: EmulatorServer, path: str) -> Any:
    """GET an admin endpoint; its items."""
    response = requests.get(f"{server.url}/_emulator/{path}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def admin_post(server: EmulatorServer, path: str, body: Any = None) -> requests.Response:
    return requests.post(f"{server.url}/_emulator/{path}", json=body, timeout=10)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def instance(clock: FakeClock) -> EloquaInstance:
    return EloquaInstance(sync_seconds=1.0, clock=clock, started_at=STARTED_AT)


@pytest.fixture
def server(instance: EloquaInstance) -> Iterator[EmulatorServer]:
    with EmulatorServer(instance) as running:
        yield running


@pytest.fixture
def bulk(server: EmulatorServer, clock: FakeClock) -> Iterator[Bulk]:
    with requests.Session() as session:
        session.auth = AUTH
        yield Bulk(server, clock, session)
