"""``scripts/show_emulator.py``, the demo's run summary, read from a loaded emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from target_eloqua.emulator import DEFAULT_PASSWORD as EMULATOR_PASSWORD
from target_eloqua.emulator import EmulatorServer
from tests.support import ACCOUNT_TUTORIAL_MAPPING, run_target

ROOT = Path(__file__).parents[1]


def test_the_summary_shows_each_sync_with_its_counts(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = {
        "company": "ACME",
        "username": "API.User",
        "password": EMULATOR_PASSWORD,
        "login_url": emulator.url,
        "poll_interval_seconds": 0.05,
        "streams": {"crm_accounts": ACCOUNT_TUTORIAL_MAPPING},
    }
    messages = [
        {
            "type": "SCHEMA",
            "stream": "crm_accounts",
            "key_properties": ["company_name"],
            "schema": {
                "type": "object",
                "properties": {
                    "company_name": {"type": "string"},
                    "owner_crm_ids": {"type": ["array", "null"], "items": {"type": "string"}},
                },
            },
        },
        {"type": "RECORD", "stream": "crm_accounts", "record": {"company_name": "Eloqua"}},
        {"type": "RECORD", "stream": "crm_accounts", "record": {"company_name": "Globex"}},
    ]
    assert run_target(config, messages, tmp_path).returncode == 0

    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "show_emulator.py"), emulator.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    lines = completed.stdout.splitlines()
    assert "Run summary: 1 sync(s)" in lines
    assert any(line.split()[:5] == ["/syncs/1", "success", "2", "0", "0"] for line in lines)
    assert "  total: 2 created, 0 updated, 0 rejected" in lines
