"""The run's per-stream numbers and the table that ends the log."""

from __future__ import annotations

from target_eloqua.bulk.logs import SyncCounts
from target_eloqua.report import RunReport, StreamTotals


def test_counters_add_up_per_stream() -> None:
    report = RunReport()
    report.add("accounts", read=3, merged=1)
    report.add("accounts", uploaded=2, uploaded_bytes=40)
    report.add_sync("accounts", SyncCounts(processed=2, created=1, updated=1))

    assert report.streams == {
        "accounts": StreamTotals(
            read=3, merged=1, uploaded=2, uploaded_bytes=40, syncs=1, created=1, updated=1
        )
    }


def test_the_table_has_a_header_and_a_row_per_stream_in_name_order() -> None:
    report = RunReport()
    report.add("zeta", read=10)
    report.add("alpha", read=2)

    lines = report.table().splitlines()

    assert lines[0].split() == [
        "stream",
        "read",
        "merged",
        "uploaded",
        "uploaded_bytes",
        "syncs",
        "created",
        "updated",
        "rejected",
    ]
    assert lines[1].split() == ["alpha", "2", "0", "0", "0", "0", "0", "0", "0"]
    assert lines[2].split() == ["zeta", "10", "0", "0", "0", "0", "0", "0", "0"]
