"""What a dry run writes: the definition once per stream, and each drain's upload."""

from __future__ import annotations

import json
from pathlib import Path

from target_eloqua.loading.dry_run import DryRunWriter, file_name


def test_each_drain_gets_a_numbered_file_and_the_definition_is_written_once(
    tmp_path: Path,
) -> None:
    writer = DryRunWriter(tmp_path)

    first = writer.write("crm_accounts", {"name": "d"}, b"id\r\n1\r\n", "csv")
    second = writer.write("crm_accounts", {"name": "changed"}, b"id\r\n2\r\n", "csv")

    assert (first.name, second.name) == ("crm_accounts.0001.csv", "crm_accounts.0002.csv")
    assert second.read_bytes() == b"id\r\n2\r\n"
    assert json.loads((tmp_path / "crm_accounts.definition.json").read_text()) == {"name": "d"}


def test_streams_whose_names_are_not_safe_file_names_never_share_files() -> None:
    assert file_name("a_1") == "a_1"
    assert file_name("a:1").startswith("a_1-")
    assert file_name("a/1").startswith("a_1-")
    assert len({file_name("a:1"), file_name("a/1"), file_name("a_1")}) == 3


def test_parts_left_by_an_earlier_dry_run_are_removed(tmp_path: Path) -> None:
    (tmp_path / "s.0002.csv").write_text("old")
    (tmp_path / "notes.txt").write_text("mine")

    DryRunWriter(tmp_path).write("s", {}, b"new", "csv")

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "notes.txt",
        "s.0001.csv",
        "s.definition.json",
    ]
