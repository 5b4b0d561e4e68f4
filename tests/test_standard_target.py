"""The singer-sdk standard target tests, run against the emulator.

Every test stream is mapped to accounts. Where the outcome can be seen in Eloqua, the test's
``validate()`` checks what the emulator stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import requests
from singer_sdk.testing import TargetTestRunner, get_target_test_class
from singer_sdk.testing.suites import SingerTestSuite, target_tests
from singer_sdk.testing.target_tests import (
    TargetDuplicateRecords,
    TargetEncodedStringData,
    TargetSchemaUpdates,
)

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from target_eloqua.target import TargetEloqua
from tests.support import admin, emulator_config

TEXT_FIELDS = ["M_City", "M_Industry", "M_Address1", "M_Address2", "M_Address3", "M_State_Prov"]
"""Text fields that the streams' other properties are loaded into, in turn."""

IDENTIFIER_FIELDS = {
    "test_strings_in_objects": "M_SFDCAccountID",
    "test_strings_in_arrays": "M_Fax",
}
"""Streams loaded in one test need identifiers of their own, since their ids overlap."""

STREAMS = {
    "test_array_data": ("id", ["fruits"]),
    "TestCamelcase": ("Id", ["clientName"]),
    "ForecastingTypeToCategory": ("Id", ["ForecastingItemCategory", "CreatedDate"]),
    "test_duplicate_records": ("id", ["metric"]),
    "test_strings": ("id", ["info"]),
    "test_strings_in_objects": ("id", ["info"]),
    "test_strings_in_arrays": ("id", ["strings"]),
    "test_no_pk": ("id", ["metric"]),
    "test_optional_attributes": ("id", ["optional"]),
    "example_stream": ("id", ["name", "email"]),
    "test_record_before_schema": ("id", ["metric"]),
    "test_record_missing_key_property": ("id", ["metric"]),
    "record_missing_fields": ("id", ["optional"]),
    "test_object_schema_with_properties": ("object_store", []),
    "test_object_schema_no_properties": ("object_store", []),
    "test_schema_updates": ("id", ["a1", "a2", "a3", "a4", "a5", "a6"]),
    "test:SpecialChars!in?attributes": ("_id", ["d"]),
}


def stream_mapping(stream: str, identifier: str, others: list[str]) -> dict[str, Any]:
    """The stream's identifier goes to CompanyIDExt, its other properties to text fields."""
    fields = {identifier: IDENTIFIER_FIELDS.get(stream, "CompanyIDExt")}
    fields |= {prop: TEXT_FIELDS[n] for n, prop in enumerate(others)}
    return {"entity": "accounts", "identifier": identifier, "fields": fields}


def stored(emulator: EmulatorServer, field: str) -> dict[str, str]:
    """Each stored account's ``field``, by external id (accounts without one are left out)."""
    return {
        account["fields"]["CompanyIDExt"]: account["fields"].get(field, "")
        for account in admin(emulator, "records/accounts")
        if account["fields"].get("CompanyIDExt")
    }


class DuplicatesMerged(TargetDuplicateRecords):
    """The last record of each id wins."""

    resource: EmulatorServer

    def validate(self) -> None:
        assert stored(self.resource, "M_City") == {"1": "100", "2": "20"}


class EncodedStringsIntact(TargetEncodedStringData):
    """Non-ASCII text, quotes and backslashes arrive unchanged; control characters are gone."""

    resource: EmulatorServer

    def validate(self) -> None:
        names = stored(self.resource, "M_City")
        assert names["2"] == "απλή συμβολοσειρά"
        assert names["3"] == "简单的字串"
        assert names["5"] == 'quoted "string"'
        assert names["6"] == 'various " \\ / \n escape sequences'
        assert names["10"] == "Double quoting: \\u0000 \\u0041 \\u0001"
        assert names["11"] == "Control Characters in string:  A "


class SchemaUpdatesAllLoaded(TargetSchemaUpdates):
    """Records under each of the four schemas are stored, with the later columns."""

    resource: EmulatorServer

    def validate(self) -> None:
        assert stored(self.resource, "M_City") == {str(n): str(100 + n) for n in range(1, 7)}
        assert stored(self.resource, "M_Address1")["3"] == "false"


VALIDATED: list[Any] = [DuplicatesMerged, EncodedStringsIntact, SchemaUpdatesAllLoaded]
SUITE = SingerTestSuite(
    kind="target",
    tests=[
        *(test for test in target_tests.tests if test.name not in {v.name for v in VALIDATED}),
        *VALIDATED,
    ],
)

StandardTests = get_target_test_class(
    TargetEloqua, custom_suites=[SUITE], include_target_tests=False, parse_env_config=False
)


class TestTargetEloqua(StandardTests):  # type: ignore[misc,valid-type]
    """The standard tests, each against a freshly reset emulator."""

    streams: ClassVar[dict[str, Any]] = {
        name: stream_mapping(name, identifier, others)
        for name, (identifier, others) in STREAMS.items()
    }

    @pytest.fixture(scope="class")
    @classmethod
    def resource(cls) -> Iterator[EmulatorServer]:
        with EmulatorServer(EloquaInstance(sync_seconds=0.05)) as server:
            yield server

    @pytest.fixture
    def runner(self, resource: EmulatorServer) -> TargetTestRunner:
        requests.post(f"{resource.url}/_emulator/reset", timeout=10).raise_for_status()
        # test_schema_updates sends the properties a3 to a6 only in its later SCHEMAs.
        config = emulator_config(
            resource, streams=self.streams, upload_format="json", missing_properties="skip"
        )
        return TargetTestRunner(TargetEloqua, config=config, parse_env_config=False)
