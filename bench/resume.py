"""How much a load killed at random moments sends again when it is resumed from its last STATE.

Usage, from the repository root: ``.venv/bin/python bench/resume.py [--records N] [--kills K]
[--seed S]`` (half a minute with the defaults). A tap of ``N`` account records (200,000) sends a
STATE after every 1,000, whose bookmark is the number of records sent so far. The emulator runs
as its own process, with syncs of 0.5 s. ``target-eloqua`` runs with its default batch settings
(10,000 records a batch, 2 syncs of a stream at once) and is killed (SIGKILL) at a random moment
of a run, ``K`` times; after each kill it is run again on the records after the last STATE the
killed run wrote, as an orchestrator resumes a load. The last run goes to its end.

For each kill it prints the moment, the bookmark the next run resumed from, and the records sent
again: those after that bookmark that the killed run had already sent, counted once the syncs
it left running have ended (Eloqua finishes them): imported by its syncs, or staged and never
synced. The goal, per stream, is at most ``batch_size_rows`` x ``max_syncs_per_stream`` plus the
tap's STATE interval: the batches in Eloqua's hands when the run died, and the records read since
the last STATE before them; a kill that sent more again is marked ``over``. In the end every
record must be in Eloqua once: the script exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from throughput import emulator, emulator_config, target_command

STREAM = "crm_accounts"
MAPPING = {"identifier": "company_name", "fields": {"company_name": "M_CompanyName"}}
SCHEMA = {"type": "object", "properties": {"company_name": {"type": "string"}}}
STATE_EVERY = 1000
"""The tap's STATE interval, in records."""
BATCH_SIZE_ROWS = 10_000
MAX_SYNCS_PER_STREAM = 2
"""The target's defaults."""
SYNC_SECONDS = 0.5
KILL_WITHIN_SECONDS = (0.5, 5.0)
"""A kill comes at a random moment in this range after the run starts."""


@dataclass(frozen=True)
class Kill:
    """One killed run, and what its resumption sent again."""

    after_seconds: float
    started_from: int
    resumed_from: int
    imported_again: int
    staged_again: int

    @property
    def sent_again(self) -> int:
        return self.imported_again + self.staged_again


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chance = random.Random(args.seed)
    goal = BATCH_SIZE_ROWS * MAX_SYNCS_PER_STREAM + STATE_EVERY
    kills: list[Kill] = []
    bookmark = 0
    with (
        emulator(SYNC_SECONDS) as url,
        tempfile.TemporaryDirectory(prefix="target-eloqua-resume-") as work,
    ):
        eloqua = Eloqua(url)
        work_dir = Path(work)
        while True:
            kill_after = chance.uniform(*KILL_WITHIN_SECONDS) if len(kills) < args.kills else None
            known = eloqua.definition_uris()
            returncode, states, seconds = run_target(url, work_dir, bookmark, args, kill_after)
            resumed_from = states[-1]["bookmarks"][STREAM] if states else bookmark
            if returncode == 0:
                break
            if returncode != -signal.SIGKILL:
                log = (work_dir / "stderr.log").read_text()[-3000:]
                raise SystemExit(f"target-eloqua exited {returncode}:\n{log}")
            kills.append(eloqua.sent_again(seconds, bookmark, resumed_from, known))
            bookmark = resumed_from
        stored = eloqua.stored_names()
    print_kills(kills, goal)
    once = len(stored) == len(set(stored)) == args.records
    print(
        f"last run: exit 0, resumed from {bookmark:,}, STATE {resumed_from:,}; Eloqua holds "
        f"{len(set(stored)):,} of {args.records:,} records"
        + (", each once" if once else f" ({len(stored):,} stored)")
    )
    return 0 if once else 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000, help="default %(default)s")
    parser.add_argument("--kills", type=int, default=5, help="default %(default)s")
    parser.add_argument("--seed", type=int, default=1, help="of the kill moments (%(default)s)")
    return parser.parse_args(argv)


