"""The duplicate index: the latest row of each key, exactly, in little memory."""

from __future__ import annotations

import gc
import tracemalloc

from target_eloqua.key_index import KeyIndex


class CollidingKey(str):
    """A key whose hash is every other such key's: only its text tells them apart."""

    __slots__ = ()

    def __hash__(self) -> int:
        return 42


def test_a_new_key_has_no_earlier_row_and_a_repeated_one_returns_its_latest() -> None:
    index = KeyIndex()

    assert index.replace("acme", 0) is None
    assert index.replace("globex", 1) is None
    assert index.replace("acme", 2) == 0
    assert index.replace("acme", 3) == 2
    assert index.replace("globex", 4) == 1
    assert len(index) == 2


def test_keys_with_the_same_hash_are_told_apart_by_their_text() -> None:
    index = KeyIndex()
    keys = [CollidingKey(text) for text in ("a", "b", "ab", "", "é 中")]

    assert [index.replace(key, row) for row, key in enumerate(keys)] == [None] * 5
    assert [index.replace(key, row) for row, key in enumerate(keys, start=5)] == [0, 1, 2, 3, 4]


def test_every_key_of_a_large_batch_is_found_after_the_table_grows() -> None:
    index = KeyIndex()
    count = 20_000

    assert all(index.replace(f"company {n}", n) is None for n in range(count))
    assert all(index.replace(f"company {n}", count + n) == n for n in range(count))
    assert len(index) == count


def test_memory_stays_under_64_bytes_a_key() -> None:
    count = 50_000
    keys = [f"company {n:07d} incorporated" for n in range(count)]
    tracemalloc.start()
    try:
        index = KeyIndex()
        for row, key in enumerate(keys):
            index.replace(key, row)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert held / count < 64
    index.close()


def test_close_removes_the_keys_file_and_may_be_called_twice() -> None:
    index = KeyIndex()
    index.replace("acme", 0)
    keys_file = index._keys

    index.close()
    index.close()

    assert keys_file.closed


def test_an_index_never_closed_closes_its_keys_file_when_collected() -> None:
    index = KeyIndex()
    index.replace("acme", 0)
    keys_file = index._keys

    del index
    gc.collect()

    assert keys_file.closed
