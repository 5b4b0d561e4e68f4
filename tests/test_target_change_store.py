"""End to end: with ``change_store``, a rerun sends only the rows Eloqua does not have as they are.

The tap here sends accounts (a name and a city), or companies in batches as
``test_target_checkpoints`` does; every run of a test shares one store file.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import requests

from target_eloqua.emulator import EloquaInstance, EmulatorServer
from tests.support import (
    COMPANIES,
    COMPANIES_MAPPING,
    TARGET_COMMAND,
    TargetRun,
    admin,
    emulator_config,
    finish,
    oauth_config,
    plan_next_syncs,
    run_target,
    start_target,
    stored_companies,
    summary_in,
    wait_until,
)
from tests.test_target_checkpoints import LOAD, LOAD_SETTINGS, bookmark, company, polled

STREAM = "crm_accounts"
MAPPING: dict[str, Any] = {
    "identifier": "name",
    "fields": {"name": "M_CompanyName", "city": "M_City"},
}
SCHEMA = {
    "type": "SCHEMA",
    "stream": STREAM,
    "key_properties": ["name"],
    "schema": {"properties": {"name": {"type": "string"}, "city": {"type": ["string", "null"]}}},
}
STATE = {"type": "STATE", "value": {"bookmarks": {STREAM: "2026-12-01"}}}


def accounts(*records: dict[str, Any]) -> list[dict[str, Any]]:
    """The stream's SCHEMA, a RECORD per record, then a STATE."""
    return [SCHEMA, *({"type": "RECORD", "stream": STREAM, "record": r} for r in records), STATE]


CITIES = {"Acme": "Paris", "Beta": "Rome", "Gamma": "Oslo"}
RECORDS = [{"name": name, "city": city} for name, city in CITIES.items()]
THREE = accounts(*RECORDS)
"""Three accounts, each in a city."""


