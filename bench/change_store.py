"""What the change store saves on a rerun of unchanged input, and what it costs on the first load.

Usage, from the repository root: ``.venv/bin/python bench/change_store.py [--records N]``. It
generates the input of ``bench/throughput.py`` (account records with ten properties), starts the
emulator with instant syncs, and runs the real ``target-eloqua`` command three times, as a user
would, with default batch settings and CSV uploads:

1. the first load without a change store, for reference;
2. the first load with a change store (``change_store`` set, the file new);
3. the same input again, with that store: nothing is sent.

It prints, for each run, the wall time, CPU time and peak RSS of target-eloqua, and the rows it
uploaded and the syncs it created (from the run summary); then the store's size on disk, per
million identifiers. Every run must account for every record (loaded on a first load, unchanged
on the rerun, checked in its summary), or the script stops: figures of a failed run mean nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from throughput import (
    MAPPING,
    STREAM,
    Measurement,
    compile_package,
    emulator,
    emulator_config,
    measure,
    target_command,
    write_input,
)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    compile_package()
    with tempfile.TemporaryDirectory(prefix="target-eloqua-bench-") as work:
        work_dir = Path(work)
        input_path = work_dir / "input.jsonl"
        started = time.monotonic()
        write_input(input_path, args.records)
        print(
            f"input: {args.records:,} records, {input_path.stat().st_size / 1e6:.1f} MB, "
            f"generated in {time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
        store = work_dir / "changes.sqlite"
        with emulator() as url:
            runs = [
                ("first load, no change store", run_target(url, input_path, work_dir, None)),
                ("first load, change store", run_target(url, input_path, work_dir, store)),
                ("same input again, change store", run_target(url, input_path, work_dir, store)),
            ]
        store_bytes = sum(p.stat().st_size for p in work_dir.glob(f"{store.name}*"))
    check(runs, args.records)
    print_runs(args.records, runs)
    per_million = store_bytes / args.records * 1_000_000 / 1e6
    print(
        f"change store on disk: {store_bytes / 1e6:.1f} MB for {args.records:,} identifiers, "
        f"{per_million:.1f} MB per million identifiers"
    )
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records of the input")
    return parser.parse_args(argv)


def run_target(
    url: str, input_path: Path, work_dir: Path, store: Path | None
) -> tuple[Measurement, dict[str, Any]]:
    """Run ``target-eloqua`` on the input, with the change store at ``store`` if given; its
    measurement and the totals of its summary.
    """
    settings: dict[str, Any] = {"change_store": str(store)} if store else {}
    config = emulator_config(
        url, summary_path=str(work_dir / "summary.json"), streams={STREAM: MAPPING}, **settings
    )
    run = measure(target_command(config, work_dir / "config.json"), input_path)
    summary = json.loads((work_dir / "summary.json").read_text(encoding="utf-8"))
    if run.returncode != 0:
        raise SystemExit(f"target-eloqua exited {run.returncode}: {json.dumps(summary)}")
    return run, summary["totals"]


def check(runs: list[tuple[str, tuple[Measurement, dict[str, Any]]]], records: int) -> None:
    """Stop unless the first loads loaded every record and the rerun sent none."""
    for name, (_, totals) in runs:
        loaded = totals["created"] + totals["updated"]
        expected = (0, 0, records) if name.startswith("same") else (records, records, 0)
        if (loaded, totals["uploaded"], totals["unchanged"]) != expected or totals["rejected"]:
            raise SystemExit(f"{name}: not every record was accounted for: {json.dumps(totals)}")
        if name.startswith("same") and totals["syncs"]:
            raise SystemExit(f"{name}: {totals['syncs']} syncs were created")


def print_runs(records: int, runs: list[tuple[str, tuple[Measurement, dict[str, Any]]]]) -> None:
    print(f"{records:,} records, default batch settings, CSV uploads")
    print(
        f"{'':32}{'seconds':>9}{'CPU seconds':>13}{'peak RSS MB':>13}"
        f"{'rows uploaded':>15}{'syncs':>7}"
    )
    for name, (measurement, totals) in runs:
        print(
            f"{name:32}{measurement.seconds:>9.2f}{measurement.cpu_seconds:>13.2f}"
            f"{measurement.peak_rss_mb:>13.1f}{totals['uploaded']:>15,}{totals['syncs']:>7}"
        )


if __name__ == "__main__":
    sys.exit(main())
