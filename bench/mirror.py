"""What ``mirror`` costs: time and peak memory of a version that keeps a list to its members.

Usage, from the repository root: ``.venv/bin/python bench/mirror.py [--members N]``. Into the
emulator (its own process, instant syncs), it loads N contacts with the real ``target-eloqua``
command and adds them all to the contact list "Newsletter"; then it runs the target on a version
of an ``actions_only`` ``mirror`` stream that sends every other contact, ending with
ACTIVATE_VERSION, so that N/2 members are read back and the other N/2 removed. It prints the
wall time, CPU time and peak RSS of that run beside a run that sends the same records without
ACTIVATE_VERSION (which removes nothing), the members removed, and what the mirror step adds per
100,000 members of the list. Figures of a run that did not remove exactly the members not sent
are not printed: the script stops.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import requests
from throughput import Measurement, emulator, emulator_config, measure, target_command

PER = 100_000
LIST_ID = 101
PEOPLE = {"entity": "contacts", "identifier": "email", "fields": {"email": "C_EmailAddress"}}
AUDIENCE = {
    **PEOPLE,
    "actions_only": True,
    "mirror": True,
    "sync_actions": [{"action": "add", "destination": "Newsletter"}],
}
SCHEMA = {"type": "object", "properties": {"email": {"type": "string"}}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000, help="members of the list")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="target-eloqua-mirror-bench-") as work:
        work_dir = Path(work)
        runs = {activate: run(args.members, activate, work_dir) for activate in (False, True)}
    plain, mirrored = runs[False], runs[True]
    removed = args.members - args.members // 2
    print(f"{args.members:,} members of the list, a version sending {args.members // 2:,}")
    print(f"members removed              {removed:>10,}")
    print(f"{'':29}{'wall s':>10}{'CPU s':>10}{'peak RSS MB':>13}")
    for name, m in (("without ACTIVATE_VERSION", plain), ("with ACTIVATE_VERSION", mirrored)):
        print(f"{name:<29}{m.seconds:>10.2f}{m.cpu_seconds:>10.2f}{m.peak_rss_mb:>13.1f}")
    extra = mirrored.seconds - plain.seconds
    extra_cpu = mirrored.cpu_seconds - plain.cpu_seconds
    print(
        f"mirror adds {extra / args.members * PER:.1f} s of wall time and "
        f"{extra_cpu / args.members * PER:.1f} s of target CPU per 100,000 members"
    )
    return 0


def run(members: int, activate: bool, work_dir: Path) -> Measurement:
    """Fill the list of a fresh emulator, then run the version; stop unless the list is right."""
    config_path = work_dir / "config.json"
    with emulator() as url:
        everyone, every_other = range(members), range(0, members, 2)
        fill_input = work_dir / "fill.jsonl"
        write(fill_input, [("people", everyone, False), ("audience", everyone, False)])
        fill_config = emulator_config(url, streams={"people": PEOPLE, "audience": AUDIENCE})
        if measure(target_command(fill_config, config_path), fill_input).returncode != 0:
            raise SystemExit("filling the list failed")
        version_input = work_dir / "version.jsonl"
        write(version_input, [("audience", every_other, activate)])
        config = emulator_config(url, streams={"audience": AUDIENCE})
        measurement = measure(target_command(config, config_path), version_input)
        kept = list_members(url)
    expected = len(every_other) if activate else members
    if measurement.returncode != 0 or kept != expected:
        raise SystemExit(f"the list has {kept} members, not {expected}")
    return measurement


def write(path: Path, streams: list[tuple[str, range, bool]]) -> None:
    """For each (stream, people, activate): its SCHEMA, a RECORD per person's email, then
    ACTIVATE_VERSION if ``activate``. (The script holds no list of them: a process it starts
    begins as a copy of it, which its peak RSS would count.)"""
    with path.open("w", encoding="utf-8") as out:
        for stream, emails, activate in streams:
            for message in messages(stream, emails, activate):
                out.write(json.dumps(message) + "\n")


def messages(stream: str, people: range, activate: bool) -> Iterator[dict[str, Any]]:
    yield {"type": "SCHEMA", "stream": stream, "schema": SCHEMA, "key_properties": ["email"]}
    for number in people:
        yield {"type": "RECORD", "stream": stream, "record": {"email": f"p{number}@example.com"}}
    if activate:
        yield {"type": "ACTIVATE_VERSION", "stream": stream, "version": 1}


def list_members(url: str) -> int:
    """The list's ``count`` of members, as the Bulk API's lookup gives it."""
    auth = ("ACME\\API.User", "emulator")
    lookup = requests.get(f"{url}/api/bulk/2.0/contacts/lists/{LIST_ID}", auth=auth, timeout=600)
    count: int = lookup.json()["count"]
    return count


if __name__ == "__main__":
    sys.exit(main())