def config(emulator: EmulatorServer, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    return emulator_config(
        emulator,
        **{
            "streams": {STREAM: MAPPING},
            "change_store": str(tmp_path / "store" / "changes.sqlite"),
            "summary_path": str(tmp_path / "summary.json"),
            "rejects_path": str(tmp_path / "rejects.jsonl"),
            **settings,
        },
    )


def totals(tmp_path: Path) -> dict[str, Any]:
    """The last run's totals, from its summary."""
    result: dict[str, Any] = summary_in(tmp_path / "summary.json")["totals"]
    return result


def new_syncs(emulator: EmulatorServer, before: int) -> list[dict[str, Any]]:
    """The emulator's syncs after the first ``before``."""
    return list(admin(emulator, "syncs")[before:])


def data_uploads(emulator: EmulatorServer) -> int:
    """How many data uploads (``POST .../data``) the emulator received."""
    return sum(
        1
        for request in admin(emulator, "requests")
        if request["method"] == "POST" and request["path"].endswith("/data")
    )


def cities(emulator: EmulatorServer) -> dict[str, str]:
    """The city of each account the emulator stored, by name."""
    stored = admin(emulator, "records/accounts")
    return {a["fields"]["M_CompanyName"]: a["fields"]["M_City"] for a in stored}


def test_a_rerun_of_the_same_input_uploads_nothing_creates_no_sync_and_writes_the_state(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    first = run_target(config(emulator, tmp_path), THREE, tmp_path)
    assert first.returncode == 0, first.stderr
    uploads, syncs = data_uploads(emulator), len(admin(emulator, "syncs"))

    rerun = run_target(config(emulator, tmp_path), THREE, tmp_path)

    assert rerun.returncode == 0, rerun.stderr
    assert rerun.states == [STATE["value"]]
    assert (data_uploads(emulator), len(admin(emulator, "syncs"))) == (uploads, syncs)
    numbers = totals(tmp_path)
    assert (numbers["read"], numbers["unchanged"], numbers["uploaded"], numbers["syncs"]) == (
        3,
        3,
        0,
        0,
    )
    assert "3 of the batch's 3 rows are unchanged since they were last loaded" in rerun.stderr


def test_a_changed_row_is_sent_alone(emulator: EmulatorServer, tmp_path: Path) -> None:
    assert run_target(config(emulator, tmp_path), THREE, tmp_path).returncode == 0
    syncs = len(admin(emulator, "syncs"))
    moved = accounts(RECORDS[0], {"name": "Beta", "city": "Lima"}, RECORDS[2])

    run = run_target(config(emulator, tmp_path), moved, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE["value"]]
    [sync] = new_syncs(emulator, syncs)
    assert sync["counts"]["processed"] == 1
    assert cities(emulator) == {**CITIES, "Beta": "Lima"}
    numbers = totals(tmp_path)
    assert (numbers["read"], numbers["unchanged"], numbers["uploaded"]) == (3, 2, 1)


def test_a_row_changed_back_in_a_later_batch_is_sent_after_the_change(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert run_target(config(emulator, tmp_path), THREE, tmp_path).returncode == 0
    plan_next_syncs(emulator, seconds=1)  # Lima is still syncing when Rome is read
    settings = {"batch_size_rows": 1, "max_syncs_per_stream": 3}
    there_and_back = accounts({"name": "Beta", "city": "Lima"}, {"name": "Beta", "city": "Rome"})

    run = run_target(config(emulator, tmp_path, **settings), there_and_back, tmp_path)

    assert run.returncode == 0, run.stderr
    assert cities(emulator)["Beta"] == "Rome"
    assert totals(tmp_path)["uploaded"] == 2  # Rome is not what Eloqua has once Lima loads
    rerun = run_target(config(emulator, tmp_path), THREE, tmp_path)
    assert (rerun.returncode, totals(tmp_path)["uploaded"]) == (0, 0)


def test_a_rejected_row_is_sent_again_next_run(emulator: EmulatorServer, tmp_path: Path) -> None:
    too_long = "x" * 101  # M_CompanyName holds 100 characters
    messages = [*THREE[:-1], {"type": "RECORD", "stream": STREAM, "record": {"name": too_long}}]

    first = run_target(config(emulator, tmp_path, max_rejects=1), [*messages, STATE], tmp_path)
    assert first.returncode == 0, first.stderr
    syncs = len(admin(emulator, "syncs"))
    second = run_target(config(emulator, tmp_path, max_rejects=1), [*messages, STATE], tmp_path)

    assert second.returncode == 0, second.stderr
    assert second.states == [STATE["value"]]
    [sync] = new_syncs(emulator, syncs)
    assert (sync["counts"]["processed"], sync["counts"]["rejected"]) == (1, 1)
    numbers = totals(tmp_path)
    assert (numbers["unchanged"], numbers["rejected"]) == (3, 1)


UPDATE_ONLY = {STREAM: {**MAPPING, "import_rule": "updateOnly"}}
"""The stream's mapping with Eloqua's import rule ``updateOnly``: a row matching no account is
left alone (``unmatched``)."""


def create_accounts(emulator: EmulatorServer, tmp_path: Path, *records: dict[str, Any]) -> None:
    """Create accounts the way another pipeline would: a stream of its own, no import rule."""
    other = "erp_accounts"
    schema = {**SCHEMA, "stream": other}
    lines = [schema, *({"type": "RECORD", "stream": other, "record": r} for r in records)]
    run = run_target(config(emulator, tmp_path, streams={other: MAPPING}), lines, tmp_path)
    assert run.returncode == 0, run.stderr


def test_a_row_the_import_rule_left_alone_is_sent_again_once_it_would_match(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    nobody = accounts({"name": "Nobody", "city": "Rome"})
    first = run_target(config(emulator, tmp_path, streams=UPDATE_ONLY), nobody, tmp_path)
    assert first.returncode == 0, first.stderr
    assert (totals(tmp_path)["unmatched"], totals(tmp_path)["uploaded"]) == (1, 1)
    assert (
        "Eloqua left 1 of its rows alone (unmatched) and does not say which, so the change "
        "store records none of the sync's rows: they are sent again next run"
    ) in first.stderr
    create_accounts(emulator, tmp_path, {"name": "Nobody", "city": "Paris"})
    assert cities(emulator) == {"Nobody": "Paris"}

    third = run_target(config(emulator, tmp_path, streams=UPDATE_ONLY), nobody, tmp_path)

    assert third.returncode == 0, third.stderr
    assert third.states == [STATE["value"]]
    assert cities(emulator) == {"Nobody": "Rome"}
    numbers = totals(tmp_path)
    assert (numbers["unchanged"], numbers["uploaded"], numbers["updated"]) == (0, 1, 1)
    assert numbers["unmatched"] == 0


def test_a_row_loaded_beside_unmatched_ones_is_sent_again_when_it_changes_back(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    create_accounts(emulator, tmp_path, {"name": "Acme", "city": "Paris"})
    acme = {"name": "Acme", "city": "Paris"}
    nobody = {"name": "Nobody", "city": "Rome"}
    first = run_target(config(emulator, tmp_path, streams=UPDATE_ONLY), accounts(acme), tmp_path)
    assert (first.returncode, totals(tmp_path)["updated"]) == (0, 1)  # Paris is recorded
    moved = accounts({"name": "Acme", "city": "Lyon"}, nobody)
    run = run_target(config(emulator, tmp_path, streams=UPDATE_ONLY), moved, tmp_path)
    assert (run.returncode, totals(tmp_path)["unmatched"]) == (0, 1)
    assert cities(emulator) == {"Acme": "Lyon"}

    back = run_target(config(emulator, tmp_path, streams=UPDATE_ONLY), accounts(acme), tmp_path)

    assert back.returncode == 0, back.stderr
    assert cities(emulator) == {"Acme": "Paris"}  # the store no longer takes Paris for Eloqua's
    assert (totals(tmp_path)["unchanged"], totals(tmp_path)["uploaded"]) == (0, 1)


def test_a_changed_mapping_sends_every_row_again(emulator: EmulatorServer, tmp_path: Path) -> None:
    keeping = {STREAM: {**MAPPING, "update_rule": "ifExistingIsNull"}}
    sent = []
    for streams in ({STREAM: MAPPING}, keeping, keeping, {STREAM: MAPPING}):
        run = run_target(config(emulator, tmp_path, streams=streams), THREE, tmp_path)
        assert run.returncode == 0, run.stderr
        sent.append(totals(tmp_path)["uploaded"])

    # The first mapping's fingerprints were dropped when the second loaded: Eloqua may hold
    # what the second sent.
    assert sent == [3, 3, 0, 3]


def test_refresh_sends_every_row_once_and_rebuilds_the_store_of_the_streams_it_loads(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    streams = {STREAM: MAPPING, COMPANIES: COMPANIES_MAPPING}
    both = [*THREE, *LOAD[:4]]  # and three companies
    assert run_target(config(emulator, tmp_path, streams=streams), both, tmp_path).returncode == 0

    refresh = run_target(
        config(emulator, tmp_path, streams=streams, change_store_refresh=True), THREE, tmp_path
    )
    assert refresh.returncode == 0, refresh.stderr
    assert (totals(tmp_path)["uploaded"], totals(tmp_path)["unchanged"]) == (3, 0)
    after = run_target(config(emulator, tmp_path, streams=streams), both, tmp_path)

    assert after.returncode == 0, after.stderr
    assert (totals(tmp_path)["uploaded"], totals(tmp_path)["unchanged"]) == (0, 6)


def test_a_failed_sync_records_nothing_and_its_rows_go_again(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, count=1)
    plan_next_syncs(emulator, status="error")
    settings = {"batch_size_rows": 2, "max_syncs_per_stream": 1}

    failed = run_target(config(emulator, tmp_path, **settings), THREE, tmp_path)
    assert failed.returncode == 1
    assert sorted(cities(emulator)) == ["Acme", "Beta"]
    rerun = run_target(config(emulator, tmp_path, **settings), THREE, tmp_path)

    assert rerun.returncode == 0, rerun.stderr
    assert rerun.states == [STATE["value"]]
    assert cities(emulator) == CITIES
    assert (totals(tmp_path)["unchanged"], totals(tmp_path)["uploaded"]) == (2, 1)


def test_a_row_of_a_failed_sync_is_sent_again_when_it_changes_back(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert run_target(config(emulator, tmp_path), THREE, tmp_path).returncode == 0  # Paris
    plan_next_syncs(emulator, status="error")
    moved = accounts({"name": "Acme", "city": "Lyon"})
    assert run_target(config(emulator, tmp_path), moved, tmp_path).returncode == 1
    # A sync that ends 'error' may have loaded some of its rows: this one, say.
    [acme] = [
        a for a in admin(emulator, "records/accounts") if a["fields"]["M_CompanyName"] == "Acme"
    ]
    edit = {"fields": {"M_City": "Lyon"}}
    url = f"{emulator.url}/_emulator/records/accounts/{acme['id']}"
    requests.patch(url, json=edit, timeout=10).raise_for_status()

    back = run_target(config(emulator, tmp_path), THREE, tmp_path)

    assert back.returncode == 0, back.stderr
    assert cities(emulator) == CITIES  # Paris again: the store had forgotten it
    assert (totals(tmp_path)["unchanged"], totals(tmp_path)["uploaded"]) == (2, 1)


def test_a_row_read_back_different_is_sent_again_next_run(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert run_target(config(emulator, tmp_path), THREE, tmp_path).returncode == 0
    keeping = {STREAM: {**MAPPING, "update_rule": "ifExistingIsNull"}}
    moved = accounts({"name": "Acme", "city": "Lyon"}, *RECORDS[1:])  # Eloqua keeps Paris
    settings = {"streams": keeping, "verify": "all", "max_rejects": 1}

    first = run_target(config(emulator, tmp_path, **settings), moved, tmp_path)
    assert first.returncode == 0, first.stderr
    assert (totals(tmp_path)["uploaded"], totals(tmp_path)["mismatched"]) == (3, 1)
    second = run_target(config(emulator, tmp_path, **settings), moved, tmp_path)

    assert second.returncode == 0, second.stderr
    assert (totals(tmp_path)["uploaded"], totals(tmp_path)["unchanged"]) == (1, 2)


def test_after_sigkill_the_next_run_sends_exactly_what_did_not_land(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_next_syncs(emulator, count=2, seconds=0.1)
    plan_next_syncs(emulator, status="error", seconds=30)  # the third batch never lands
    settings = {"streams": {COMPANIES: COMPANIES_MAPPING}, **LOAD_SETTINGS}
    killed = start_target(config(emulator, tmp_path, **settings), LOAD, tmp_path)
    assert killed.stdout is not None
    written = [json.loads(killed.stdout.readline()) for _ in range(2)]
    wait_until(lambda: polled(emulator, "/syncs/3"))

    killed.send_signal(signal.SIGKILL)
    finish(killed)
    rerun = run_target(config(emulator, tmp_path, **settings), LOAD, tmp_path)

    assert written == [bookmark(1000), bookmark(2000)]
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.states[-1] == bookmark(5000)
    numbers = totals(tmp_path)
    assert (numbers["unchanged"], numbers["uploaded"]) == (2000, 3000)
    # Companies 2,001 to 3,000 never landed before (their sync ended 'error'), nor did those
    # after them: the 3,000 rows sent are those.
    assert sorted(stored_companies(emulator)) == [company(n) for n in range(1, 5001)]


def test_a_second_run_on_a_store_in_use_is_refused_and_the_store_stays_whole(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config(emulator, tmp_path)))
    first = subprocess.Popen(  # its input stays open, so it holds the store until the test is done
        [TARGET_COMMAND, "--config", str(config_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until(lambda: bool(admin(emulator, "definitions")))  # the store was opened before
    store = tmp_path / "store" / "changes.sqlite"
    elsewhere = tmp_path / "second"
    elsewhere.mkdir()

    try:
        second = run_target(config(emulator, elsewhere, change_store=str(store)), THREE, elsewhere)
        lines = "".join(json.dumps(message) + "\n" for message in THREE)
        stdout, stderr = first.communicate(lines, timeout=60)
    finally:
        first.kill()  # if it is still there

    assert second.returncode == 1
    assert second.stderr.rstrip().endswith(
        f"change_store {store} is in use by another run of target-eloqua (the file is locked): "
        "runs that share a store must run one after the other"
    )
    assert first.returncode == 0, stderr
    assert json.loads(stdout) == STATE["value"]
    rerun = run_target(config(emulator, tmp_path), THREE, tmp_path)
    assert (rerun.returncode, totals(tmp_path)["unchanged"]) == (0, 3)


SEED_TOKEN = "seed-refresh-token-8Kd4"  # each emulated instance accepts it once


def oauth_run(pod: EmulatorServer, tmp_path: Path, store: Path) -> TargetRun:
    """A run on the instance ``pod`` serves that logs in with OAuth's refresh-token grant, so
    with no ``company`` set, keeping the rotated tokens in a file per instance.
    """
    token_file = tmp_path / f"token-{pod.instance.site_id}.json"
    settings = oauth_config(
        pod,
        refresh_token=SEED_TOKEN,
        token_file=str(token_file),
        streams={STREAM: MAPPING},
        change_store=str(store),
        summary_path=str(tmp_path / "summary.json"),
    )
    return run_target(settings, THREE, tmp_path)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_two_instances_at_one_url_refuse_each_others_store(tmp_path: Path) -> None:
    acme = EloquaInstance(sync_seconds=0.2, refresh_token=SEED_TOKEN)
    globex = EloquaInstance(
        sync_seconds=0.2, site_id=43, company="Globex", refresh_token=SEED_TOKEN
    )
    acme_store, globex_store = tmp_path / "acme.sqlite", tmp_path / "globex.sqlite"
    with EmulatorServer(acme) as pod:
        url = pod.url
        assert oauth_run(pod, tmp_path, acme_store).returncode == 0

    with EmulatorServer(globex, port=port_of(url)) as pod:  # another customer on the same pod
        assert pod.url == url
        refused = oauth_run(pod, tmp_path, acme_store)
        assert admin(pod, "records/accounts") == []
        assert oauth_run(pod, tmp_path, globex_store).returncode == 0
    with EmulatorServer(acme, port=port_of(url)) as pod:
        refused_back = oauth_run(pod, tmp_path, globex_store)
        assert cities(pod) == CITIES

    assert refused.returncode == 1
    assert (
        f"was written for the Eloqua instance 'ACME' (site id 42, at {url}), not 'Globex' "
        f"(site id 43, at {url}): give each instance a store of its own, or set "
        "change_store_refresh: true to empty this one and take it over"
    ) in refused.stderr
    assert refused_back.returncode == 1
    assert (
        f"was written for the Eloqua instance 'Globex' (site id 43, at {url}), not 'ACME' "
        f"(site id 42, at {url})"
    ) in refused_back.stderr


def test_the_store_follows_its_instance_to_another_pod(tmp_path: Path) -> None:
    instance = EloquaInstance(sync_seconds=0.2)
    with EmulatorServer(instance) as old_pod:
        first = run_target(config(old_pod, tmp_path), THREE, tmp_path)
        assert first.returncode == 0, first.stderr
        old_url = old_pod.url

    with EmulatorServer(instance) as new_pod:  # the instance moved, with its records
        pinned = config(new_pod, tmp_path, base_url=new_pod.url)  # /id is asked all the same
        rerun = run_target(pinned, THREE, tmp_path)
        asked = [r["path"] for r in admin(new_pod, "requests") if r["method"] == "GET"]

    assert rerun.returncode == 0, rerun.stderr
    assert (totals(tmp_path)["unchanged"], totals(tmp_path)["uploaded"]) == (3, 0)
    assert asked.count("/id") == 1
    assert (
        "was written for this Eloqua instance ('ACME', site id 42) when it was at "
        f"{old_url}; it is now at {new_pod.url}"
    ) in rerun.stderr


def test_a_run_whose_instance_id_does_not_name_is_refused_before_anything_is_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fault = {"method": "GET", "path": "/id", "count": 1, "status": 403}
    requests.post(f"{emulator.url}/_emulator/faults", json=fault, timeout=10).raise_for_status()

    run = run_target(config(emulator, tmp_path, base_url=emulator.url), THREE, tmp_path)

    assert run.returncode == 1
    assert (
        f"change_store is kept per Eloqua instance, and {emulator.url}/id did not tell which "
        "one this is: Eloqua answered 403"
    ) in run.stderr
    assert (admin(emulator, "definitions"), admin(emulator, "records/accounts")) == ([], [])


def test_a_store_written_for_another_instance_is_taken_over_with_refresh(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert run_target(config(emulator, tmp_path), THREE, tmp_path).returncode == 0

    globex = EloquaInstance(sync_seconds=0.2, site_id=43, company="Globex")
    with EmulatorServer(globex) as other:
        refused = run_target(config(other, tmp_path, company="Globex"), THREE, tmp_path)
        assert json.loads((tmp_path / "summary.json").read_text())["status"] == "failed"
        refresh = config(other, tmp_path, company="Globex", change_store_refresh=True)
        taken_over = run_target(refresh, THREE, tmp_path)

    assert refused.returncode == 1
    assert "was written for the Eloqua instance 'ACME' (site id 42" in refused.stderr
    assert taken_over.returncode == 0, taken_over.stderr
    assert totals(tmp_path)["uploaded"] == 3
    back = run_target(config(emulator, tmp_path), THREE, tmp_path)
    assert back.returncode == 1  # the store is the other instance's now


def test_a_dry_run_reads_the_store_and_never_writes_it(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    dry = {"dry_run": True, "dry_run_dir": str(tmp_path / "dry")}
    store = tmp_path / "store" / "changes.sqlite"
    assert run_target(config(emulator, tmp_path, **dry), THREE, tmp_path).returncode == 0
    assert not store.exists()
    assert run_target(config(emulator, tmp_path), THREE, tmp_path).returncode == 0
    moved = accounts({"name": "Acme", "city": "Lyon"}, *RECORDS[1:])
    written = store.read_bytes()

    run = run_target(config(emulator, tmp_path, **dry), moved, tmp_path)

    assert run.returncode == 0, run.stderr
    assert (totals(tmp_path)["unchanged"], totals(tmp_path)["uploaded"]) == (2, 0)
    [part] = sorted((tmp_path / "dry").glob(f"{STREAM}.*.csv"))
    assert part.read_text().splitlines()[1:] == ["Acme,Lyon"]
    assert store.read_bytes() == written
    real = run_target(config(emulator, tmp_path), moved, tmp_path)
    assert (real.returncode, totals(tmp_path)["uploaded"]) == (0, 1)


def test_records_that_take_the_sdks_path_are_left_out_alike(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    settings = {"stream_maps": {STREAM: {"city": "'Lyon'"}}}  # no fast path for a mapped stream
    first = run_target(config(emulator, tmp_path, **settings), THREE, tmp_path)
    assert first.returncode == 0, first.stderr

    rerun = run_target(config(emulator, tmp_path, **settings), THREE, tmp_path)

    assert rerun.returncode == 0, rerun.stderr
    assert (totals(tmp_path)["unchanged"], totals(tmp_path)["uploaded"]) == (3, 0)
    assert set(cities(emulator).values()) == {"Lyon"}
