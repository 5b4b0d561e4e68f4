"""The run told to GitHub Actions: the job summary's Markdown and the log's annotations.

End to end (the installed target in GitHub Actions' environment) in
``tests/test_target_github_actions.py``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.loading import github_actions
from target_eloqua.loading.github_actions import (
    ANNOTATIONS_PER_LEVEL,
    MAX_SYNC_ROWS,
    AnnotationHandler,
    annotate_log,
    append_step_summary,
    summary_markdown,
    workflow_command,
)
from target_eloqua.loading.rejects import RejectTally
from target_eloqua.loading.report import COUNTERS, RunReport, SyncRecord
from tests.support import markdown_table


def sync(uri: str, status: str = "success", **counts: Any) -> SyncRecord:
    return SyncRecord(uri, "/accounts/imports/1", status, 1.5, rows=3, parts=1, bytes=90, **counts)


def test_the_streams_table_has_a_column_per_counter_a_row_per_stream_and_totals() -> None:
    report = RunReport()
    report.add("crm_accounts", read=5, merged=1, uploaded=4)
    report.record_sync("crm_accounts", sync("/syncs/1", created=3, updated=1))
    report.add("crm_contacts", read=2, uploaded=2)

    rows = markdown_table(summary_markdown(report.summary(exit_code=0), {}), "Streams")

    assert [list(row) for row in rows] == [["stream", *COUNTERS]] * 3
    accounts, contacts, total = rows
    assert (accounts["stream"], contacts["stream"], total["stream"]) == (
        "crm\\_accounts",
        "crm\\_contacts",
        "**total**",
    )
    assert [accounts[c] for c in ("read", "merged", "syncs", "created")] == ["5", "1", "1", "3"]
    assert (total["read"], total["uploaded"]) == ("7", "6")


def test_a_new_counter_shows_up_as_a_column(monkeypatch: pytest.MonkeyPatch) -> None:
    report = RunReport()
    report.add("crm", read=3)
    summary = report.summary(exit_code=0)
    summary["streams"]["crm"]["resent"] = 2  # as a counter added to the report would be
    summary["totals"]["resent"] = 2
    monkeypatch.setattr(github_actions, "COUNTERS", (*COUNTERS, "resent"))

    [row] = markdown_table(summary_markdown(summary, {}), "Streams")

    assert list(row)[-1] == "resent"
    assert row["resent"] == "2"


def test_each_sync_is_listed_with_its_status() -> None:
    report = RunReport()
    report.record_sync("crm", sync("/syncs/1", "success", created=3))
    report.record_sync("crm", sync("/syncs/2", "warning", rejected=2))

    syncs = markdown_table(summary_markdown(report.summary(exit_code=0), {}), "Syncs")

    assert [(s["stream"], s["uri"], s["status"], s["rejected"]) for s in syncs] == [
        ("crm", "/syncs/1", "success", "0"),
        ("crm", "/syncs/2", "warning", "2"),
    ]


def test_a_sync_shows_no_python_values_blank_for_none_and_yes_or_no_for_a_flag() -> None:
    report = RunReport()
    report.record_sync("crm", sync("/syncs/1", "success", created=3))

    [row] = markdown_table(summary_markdown(report.summary(exit_code=0), {}), "Syncs")

    assert (row["linked"], row["mirror"]) == ("", "no")
    assert "None" not in row.values()
    assert "False" not in row.values()


def test_a_long_run_lists_its_first_syncs_and_says_how_many_more_it_had() -> None:
    report = RunReport()
    for n in range(MAX_SYNC_ROWS + 3):
        report.record_sync("crm", sync(f"/syncs/{n}"))

    markdown = summary_markdown(report.summary(exit_code=0), {})

    assert len(markdown_table(markdown, "Syncs")) == MAX_SYNC_ROWS
    assert "… and 3 more syncs" in markdown


def test_rejects_are_listed_per_stream_and_status_code_with_a_few_identifiers() -> None:
    tally = RejectTally()
    for identifier in ("a@", "b@", "c@", "d@"):
        tally.add("ELQ-00002", "Invalid email address.", identifier)
    tally.add("ELQ-00040", "Invalid field value.", "x")

    markdown = summary_markdown(RunReport().summary(exit_code=0), {"crm": tally})

    assert [list(row.values()) for row in markdown_table(markdown, "Rejected records")] == [
        ["crm", "ELQ-00002", "4", "Invalid email address.", "a@, b@, c@"],
        ["crm", "ELQ-00040", "1", "Invalid field value.", "x"],
    ]


def test_values_from_the_data_cannot_make_markdown_or_break_the_table() -> None:
    tally = RejectTally()
    tally.add("ELQ-00040", "Too long | <b>bold</b>", "*a|b*\n| x | y |")

    markdown = summary_markdown(RunReport().summary(exit_code=0), {"crm": tally})

    [row] = [line for line in markdown.splitlines() if line.startswith("| crm")]
    assert re.findall(r"(?<!\\)\|", row) == ["|"] * 6  # the table's own bars, no other
    assert "<b>" not in markdown
    assert "\\*a\\|b\\*" in row


def test_a_succeeded_run_says_so_and_a_failed_one_quotes_its_error_as_it_is() -> None:
    succeeded = summary_markdown(RunReport().summary(exit_code=0), {})
    error = "Config validation failed\nstreams: ```x``` is not of type 'object'"
    failed = summary_markdown(RunReport().summary(exit_code=1, error=error), {})

    assert succeeded.startswith("## target-eloqua: ✅ succeeded\n")
    assert "### " not in succeeded  # a run with no stream has no table
    assert failed.startswith("## target-eloqua: ❌ failed (exit 1)\n")
    assert f"\n````\n{error}\n````\n" in failed


def test_the_markdown_is_appended_to_the_file_github_names(tmp_path: Path) -> None:
    path = tmp_path / "step_summary.md"
    path.write_text("Earlier step's summary\n")
    environ = {"GITHUB_STEP_SUMMARY": str(path)}

    append_step_summary(RunReport().summary(exit_code=0), {}, environ)
    append_step_summary(RunReport().summary(exit_code=1, error="x"), {}, environ)

    text = path.read_text()
    assert text.startswith("Earlier step's summary\n## target-eloqua: ✅ succeeded")
    assert "## target-eloqua: ❌ failed (exit 1)" in text


def test_without_github_actions_nothing_is_written(tmp_path: Path) -> None:
    append_step_summary(RunReport().summary(exit_code=0), {}, {})
    annotate_log({"GITHUB_STEP_SUMMARY": str(tmp_path / "x.md"), "GITHUB_ACTIONS": "false"})

    assert list(tmp_path.iterdir()) == []
    assert not any(isinstance(h, AnnotationHandler) for h in logging.getLogger().handlers)


def test_a_step_summary_that_cannot_be_written_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    environ = {"GITHUB_STEP_SUMMARY": str(tmp_path / "no such dir" / "summary.md")}

    append_step_summary(RunReport().summary(exit_code=0), {}, environ)

    assert "Cannot append the run summary to GITHUB_STEP_SUMMARY" in caplog.text


def test_workflow_commands_escape_their_data_and_properties() -> None:
    assert workflow_command("error", "50% done\r\nnext: a, b", title="t: a, b%") == (
        "::error title=t%3A a%2C b%25::50%25 done%0D%0Anext: a, b\n"
    )


@pytest.fixture
def stream_logger() -> Iterator[logging.Logger]:
    """A stream's logger, as the target names it, with the annotation handler."""
    logger = logging.getLogger("target-eloqua.test_stream")
    handler = AnnotationHandler()
    logger.addHandler(handler)
    yield logger
    logger.removeHandler(handler)


def test_warnings_and_errors_become_annotations_titled_with_their_stream(
    stream_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = stream_logger

    logger.info("Uploaded part 1")
    logger.warning("Sync %s: %s", "/syncs/1", "ELQ-00060: Total rejected records. (2)")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("Sync failed:\nline two")

    assert capsys.readouterr().err.splitlines() == [
        "::warning title=target-eloqua%3A stream test_stream::"
        "Sync /syncs/1: ELQ-00060: Total rejected records. (2)",
        "::error title=target-eloqua%3A stream test_stream::Sync failed:%0Aline two",
    ]


def test_annotations_stop_at_the_number_github_shows(
    stream_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = stream_logger

    for n in range(ANNOTATIONS_PER_LEVEL + 5):
        logger.warning("warning %d", n)
    logger.error("the failure")

    lines = capsys.readouterr().err.splitlines()
    assert len([line for line in lines if line.startswith("::warning ")]) == ANNOTATIONS_PER_LEVEL
    assert lines[-1] == "::error title=target-eloqua%3A stream test_stream::the failure"
