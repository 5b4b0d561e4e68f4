"""How fast the message reader alone reads RECORD messages, beside the SDK's two readers.

    python bench/reader.py [records]

It writes that many ten-property records (100,000 by default) to a temporary file, has each
reader read the file three times with callbacks that do nothing, and prints the best time of
each, in records per second.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from singer_sdk.contrib.msgspec import MsgSpecReader
from singer_sdk.singerlib.encoding.simple import SimpleSingerReader

from target_eloqua.reading.reader import MessageReader

READERS: dict[str, tuple[Callable[[], Any], str]] = {
    "SDK default (json, text)": (SimpleSingerReader, "r"),
    "SDK MsgSpecReader (text)": (MsgSpecReader, "r"),
    "target-eloqua MessageReader": (MessageReader, "rb"),
}


def write_input(path: Path, count: int) -> None:
    """A SCHEMA, then ``count`` RECORD messages of ten properties each."""
    with path.open("w", encoding="utf-8") as file:
        schema = {"type": "SCHEMA", "stream": "s", "schema": {"properties": {}}}
        file.write(json.dumps(schema) + "\n")
        for n in range(count):
            record = {
                "id": n,
                "name": f"Company {n}",
                "city": "Toronto",
                "email": f"billing{n}@example.com",
                "revenue": 1234.5 + n,
                "employees": 10 + n,
                "active": n % 2 == 0,
                "since": "2020-01-31T10:00:00Z",
                "notes": "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
                "country": None,
            }
            file.write(json.dumps({"type": "RECORD", "stream": "s", "record": record}) + "\n")


def best_seconds(make_reader: Callable[[], Any], mode: str, path: Path) -> float:
    callbacks = dict.fromkeys(["SCHEMA", "RECORD"], lambda message: None)
    times = []
    for _ in range(3):
        with path.open(mode) as file:
            started = time.perf_counter()
            make_reader().process_lines(file, callbacks)
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "input.jsonl"
        write_input(path, count)
        print(f"{count:,} records of ten properties, {path.stat().st_size:,} bytes; best of 3")
        for name, (make_reader, mode) in READERS.items():
            seconds = best_seconds(make_reader, mode, path)
            print(f"{name:30} {seconds:6.3f} s {count / seconds:12,.0f} records/s")


if __name__ == "__main__":
    main()
