"""CPU time the emulator spends per 100,000 imported rows: decoding the uploads, then the syncs.

Usage, from the repository root: ``.venv/bin/python bench/emulator_import.py [--records N]
[--repeat N]``. It makes the uploads ``bench/throughput.py`` sends: the same input (account
records with ten properties, users linked) goes through a dry run of the real ``target-eloqua``
command, once with CSV uploads and once with JSON, which writes each upload's body to a file
exactly as a real run would send it (one body of 10,000 rows per sync, the default batch).

Then, in this process, a fresh emulated instance (``EloquaInstance``, instant syncs) gets the
definition the dry run wrote and each body, as the server would handle it: decoded by
``wire.upload``, staged, synced and the sync read back (which imports its rows). The CPU time of
that, taken ``--repeat`` times on a new instance and the best kept, is printed per 100,000 rows,
for rows that create records (a first load) and for rows that update them (the same load again).
Every sync must end ``success`` with every row created or updated, or the script stops.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from throughput import MAPPING, STREAM, emulator, emulator_config, target_command, write_input

from target_eloqua.emulator import EloquaInstance
from target_eloqua.emulator.http.wire import Request, upload
from target_eloqua.emulator.model.entities import Entity

FORMATS = {"CSV": ("csv", "text/csv"), "JSON": ("json", "application/json")}
"""Name shown -> (the target's upload_format, the Content-Type it sends)."""
ROWS_SHOWN = 100_000


@dataclass(frozen=True)
class Uploads:
    """What a dry run wrote for one upload format: the definition body and each upload."""

    definition: dict[str, Any]
    requests: tuple[Request, ...]
    rows: int


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="target-eloqua-emulator-bench-") as work:
        work_dir = Path(work)
        input_path = work_dir / "input.jsonl"
        write_input(input_path, args.records)
        with emulator() as url:  # the dry run reads the fields from it
            uploads = {
                name: dry_run(url, input_path, upload_format, content_type, work_dir)
                for name, (upload_format, content_type) in FORMATS.items()
            }
    print(f"emulator CPU seconds per {ROWS_SHOWN:,} rows (uploads decoded, synced, imported)")
    print(f"{'':8}{'created':>10}{'updated':>10}")
    for name, made in uploads.items():
        created, updated = best_of(args.repeat, made)
        scale = ROWS_SHOWN / made.rows
        print(f"{name:8}{created * scale:>10.3f}{updated * scale:>10.3f}")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records", type=int, default=100_000, help="rows loaded (default %(default)s)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each load; the best counts (%(default)s)"
    )
    return parser.parse_args(argv)


def dry_run(
    url: str, input_path: Path, upload_format: str, content_type: str, work_dir: Path
) -> Uploads:
    """Run ``target-eloqua`` as a dry run; the definition and uploads it wrote."""
    out = work_dir / f"dry-run-{upload_format}"
    out.mkdir()
    config = emulator_config(
        url,
        dry_run=True,
        dry_run_dir=str(out),
        upload_format=upload_format,
        streams={STREAM: MAPPING},
    )
    command = target_command(config, work_dir / f"config-{upload_format}.json")
    subprocess.run(
        [*command, "--input", str(input_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    definition = json.loads((out / f"{STREAM}.definition.json").read_text(encoding="utf-8"))
    headers = {"content-type": f"{content_type}; charset=utf-8"}
    requests = tuple(
        Request("POST", "/data", {}, headers, part.read_bytes(), url)
        for part in sorted(out.glob(f"{STREAM}.[0-9]*.{upload_format}"))
    )
    rows = sum(len(upload(request).rows) for request in requests)
    return Uploads(definition, requests, rows)


def best_of(repeat: int, uploads: Uploads) -> tuple[float, float]:
    """The least CPU seconds of ``repeat`` loads into a new instance, and of loading it again."""
    runs = []
    for _ in range(repeat):
        instance = EloquaInstance(sync_seconds=0)
        created = load(instance, uploads, "created")
        updated = load(instance, uploads, "updated")
        runs.append((created, updated))
    return min(run[0] for run in runs), min(run[1] for run in runs)


def load(instance: EloquaInstance, uploads: Uploads, expected: str) -> float:
    """CPU seconds to stage and sync each upload on a new definition, as the server would."""
    entity = Entity("accounts")
    definition = instance.create_import(entity, uploads.definition)
    counted = 0
    started = time.process_time()
    for request in uploads.requests:
        instance.stage(entity, definition.id, upload(request))
        sync = instance.create_sync({"syncedInstanceUri": definition.uri})
        sync = instance.sync(sync.id)
        if sync.status != "success" or sync.outcome is None:
            raise SystemExit(f"sync {sync.id} ended {sync.status}: {sync.to_json()}")
        counted += getattr(sync.outcome.counts, expected)
    seconds = time.process_time() - started
    if counted != uploads.rows:
        raise SystemExit(f"{counted} of {uploads.rows} rows were {expected}")
    return seconds


if __name__ == "__main__":
    sys.exit(main())