def run_target(
    url: str, work_dir: Path, bookmark: int, args: argparse.Namespace, kill_after: float | None
) -> tuple[int, list[Any], float]:
    """Run ``target-eloqua`` on the records after ``bookmark``, killed after ``kill_after``
    seconds if given and still running: its exit status, the STATEs it wrote, and how long it
    ran.
    """
    input_path = work_dir / "input.jsonl"
    write_input(input_path, bookmark, args.records)
    config = emulator_config(url, streams={STREAM: MAPPING})
    command = target_command(config, work_dir / "config.json")
    started = time.monotonic()
    with (work_dir / "stderr.log").open("w") as stderr:
        process = subprocess.Popen(
            [*command, "--input", str(input_path)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    states: list[Any] = []
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: states.extend(map(json.loads, stdout)))
    reader.start()
    try:
        process.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        process.kill()
    returncode = process.wait(timeout=600)
    seconds = time.monotonic() - started
    reader.join()
    stdout.close()
    return returncode, states, seconds


def write_input(path: Path, bookmark: int, records: int) -> None:
    """The tap's output from ``bookmark`` on: the SCHEMA, then the records after it, with a
    STATE after every ``STATE_EVERY``.
    """
    with path.open("w", encoding="utf-8") as out:
        schema = {"type": "SCHEMA", "stream": STREAM, "schema": SCHEMA}
        out.write(json.dumps({**schema, "key_properties": ["company_name"]}) + "\n")
        for number in range(bookmark + 1, records + 1):
            record = {"type": "RECORD", "stream": STREAM, "record": {"company_name": name(number)}}
            out.write(json.dumps(record) + "\n")
            if number % STATE_EVERY == 0:
                state = {"bookmarks": {STREAM: number}}
                out.write(json.dumps({"type": "STATE", "value": state}) + "\n")


def name(number: int) -> str:
    return f"Company {number:07d}"


class Eloqua:
    """What the emulator holds, through its admin API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def items(self, path: str) -> list[Any]:
        response = requests.get(f"{self.url}/_emulator/{path}", timeout=60)
        response.raise_for_status()
        items: list[Any] = response.json()["items"]
        return items

    def definition_uris(self) -> set[str]:
        return {definition["uri"] for definition in self.items("definitions")}

    def stored_names(self) -> list[str]:
        return [record["fields"]["M_CompanyName"] for record in self.items("records/accounts")]

    def sent_again(
        self, seconds: float, started_from: int, resumed_from: int, known: set[str]
    ) -> Kill:
        """What the killed run, which started after ``started_from``, sent that the next run,
        after ``resumed_from``, sends again: once its syncs have ended, the rows they imported
        beyond ``resumed_from``, and the rows left staged on its definitions (those not in
        ``known``).
        """
        deadline = time.monotonic() + 120
        while any(sync["status"] in ("pending", "active") for sync in self.items("syncs")):
            if time.monotonic() > deadline:
                raise SystemExit("the emulator's syncs did not end within 120 s")
            time.sleep(0.1)
        definitions = [d for d in self.items("definitions") if d["uri"] not in known]
        uris = {d["uri"] for d in definitions}
        imported = sum(
            sync["counts"]["processed"]
            for sync in self.items("syncs")
            if sync["syncedInstanceUri"] in uris and sync["status"] in ("success", "warning")
        )
        # Every record up to the STATE written is imported: the rest of the imported ones come
        # again.
        imported_again = imported - (resumed_from - started_from)
        staged_again = sum(d["stagedRowCount"] for d in definitions)
        return Kill(seconds, started_from, resumed_from, imported_again, staged_again)


def print_kills(kills: list[Kill], goal: int) -> None:
    print(
        f"{'kill':>4}{'after s':>9}{'run from':>10}{'resumed from':>14}{'imported again':>16}"
        f"{'staged again':>14}{'sent again':>12}{'goal':>8}"
    )
    for number, kill in enumerate(kills, start=1):
        print(
            f"{number:>4}{kill.after_seconds:>9.1f}{kill.started_from:>10,}"
            f"{kill.resumed_from:>14,}{kill.imported_again:>16,}{kill.staged_again:>14,}"
            f"{kill.sent_again:>12,}{goal:>8,}" + ("" if kill.sent_again <= goal else "  over")
        )
    print(
        f"goal: batch_size_rows {BATCH_SIZE_ROWS:,} x max_syncs_per_stream {MAX_SYNCS_PER_STREAM}"
        f" + STATE every {STATE_EVERY:,} records"
    )


if __name__ == "__main__":
    sys.exit(main())
