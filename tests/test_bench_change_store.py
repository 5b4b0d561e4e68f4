"""The change store benchmark runs end to end on a small input and prints every figure it
promises.
"""

from __future__ import annotations

import re

from tests.support import run_bench


def test_the_bench_prints_each_runs_figures_and_the_stores_size() -> None:
    out = run_bench("change_store.py", "--records", "300")

    for name, uploaded, syncs in (
        ("first load, no change store", 300, 1),
        ("first load, change store", 300, 1),
        ("same input again, change store", 0, 0),
    ):
        figures = rf" +[\d.]+ +[\d.]+ +[\d.]+ +{uploaded} +{syncs}$"
        assert re.search(rf"^{re.escape(name)}{figures}", out, re.M), (name, out)
    assert re.search(r"[\d.]+ MB for 300 identifiers, [\d.]+ MB per million identifiers$", out)
