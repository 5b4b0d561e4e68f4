"""The fault-injection cases: a fault the emulator injects into a run of ``target-eloqua``, always
on the same input, and what the run leaves behind.

``tests/test_faults.py`` asserts on each case; ``bench/faults.py`` runs them all against a fresh
emulator each and prints a table. The input is 40 accounts in two drains of 20 records, each
drain uploaded in two parts and synced once.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from target_eloqua.emulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorServer
from tests.support import (
    StoredTally,
    TargetRun,
    admin,
    emulator_config,
    finish,
    run_target,
    start_target,
    tally_stored,
    wait_until,
)

STREAM = "crm_accounts"
MAPPING: dict[str, Any] = {
    "entity": "accounts",
    "identifier": "name",
    "fields": {"name": "M_CompanyName", "city": "M_City", "revenue": "M_Annual_Revenue1"},
}
SETTINGS: dict[str, Any] = {"batch_size_rows": 20, "max_upload_bytes": 1024}
CITIES = ("Toronto Ontario Canada", "Lyon Rhone France", "Kyoto Japan", "Recife Brazil")
RECORDS: list[dict[str, Any]] = [
    {
        "name": f"Company {n:02d} Holdings and Partners",
        "city": CITIES[n % len(CITIES)],
        "revenue": 1000 + n,
    }
    for n in range(40)
]
STATE = {"bookmarks": {STREAM: {"replication_key_value": "2026-11-28T10:00:00Z"}}}
MESSAGES: list[dict[str, Any]] = [
    {
        "type": "SCHEMA",
        "stream": STREAM,
        "key_properties": ["name"],
        "schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "city": {"type": "string"},
                "revenue": {"type": "integer"},
            },
        },
    },
    *({"type": "RECORD", "stream": STREAM, "record": record} for record in RECORDS),
    {"type": "STATE", "value": STATE},
]
EXPECTED: dict[str, dict[str, str]] = {
    r["name"]: {
        "M_CompanyName": r["name"],
        "M_City": r["city"],
        "M_Annual_Revenue1": str(r["revenue"]),
    }
    for r in RECORDS
}
"""What Eloqua must hold for each record: identifier -> internal name -> text."""

UPLOADS = "/api/bulk/2.0/accounts/imports/*/data"
FIRST_DEFINITION_UPLOADS = "/api/bulk/2.0/accounts/imports/1/data"
SYNCS = "/api/bulk/2.0/syncs"
SYNC_STATUS = "/api/bulk/2.0/syncs/*"

Action = Callable[[EmulatorServer, "subprocess.Popen[str]"], None]
HitCounter = Callable[[EmulatorServer, "FaultCase"], int]


def admin_post(emulator: EmulatorServer, path: str, body: Any = None) -> None:
    """Steer the emulator through its admin API."""
    requests.post(f"{emulator.url}/_emulator/{path}", json=body, timeout=10).raise_for_status()


def faults_taken(emulator: EmulatorServer, case: FaultCase) -> int:
    """How many requests the case's fault rules answered (each rule counts down as it is used)."""
    injected = sum(int(fault.get("count", 1)) for fault in case.faults)
    return injected - sum(int(rule["count"]) for rule in admin(emulator, "faults"))


def syncs_slowed(emulator: EmulatorServer, case: FaultCase) -> int:
    """How many syncs took the time the case asked for."""
    planned = int((case.slow_syncs or {}).get("count", 1))
    return min(planned, len(admin(emulator, "syncs")))


def refused_as_unauthorized(emulator: EmulatorServer, case: FaultCase) -> int:
    """How many requests the emulator answered 401."""
    return sum(1 for request in admin(emulator, "requests") if request["status"] == 401)


def kill_between_upload_and_sync(emulator: EmulatorServer, target: subprocess.Popen[str]) -> None:
    """SIGKILL the target once its first ``POST /syncs`` has arrived (and is held by the case's
    fault): the drain's parts are all uploaded, and no sync has been created.
    """
    wait_until(lambda: admin(emulator, "faults") == [])
    target.kill()


