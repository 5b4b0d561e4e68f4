"""How fast target-eloqua loads, how much memory it takes, and how many bytes it uploads.

Usage, from the repository root: ``.venv/bin/python bench/throughput.py [--records N]
[--memory-records N ...]``. It generates the input once per size (account records with ten
properties: strings, integers, decimals, date-times, a boolean and a list of user ids), starts
the emulator with instant syncs, and runs the real ``target-eloqua`` command on each input, as a
user would, with record validation on and default batch settings (syncs are polled every 0.05 s,
as they end at once). It prints:

- wall time, records per second, CPU time and peak RSS of target-eloqua (with CSV uploads, with
  JSON uploads, and with CSV uploads and a new ``change_store``, which a first load fills), and
  of a singer-sdk target whose ``BatchSink`` does nothing (``bench/noop_target.py``), on the
  same input, and their ratio; the no-op target also runs with record validation off, which
  leaves only the SDK's own work per record (reading, stream maps, date-time parsing, counting);
- peak RSS of the target process at each size of ``--memory-records``;
- bytes uploaded per record, for CSV and for JSON uploads (from the run summary).

Every run of target-eloqua must load every record (checked in its summary), or the script stops:
figures of a failed run mean nothing.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import target_eloqua

NOOP_TARGET = Path(__file__).with_name("noop_target.py")
TARGET_COMMAND = str(Path(sys.executable).with_name("target-eloqua"))
STREAM = "crm_accounts"
STATE_EVERY = 1000
"""A STATE message after every this many records, as a tap checkpoints."""

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "company_name": {"type": "string"},
        "city": {"type": ["string", "null"]},
        "country": {"type": ["string", "null"]},
        "industry": {"type": ["string", "null"]},
        "employees": {"type": ["integer", "null"]},
        "annual_revenue": {"type": ["number", "null"]},
        "last_activity_at": {"type": ["string", "null"], "format": "date-time"},
        "customer_since": {"type": ["string", "null"], "format": "date-time"},
        "is_partner": {"type": ["boolean", "null"]},
        "owner_crm_ids": {"type": ["array", "null"], "items": {"type": "string"}},
    },
    "required": ["company_name"],
}

MAPPING: dict[str, Any] = {
    "entity": "accounts",
    "identifier": "company_name",
    "link_users": True,
    "fields": {
        "company_name": "{{Account.Field(M_CompanyName)}}",
        "city": "M_City",
        "country": "M_Country",
        "industry": "M_Industry",
        "employees": "M_Employees1",
        "annual_revenue": "M_Annual_Revenue1",
        "last_activity_at": "M_Last_Activity_Date1",
        "customer_since": "M_Customer_Since1",
        "is_partner": "M_Is_Partner1",
        "owner_crm_ids": "{{Account.User.Field(CRMOSCUserId)}}",
    },
}
"""A stream mapping onto the emulator's default catalog, users linked to accounts."""

CITIES = [
    ("Redwood Shores", "United States"),
    ("Springfield", "United States"),
    ("Toronto", "Canada"),
    ("Zürich", "Switzerland"),
    ("São Paulo", "Brazil"),
    ("Osaka", "Japan"),
]
INDUSTRIES = ["Software", "Manufacturing", "Retail", "Finance, Banking", None]
SUFFIXES = ["Inc.", "GmbH", "Ltd", "S.A."]
USER_IDS = ["754a1a4baadb4ace991ee", "754a1a4baadb4ace991ea", "81c3f0d2e7a94b1c8d2f0"]
"""``CRMOSCUserId`` of users in the emulator's default catalog."""


