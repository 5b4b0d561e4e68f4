"""``bench/resume.py``, a load killed and resumed, run as users run it on a small load."""

from __future__ import annotations

import re

from tests.support import run_bench


def test_each_kill_has_a_row_and_every_record_ends_up_in_eloqua_once() -> None:
    out = run_bench("resume.py", "--records", "30000", "--kills", "2", "--seed", "3")

    lines = out.splitlines()
    assert lines[0].split() == [
        "kill", "after", "s", "run", "from", "resumed", "from", "imported", "again", "staged",
        "again", "sent", "again", "goal",
    ]  # fmt: skip
    rows = lines[1:-2]
    assert len(rows) <= 2
    for number, row in enumerate(rows, start=1):
        assert re.fullmatch(rf" +{number} +[\d.]+( +[\d,]+){{6}}( +over)?", row), row
    assert lines[-1].endswith("Eloqua holds 30,000 of 30,000 records, each once")
