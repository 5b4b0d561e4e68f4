"""The emulator's import benchmark runs end to end on a small input and prints its figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "emulator_import.py"


def test_the_bench_prints_cpu_seconds_per_100000_rows_for_csv_and_json() -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--records", "300", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    for name in ("CSV", "JSON"):
        assert re.search(rf"^{name} +[\d.]+ +[\d.]+$", completed.stdout, re.M), completed.stdout
