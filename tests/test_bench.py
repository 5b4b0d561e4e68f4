"""The benchmark script runs end to end on a small input and prints every figure it promises."""

from __future__ import annotations

import re

from tests.support import run_bench


def test_the_bench_prints_throughput_memory_and_payload_figures() -> None:
    out = run_bench("throughput.py", "--records", "300", "--memory-records", "300", "600")
    for name in (
        "target-eloqua, CSV uploads",
        "target-eloqua, JSON uploads",
        "target-eloqua, CSV, new change store",
        "singer-sdk no-op BatchSink",
        "singer-sdk no-op BatchSink, validation off",
    ):
        assert re.search(rf"^{re.escape(name)} +[\d.]+ +[\d,]+ +[\d.]+ +[\d.]+$", out, re.M), name
    assert re.search(r"takes [\d.]+ times the no-op target's wall time", out)
    assert re.search(r"^ +300 +[\d.]+$", out, re.M)
    assert re.search(r"^ +600 +[\d.]+$", out, re.M)
    assert 50 < bytes_per_record(out, "CSV") < bytes_per_record(out, "JSON")


def bytes_per_record(out: str, upload_format: str) -> float:
    match = re.search(rf"^{upload_format} uploads: ([\d.]+) bytes per record$", out, re.M)
    assert match, upload_format
    return float(match.group(1))
