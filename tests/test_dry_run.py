"""What a dry run writes: the definition once per stream, and each drain's upload."""

from __future__ import annotations

import json
from pathlib import Path

from target_eloqua.dry_run import DryRunWriter


def test_each_drain_gets_a_numbered_file_and_the_definition_is_written_once(
    tmp_path: Path,
) -> None:
    writer = DryRunWriter(tmp_path)

    first = writer.write("crm/accounts", {"name": "d"}, b"id\r\n1\r\n", "csv")
    second = writer.write("crm/accounts", {"name": "changed"}, b"id\r\n2\r\n", "csv")

    assert (first.name, second.name) == ("crm_accounts.0001.csv", "crm_accounts.0002.csv")
    assert second.read_bytes() == b"id\r\n2\r\n"
    assert json.loads((tmp_path / "crm_accounts.definition.json").read_text()) == {"name": "d"}
