"""Eloqua's rejects: one line each in the rejects file, and a short summary for the log."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from target_eloqua.loading.rejects import (
    MERGED,
    MERGED_MESSAGE,
    NO_IDENTIFIER,
    RejectsFile,
    RejectTally,
    record_matches,
    reject_entry,
    reject_identifier,
    unsent_entry,
)
from target_eloqua.mapping.streams import parse_stream_mapping

# "Company Name" is not a safe field key, so its definition key is "Company_Name".
MAPPING = parse_stream_mapping(
    "crm_accounts",
    {
        "entity": "accounts",
        "identifier": "Company Name",
        "fields": {"Company Name": "M_CompanyName", "email": "M_Email"},
    },
)
SYNC_URI = "/syncs/42"
REJECT: dict[str, Any] = {
    "statusCode": "ELQ-00002",
    "message": "Invalid email address.",
    "invalidFields": ["email", "Company_Name", "M_Unknown"],
    "fieldValues": {"Company_Name": "Acme (as echoed)", "email": "not-an-email"},
    "recordIndex": 7,
}


def test_a_reject_line_names_the_stream_properties_and_carries_the_source_record() -> None:
    record = {"Company Name": "Acme", "email": "not-an-email", "_sdc_batched_at": "2024-05-01"}

    line = reject_entry(MAPPING, SYNC_URI, REJECT, record)

    assert line == {
        "stream": "crm_accounts",
        "identifier": "Acme",
        "status_code": "ELQ-00002",
        "message": "Invalid email address.",
        "invalid_fields": ["email", "Company Name", "M_Unknown"],
        "sync_uri": "/syncs/42",
        "record_index": 7,
        "record": record,
    }


def test_a_record_the_target_did_not_send_has_a_line_of_the_same_shape() -> None:
    record = {"Company Name": None, "email": "a@b.example"}

    line = unsent_entry(MAPPING, NO_IDENTIFIER, "the identifier is null", record)

    assert line == {
        "stream": "crm_accounts",
        "identifier": None,
        "status_code": "NO_IDENTIFIER",
        "message": "the identifier is null",
        "invalid_fields": ["Company Name"],
        "sync_uri": None,
        "record_index": None,
        "record": record,
    }
    merged = unsent_entry(MAPPING, MERGED, MERGED_MESSAGE, {"Company Name": "Acme"})
    assert (merged["identifier"], merged["invalid_fields"]) == ("Acme", [])
    assert unsent_entry(MAPPING, MERGED, MERGED_MESSAGE, None)["identifier"] is None


def test_without_the_record_the_identifier_comes_from_the_values_eloqua_echoes() -> None:
    line = reject_entry(MAPPING, SYNC_URI, REJECT, None)

    assert line["identifier"] == "Acme (as echoed)"
    assert line["record"] is None


def test_the_identifier_is_read_from_the_echoed_values_when_the_record_lacks_it() -> None:
    assert reject_identifier(MAPPING, REJECT, {"email": "x"}) == "Acme (as echoed)"
    assert reject_identifier(MAPPING, {"statusCode": "ELQ-1"}, None) is None


def test_a_sparse_reject_still_makes_a_line() -> None:
    line = reject_entry(MAPPING, SYNC_URI, {}, None)

    assert line["invalid_fields"] == []
    assert (line["status_code"], line["message"], line["record_index"]) == (None, None, None)


def test_the_tally_counts_per_code_most_frequent_first_with_three_samples() -> None:
    tally = RejectTally()
    tally.add("ELQ-00040", "Missing identifier.", 17)
    for name in ["a@", "b@", "c@", "d@"]:
        tally.add("ELQ-00002", "Invalid email address.", name)
    tally.add("ELQ-00002", "A later message is not kept.", "e@")

    assert tally.total == 6
    assert tally.lines() == [
        "5 records ELQ-00002 (Invalid email address.), e.g. a@, b@, c@",
        "1 record ELQ-00040 (Missing identifier.), e.g. 17",
    ]


def test_a_blank_or_missing_identifier_shows_as_such_in_the_samples() -> None:
    tally = RejectTally()
    tally.add("ELQ-00040", "Missing identifier.", "")
    tally.add("ELQ-00040", "Missing identifier.", None)

    assert tally.lines() == ["2 records ELQ-00040 (Missing identifier.), e.g. '', None"]


def test_an_empty_tally_has_no_lines() -> None:
    tally = RejectTally()

    assert (tally.total, tally.lines()) == (0, [])


def test_the_rejects_file_creates_its_directories_and_writes_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "out" / "run" / "rejects.jsonl"
    rejects = RejectsFile(path)

    rejects.write([{"stream": "a", "n": 1}, {"stream": "b", "record": {"name": "Zoë"}}])
    rejects.write([{"stream": "c"}])
    rejects.close()

    assert [json.loads(line) for line in path.read_text("utf-8").splitlines()] == [
        {"stream": "a", "n": 1},
        {"stream": "b", "record": {"name": "Zoë"}},
        {"stream": "c"},
    ]


def test_the_rejects_file_is_emptied_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "rejects.jsonl"
    path.write_text('{"from": "the last run"}\n', "utf-8")

    RejectsFile(path).close()

    assert path.read_text("utf-8") == ""


def test_each_write_is_on_disk_before_the_file_is_closed(tmp_path: Path) -> None:
    path = tmp_path / "rejects.jsonl"
    rejects = RejectsFile(path)
    try:
        rejects.write([{"n": 1}])

        assert path.read_text("utf-8") == '{"n":1}\n'
    finally:
        rejects.close()


def test_threads_writing_at_once_never_mix_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "rejects.jsonl"
    rejects = RejectsFile(path)
    padding = "x" * 2000  # lines longer than the file's buffer

    def drain(thread: int) -> None:
        for batch in range(50):
            rejects.write(
                [{"thread": thread, "batch": batch, "n": n, "p": padding} for n in range(5)]
            )

    threads = [threading.Thread(target=drain, args=(number,)) for number in range(8)]
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch_interval)
    rejects.close()

    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert len(lines) == 8 * 50 * 5
    for number in range(8):
        mine = [(line["batch"], line["n"]) for line in lines if line["thread"] == number]
        assert mine == [(batch, n) for batch in range(50) for n in range(5)]


def test_a_record_matches_a_reject_that_echoes_its_identifier_as_uploaded() -> None:
    reject = {**REJECT, "fieldValues": {"Company_Name": "Acme  Corp"}}

    assert record_matches(MAPPING, reject, {"Company Name": "Acme  Corp"})
    assert not record_matches(MAPPING, reject, {"Company Name": "Globex"})
    assert record_matches(MAPPING, {"statusCode": "ELQ-00002"}, {"Company Name": "Globex"})


def test_tallies_merge_their_counts_and_keep_at_most_three_samples() -> None:
    first, second = RejectTally(), RejectTally()
    first.add("ELQ-00002", "Invalid email address.", "a@")
    for identifier in ["b@", "c@", "d@"]:
        second.add("ELQ-00002", "Invalid email address.", identifier)
    second.add("ELQ-00040", "Invalid field value.", 7)

    first.merge(second)

    assert first.lines() == [
        "4 records ELQ-00002 (Invalid email address.), e.g. a@, b@, c@",
        "1 record ELQ-00040 (Invalid field value.), e.g. 7",
    ]


def test_samples_are_cut_short_and_cannot_start_a_log_line_of_their_own() -> None:
    tally = RejectTally()
    tally.add("ELQ-00040", "Invalid field value.", "Acme\n2026-11-28 | ERROR | fake")
    tally.add("ELQ-00040", "Invalid field value.", "x" * 500)

    [line] = tally.lines()

    assert "\n" not in line
    assert "'Acme\\n2026-11-28 | ERROR | fake'" in line
    assert f"{'x' * 57}..." in line
    assert "x" * 58 not in line
