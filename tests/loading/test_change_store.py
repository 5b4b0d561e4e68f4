"""The change store: fingerprints per stream and identifier, in a file one run holds at a time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import astuple, replace
from pathlib import Path

import pytest

from target_eloqua.errors import ChangeStoreError, RunStoppedError
from target_eloqua.loading import change_store
from target_eloqua.loading.change_store import (
    ChangeStore,
    Instance,
    RunChanges,
    definition_digest,
    identifier_key,
    open_change_store,
)
from target_eloqua.loading.spool import RowSpool
from target_eloqua.mapping.entities import parse_entity
from target_eloqua.mapping.streams import Column, StreamMapping

ACME = Instance(42, "ACME", "https://secure.p03.eloqua.com")
GLOBEX = Instance(43, "Globex", "https://secure.p03.eloqua.com")
"""Another instance on ACME's pod."""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "changes.sqlite"


@pytest.fixture
def store(path: Path) -> Iterator[ChangeStore]:
    store = ChangeStore.open(path, ACME, refresh=False, writable=True)
    yield store
    store.close()


def test_fingerprints_recorded_are_found_by_the_next_run(path: Path, store: ChangeStore) -> None:
    scope = store.open_scope("crm", "definition", keep=set(), clear=False)
    assert store.record(scope, [(1, 10), (2, 20)]) == 2
    store.record(scope, [(2, 21)])
    store.close()

    reopened = ChangeStore.open(path, ACME, refresh=False, writable=True)
    again = reopened.open_scope("crm", "definition", keep=set(), clear=False)
    found = reopened.fingerprints(again, [1, 2, 3])
    reopened.close()

    assert (again, found) == (scope, {1: 10, 2: 21})


