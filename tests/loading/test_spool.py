"""A batch's rows spooled to disk: cut into upload parts, merged by key, traced back to records."""

from __future__ import annotations

import csv
import gc
import io
import json
import random
from decimal import Decimal
from typing import Any

import pytest

from target_eloqua.loading.spool import Part, RowSpool, RowTooLargeError

KEYS = ["id", "name"]
FORMATS = ["csv", "json"]


def row(identifier: str, name: str = "") -> dict[str, str]:
    return {"id": identifier, "name": name}


def values(r: dict[str, str]) -> list[str]:
    """What the spool takes of a row: its values in the order of the keys."""
    return list(r.values())


def as_json(record: dict[str, Any]) -> bytes:
    """A record's JSON text, as the spool keeps it for the rejects file."""
    return json.dumps(record).encode()


def rows_of(part: Part, upload_format: str) -> list[dict[str, str]]:
    """The rows a part's body holds, read back as Eloqua would read them."""
    text = part.body.decode("utf-8")
    if upload_format == "json":
        parsed = json.loads(text)
        assert isinstance(parsed, list)
        return parsed
    lines = list(csv.reader(io.StringIO(text, newline="")))
    assert lines[0] == KEYS, "every CSV part starts with the header row"
    return [dict(zip(KEYS, values, strict=True)) for values in lines[1:]]


def all_rows(spool: RowSpool) -> list[dict[str, str]]:
    return [r for part in spool.parts() for r in rows_of(part, spool.upload_format)]


def spool_of(
    rows: list[dict[str, str]], upload_format: str, max_part_bytes: int = 1000
) -> RowSpool:
    spool = RowSpool(KEYS, upload_format, max_part_bytes)
    for r in rows:
        spool.add(r["id"], values(r))
    return spool


def test_a_csv_part_is_the_header_row_then_one_crlf_line_per_row() -> None:
    with spool_of([row("1", "Acme"), row("2", "Globex")], "csv") as spool:
        (part,) = spool.parts()

    assert part == Part(b"id,name\r\n1,Acme\r\n2,Globex\r\n", rows=2)


def test_a_json_part_is_a_json_array_of_the_rows() -> None:
    with spool_of([row("1", "Acme"), row("2", "Globex")], "json") as spool:
        (part,) = spool.parts()

    assert part == Part(b'[{"id":"1","name":"Acme"},{"id":"2","name":"Globex"}]', rows=2)
    assert json.loads(part.body) == [row("1", "Acme"), row("2", "Globex")]


@pytest.mark.parametrize(("upload_format", "content_type"), [
    ("csv", "text/csv; charset=utf-8"),
    ("json", "application/json; charset=utf-8"),
])  # fmt: skip
def test_the_content_type_follows_the_upload_format(upload_format: str, content_type: str) -> None:
    with RowSpool(KEYS, upload_format, 1000) as spool:
        assert spool.content_type == content_type


@pytest.mark.parametrize("upload_format", FORMATS)
@pytest.mark.parametrize("max_part_bytes", [40, 64, 100, 333])
def test_every_part_fits_within_max_part_bytes_and_rows_come_out_once_in_order(
    upload_format: str, max_part_bytes: int
) -> None:
    rows = [row(str(n), "x" * (n % 13)) for n in range(200)]

    with spool_of(rows, upload_format, max_part_bytes) as spool:
        parts = list(spool.parts())

        assert len(parts) > 1
        assert all(len(part.body) <= max_part_bytes for part in parts)
        assert [r for part in parts for r in rows_of(part, upload_format)] == rows
        assert [part.rows for part in parts] == [len(rows_of(p, upload_format)) for p in parts]


@pytest.mark.parametrize("upload_format", FORMATS)
def test_values_with_commas_quotes_newlines_and_non_ascii_survive(upload_format: str) -> None:
    awkward = [
        row("1", "Smith, Jones & Co"),
        row("2", 'The "Best" Company'),
        row("3", "line one\nline two\r\nline three"),
        row("4", "Société Générale — 株式会社 🚀"),
        row("5", ""),
        row("6", ' ,"\n'),
    ]

    with spool_of(awkward, upload_format, max_part_bytes=80) as spool:
        assert all_rows(spool) == awkward


AWKWARD_VALUES = ["", "plain", "a,b", 'say "hi"', "two\nlines", "cr\rhere", " x ", "é中🚀", ","]


def random_rows(keys: list[str]) -> list[dict[str, str]]:
    rng = random.Random(7)
    rows = [
        dict(zip(keys, rng.choices(AWKWARD_VALUES, k=len(keys)), strict=True)) for _ in range(300)
    ]
    return [*rows, dict.fromkeys(keys, "")]