@dataclass(frozen=True)
class Measurement:
    """One process run to its end."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int


@dataclass(frozen=True)
class TargetRun:
    """A run of target-eloqua, and its run summary."""

    measurement: Measurement
    summary: dict[str, Any]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    compile_package()
    sizes = sorted({args.records, *args.memory_records})
    with tempfile.TemporaryDirectory(prefix="target-eloqua-bench-") as work:
        work_dir = Path(work)
        inputs = {size: work_dir / f"input-{size}.jsonl" for size in sizes}
        for size, path in inputs.items():
            started = time.monotonic()
            write_input(path, size)
            print(
                f"input: {size:,} records, {path.stat().st_size / 1e6:.1f} MB, "
                f"generated in {time.monotonic() - started:.1f} s",
                file=sys.stderr,
            )
        with emulator() as url:
            csv_run = run_target(url, inputs[args.records], "csv", work_dir)
            json_run = run_target(url, inputs[args.records], "json", work_dir)
            store = work_dir / "changes.sqlite"
            store_run = run_target(url, inputs[args.records], "csv", work_dir, change_store=store)
            memory = {args.records: csv_run.measurement}
            for size in args.memory_records:
                if size not in memory:
                    memory[size] = run_target(url, inputs[size], "csv", work_dir).measurement
        noop = run_noop(inputs[args.records], work_dir, validate_records=True)
        floor = run_noop(inputs[args.records], work_dir, validate_records=False)
    runs = {"CSV uploads": csv_run, "JSON uploads": json_run, "CSV, new change store": store_run}
    print_throughput(args.records, runs, noop, floor)
    print_memory(memory)
    print_payload({"CSV": csv_run, "JSON": json_run})
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records",
        type=int,
        default=100_000,
        help="records of the throughput and payload runs (default %(default)s)",
    )
    parser.add_argument(
        "--memory-records",
        type=int,
        nargs="*",
        default=[100_000, 1_000_000],
        help="input sizes whose peak RSS is measured (default %(default)s)",
    )
    return parser.parse_args(argv)


def compile_package() -> None:
    """Compile target-eloqua's modules to bytecode, as pip does when it installs a package.

    The repository's editable install is never compiled by pip, and where
    ``PYTHONDONTWRITEBYTECODE`` is set (as on CI's machines) every start of the target would
    compile its sources again, about 0.1 s that an installed target does not spend.
    """
    compileall.compile_dir(Path(target_eloqua.__file__).parent, quiet=1)


def write_input(path: Path, count: int) -> None:
    """A tap's output: the SCHEMA, ``count`` records with distinct company names, STATEs."""
    with path.open("w", encoding="utf-8") as out:
        schema = {"type": "SCHEMA", "stream": STREAM, "schema": SCHEMA}
        out.write(json.dumps({**schema, "key_properties": ["company_name"]}) + "\n")
        for number in range(count):
            out.write(json.dumps(record_message(number)) + "\n")
            if (number + 1) % STATE_EVERY == 0:
                state = {"bookmarks": {STREAM: {"replication_key_value": number + 1}}}
                out.write(json.dumps({"type": "STATE", "value": state}) + "\n")


def record_message(number: int) -> dict[str, Any]:
    """Record ``number``: its values are drawn from the bits of a hash of the number, which is
    quicker than a random generator for a million records, and the same on every run.
    """
    bits = (number * 2654435761) & 0xFFFFFFFF
    city, country = CITIES[(bits >> 1) % len(CITIES)]
    month = 1 + (bits >> 10) % 12
    record = {
        "company_name": f"Company {number:07d} {SUFFIXES[(bits >> 3) % len(SUFFIXES)]}",
        "city": city,
        "country": country,
        "industry": INDUSTRIES[(bits >> 5) % len(INDUSTRIES)],
        "employees": 1 + bits % 250_000,
        "annual_revenue": 10_000 + (bits % 100_000_000) / 100,
        "last_activity_at": f"2026-{1 + bits % 12:02d}-{1 + (bits >> 4) % 28:02d}T"
        f"{(bits >> 9) % 24:02d}:{(bits >> 14) % 60:02d}:{(bits >> 20) % 60:02d}.123456Z",
        "customer_since": f"20{10 + (bits >> 6) % 16}-{month:02d}-01T08:00:00+02:00",
        "is_partner": bits % 5 == 0,
        "owner_crm_ids": USER_IDS[: (bits >> 12) % 3],
    }
    return {"type": "RECORD", "stream": STREAM, "record": record}


@contextmanager
def emulator(sync_seconds: float = 0) -> Iterator[str]:
    """The emulator as its own process, with instant syncs unless ``sync_seconds`` says how
    long they take; yields its base URL.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "target_eloqua.emulator", "--sync-seconds", str(sync_seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url:
            raise SystemExit("the emulator did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def emulator_config(url: str, **settings: Any) -> dict[str, Any]:
    """A config of target-eloqua for the emulator at ``url`` (syncs polled every 0.05 s)."""
    return {
        "company": "ACME",
        "username": "API.User",
        "password": "emulator",
        "login_url": url,
        "poll_interval_seconds": 0.05,
        **settings,
    }


def target_command(config: dict[str, Any], config_path: Path) -> list[str]:
    """The ``target-eloqua`` command that reads ``config``, written first to ``config_path``."""
    config_path.write_text(json.dumps(config), encoding="utf-8")
    return [TARGET_COMMAND, "--config", str(config_path)]


def run_target(
    url: str,
    input_path: Path,
    upload_format: str,
    work_dir: Path,
    *,
    change_store: Path | None = None,
) -> TargetRun:
    """Run ``target-eloqua`` on the input, with a change store if given (``change_store``);
    check that it loaded every record.
    """
    config = emulator_config(
        url,
        upload_format=upload_format,
        summary_path=str(work_dir / "summary.json"),
        streams={STREAM: MAPPING},
        **({"change_store": str(change_store)} if change_store else {}),
    )
    run = measure(target_command(config, work_dir / "config.json"), input_path)
    summary: dict[str, Any] = json.loads((work_dir / "summary.json").read_text(encoding="utf-8"))
    totals = summary["totals"]
    loaded = totals["created"] + totals["updated"]
    if run.returncode != 0 or loaded != totals["read"] or totals["rejected"]:
        raise SystemExit(f"target-eloqua did not load every record: {json.dumps(summary)}")
    return TargetRun(run, summary)


def run_noop(input_path: Path, work_dir: Path, *, validate_records: bool) -> Measurement:
    """Run the no-op singer-sdk target on the input."""
    config_path = work_dir / "noop-config.json"
    config_path.write_text(json.dumps({"validate_records": validate_records}), encoding="utf-8")
    run = measure([sys.executable, str(NOOP_TARGET), "--config", str(config_path)], input_path)
    if run.returncode != 0:
        raise SystemExit(f"the no-op target exited {run.returncode}")
    return run


def measure(command: list[str], input_path: Path) -> Measurement:
    """Run ``command --input input_path``: its wall time, and the CPU time and peak RSS of that
    process (wall time depends on what else the machine runs; CPU time less).
    """
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, "--input", str(input_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu_seconds = usage.ru_utime + usage.ru_stime
    return Measurement(seconds, cpu_seconds, usage.ru_maxrss / 1024, process.returncode)


def print_throughput(
    records: int, runs: dict[str, TargetRun], noop: Measurement, floor: Measurement
) -> None:
    print(f"{records:,} records, default batch settings")
    print(f"{'':44}{'seconds':>9}{'records/s':>11}{'CPU seconds':>13}{'peak RSS MB':>13}")
    rows = [(f"target-eloqua, {name}", run.measurement) for name, run in runs.items()]
    rows += [
        ("singer-sdk no-op BatchSink", noop),
        ("singer-sdk no-op BatchSink, validation off", floor),
    ]
    for name, measurement in rows:
        print(
            f"{name:44}{measurement.seconds:>9.2f}{records / measurement.seconds:>11,.0f}"
            f"{measurement.cpu_seconds:>13.2f}{measurement.peak_rss_mb:>13.1f}"
        )
    target = rows[0][1]
    print(
        f"target-eloqua takes {target.seconds / noop.seconds:.2f} times the no-op target's wall "
        f"time ({target.cpu_seconds / noop.cpu_seconds:.2f} times its CPU time)\n"
    )


def print_memory(memory: dict[int, Measurement]) -> None:
    print(f"{'records':>10}{'peak RSS MB':>13}   (target-eloqua, default batch settings)")
    for size, measurement in sorted(memory.items()):
        print(f"{size:>10,}{measurement.peak_rss_mb:>13.1f}")
    print()


def print_payload(runs: dict[str, TargetRun]) -> None:
    for name, run in runs.items():
        totals = run.summary["totals"]
        per_record = totals["uploaded_bytes"] / totals["uploaded"]
        print(f"{name} uploads: {per_record:.1f} bytes per record")


if __name__ == "__main__":
    sys.exit(main())