def expire_tokens_after_first_upload(
    emulator: EmulatorServer, target: subprocess.Popen[str]
) -> None:
    """Expire every access token once the first part has been uploaded."""
    wait_until(lambda: any(r["path"].endswith("/data") for r in admin(emulator, "requests")))
    admin_post(emulator, "tokens/expire")


@dataclass(frozen=True)
class FaultCase:
    """A fault injected into a run, and how to count the requests (or syncs) it hit."""

    name: str
    faults: tuple[dict[str, Any], ...] = ()
    """Rules for ``POST /_emulator/faults``, set before the run."""
    slow_syncs: dict[str, Any] | None = None
    """A plan for ``POST /_emulator/syncs/next``, set before the run."""
    during: Action | None = None
    """Done to the emulator or the target while the target runs."""
    rerun: bool = False
    """Run the target again on the same input once the first run has ended."""
    settings: dict[str, Any] = field(default_factory=dict)
    affected: HitCounter = faults_taken


@dataclass(frozen=True)
class CaseOutcome:
    """How each run of a case ended, the requests the fault hit, and what Eloqua holds."""

    runs: list[TargetRun]
    affected: int
    tally: StoredTally

    def summary(self) -> str:
        """Each run's exit code and whether it wrote STATE, e.g. ``exit -9, no STATE; then
        exit 0, STATE``.
        """
        return "; then ".join(
            f"exit {run.returncode}, {'STATE' if run.states else 'no STATE'}" for run in self.runs
        )


def retry_fast(status: int, path: str, count: int = 1, method: str = "*") -> dict[str, Any]:
    """A fault rule answering ``status`` with ``Retry-After: 0``, so retries do not wait."""
    return {"method": method, "path": path, "status": status, "count": count, "retryAfter": 0}


CASES = (
    FaultCase(
        "burst of 429",
        faults=(retry_fast(429, UPLOADS, 3, "POST"), retry_fast(429, SYNCS, 2, "POST")),
    ),
    FaultCase(
        "500 and 503",
        faults=(
            # On the first definition's upload: the second batch's may reach Eloqua first.
            {"method": "POST", "path": FIRST_DEFINITION_UPLOADS, "status": 500, "when": "after"},
            {"method": "POST", "path": SYNCS, "status": 503},
            retry_fast(503, SYNC_STATUS, 2, "GET"),
        ),
    ),
    FaultCase(
        "connection dropped during an upload",
        faults=({"method": "POST", "path": UPLOADS, "action": "drop", "when": "after"},),
    ),
    FaultCase(
        "connection dropped during POST /syncs",
        faults=({"method": "POST", "path": SYNCS, "action": "drop", "when": "after", "count": 2},),
    ),
    FaultCase("slow syncs", slow_syncs={"count": 2, "seconds": 0.4}, affected=syncs_slowed),
    FaultCase(
        "token expiring mid-run",
        settings={"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET},
        during=expire_tokens_after_first_upload,
        affected=refused_as_unauthorized,
    ),
    FaultCase(
        "SIGKILL between upload and sync, then a rerun",
        faults=({"method": "POST", "path": SYNCS, "delaySeconds": 2, "action": "drop"},),
        during=kill_between_upload_and_sync,
        rerun=True,
    ),
)


def case_named(name: str) -> FaultCase:
    return next(case for case in CASES if case.name == name)


def run_case(case: FaultCase, emulator: EmulatorServer, workdir: Path) -> CaseOutcome:
    """Inject the case's faults, run the target on the input (twice for a rerun), and compare
    what the emulator holds with the input.
    """
    for fault in case.faults:
        admin_post(emulator, "faults", fault)
    if case.slow_syncs is not None:
        admin_post(emulator, "syncs/next", case.slow_syncs)
    config = emulator_config(emulator, streams={STREAM: MAPPING}, **{**SETTINGS, **case.settings})
    target = start_target(config, MESSAGES, workdir)
    try:
        if case.during is not None:
            case.during(emulator, target)
    finally:
        runs = [finish(target)]
    affected = case.affected(emulator, case)
    if case.rerun:
        runs.append(run_target(config, MESSAGES, workdir))
    tally = tally_stored(emulator, "accounts", "M_CompanyName", EXPECTED)
    return CaseOutcome(runs, affected, tally)
