"""End to end, with faults injected by the emulator: every run ends as designed, and Eloqua holds
every record exactly once with the right values (the cases are in ``tests/faults.py``).
"""

from __future__ import annotations

from pathlib import Path

from target_eloqua.emulator import EmulatorServer
from tests.faults import (
    EXPECTED,
    STATE,
    SYNCS,
    UPLOADS,
    CaseOutcome,
    FaultCase,
    case_named,
    run_case,
)
from tests.support import StoredTally, admin

EVERY_RECORD_ONCE = StoredTally(expected=40, stored=40, lost=0, duplicated=0)


def assert_every_record_loaded_once(outcome: CaseOutcome, emulator: EmulatorServer) -> None:
    """The (last) run succeeded with STATE, and each drain's 20 rows were synced once."""
    run = outcome.runs[-1]
    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert outcome.tally == EVERY_RECORD_ONCE
    syncs = admin(emulator, "syncs")
    assert [(s["status"], s["counts"]["processed"]) for s in syncs[-2:]] == [("success", 20)] * 2


def statuses(emulator: EmulatorServer, method: str, suffix: str) -> list[int | None]:
    """The statuses the emulator answered to requests whose path ends with ``suffix``, in order
    (None: the connection was dropped).
    """
    requests = admin(emulator, "requests")
    return [r["status"] for r in requests if r["method"] == method and r["path"].endswith(suffix)]


def assert_left_unsynced(emulator: EmulatorServer, definition_uri: str) -> None:
    """The definition an upload answer was lost on has rows staged and no sync: never synced."""
    [definition] = [d for d in admin(emulator, "definitions") if d["uri"] == definition_uri]
    assert definition["stagedRowCount"] > 0
    assert definition_uri not in {sync["syncedInstanceUri"] for sync in admin(emulator, "syncs")}


def test_a_burst_of_429_is_waited_out(emulator: EmulatorServer, tmp_path: Path) -> None:
    outcome = run_case(case_named("burst of 429"), emulator, tmp_path)

    assert_every_record_loaded_once(outcome, emulator)
    assert outcome.affected == 5
    assert outcome.runs[0].stderr.count("failed: Eloqua answered 429") == 5  # each retried
    assert len(admin(emulator, "syncs")) == 2


def test_500_and_503_are_retried_or_recovered(emulator: EmulatorServer, tmp_path: Path) -> None:
    outcome = run_case(case_named("500 and 503"), emulator, tmp_path)

    assert_every_record_loaded_once(outcome, emulator)
    assert outcome.affected == 4
    stderr = outcome.runs[0].stderr
    # The upload answered 500 had been staged: its definition is left, the batch goes to another.
    assert "/accounts/imports/1 is left unsynced and the batch goes to a fresh definition" in stderr
    assert_left_unsynced(emulator, "/accounts/imports/1")
    # The sync creation answered 503 had created nothing: asked again, once.
    assert "Eloqua has no new sync of" in stderr
    assert len(admin(emulator, "syncs")) == 2


def test_a_connection_dropped_during_an_upload_is_recovered_by_uploading_again(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    outcome = run_case(case_named("connection dropped during an upload"), emulator, tmp_path)

    assert_every_record_loaded_once(outcome, emulator)
    assert outcome.affected == 1
    uploads = statuses(emulator, "POST", "/data")
    assert uploads == [None, 204, 204, 204, 204]  # the lost one, then drain 1 again, then drain 2
    assert "may or may not have acted on POST /accounts/imports/1/data" in outcome.runs[0].stderr
    assert_left_unsynced(emulator, "/accounts/imports/1")


def test_a_connection_dropped_during_post_syncs_adopts_the_sync_it_created(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    outcome = run_case(case_named("connection dropped during POST /syncs"), emulator, tmp_path)

    assert_every_record_loaded_once(outcome, emulator)
    assert outcome.affected == 2
    assert statuses(emulator, "POST", "/syncs") == [None, None]
    assert len(admin(emulator, "syncs")) == 2
    for adopted in ("/syncs/1", "/syncs/2"):
        assert f"it did create {adopted}, which is the drain's sync" in outcome.runs[0].stderr


def test_slow_syncs_are_waited_for(emulator: EmulatorServer, tmp_path: Path) -> None:
    outcome = run_case(case_named("slow syncs"), emulator, tmp_path)

    assert_every_record_loaded_once(outcome, emulator)
    assert outcome.affected == 2
    polls = [r for r in admin(emulator, "requests") if r["path"].endswith("/syncs/1")]
    assert 3 <= len(polls) < 20  # waited with growing intervals, not hammered


def test_a_token_expiring_mid_run_is_renewed_and_every_record_loaded_once(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    outcome = run_case(case_named("token expiring mid-run"), emulator, tmp_path)

    assert [(run.returncode, bool(run.states)) for run in outcome.runs] == [(0, True)]
    assert_every_record_loaded_once(outcome, emulator)
    assert outcome.affected >= 1  # the expired token was refused, then renewed


def test_a_target_killed_between_upload_and_sync_loads_everything_once_when_rerun(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    outcome = run_case(
        case_named("SIGKILL between upload and sync, then a rerun"), emulator, tmp_path
    )

    killed = outcome.runs[0]
    assert len(outcome.runs) == 2
    assert (killed.returncode, killed.states) == (-9, [])
    assert_every_record_loaded_once(outcome, emulator)
    definitions = admin(emulator, "definitions")
    synced = {sync["syncedInstanceUri"] for sync in admin(emulator, "syncs")}
    orphaned = [d["stagedRowCount"] for d in definitions if d["uri"] not in synced]
    assert sum(orphaned) > 0  # the killed run's definitions: rows staged but never synced
    assert [d["stagedRowCount"] for d in definitions if d["uri"] in synced] == [0] * len(synced)


def test_an_upload_answer_lost_in_every_pass_fails_the_run_with_nothing_synced(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    lost = {"method": "POST", "path": UPLOADS, "action": "drop", "when": "after", "count": 3}
    one_batch = {"batch_size_rows": len(EXPECTED)}  # batches upload side by side: one takes all

    outcome = run_case(
        FaultCase("upload answers lost", faults=(lost,), settings=one_batch), emulator, tmp_path
    )

    run = outcome.runs[0]
    assert (run.returncode, run.states) == (1, [])
    assert "was lost in each of 3 passes; nothing of this batch was synced" in run.stderr
    assert admin(emulator, "syncs") == []
    assert len(admin(emulator, "definitions")) == 3  # one a pass, each left unsynced
    assert outcome.tally == StoredTally(expected=40, stored=0, lost=40, duplicated=0)


def test_a_sync_creation_lost_every_time_fails_the_run_without_state(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    lost = {"method": "POST", "path": SYNCS, "action": "drop", "count": 3}

    one_at_a_time = {"max_syncs_per_stream": 1}  # all three losses hit the first sync
    case = FaultCase("sync answers lost", faults=(lost,), settings=one_at_a_time)

    outcome = run_case(case, emulator, tmp_path)

    run = outcome.runs[0]
    assert (run.returncode, run.states) == (1, [])
    assert "creating a sync of /accounts/imports/1 was lost 3 times, and it created none" in (
        run.stderr
    )
    synced = [sync["syncedInstanceUri"] for sync in admin(emulator, "syncs")]
    assert "/accounts/imports/1" not in synced  # the other batch synced on its own definition
