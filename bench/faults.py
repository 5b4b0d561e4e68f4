"""Run the fault-injection cases, each against a fresh emulator, and print a table: the fault,
the requests (or syncs) it hit, how each run ended, and the records expected, stored, lost and
duplicated.

    .venv/bin/python bench/faults.py                      # every case
    .venv/bin/python bench/faults.py "slow syncs" ...     # the cases named

The cases, and how a case is run and its records counted, are ``tests/faults.py``'s, which
``tests/test_faults.py`` asserts on. Exits 1 if any case lost or duplicated a record.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.faults

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from tests.faults import CASES, FaultCase, run_case

COLUMNS = (
    "fault",
    "requests affected",
    "run outcome",
    "records expected",
    "stored",
    "lost",
    "duplicated",
)
SYNC_SECONDS = 0.2
"""How long each emulated sync takes, as in the tests."""


def run(case: FaultCase) -> tuple[str, ...]:
    """The case's row of the table."""
    with (
        EmulatorServer(EloquaInstance(sync_seconds=SYNC_SECONDS)) as emulator,
        tempfile.TemporaryDirectory(prefix="target-eloqua-faults-") as workdir,
    ):
        outcome = run_case(case, emulator, Path(workdir))
    tally = outcome.tally
    return (
        case.name,
        str(outcome.affected),
        outcome.summary(),
        *(str(n) for n in (tally.expected, tally.stored, tally.lost, tally.duplicated)),
    )


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as columns: text left-aligned, numbers right-aligned."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if cell == "-" or cell.lstrip("-").isdigit() else cell.ljust(width)
            for cell, width in zip(row, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="names of the cases to run (default: all)")
    names = parser.parse_args(argv).cases
    unknown = set(names) - {case.name for case in CASES}
    if unknown:
        parser.error(f"no such case: {', '.join(sorted(unknown))}")
    rows = [run(case) for case in CASES if not names or case.name in names]
    print(table([COLUMNS, *rows]))
    lost_or_duplicated = any(row[5] not in ("0", "-") or row[6] not in ("0", "-") for row in rows)
    return 1 if lost_or_duplicated else 0


if __name__ == "__main__":
    sys.exit(main())
