"""Reading what a sync did from its log items."""

from __future__ import annotations

from target_eloqua.bulk.logs import SyncCounts, count_sync_logs, problem_messages

LOGS = [
    {
        "statusCode": "ELQ-00001",
        "count": 5,
        "severity": "information",
        "message": "Total records processed.",
    },
    {
        "statusCode": "ELQ-00005",
        "count": 2,
        "severity": "information",
        "message": "Accounts created.",
    },
    {
        "statusCode": "ELQ-00023",
        "count": 2,
        "severity": "information",
        "message": "Accounts updated.",
    },
    {
        "statusCode": "ELQ-00002",
        "count": 1,
        "severity": "warning",
        "message": "Invalid email addresses.",
    },
    {
        "statusCode": "ELQ-00060",
        "count": 1,
        "severity": "information",
        "message": "Total rejected records.",
    },
]


def test_counters_are_read_from_their_elq_codes() -> None:
    assert count_sync_logs(LOGS) == SyncCounts(processed=5, created=2, updated=2, rejected=1)


def test_contact_and_custom_object_counters_count_too() -> None:
    logs = [{"statusCode": "ELQ-00004", "count": 3}, {"statusCode": "ELQ-00012", "count": 4}]

    assert count_sync_logs(logs) == SyncCounts(created=3, updated=4)


def test_rows_left_alone_by_the_import_rule_and_linked_records_are_counted() -> None:
    logs = [
        {"statusCode": "ELQ-00034", "count": 2, "message": "Total unmatched records."},
        {"statusCode": "ELQ-00007", "count": 3, "message": "CustomObject data created."},
        {"statusCode": "ELQ-00025", "count": 1, "message": "CustomObject data linked."},
    ]

    assert count_sync_logs(logs) == SyncCounts(created=3, unmatched=2, linked=1)


def test_problem_messages_are_the_warnings_and_errors() -> None:
    assert problem_messages(LOGS) == ["ELQ-00002: Invalid email addresses. (1)"]


def test_an_entity_whose_logs_count_nothing_loaded_is_counted_by_its_totals() -> None:
    logs = [
        {"statusCode": "ELQ-00001", "count": 6, "message": "Total records processed."},
        {"statusCode": "ELQ-00049", "count": 2, "message": "Total new records."},
        {"statusCode": "ELQ-00060", "count": 1, "message": "Total rejected records."},
        {"statusCode": "ELQ-00034", "count": 1, "message": "Total unmatched records."},
    ]

    counts = count_sync_logs(logs).by_totals()

    assert (counts.created, counts.updated, counts.rejected, counts.unmatched) == (2, 2, 1, 1)
    assert count_sync_logs(logs[:1]).by_totals().updated == 6


def test_what_sync_actions_did_is_counted_by_the_codes_that_name_it() -> None:
    codes = {
        "ELQ-00001": 9,
        "ELQ-00034": 1,
        "ELQ-00119": 4,
        "ELQ-00114": 1,
        "ELQ-00118": 2,
        "ELQ-00117": 1,
        "ELQ-00115": 1,
        "ELQ-00116": 1,
        "ELQ-00138": 1,
        "ELQ-00017": 2,
        "ELQ-00016": 3,
        "ELQ-00033": 2,
        "ELQ-00035": 1,
    }

    counts = count_sync_logs({"statusCode": code, "count": n} for code, n in codes.items())

    assert counts == SyncCounts(
        processed=9,
        created=2,
        updated=1,
        unmatched=1,
        list_added=5,
        list_removed=3,
        subscriptions_changed=5,
        marked_bounced=3,
    )
