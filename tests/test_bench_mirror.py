"""The mirror benchmark runs end to end on a small list and prints the figures it promises."""

from __future__ import annotations

import re

from tests.support import run_bench


def test_the_bench_removes_the_members_not_sent_and_prints_its_cost() -> None:
    out = run_bench("mirror.py", "--members", "300")
    assert re.search(r"^members removed +150$", out, re.M), out
    assert re.search(r"^with ACTIVATE_VERSION +[\d.]+ +[\d.]+ +[\d.]+$", out, re.M), out
    assert re.search(r"^mirror adds -?[\d.]+ s of wall time", out, re.M), out