@pytest.mark.parametrize("keys", [["id"], ["id", "name", "notes"]])
def test_csv_parts_are_what_the_csv_module_writes(keys: list[str]) -> None:
    rows = random_rows(keys)
    with RowSpool(keys, "csv", 10**6) as spool:
        for r in rows:
            spool.add(None, values(r))
        (part,) = spool.parts()

    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerows([keys, *([r[key] for key in keys] for r in rows)])
    assert part.body == expected.getvalue().encode("utf-8")


def test_json_parts_are_what_the_json_module_writes() -> None:
    keys = ["id", "name", "notes"]
    rows = [*random_rows(keys), {"id": "\\ \t \u2028 \x7f", "name": '"', "notes": "/"}]
    with RowSpool(keys, "json", 10**6) as spool:
        for r in rows:
            spool.add(None, values(r))
        (part,) = spool.parts()

    assert part.body == json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("upload_format", FORMATS)
def test_a_later_row_with_the_same_key_supersedes_the_earlier_one(upload_format: str) -> None:
    with RowSpool(KEYS, upload_format, 1000) as spool:
        first = spool.add("a", values(row("a", "old")))
        other = spool.add("b", values(row("b")))
        later = spool.add("a", values(row("a", "new")))

        assert (first, other, later) == (False, False, True)
        assert (spool.record_count, spool.merged_count) == (3, 1)
        assert all_rows(spool) == [row("b"), row("a", "new")]


@pytest.mark.parametrize("upload_format", FORMATS)
def test_rows_without_a_key_never_merge(upload_format: str) -> None:
    with RowSpool(KEYS, upload_format, 1000) as spool:
        added = [spool.add(None, values(row("", str(n)))) for n in range(3)]

        assert added == [False, False, False]
        assert (spool.record_count, spool.merged_count) == (3, 0)
        assert all_rows(spool) == [row("", "0"), row("", "1"), row("", "2")]


def test_staged_bytes_counts_every_row_written_superseded_ones_included() -> None:
    with RowSpool(KEYS, "csv", 1000) as spool:
        assert spool.staged_bytes == 0
        spool.add("1", values(row("1", "a")))  # "1,a\r\n"
        assert spool.staged_bytes == 5
        spool.add("1", values(row("1", "bb")))  # "1,bb\r\n"
        assert spool.staged_bytes == 11


@pytest.mark.parametrize("upload_format", FORMATS)
@pytest.mark.parametrize("max_part_bytes", [40, 64, 100, 1000])
def test_part_count_counted_while_adding_is_the_number_of_parts_without_merges(
    upload_format: str, max_part_bytes: int
) -> None:
    rows = [row(str(n), "y" * (n * 7 % 11)) for n in range(120)]

    with spool_of(rows, upload_format, max_part_bytes) as spool:
        assert spool.part_count == len(list(spool.parts()))


@pytest.mark.parametrize("upload_format", FORMATS)
def test_part_count_never_undercounts_the_parts_when_rows_merge(upload_format: str) -> None:
    randomly = random.Random(20240501)
    for _ in range(50):
        max_part_bytes = randomly.randint(45, 200)  # the largest row takes 42
        with RowSpool(KEYS, upload_format, max_part_bytes) as spool:
            for _ in range(randomly.randint(17, 80)):  # more rows than keys
                key = str(randomly.randint(0, 15))
                spool.add(key, values(row(key, "z" * randomly.randint(0, 20))))

            assert spool.merged_count > 0
            assert spool.part_count >= len(list(spool.parts()))


def test_part_count_allows_for_the_comma_between_json_rows() -> None:
    with RowSpool(KEYS, "json", 2 + 26 + 26) as spool:  # two 26-byte rows need one more byte
        spool.add("a", values(row("a", "123456")))
        spool.add("b", values(row("b", "123456")))

        assert spool.part_count == 2
        assert [part.rows for part in spool.parts()] == [1, 1]


def test_merges_can_leave_fewer_parts_than_counted() -> None:
    with RowSpool(KEYS, "json", 30) as spool:  # one 24-byte row per part
        for key in ["a", "b", "a", "b"]:
            spool.add(key, values(row(key, "123456")))

        assert spool.part_count == 4
        assert len(list(spool.parts())) == 2


@pytest.mark.parametrize("upload_format", FORMATS)
def test_records_traces_1_based_positions_across_parts_to_the_source_records(
    upload_format: str,
) -> None:
    with RowSpool(KEYS, upload_format, 40, keep_records=True) as spool:
        for n in range(1, 7):
            spool.add(
                str(n), values(row(str(n), "name")), as_json({"id": n, "note": f"record {n}"})
            )
        assert len(list(spool.parts())) > 1

        found = spool.records([6, 1, 4])

    assert found == {
        1: {"id": 1, "note": "record 1"},
        4: {"id": 4, "note": "record 4"},
        6: {"id": 6, "note": "record 6"},
    }


