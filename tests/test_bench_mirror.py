"""The mirror benchmark runs end to end on a small list and prints the figures it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / "bench" / "mirror.py"


def test_the_bench_removes_the_members_not_sent_and_prints_its_cost() -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--members", "300"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert re.search(r"^members removed +150$", out, re.M), out
    assert re.search(r"^with ACTIVATE_VERSION +[\d.]+ +[\d.]+ +[\d.]+$", out, re.M), out
    assert re.search(r"^mirror adds -?[\d.]+ s of wall time", out, re.M), out
