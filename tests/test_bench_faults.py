"""``bench/faults.py``, the fault-injection table, run as users run it (one case, to stay quick)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def bench(*cases: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "bench/faults.py", *cases],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_table_has_a_row_per_case_with_its_figures() -> None:
    completed = bench("connection dropped during POST /syncs")

    assert completed.returncode == 0, completed.stderr
    header, row = completed.stdout.splitlines()
    assert header.split("  ")[0] == "fault"
    assert [cell for cell in header.split("  ") if cell][1:] == [
        "requests affected",
        "run outcome",
        "records expected",
        "stored",
        "lost",
        "duplicated",
    ]
    cells = [cell.strip() for cell in row.split("  ") if cell.strip()]
    assert cells[:3] == ["connection dropped during POST /syncs", "2", "exit 0, STATE"]
    assert cells[3:] == ["40", "40", "0", "0"]


def test_an_unknown_case_is_refused_by_name() -> None:
    completed = bench("power cut")

    assert completed.returncode == 2
    assert "no such case: power cut" in completed.stderr
