"""The run's numbers: the table that ends the log and the JSON summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from target_eloqua.loading.rejects import MERGED, MERGED_MESSAGE, RejectTally
from target_eloqua.loading.report import (
    RunReport,
    SyncRecord,
    error_text,
    exit_code_of,
    write_summary,
)


def sync(uri: str, status: str = "success", **counts: Any) -> SyncRecord:
    return SyncRecord(
        uri=uri,
        import_uri="/accounts/imports/1",
        status=status,
        seconds=1.5,
        rows=3,
        parts=1,
        bytes=120,
        **counts,
    )


def test_counters_add_up_per_stream_and_each_sync_is_kept() -> None:
    report = RunReport()
    report.add("accounts", read=3, merged=1)
    report.add("accounts", read=1, refused=1)
    report.add("accounts", read=2, unchanged=2)
    report.add("accounts", uploaded=2, uploaded_bytes=40)
    report.record_sync("accounts", sync("/syncs/1", created=1, updated=1, unmatched=1))
    report.record_sync("accounts", sync("/syncs/2", "warning", rejected=2))

    totals = report.streams["accounts"]
    assert totals.counters() == {
        "read": 6,
        "merged": 1,
        "skipped": 0,
        "unchanged": 2,
        "unmatched": 1,
        "uploaded": 2,
        "uploaded_bytes": 40,
        "syncs": 2,
        "created": 1,
        "updated": 1,
        "matched": 0,
        "rejected": 3,
        "verified": 0,
        "mismatched": 0,
        "list_added": 0,
        "list_removed": 0,
        "subscriptions_changed": 0,
        "marked_bounced": 0,
    }
    assert [s.uri for s in totals.sync_records] == ["/syncs/1", "/syncs/2"]
    assert report.rejected() == 3


def test_what_sync_actions_did_adds_up_and_mirror_removals_are_no_records_read() -> None:
    report = RunReport()
    report.add("audience", read=5)
    report.record_sync(
        "audience",
        sync("/syncs/1", matched=3, unmatched=1, rejected=1, list_added=3, subscriptions_changed=3),
    )
    report.record_sync(
        "audience", sync("/syncs/2", matched=4, rejected=1, list_removed=4, mirror=True)
    )

    counters = report.streams["audience"].counters()

    assert {name: counters[name] for name in ("matched", "unmatched", "rejected")} == {
        "matched": 3,
        "unmatched": 1,
        "rejected": 1,
    }
    assert counters["read"] == counters["matched"] + counters["unmatched"] + counters["rejected"]
    assert (counters["list_added"], counters["list_removed"]) == (3, 4)
    assert counters["subscriptions_changed"] == 3
    assert report.summary(exit_code=0)["streams"]["audience"]["syncs"][1]["mirror"] is True


def test_the_table_has_a_header_a_row_per_stream_in_name_order_and_totals() -> None:
    report = RunReport()
    report.add("zeta", read=10, uploaded=10)
    report.add("alpha", read=2, merged=1, uploaded=1)

    lines = report.table().splitlines()

    assert [line.split() for line in lines] == [
        ["stream", "read", "merged", "uploaded"],
        ["alpha", "2", "1", "1"],
        ["zeta", "10", "0", "10"],
        ["total", "12", "1", "11"],
    ]


def test_the_table_leaves_out_the_counters_that_are_0_in_every_stream() -> None:
    report = RunReport()
    report.add("people", read=0)

    assert report.table().splitlines()[0].split() == ["stream", "read"]


def test_the_summary_has_streams_syncs_totals_and_the_exit_status(tmp_path: Path) -> None:
    report = RunReport()
    report.add("accounts", read=4, uploaded=4)
    report.record_sync("accounts", sync("/syncs/7", "error", rejected=1))
    report.add("contacts", read=1)

    path = tmp_path / "out" / "summary.json"
    requests = {"POST /syncs": {"requests": 1, "failed": 0}}
    summary = report.summary(exit_code=1, error="sync /syncs/7 ended 'error'", requests=requests)
    write_summary(path, summary)

    summary = json.loads(path.read_text())
    assert summary["status"] == "failed"
    assert summary["exit_code"] == 1
    assert summary["error"] == "sync /syncs/7 ended 'error'"
    assert summary["streams"]["accounts"]["read"] == 4
    assert summary["streams"]["accounts"]["syncs"] == [
        {
            "uri": "/syncs/7",
            "import_uri": "/accounts/imports/1",
            "status": "error",
            "seconds": 1.5,
            "rows": 3,
            "parts": 1,
            "bytes": 120,
            "created": 0,
            "updated": 0,
            "rejected": 1,
            "unmatched": 0,
            "linked": None,
            "matched": 0,
            "list_added": 0,
            "list_removed": 0,
            "subscriptions_changed": 0,
            "marked_bounced": 0,
            "mirror": False,
        }
    ]
    assert summary["totals"]["read"] == 5
    assert summary["totals"]["syncs"] == 1
    assert summary["requests"] == requests
    assert summary["seconds"] >= 0
    assert not list(tmp_path.glob("out/*.partial"))


def test_records_read_back_add_up_and_so_does_the_time_it_took() -> None:
    report = RunReport()
    report.add("contacts", verified=10, mismatched=1, verify_seconds=0.25)
    report.add("contacts", verified=5, mismatched=2, verify_seconds=0.5)
    report.add("accounts", verified=3)

    summary = report.summary(exit_code=0)

    assert report.mismatched() == 3
    assert summary["streams"]["contacts"]["verified"] == 15
    assert summary["streams"]["contacts"]["mismatched"] == 3
    assert summary["streams"]["contacts"]["verify_seconds"] == 0.75
    assert summary["totals"]["verified"] == 18


def test_a_sync_recorded_again_under_its_uri_replaces_the_first_record() -> None:
    report = RunReport()
    report.record_sync("accounts", sync("/syncs/1", "unknown"))
    report.record_sync("accounts", sync("/syncs/1", "warning", created=2, rejected=1))

    [only] = report.streams["accounts"].sync_records
    assert (only.status, only.created, only.rejected) == ("warning", 2, 1)
    assert report.rejected() == 1


def test_reject_lines_add_up_each_streams_rejects_per_status_code() -> None:
    report = RunReport()
    for identifiers in (["a@", "b@"], ["c@", "d@"]):
        tally = RejectTally()
        for identifier in identifiers:
            tally.add("ELQ-00002", "Invalid email address.", identifier)
        report.add_rejects("contacts", tally)

    assert report.reject_summary() == [
        "Stream 'contacts' rejected 4 records ELQ-00002 (Invalid email address.), e.g. a@, b@, c@"
    ]


def test_merged_records_are_told_per_stream_with_a_few_identifiers() -> None:
    report = RunReport()
    for identifiers in (["Acme", "Bolt"], ["Core", "Dyna"]):
        tally = RejectTally()
        for identifier in identifiers:
            tally.add(MERGED, MERGED_MESSAGE, identifier)
        report.add_merged("accounts", tally)

    assert report.merge_summary() == [
        "Stream 'accounts' merged 4 records into a later one with the same identifier, "
        "e.g. Acme, Bolt, Core"
    ]


def test_records_linked_to_nothing_are_told_from_the_syncs_that_link_them() -> None:
    report = RunReport()
    report.record_sync("purchases", sync("/syncs/1", created=3, updated=1, linked=3))
    report.record_sync("purchases", sync("/syncs/2", created=2, linked=1))
    report.record_sync("orders", sync("/syncs/3", created=2, linked=2))
    report.record_sync("accounts", sync("/syncs/4", created=2))

    assert report.link_summary() == [
        "Stream 'purchases': 2 of 6 records loaded were linked to no contact or account "
        "(map_data_cards found no match)"
    ]


def test_a_config_error_is_described_with_each_of_its_problems() -> None:
    error = ConfigValidationError("Config validation failed", errors=["max_rejects: -1 < 0"])

    assert error_text(error) == "Config validation failed\nmax_rejects: -1 < 0"
    assert error_text(KeyError()) == "KeyError"


@pytest.mark.parametrize(
    ("error", "code"),
    [(RuntimeError("x"), 1), (SystemExit(143), 143), (SystemExit(None), 0), (SystemExit("x"), 1)],
)
def test_the_exit_code_of_a_failure(error: BaseException, code: int) -> None:
    assert exit_code_of(error) == code