def test_a_store_in_use_is_refused_until_its_run_closes_it(
    path: Path, store: ChangeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(change_store, "LOCK_WAIT_SECONDS", 0.1)  # each refusal waits for it
    store.close()
    reading = ChangeStore.open(path, ACME, refresh=False, writable=True)  # a run that only reads

    with pytest.raises(ChangeStoreError) as refused:
        ChangeStore.open(path, ACME, refresh=False, writable=True)
    with pytest.raises(ChangeStoreError):
        ChangeStore.open(path, ACME, refresh=False, writable=False)  # a dry run too
    reading.close()
    ChangeStore.open(path, ACME, refresh=False, writable=True).close()

    assert str(refused.value) == (
        f"change_store {path} is in use by another run of target-eloqua (the file is locked): "
        "runs that share a store must run one after the other"
    )


def test_a_store_of_another_instance_on_the_same_pod_is_refused_naming_both(
    path: Path, store: ChangeStore
) -> None:
    store.close()

    with pytest.raises(ChangeStoreError) as refused:
        ChangeStore.open(path, GLOBEX, refresh=False, writable=True)

    assert str(refused.value) == (
        f"change_store {path} was written for the Eloqua instance 'ACME' (site id 42, at "
        "https://secure.p03.eloqua.com), not 'Globex' (site id 43, at "
        "https://secure.p03.eloqua.com): give each instance a store of its own, or set "
        "change_store_refresh: true to empty this one and take it over"
    )


def test_a_store_of_a_site_with_the_same_id_and_another_name_is_refused(
    path: Path, store: ChangeStore
) -> None:
    store.close()
    emulated = replace(ACME, site_name="Emulated", base_url="http://127.0.0.1:8000")

    with pytest.raises(ChangeStoreError, match=r"not 'Emulated' \(site id 42, at http://127"):
        ChangeStore.open(path, emulated, refresh=False, writable=True)


def test_the_store_follows_its_instance_to_another_pod(path: Path, store: ChangeStore) -> None:
    store.record(store.open_scope("crm", "definition", keep=set(), clear=False), [(1, 10)])
    store.close()
    moved = replace(ACME, base_url="https://secure.p06.eloqua.com")

    reopened = ChangeStore.open(path, moved, refresh=False, writable=True)
    scope = reopened.open_scope("crm", "definition", keep=set(), clear=False)
    assert reopened.fingerprints(scope, [1]) == {1: 10}
    reopened.close()
    with pytest.raises(ChangeStoreError, match=r"'ACME' \(site id 42, at https://secure.p06"):
        ChangeStore.open(path, GLOBEX, refresh=False, writable=True)


def test_a_store_of_an_earlier_build_without_a_site_id_is_refused_unless_refreshed(
    path: Path, store: ChangeStore
) -> None:
    store.close()
    with sqlite3.connect(path) as connection:  # what an earlier build wrote
        connection.execute("DELETE FROM meta WHERE name IN ('site_id', 'site_name')")
        connection.execute("INSERT INTO meta VALUES ('company', '')")
    connection.close()

    with pytest.raises(ChangeStoreError) as refused:
        ChangeStore.open(path, ACME, refresh=False, writable=True)
    ChangeStore.open(path, ACME, refresh=True, writable=True).close()
    ChangeStore.open(path, ACME, refresh=False, writable=True).close()

    assert str(refused.value) == (
        f"change_store {path} was written by an earlier build of target-eloqua, which did not "
        "record the Eloqua instance's site id: give it a new file, or set "
        "change_store_refresh: true to empty this one and take it over"
    )


def test_a_refresh_empties_another_instances_store_and_takes_it_over(
    path: Path, store: ChangeStore
) -> None:
    store.record(store.open_scope("crm", "definition", keep=set(), clear=False), [(1, 10)])
    store.close()

    taken = ChangeStore.open(path, GLOBEX, refresh=True, writable=True)
    scope = taken.open_scope("crm", "definition", keep=set(), clear=False)
    assert taken.fingerprints(scope, [1]) == {}
    taken.close()
    with pytest.raises(ChangeStoreError, match="was written for the Eloqua instance 'Globex'"):
        ChangeStore.open(path, ACME, refresh=False, writable=True)


def test_a_file_that_is_not_a_change_store_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database, but long enough to be taken for one " * 50)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()

    for path in (text, other):
        with pytest.raises(ChangeStoreError, match="is not a target-eloqua change store"):
            ChangeStore.open(path, ACME, refresh=False, writable=True)


def test_a_store_of_another_layout_is_refused(path: Path, store: ChangeStore) -> None:
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'")
    connection.close()

    with pytest.raises(ChangeStoreError, match="has layout 99, which this version"):
        ChangeStore.open(path, ACME, refresh=False, writable=True)


def test_a_streams_scope_drops_its_other_scopes_and_no_other_streams(store: ChangeStore) -> None:
    old = store.open_scope("crm", "old mapping", keep=set(), clear=False)
    other_stream = store.open_scope("erp", "old mapping", keep=set(), clear=False)
    store.record(old, [(1, 10)])
    store.record(other_stream, [(1, 10)])

    new = store.open_scope("crm", "new mapping", keep=set(), clear=False)
    store.record(new, [(1, 11)])
    again = store.open_scope("crm", "old mapping", keep=set(), clear=False)

    assert again != old  # dropped with its fingerprints, made anew
    assert store.fingerprints(again, [1]) == {}
    assert store.fingerprints(other_stream, [1]) == {1: 10}
    assert not store.has_fingerprints(new)  # dropped in turn


def test_scopes_the_run_uses_are_kept_and_clear_empties_the_new_one(store: ChangeStore) -> None:
    first = store.open_scope("crm", "first", keep=set(), clear=False)
    store.record(first, [(1, 10)])
    store.record(store.open_scope("crm", "second", keep=set(), clear=False), [(2, 20)])

    second = store.open_scope("crm", "second", keep=set(), clear=True)
    store.record(second, [(3, 30)])
    third = store.open_scope("crm", "third", keep={second}, clear=True)

    assert store.fingerprints(second, [2, 3]) == {3: 30}
    assert not store.has_fingerprints(third)
    assert store.open_scope("crm", "first", keep=set(), clear=False) != first


def test_a_closed_store_tells_its_users_that_the_run_is_ending(store: ChangeStore) -> None:
    scope = store.open_scope("crm", "definition", keep=set(), clear=False)
    store.close()

    with pytest.raises(RunStoppedError):
        store.record(scope, [(1, 10)])
    store.close()  # twice is fine


def test_a_run_killed_in_a_transaction_leaves_the_store_as_it_was(path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from target_eloqua.loading.change_store import ChangeStore, Instance

        store = ChangeStore.open(Path({str(path)!r}), Instance(*{astuple(ACME)!r}),
                                 refresh=False, writable=True)
        scope = store.open_scope("crm", "definition", keep=set(), clear=False)
        store.record(scope, [(1, 10)])

        def rows():
            yield from ((key, key) for key in range(2, 5000))
            os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction

        store.record(scope, rows())
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)

    store = ChangeStore.open(path, ACME, refresh=False, writable=True)
    scope = store.open_scope("crm", "definition", keep=set(), clear=False)
    found = store.fingerprints(scope, range(1, 5000))
    store.close()

    assert killed.returncode == -9
    assert found == {1: 10}


def test_fingerprints_are_looked_up_in_chunks_of_any_size(store: ChangeStore) -> None:
    scope = store.open_scope("crm", "definition", keep=set(), clear=False)
    store.record(scope, [(key, -key) for key in range(-1500, 1500, 2)])

    found = store.fingerprints(scope, list(range(-1500, 1500)))

    assert found == {key: -key for key in range(-1500, 1500, 2)}


def test_forgotten_identifiers_lose_their_fingerprints_in_every_scope_of_the_stream(
    store: ChangeStore,
) -> None:
    crm = store.open_scope("crm", "old definition", keep=set(), clear=False)
    store.record(crm, [(1, 10), (2, 20)])
    newer = store.open_scope("crm", "new definition", keep={crm}, clear=False)
    store.record(newer, [(1, 11)])
    other = store.open_scope("erp", "definition", keep=set(), clear=False)
    store.record(other, [(1, 12)])

    store.forget("crm", [1])

    assert store.fingerprints(crm, [1, 2]) == {2: 20}
    assert store.fingerprints(newer, [1]) == {}
    assert store.fingerprints(other, [1]) == {1: 12}


MAPPING = StreamMapping(
    stream="crm",
    entity=parse_entity("accounts"),
    identifier="name",
    columns=(Column("name", "name", "{{Account.Field(M_CompanyName)}}"),),
)


def batch(*rows: tuple[str, str]) -> RowSpool:
    """A batch of rows (identifier, city), keyed as the sinks key them."""
    spool = RowSpool(["name", "city"], "csv", 10_000, fingerprints=True)
    for name, city in rows:
        spool.add(name.casefold(), [name, city])
    return spool


def uploaded(spool: RowSpool) -> list[str]:
    return [line for part in spool.parts() for line in part.body.decode().splitlines()[1:]]


def load(changes: RunChanges, *rows: tuple[str, str]) -> RowSpool:
    """Sort out a batch, upload it, and record every row as loaded."""
    spool = batch(*rows)
    sorted_out = changes.sort_out(MAPPING, spool)
    list(spool.parts())
    sorted_out.record_loaded(spool, set())
    sorted_out.release()
    return spool


def test_a_row_equal_to_the_one_last_loaded_is_left_out(path: Path) -> None:
    first = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    load(first, ("Acme", "Paris"), ("Beta", "Rome"))
    first.close()
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    spool = batch(("ACME", "Paris"), ("beta", "Rome"), ("Beta", "Rome"), ("Gamma", "Oslo"))

    sorted_out = changes.sort_out(MAPPING, spool)

    assert sorted_out.unchanged == 1  # Beta; ACME is not the row loaded for Acme
    assert uploaded(spool) == ["ACME,Paris", "Gamma,Oslo"]
    changes.close()


def test_only_rows_loaded_are_recorded_and_a_refresh_looks_nothing_up(path: Path) -> None:
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    spool = batch(("Acme", "Paris"), ("Beta", "Rome"), ("Gamma", "Oslo"))
    sorted_out = changes.sort_out(MAPPING, spool)
    list(spool.parts())
    assert sorted_out.record_loaded(spool, {2}) == 2  # Beta was rejected
    changes.close()

    refresh = RunChanges(ChangeStore.open(path, ACME, refresh=True, writable=True), refresh=True)
    spool = batch(("Acme", "Paris"))
    assert refresh.sort_out(MAPPING, spool).unchanged == 0
    refresh.close()
    store = ChangeStore.open(path, ACME, refresh=False, writable=True)
    scope = store.open_scope("crm", definition_digest(MAPPING), keep=set(), clear=False)
    keys = [identifier_key(name) for name in ("acme", "beta", "gamma")]
    assert store.fingerprints(scope, keys) == {}  # the refresh emptied the stream's scope
    store.close()


def test_a_batch_about_to_sync_forgets_the_rows_it_replaces_so_a_failed_sync_sends_them_again(
    path: Path,
) -> None:
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    load(changes, ("Acme", "Paris"), ("Beta", "Rome"))
    changes.close()
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    spool = batch(("Acme", "Lyon"), ("Gamma", "Oslo"))  # its sync then fails, Lyon loaded
    sorted_out = changes.sort_out(MAPPING, spool)
    list(spool.parts())

    sorted_out.forget_replaced()
    sorted_out.release()

    back = batch(("Acme", "Paris"), ("Beta", "Rome"), ("Gamma", "Oslo"))
    assert changes.sort_out(MAPPING, back).unchanged == 1  # Beta alone: it was not sent
    assert uploaded(back) == ["Acme,Paris", "Gamma,Oslo"]
    changes.close()


def test_a_row_is_compared_with_a_batch_still_syncing_before_the_file(path: Path) -> None:
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    load(changes, ("Beta", "Rome"))
    changes.close()
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    syncing = batch(("Beta", "Lima"))
    in_flight = changes.sort_out(MAPPING, syncing)

    back = batch(("Beta", "Rome"))
    assert changes.sort_out(MAPPING, back).unchanged == 0  # Eloqua will hold Lima
    again = batch(("Beta", "Rome"))
    in_flight.release()  # the Lima sync failed: Eloqua holds Rome still
    assert changes.sort_out(MAPPING, again).unchanged == 1
    changes.close()


def test_a_dry_run_reads_a_store_and_never_makes_nor_writes_one(path: Path) -> None:
    assert open_change_store(path, ACME, refresh=False, dry_run=True) is None
    assert not path.exists()
    real = open_change_store(path, ACME, refresh=False, dry_run=False)
    assert real is not None
    load(real, ("Acme", "Paris"))
    real.close()
    assert open_change_store(path, ACME, refresh=True, dry_run=True) is None
    written = path.read_bytes()

    dry = open_change_store(path, ACME, refresh=False, dry_run=True)
    assert dry is not None
    spool = load(dry, ("Acme", "Paris"), ("Beta", "Rome"))
    new_stream = dry.sort_out(replace(MAPPING, stream="erp"), batch(("Acme", "Paris")))
    dry.close()

    assert (spool.unchanged_count, new_stream.unchanged) == (1, 0)
    assert path.read_bytes() == written


def test_a_batch_that_ends_leaves_the_rows_a_later_batch_sent_in_flight(path: Path) -> None:
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    load(changes, ("Beta", "Paris"))
    changes.close()
    changes = RunChanges(ChangeStore.open(path, ACME, refresh=False, writable=True), refresh=False)
    lima = changes.sort_out(MAPPING, batch(("Beta", "Lima")))
    changes.sort_out(MAPPING, batch(("Beta", "Rome")))

    lima.release()

    assert changes.sort_out(MAPPING, batch(("Beta", "Rome"))).unchanged == 1
    changes.close()
