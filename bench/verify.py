"""What ``verify: all`` costs: seconds per 100,000 records read back and compared.

Usage, from the repository root: ``.venv/bin/python bench/verify.py [--records N]``. It loads
the input of ``bench/throughput.py`` (account records with ten properties, users linked, which
are not read back) with the real ``target-eloqua`` command into the emulator with instant syncs,
once with ``verify: none`` and once with ``verify: all``, each into a fresh emulator. It prints,
from the run summaries and the emulator's request journal: the records read back, the export
syncs that took, the stream's ``verify_seconds`` (summed over its batches, which read back side
by side) and that time per 100,000 records, the wall and CPU time of both runs, and what
``verify: all`` adds to them per 100,000 records.

Against the emulator, the time is the target's and the emulator's work per export (a definition,
a sync, a poll or two, the data), not Eloqua's: a real export sync takes seconds, and Eloqua's
soft limit is 2,000 export syncs an hour (docs/verify.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
from throughput import (
    MAPPING,
    STREAM,
    Measurement,
    emulator,
    emulator_config,
    measure,
    target_command,
    write_input,
)

PER = 100_000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="records loaded and read back")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="target-eloqua-verify-bench-") as work:
        work_dir = Path(work)
        input_path = work_dir / "input.jsonl"
        write_input(input_path, args.records)
        runs = {mode: run(mode, input_path, work_dir) for mode in ("none", "all")}
    none, every = runs["none"], runs["all"]
    stream = every.summary["streams"][STREAM]
    print(f"{args.records:,} records loaded, then read back with verify: all")
    print(f"records read back            {stream['verified']:>10,}")
    print(f"records read back different  {stream['mismatched']:>10,}")
    print(f"export syncs                 {every.exports:>10,}")
    print(f"records per export sync      {stream['verified'] / max(every.exports, 1):>10.1f}")
    print(f"verify_seconds               {stream['verify_seconds']:>10.2f}")
    verified = max(stream["verified"], 1)
    per = stream["verify_seconds"] / verified * PER
    print(f"seconds per 100,000 records verified {per:.1f}")
    print(f"{'':29}{'wall s':>10}{'CPU s':>10}")
    for mode, result in runs.items():
        m = result.measurement
        print(f"target-eloqua, verify: {mode:<6}{m.seconds:>10.2f}{m.cpu_seconds:>10.2f}")
    extra = every.measurement.seconds - none.measurement.seconds
    extra_cpu = every.measurement.cpu_seconds - none.measurement.cpu_seconds
    print(
        f"verify: all adds {extra / verified * PER:.1f} s of wall time and "
        f"{extra_cpu / verified * PER:.1f} s of target CPU per 100,000 records"
    )
    if none.exports:
        raise SystemExit("verify: none made export calls")
    return 0


class Run:
    """One run of the target: its measurement, summary, and the exports the emulator saw."""

    def __init__(self, measurement: Measurement, summary: dict[str, Any], exports: int) -> None:
        self.measurement = measurement
        self.summary = summary
        self.exports = exports


def run(mode: str, input_path: Path, work_dir: Path) -> Run:
    """Load the input with ``verify: mode`` into a fresh emulator; stop if any record fails."""
    summary_path = work_dir / f"summary-{mode}.json"
    with emulator() as url:
        config = emulator_config(
            url,
            poll_interval_seconds=0.01,
            summary_path=str(summary_path),
            verify=mode,
            streams={STREAM: MAPPING},
        )
        measurement = measure(target_command(config, work_dir / f"config-{mode}.json"), input_path)
        journal = requests.get(f"{url}/_emulator/requests", timeout=60).json()["items"]
    summary: dict[str, Any] = json.loads(summary_path.read_text("utf-8"))
    totals = summary["totals"]
    if measurement.returncode != 0 or totals["rejected"] or totals["mismatched"]:
        raise SystemExit(f"the verify: {mode} run failed: {json.dumps(summary)}")
    exports = sum(1 for r in journal if r["method"] == "POST" and r["path"].endswith("/exports"))
    return Run(measurement, summary, exports)


if __name__ == "__main__":
    sys.exit(main())
