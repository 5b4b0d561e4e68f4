"""The run told to GitHub Actions: its summary as Markdown in the job summary, and each warning
and error of its log as an annotation.

The Markdown is appended to the file ``GITHUB_STEP_SUMMARY`` names, when it is set; the
annotations are workflow commands (``::error title=...::message``) on stderr, since stdout carries
STATE alone, when ``GITHUB_ACTIONS`` is ``true``. Elsewhere nothing here does anything. GitHub
documents both:
https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from target_eloqua.loading.rejects import RejectTally
from target_eloqua.loading.report import COUNTERS

logger = logging.getLogger(__name__)

ANNOTATIONS_PER_LEVEL = 10
"""GitHub shows at most 10 error and 10 warning annotations per step; the log has the rest."""

MAX_SYNC_ROWS = 50
"""Syncs listed in the job summary; a summary file (``summary_path``) lists every one."""

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
"""Characters that would make Markdown of a value (a table cell's ``|`` among them)."""


def append_step_summary(
    summary: Mapping[str, Any],
    rejects: Mapping[str, RejectTally],
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Append the run's summary as Markdown to the file ``GITHUB_STEP_SUMMARY`` names, if any;
    failing to must not hide how the run itself ended.
    """
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as step_summary:
            step_summary.write(summary_markdown(summary, rejects))
    except OSError as error:
        logger.warning("Cannot append the run summary to GITHUB_STEP_SUMMARY %s: %s", path, error)


def summary_markdown(summary: Mapping[str, Any], rejects: Mapping[str, RejectTally]) -> str:
    """The run summary (``RunReport.summary``) as Markdown: how the run ended, its numbers per
    stream, its syncs and its rejected records per status code, with a few identifier values.
    """
    sections = [
        _outcome(summary),
        _stream_table(summary),
        _sync_table(summary),
        _reject_table(rejects),
    ]
    return "\n".join(section for section in sections if section) + "\n"


def _outcome(summary: Mapping[str, Any]) -> str:
    if summary["status"] == "succeeded":
        heading = "## target-eloqua: ✅ succeeded"
    else:
        heading = f"## target-eloqua: ❌ failed (exit {summary['exit_code']})"
    lines = [heading, "", f"Run of {summary['seconds']} s, started {summary['started_at']}."]
    if summary.get("error"):
        lines += ["", *_fenced(summary["error"])]
    return "\n".join(lines) + "\n"


def _stream_table(summary: Mapping[str, Any]) -> str:
    """One row per stream, with every counter of ``COUNTERS`` as a column; totals below."""
    streams: Mapping[str, Mapping[str, Any]] = summary["streams"]
    if not streams:
        return ""
    rows = [
        [_cell(name), *(_number(counts[c]) for c in COUNTERS)] for name, counts in streams.items()
    ]
    if len(streams) > 1:
        rows.append(["**total**", *(_number(summary["totals"][c]) for c in COUNTERS)])
    return "### Streams\n\n" + _table(
        ["stream", *COUNTERS], rows, right=range(1, len(COUNTERS) + 1)
    )


def _sync_table(summary: Mapping[str, Any]) -> str:
    """One row per sync (its stream, then each thing the summary says of it)."""
    syncs = [(stream, sync) for stream, s in summary["streams"].items() for sync in s["syncs"]]
    if not syncs:
        return ""
    first = syncs[0][1]
    columns = list(first)
    numeric = [n for n, c in enumerate(columns, start=1) if _is_number(first[c])]
    rows = [[_cell(stream), *(_sync_cell(sync[c]) for c in columns)] for stream, sync in syncs]
    text = "### Syncs\n\n" + _table(["stream", *columns], rows[:MAX_SYNC_ROWS], right=numeric)
    if len(rows) > MAX_SYNC_ROWS:
        more = len(rows) - MAX_SYNC_ROWS
        text += f"\n… and {more} more syncs (a run summary file, `summary_path`, lists them all).\n"
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sync_cell(value: Any) -> str:
    """A sync's value as its cell shows it: blank where it has none, yes or no for a flag."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _cell(str(value))


def _reject_table(rejects: Mapping[str, RejectTally]) -> str:
    """Per stream and status code, the records Eloqua rejected, with a few identifier values."""
    rows = [
        [_cell(stream), _cell(code), str(count), _cell(tally.messages[code]), _samples(tally, code)]
        for stream, tally in sorted(rejects.items())
        for code, count in tally.counts.most_common()
    ]
    if not rows:
        return ""
    header = ["stream", "status code", "records", "message", "e.g. (identifiers)"]
    return "### Rejected records\n\n" + _table(header, rows, right=[2])


def _samples(tally: RejectTally, code: str) -> str:
    return ", ".join(_cell(sample) for sample in tally.samples[code])


def _table(header: list[str], rows: list[list[str]], right: Iterable[int]) -> str:
    """A Markdown table whose columns numbered in ``right`` (from 0) are aligned right."""
    aligned_right = set(right)
    aligns = ["---:" if n in aligned_right else "---" for n in range(len(header))]
    lines = [header, aligns, *rows]
    return "".join("| " + " | ".join(line) + " |\n" for line in lines)


def _number(value: Any) -> str:
    """A counter as the table shows it (the summary lists a stream's syncs: they count)."""
    return str(len(value) if isinstance(value, list) else value)


def _cell(text: str) -> str:
    """A value as plain text in one table cell: on one line, with nothing Markdown would read."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def _fenced(text: str) -> list[str]:
    """A code block that holds ``text`` as it is, whatever backticks it has."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *text.splitlines(), fence]


def annotate_log(environ: Mapping[str, str] = os.environ) -> None:
    """In GitHub Actions, have every warning and error logged also written as an annotation."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return
    root = logging.getLogger()
    if not any(isinstance(handler, AnnotationHandler) for handler in root.handlers):
        root.addHandler(AnnotationHandler())


class AnnotationHandler(logging.Handler):
    """Writes each warning and error logged as a workflow command on stderr, the first
    ``ANNOTATIONS_PER_LEVEL`` of each: ``::warning title=target-eloqua::message``.

    The message is the log's, without the traceback a failure may carry; the title names the
    stream when a stream's logger wrote it.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.written: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record as an annotation (``logging`` calls this under the handler's lock)."""
        command = "error" if record.levelno >= logging.ERROR else "warning"
        if self.written[command] >= ANNOTATIONS_PER_LEVEL:
            return
        self.written[command] += 1
        try:
            sys.stderr.write(workflow_command(command, record.getMessage(), title=_title(record)))
            sys.stderr.flush()
        except Exception:  # logging's way: a handler never raises
            self.handleError(record)


def workflow_command(command: str, message: str, *, title: str) -> str:
    """A workflow command line, escaped as GitHub's toolkit escapes them
    (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts).
    """
    return f"::{command} title={_escape_property(title)}::{_escape_data(message)}\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _title(record: logging.LogRecord) -> str:
    """``target-eloqua``, or ``target-eloqua: stream crm`` for a stream's logger, whose name is
    the target's with the stream's after a dot (singer-sdk's ``Sink.logger``).
    """
    target, dot, stream = record.name.partition(".")
    return (
        f"target-eloqua: stream {stream}" if target == "target-eloqua" and dot else "target-eloqua"
    )
