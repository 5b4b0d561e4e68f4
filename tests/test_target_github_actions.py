"""The installed target in GitHub Actions: the run's story appended to the job summary as
Markdown, its warnings and failure as annotations on stderr, STATE alone on stdout; and nothing
of it anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from target_eloqua.emulator import EmulatorServer
from target_eloqua.loading.report import COUNTERS
from tests.support import (
    COMPANIES,
    COMPANIES_MAPPING,
    TargetRun,
    company_messages,
    emulator_config,
    markdown_table,
    run_target,
)

STATE = {"bookmarks": {COMPANIES: {"replication_key_value": 3}}}
TOO_LONG = "Globex " + "X" * 100  # more than the 100 characters Eloqua's company name holds
MESSAGES = company_messages("Acme", TOO_LONG, "Initech", state=STATE)


def in_github_actions(tmp_path: Path) -> dict[str, str]:
    """The variables GitHub Actions sets for a step, the job summary's file in ``tmp_path``."""
    return {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md")}


def annotation_lines(run: TargetRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("::")]


def config(emulator: EmulatorServer, **settings: Any) -> dict[str, Any]:
    return emulator_config(emulator, streams={COMPANIES: COMPANIES_MAPPING}, **settings)


def test_a_run_with_rejects_tells_its_numbers_syncs_and_rejects_in_the_job_summary(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    env = in_github_actions(tmp_path)
    Path(env["GITHUB_STEP_SUMMARY"]).write_text("An earlier step's summary\n")

    run = run_target(config(emulator, max_rejects=1), MESSAGES, tmp_path, env=env)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    markdown = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert markdown.startswith("An earlier step's summary\n## target-eloqua: ✅ succeeded\n")
    [stream] = markdown_table(markdown, "Streams")
    assert list(stream) == ["stream", *COUNTERS]
    assert [stream[c] for c in ("read", "uploaded", "created", "rejected")] == ["3", "3", "2", "1"]
    [sync] = markdown_table(markdown, "Syncs")
    assert (sync["uri"], sync["status"], sync["rejected"]) == ("/syncs/1", "warning", "1")
    [rejects] = markdown_table(markdown, "Rejected records")
    assert (rejects["status code"], rejects["records"]) == ("ELQ-00040", "1")
    assert rejects["e.g. (identifiers)"].startswith("Globex XXXXX")
    assert annotation_lines(run)
    assert all(
        line.startswith("::warning title=target-eloqua%3A stream companies::Sync /syncs/1")
        for line in annotation_lines(run)
    )


def test_a_failed_run_is_an_error_annotation_and_a_failed_job_summary(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    env = in_github_actions(tmp_path)

    run = run_target(config(emulator, max_rejects=0), MESSAGES, tmp_path, env=env)

    assert run.returncode == 1
    assert run.states == []
    error = (
        "1 record rejected in this run, more than max_rejects (0); set rejects_path to list them"
    )
    assert f"::error title=target-eloqua::{error}" in annotation_lines(run)
    markdown = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert markdown.startswith("## target-eloqua: ❌ failed (exit 1)\n")
    assert f"\n```\n{error}\n```\n" in markdown
    assert markdown_table(markdown, "Rejected records")[0]["status code"] == "ELQ-00040"


def test_a_config_that_fails_is_an_error_annotation_per_problem(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    env = in_github_actions(tmp_path)

    run = run_target(config(emulator, max_rejects=-1), MESSAGES, tmp_path, env=env)

    assert run.returncode == 1
    errors = annotation_lines(run)
    assert errors[-1] == "::error title=target-eloqua::Config validation failed"
    assert any("max_rejects" in line for line in errors[:-1])
    markdown = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert markdown.startswith("## target-eloqua: ❌ failed (exit 1)\n")
    assert "max_rejects" in markdown


def test_elsewhere_the_run_writes_no_annotation_and_no_job_summary(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    run = run_target(config(emulator, max_rejects=0), MESSAGES, tmp_path)

    assert run.returncode == 1
    assert "rejected 1 record" in run.stderr
    assert annotation_lines(run) == []
    assert not list(tmp_path.glob("*.md"))


def test_github_actions_false_writes_no_annotation(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    run = run_target(
        config(emulator, max_rejects=0), MESSAGES, tmp_path, env={"GITHUB_ACTIONS": "false"}
    )

    assert run.returncode == 1
    assert annotation_lines(run) == []