def test_records_skip_superseded_rows_and_ignore_positions_outside_the_parts() -> None:
    with RowSpool(KEYS, "csv", 1000, keep_records=True) as spool:
        spool.add("a", values(row("a", "old")), as_json({"id": "a", "v": "old"}))
        spool.add("b", values(row("b")), as_json({"id": "b"}))
        spool.add("a", values(row("a", "new")), as_json({"id": "a", "v": "new"}))
        list(spool.parts())  # uploaded: b, then the later a

        found = spool.records([0, 1, 2, 2, 3, -1, 99])

    assert found == {1: {"id": "b"}, 2: {"id": "a", "v": "new"}}


def test_superseded_records_come_back_in_the_order_they_were_added() -> None:
    with RowSpool(KEYS, "csv", 1000, keep_records=True) as spool:
        for key, version in [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("b", 2), ("a", 3)]:
            spool.add(key, values(row(key, str(version))), as_json({"id": key, "v": version}))

        superseded = list(spool.superseded_records())

    assert superseded == [{"id": "a", "v": 1}, {"id": "b", "v": 1}, {"id": "a", "v": 2}]


def test_superseded_records_are_none_unless_records_are_kept() -> None:
    with RowSpool(KEYS, "csv", 1000) as spool:
        spool.add("a", values(row("a")))
        spool.add("a", values(row("a")))

        assert spool.merged_count == 1
        assert list(spool.superseded_records()) == []


def test_records_come_back_as_their_json_text_says_with_decimals_kept() -> None:
    record_json = b'{"id": "1", "revenue": 1234.50, "updated_at": "2024-05-01T12:30:00Z"}'
    with RowSpool(KEYS, "json", 1000, keep_records=True) as spool:
        spool.add("1", values(row("1")), record_json)
        list(spool.parts())

        (found,) = spool.records([1]).values()

    assert found == {"id": "1", "revenue": Decimal("1234.50"), "updated_at": "2024-05-01T12:30:00Z"}
    assert str(found["revenue"]) == "1234.50"


def test_records_are_not_kept_unless_asked_for() -> None:
    with RowSpool(KEYS, "csv", 1000) as spool:
        spool.add("1", values(row("1")), as_json({"id": "1"}))
        list(spool.parts())

        assert spool.records([1]) == {}


@pytest.mark.parametrize("upload_format", FORMATS)
def test_a_row_too_large_for_one_part_is_refused_and_leaves_the_spool_as_it_was(
    upload_format: str,
) -> None:
    with RowSpool(KEYS, upload_format, 60) as spool:
        spool.add("1", values(row("1", "small")))

        with pytest.raises(RowTooLargeError, match=r"max_upload_bytes: 60"):
            spool.add("2", values(row("2", "x" * 60)))

        assert (spool.record_count, spool.part_count) == (1, 1)
        assert all_rows(spool) == [row("1", "small")]


def test_a_row_that_exactly_fills_a_part_fits() -> None:
    big = row("1", "x" * 19)  # 39 bytes of JSON, 41 with the brackets
    with RowSpool(KEYS, "json", 41) as spool:
        spool.add("1", values(big))
        (part,) = spool.parts()
        assert len(part.body) == 41

    with RowSpool(KEYS, "json", 40) as spool, pytest.raises(RowTooLargeError):
        spool.add("1", values(big))


def test_close_closes_the_spooled_files_and_may_be_called_twice() -> None:
    spool = RowSpool(KEYS, "csv", 1000, keep_records=True)
    spool.add("1", values(row("1")), as_json({"id": "1"}))
    files = [spool._rows, spool._records]  # noqa: SLF001 (the files themselves)

    spool.close()
    spool.close()

    assert all(file is not None and file.closed for file in files)


def test_leaving_the_with_block_closes_the_spool() -> None:
    with RowSpool(KEYS, "json", 1000) as spool:
        spool.add("1", values(row("1")))
    assert spool._rows.closed  # noqa: SLF001 (the file itself)


def test_a_spool_that_is_never_closed_closes_its_files_when_collected() -> None:
    spool = RowSpool(KEYS, "csv", 1000, keep_records=True)
    files = [spool._rows, spool._records]  # noqa: SLF001 (the files themselves)

    del spool
    gc.collect()

    assert all(file is not None and file.closed for file in files)


