"""The change store benchmark runs end to end on a small input and prints every figure it
promises.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / "bench" / "change_store.py"


def test_the_bench_prints_each_runs_figures_and_the_stores_size() -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--records", "300"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    for name, uploaded, syncs in (
        ("first load, no change store", 300, 1),
        ("first load, change store", 300, 1),
        ("same input again, change store", 0, 0),
    ):
        figures = rf" +[\d.]+ +[\d.]+ +[\d.]+ +{uploaded} +{syncs}$"
        assert re.search(rf"^{re.escape(name)}{figures}", out, re.M), (name, out)
    assert re.search(r"[\d.]+ MB for 300 identifiers, [\d.]+ MB per million identifiers$", out)
