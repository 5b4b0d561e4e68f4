"""The emulator's import benchmark runs end to end on a small input and prints its figures."""

from __future__ import annotations

import re

from tests.support import run_bench


def test_the_bench_prints_cpu_seconds_per_100000_rows_for_csv_and_json() -> None:
    out = run_bench("emulator_import.py", "--records", "300", "--repeat", "1")

    for name in ("CSV", "JSON"):
        assert re.search(rf"^{name} +[\d.]+ +[\d.]+$", out, re.M), out