def test_rows_cannot_be_added_once_the_parts_are_read() -> None:
    spool = spool_of([row("1")], "csv")
    list(spool.parts())

    with pytest.raises(RuntimeError, match="once the spool's parts have been read"):
        spool.add("2", values(row("2")), as_json(row("2")))


@pytest.mark.parametrize("upload_format", FORMATS)
def test_parts_read_again_from_the_first_after_a_pass_cut_short_are_the_same(
    upload_format: str,
) -> None:
    with RowSpool(KEYS, upload_format, 40, keep_records=True) as spool:
        for n in range(1, 7):
            spool.add(str(n % 5), values(row(str(n % 5), "name")), as_json({"id": n}))
        first_pass = spool.parts()
        first_part = next(first_pass)  # the pass stops here: its answer was lost

        again = list(spool.parts())

        assert again[0] == first_part
        assert again == list(spool.parts())
        assert sum(part.rows for part in again) == 5
        assert spool.records([1, 5]) == {1: {"id": 2}, 5: {"id": 6}}


@pytest.mark.parametrize("upload_format", FORMATS)
def test_uploaded_rows_come_back_as_their_values_by_position(upload_format: str) -> None:
    rows = [
        row("1", 'say "hi", then\r\nleave'),
        row("2", "first"),
        row("3", ""),
        row("2", "second"),
        row("4", "Zoë"),
    ]
    spool = spool_of(rows, upload_format, max_part_bytes=50)
    assert len(list(spool.parts())) > 1

    found = dict(spool.uploaded_rows([4, 2, 1, 9, 0]))

    assert spool.uploaded_count == 4  # the row superseded by a later one is not uploaded
    assert found == {
        1: ["1", 'say "hi", then\r\nleave'],
        2: ["3", ""],
        4: ["4", "Zoë"],
    }
    assert list(dict(spool.uploaded_rows([3]))) == [3]
    assert dict(spool.uploaded_rows([3]))[3] == ["2", "second"]


def test_a_one_column_row_with_a_blank_value_comes_back_blank() -> None:
    spool = RowSpool(["id"], "csv", 1000)
    spool.add(None, [""])
    list(spool.parts())
    assert list(spool.uploaded_rows([1])) == [(1, [""])]


@pytest.mark.parametrize("upload_format", FORMATS)
def test_rows_left_out_as_unchanged_are_not_in_the_parts_and_positions_skip_them(
    upload_format: str,
) -> None:
    rows = [row("1", "A"), row("2", "B"), row("3", "C"), row("4", "D")]
    with spool_of(rows, upload_format) as spool:
        spool.leave_out([0, 2])

        assert all_rows(spool) == [row("2", "B"), row("4", "D")]
        assert (spool.unchanged_count, spool.rows_to_upload) == (2, 2)
        assert [spool.uploaded_sequence(i) for i in (0, 1, 2, 3)] == [None, 1, 3, None]
        assert list(spool.superseded_records()) == []  # unchanged rows are not merged ones


def test_a_spool_whose_every_row_is_unchanged_has_no_part() -> None:
    with spool_of([row("1", "A"), row("2", "B")], "csv") as spool:
        spool.leave_out([0, 1])

        assert (list(spool.parts()), spool.rows_to_upload) == ([], 0)


def test_rows_cannot_be_left_out_once_the_parts_are_read() -> None:
    with spool_of([row("1", "A")], "csv") as spool:
        list(spool.parts())

        with pytest.raises(RuntimeError):
            spool.leave_out([0])


def fingerprinted(*rows: tuple[str | None, dict[str, str]]) -> RowSpool:
    spool = RowSpool(KEYS, "csv", 1000, fingerprints=True)
    for key, r in rows:
        spool.add(key, values(r))
    return spool


def test_keyed_rows_are_the_last_row_of_each_key_with_the_fingerprint_of_its_bytes() -> None:
    later_a, b = row("A", "3"), row("B", "1")
    with fingerprinted(("a", row("A", "1")), (None, row("", "2")), ("a", later_a), ("b", b)) as s:
        keys, sequences, fingerprints = s.keyed_rows()
    with fingerprinted(("b", b), ("a", later_a)) as same_rows:
        same = dict(zip(*same_rows.keyed_rows()[::2], strict=True))

    assert (keys, sequences) == (["a", "b"], [2, 3])
    assert dict(zip(keys, fingerprints, strict=True)) == same  # the same bytes, the same hash
    assert same["a"] != same["b"]
    assert all(-(2**63) <= f < 2**63 for f in fingerprints)


def test_rows_have_no_fingerprint_unless_asked_for() -> None:
    with spool_of([row("1", "A")], "csv") as spool:
        assert spool.keyed_rows() == ([], [], [])
