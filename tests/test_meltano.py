"""The real command: ``meltano run tap-jsonl target-eloqua`` on the sample data, into an emulator.

Meltano 4.4.1 comes from ``scripts/meltano.sh`` (which installs it into ``.venv-meltano/`` on
first use), and the plugins from this project's ``meltano.yml``: tap-jsonl from PyPI and this
target (``pip_url: -e .``). Each run gets its own Meltano system database, so that the state of
earlier runs (the demo's among them) neither leaks in nor is overwritten.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator import DEFAULT_PASSWORD as EMULATOR_PASSWORD
from target_eloqua.emulator import EloquaInstance, EmulatorServer
from tests.support import admin

ROOT = Path(__file__).parents[1]
STATE_ID = "emulator:tap-jsonl-to-target-eloqua"
SAMPLE_FILE = ROOT / "sample" / "crm_accounts.jsonl"
SAMPLE = [json.loads(line) for line in SAMPLE_FILE.read_text(encoding="utf-8").splitlines()]


@dataclass
class MeltanoPipeline:
    """One run of the sample pipeline, and the emulator it loaded (still running)."""

    emulator: EmulatorServer
    env: dict[str, str]
    summary_path: Path
    run_log: str = ""
    """What ``meltano run`` logged."""

    def meltano(self, *args: str) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            ["bash", "scripts/meltano.sh", *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,  # the first use installs Meltano and the plugins
            check=False,
        )
        assert completed.returncode == 0, completed.stderr[-4000:]
        return completed


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeltanoPipeline]:
    """Install the project's plugins, then run the sample pipeline once against an emulator."""
    system_db = tmp_path_factory.mktemp("meltano") / "meltano.db"
    summary_path = system_db.with_name("summary.json")
    with EmulatorServer(EloquaInstance(sync_seconds=0.2)) as emulator:
        env = {
            # Nothing of the caller's own Meltano or target settings may steer this run.
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("MELTANO_", "TARGET_ELOQUA_", "TAP_JSONL_"))
            },
            "MELTANO_DATABASE_URI": f"sqlite:///{system_db}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "ELOQUA_EMULATOR_URL": emulator.url,
            "TARGET_ELOQUA_PASSWORD": EMULATOR_PASSWORD,
            # A number setting from the environment, as Meltano passes it on.
            "TARGET_ELOQUA_POLL_INTERVAL_SECONDS": "0.2",
            "TARGET_ELOQUA_SUMMARY_PATH": str(summary_path),
        }
        pipeline = MeltanoPipeline(emulator, env, summary_path)
        pipeline.meltano("install")
        pipeline.run_log = pipeline.meltano("run", "tap-jsonl", "target-eloqua").stderr
        yield pipeline


def test_one_sync_created_every_sample_account(pipeline: MeltanoPipeline) -> None:
    [sync] = admin(pipeline.emulator, "syncs")

    assert sync["status"] == "success"
    assert sync["counts"]["processed"] == len(SAMPLE)
    assert sync["counts"]["created"] == len(SAMPLE)
    assert sync["counts"]["rejected"] == 0


def test_the_import_definition_is_the_mapping_in_meltano_yml(pipeline: MeltanoPipeline) -> None:
    [definition] = admin(pipeline.emulator, "definitions")

    assert definition["identifierFieldName"] == "company_name"
    assert definition["linkUsers"] is True
    assert definition["fields"] == {
        "company_name": "{{Account.Field(M_CompanyName)}}",
        "country": "{{Account.Field(M_Country)}}",
        "city": "{{Account.Field(M_City)}}",
        "industry": "{{Account.Field(M_Industry)}}",
        "owner_crm_ids": "{{Account.User.Field(CRMOSCUserId)}}",
    }


def test_the_emulator_stored_the_sample_accounts(pipeline: MeltanoPipeline) -> None:
    """Reads ``/_emulator/records/accounts``, the emulator's admin path for stored accounts."""
    accounts = {
        account["fields"]["M_CompanyName"]: account
        for account in admin(pipeline.emulator, "records/accounts")
    }

    assert sorted(accounts) == sorted(record["company_name"] for record in SAMPLE)
    for record in SAMPLE:
        account = accounts[record["company_name"]]
        assert account["fields"]["M_Country"] == record["country"]
        assert account["fields"]["M_City"] == record["city"]
        linked = sorted(user["fields"]["CRMOSCUserId"] for user in account["linkedUsers"])
        assert linked == sorted(record["owner_crm_ids"] or [])


def test_meltano_saved_the_state(pipeline: MeltanoPipeline) -> None:
    completed = pipeline.meltano("--environment=emulator", "state", "get", STATE_ID)

    state: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    bookmark = state["singer_state"]["bookmarks"]["crm_accounts"]
    assert bookmark["replication_key"] == "_sdc_last_modified"
    assert bookmark["replication_key_value"]


def test_the_run_summary_counts_every_sample_account(pipeline: MeltanoPipeline) -> None:
    summary = json.loads(pipeline.summary_path.read_text())

    assert (summary["status"], summary["exit_code"]) == ("succeeded", 0)
    stream = summary["streams"]["crm_accounts"]
    assert (stream["read"], stream["created"], stream["rejected"]) == (len(SAMPLE), len(SAMPLE), 0)
    [sync] = stream["syncs"]
    assert sync["uri"] == admin(pipeline.emulator, "syncs")[0]["uri"]


def test_the_targets_log_tells_the_run_in_lines_a_person_reads(pipeline: MeltanoPipeline) -> None:
    """Meltano shows a metric's name and value, not its tags: the target's one metric is the
    sync's duration; the sync has two lines, its creation and its end, and no status between.
    """
    said = [
        line.split(" target-eloqua ", 1)[1].strip()
        for line in pipeline.run_log.splitlines()
        if " target-eloqua " in line
    ]
    [sync] = admin(pipeline.emulator, "syncs")
    uri = sync["uri"]

    assert [line.split()[:2] for line in said if line.startswith("METRIC")] == [
        ["METRIC", "metric_name=job_duration"]
    ]
    about_the_sync = [line for line in said if f"sync {uri} " in line]
    assert len(about_the_sync) == 2, about_the_sync
    assert about_the_sync[0].startswith(f"Stream 'crm_accounts': created sync {uri} for 5 rows ")
    assert about_the_sync[1].startswith(f"Stream 'crm_accounts': sync {uri} ended success in ")
    assert ["crm_accounts", "5", "5"] in [line.split()[:3] for line in said]  # the run's table
