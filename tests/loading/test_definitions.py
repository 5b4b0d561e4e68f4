"""A run's import definitions: one per stream, reused, renewed before Eloqua deletes them."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, cast

import pytest

from target_eloqua.bulk import BulkClient, EloquaAPIError
from target_eloqua.errors import DefinitionRefusedError, RunStoppedError
from target_eloqua.loading.definitions import ImportDefinitions
from target_eloqua.mapping.streams import parse_stream_mapping
from tests.support import ACCOUNT_TUTORIAL_MAPPING

MAPPING = parse_stream_mapping("crm_accounts", ACCOUNT_TUTORIAL_MAPPING)
NEVER = threading.Event()


class FakeEloqua:
    """Creates definitions with increasing uris, or refuses them with ``failures``."""

    def __init__(self, failures: list[dict[str, Any]] | None = None) -> None:
        self.failures = failures
        self.bodies: list[Mapping[str, Any]] = []

    def create_import(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        if self.failures is not None:
            raise EloquaAPIError(
                "POST", path, 400, "There was a validation error.", {"failures": self.failures}
            )
        self.bodies.append(body)
        return {"uri": f"{path}/{len(self.bodies)}"}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_stream_reuses_its_definition_until_it_grows_old() -> None:
    eloqua, clock = FakeEloqua(), Clock()
    definitions = ImportDefinitions(max_age_seconds=100, clock=clock)
    client = cast(BulkClient, eloqua)

    first = definitions.create(MAPPING, client)
    clock.now = 99
    reused = definitions.acquire(MAPPING, client, NEVER)
    definitions.release(MAPPING, reused, reusable=True)
    clock.now = 100
    renewed = definitions.acquire(MAPPING, client, NEVER)

    assert (first, reused, renewed) == (
        "/accounts/imports/1",
        "/accounts/imports/1",
        "/accounts/imports/2",
    )
    assert eloqua.bodies[0] == eloqua.bodies[1]


def test_the_first_drain_creates_the_definition_if_none_exists() -> None:
    eloqua = FakeEloqua()

    uri = ImportDefinitions().acquire(MAPPING, cast(BulkClient, eloqua), NEVER)

    assert uri == "/accounts/imports/1"


def test_a_busy_definition_is_not_handed_out_and_the_stream_has_at_most_per_stream() -> None:
    definitions = ImportDefinitions(per_stream=2)
    client = cast(BulkClient, FakeEloqua())
    first = definitions.acquire(MAPPING, client, NEVER)
    second = definitions.acquire(MAPPING, client, NEVER)
    third: list[str] = []
    waiting = threading.Thread(
        target=lambda: third.append(definitions.acquire(MAPPING, client, NEVER))
    )

    waiting.start()
    waiting.join(0.5)
    assert third == []  # both are busy, and the stream may have no third one
    definitions.release(MAPPING, second, reusable=True)
    waiting.join(5)

    assert (first, second, third) == ("/accounts/imports/1", "/accounts/imports/2", [second])


def test_a_stream_loaded_without_a_column_gets_definitions_of_its_own() -> None:
    definitions = ImportDefinitions(per_stream=1)
    eloqua = FakeEloqua()
    client = cast(BulkClient, eloqua)
    full = definitions.create(MAPPING, client)
    narrowed = MAPPING.without(["owner_crm_ids"])

    other = definitions.acquire(narrowed, client, NEVER)
    definitions.release(narrowed, other, reusable=True)

    assert other != full
    assert list(eloqua.bodies[-1]["fields"]) == ["company_name"]
    assert definitions.acquire(MAPPING, client, NEVER) == full
    assert definitions.acquire(narrowed, client, NEVER) == other


def test_a_definition_that_may_hold_staged_rows_is_never_reused() -> None:
    definitions = ImportDefinitions(per_stream=1)
    client = cast(BulkClient, FakeEloqua())
    first = definitions.acquire(MAPPING, client, NEVER)

    definitions.release(MAPPING, first, reusable=False)

    assert definitions.acquire(MAPPING, client, NEVER) == "/accounts/imports/2"


def test_a_drain_replaces_its_definition_before_a_drain_waiting_for_one_gets_any() -> None:
    definitions = ImportDefinitions(per_stream=1)
    client = cast(BulkClient, FakeEloqua())
    first = definitions.acquire(MAPPING, client, NEVER)
    later: list[str] = []
    waiting = threading.Thread(
        target=lambda: later.append(definitions.acquire(MAPPING, client, NEVER))
    )
    waiting.start()

    replaced = definitions.replace(MAPPING, first, client)  # an upload's answer was lost
    waiting.join(0.5)
    assert later == []  # the stream's one definition is still the first drain's
    definitions.release(MAPPING, replaced, reusable=True)
    waiting.join(5)

    assert (first, replaced, later) == ("/accounts/imports/1", "/accounts/imports/2", [replaced])


def test_a_stop_ends_the_wait_for_a_definition() -> None:
    definitions = ImportDefinitions(per_stream=1)
    client = cast(BulkClient, FakeEloqua())
    definitions.acquire(MAPPING, client, NEVER)
    stop = threading.Event()
    stop.set()

    with pytest.raises(RunStoppedError, match="crm_accounts"):
        definitions.acquire(MAPPING, client, stop)


def test_a_refusal_names_the_stream_property_and_field() -> None:
    failures = [{"field": "identifierFieldName", "value": "company_name", "constraint": "No."}]

    with pytest.raises(DefinitionRefusedError) as caught:
        ImportDefinitions().create(MAPPING, cast(BulkClient, FakeEloqua(failures)))

    assert caught.value.problems == [
        "stream 'crm_accounts', property 'company_name', field '{{Account.Field(M_CompanyName)}}': "
        "Eloqua refused it: identifierFieldName: No."
    ]
