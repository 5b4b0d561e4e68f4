"""Date-like values: the target's parsing leaves every record as the SDK's own loop does."""

from __future__ import annotations

import copy
import datetime
import logging
from typing import Any

import pytest
from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import Sink

from target_eloqua.sinks import SkippedStreamSink, TargetSink, sdk_datelike_properties

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": ["string", "null"]},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
        "born_on": {"type": "string", "format": "date"},
        "opens_at": {"anyOf": [{"type": "string", "format": "time"}, {"type": "null"}]},
        "count": {"type": "integer", "format": "date"},
        "email": {"type": "string", "format": "email"},
        "address": {
            "type": "object",
            "properties": {"moved_at": {"type": "string", "format": "date-time"}},
        },
    },
}
OPEN_SCHEMA = {**SCHEMA, "additionalProperties": True}

RECORDS: list[dict[str, Any]] = [
    {"name": "a", "updated_at": "2026-01-02T03:04:05Z", "born_on": "1990-05-06"},
    {"updated_at": "2026-01-02T03:04:05.123456+02:00", "opens_at": "08:30:00"},
    {"updated_at": None, "born_on": None, "opens_at": None, "count": 3},
    {"email": "x@example.com", "address": {"moved_at": "2020-01-01T00:00:00Z"}},
    {},
    {"updated_at": "not a date"},
    {"born_on": "1990-13-01", "updated_at": "also not a date"},
    {"updated_at": "2026-01-02", "born_on": "1990-01-01T00:00:00"},
    {"updated_at": 20260102},
    {"opens_at": "25:00"},
    {"name": "b", "extra": "value", "updated_at": "2026-01-02T03:04:05Z"},
    {"extra": None, "updated_at": "2026-01-02T03:04:05Z"},
    {"updated_at": "bad", "extra": "value"},
]


def bare_sink() -> TargetSink:
    """A sink with only what date parsing uses: its logger and the fields it warned about."""
    sink = object.__new__(SkippedStreamSink)
    sink.logger = logging.getLogger("tests.timestamps")
    sink._warned_missing_fields = set()
    return sink


def outcome(parse: Any, record: dict[str, Any], caplog: pytest.LogCaptureFixture) -> Any:
    """What parsing did: the record (or the error raised) and the warnings logged."""
    caplog.clear()
    try:
        parse(record)
    except Exception as error:  # compared with what the SDK raises
        result: Any = (type(error), str(error))
    else:
        result = record
    return result, [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("schema", [SCHEMA, OPEN_SCHEMA], ids=["closed", "open"])
@pytest.mark.parametrize("treatment", list(DatetimeErrorTreatmentEnum))
def test_records_end_as_the_sdks_loop_leaves_them(
    schema: dict[str, Any],
    treatment: DatetimeErrorTreatmentEnum,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The seam's hook against the SDK's own: private names, as the comparison needs.
    ours, reference = bare_sink(), bare_sink()
    caplog.set_level(logging.WARNING, logger="tests.timestamps")
    for record in [*RECORDS, *RECORDS]:  # twice: a property is warned about once
        expected = outcome(
            lambda r: Sink._parse_timestamps_in_record(reference, r, schema, treatment),  # noqa: SLF001
            copy.deepcopy(record),
            caplog,
        )
        actual = outcome(
            lambda r: ours._parse_timestamps_in_record(r, schema, treatment),  # noqa: SLF001
            copy.deepcopy(record),
            caplog,
        )
        assert actual == expected, record
    assert ours._warned_missing_fields == reference._warned_missing_fields  # noqa: SLF001


def test_the_datelike_properties_are_found_once_per_schema() -> None:
    datelike = sdk_datelike_properties(SCHEMA)

    assert [name for name, _ in datelike.parsers or ()] == ["updated_at", "born_on", "opens_at"]
    assert datelike.parsed({"updated_at": "2026-01-02T03:04:05Z"}, set()) == {
        "updated_at": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    }


def test_a_record_the_sdk_would_warn_about_or_repair_goes_to_the_sdk() -> None:
    datelike = sdk_datelike_properties(SCHEMA)

    assert datelike.parsed({"extra": 1}, set()) is None
    assert datelike.parsed({"extra": 1}, {"extra"}) == {}
    assert datelike.parsed({"extra": None}, set()) == {}
    assert datelike.parsed({"updated_at": "not a date"}, set()) is None


def test_a_schema_the_sdk_cannot_read_goes_to_the_sdk() -> None:
    assert sdk_datelike_properties({"properties": {"x": True}}).parsed({"x": 1}, set()) is None
    assert sdk_datelike_properties({"type": "object"}).parsed({}, set()) is None
