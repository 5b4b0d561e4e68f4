"""The files a run writes besides STATE, checked before any input is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from singer_sdk.exceptions import ConfigValidationError

from target_eloqua.loading import run_files


def test_the_summary_path_gets_its_directory_and_is_not_set_by_default(tmp_path: Path) -> None:
    path = tmp_path / "out" / "summary.json"

    assert run_files.summary_path({"summary_path": str(path)}) == path
    assert path.parent.is_dir()
    assert run_files.summary_path({}) is None


def test_a_summary_path_that_is_a_directory_is_a_setting_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_files.summary_path({"summary_path": str(tmp_path)})

    assert caught.value.errors == [f"summary_path: cannot write {tmp_path}: not a writable file"]


def test_the_rejects_file_is_checked_first_and_emptied_only_when_the_run_starts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rejects.jsonl"
    path.write_text('{"from": "the last run"}\n')

    checked = run_files.rejects_path({"rejects_path": str(path)})
    assert checked == path
    assert path.read_text() == '{"from": "the last run"}\n'

    run_files.open_rejects_file(path).close()
    assert path.read_text() == ""
    assert run_files.rejects_path({}) is None


def test_a_rejects_path_that_is_a_directory_is_a_setting_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_files.rejects_path({"rejects_path": str(tmp_path)})

    assert caught.value.errors == [f"rejects_path: cannot write {tmp_path}: not a writable file"]


def test_a_dry_run_writes_to_its_directory_and_a_real_run_has_none(tmp_path: Path) -> None:
    directory = tmp_path / "dry"

    assert run_files.dry_run_writer({"dry_run": True, "dry_run_dir": str(directory)}) is not None
    assert directory.is_dir()
    assert run_files.dry_run_writer({"dry_run": False}) is None
