"""The verify benchmark runs end to end on a small input and prints the figure it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / "bench" / "verify.py"


def test_the_bench_prints_seconds_per_100000_records_verified() -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--records", "200"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert re.search(r"^records read back +200$", out, re.M), out
    assert re.search(r"^export syncs +\d+$", out, re.M), out
    assert re.search(r"^seconds per 100,000 records verified [\d.]+$", out, re.M), out
