"""The verify benchmark runs end to end on a small input and prints the figure it promises."""

from __future__ import annotations

import re

from tests.support import run_bench


def test_the_bench_prints_seconds_per_100000_records_verified() -> None:
    out = run_bench("verify.py", "--records", "200")
    assert re.search(r"^records read back +200$", out, re.M), out
    assert re.search(r"^export syncs +\d+$", out, re.M), out
    assert re.search(r"^seconds per 100,000 records verified [\d.]+$", out, re.M), out
