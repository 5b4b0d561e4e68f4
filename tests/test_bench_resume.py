"""``bench/resume.py``, a load killed and resumed, run as users run it on a small load."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_each_kill_has_a_row_and_every_record_ends_up_in_eloqua_once() -> None:
    completed = subprocess.run(
        [sys.executable, "bench/resume.py", "--records", "30000", "--kills", "2", "--seed", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].split() == [
        "kill", "after", "s", "run", "from", "resumed", "from", "imported", "again", "staged",
        "again", "sent", "again", "goal",
    ]  # fmt: skip
    rows = lines[1:-2]
    assert len(rows) <= 2
    for number, row in enumerate(rows, start=1):
        assert re.fullmatch(rf" +{number} +[\d.]+( +[\d,]+){{6}}( +over)?", row), row
    assert lines[-1].endswith("Eloqua holds 30,000 of 30,000 records, each once")
