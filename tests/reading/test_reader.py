"""The message reader: what it hands on, where it is, and how it names a bad line."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from singer_sdk.singerlib.encoding.simple import SimpleSingerReader

from target_eloqua.errors import NotAMessageError
from target_eloqua.reading.reader import MessageReader

SCHEMA = '{"type": "SCHEMA", "stream": "s", "schema": {"properties": {}}, "key_properties": []}'


def read(text: str, reader: Any = None) -> list[dict[str, Any]]:
    """The messages ``reader`` hands on for ``text``, given as bytes, as standard input is."""
    reader = reader or MessageReader()
    seen: list[dict[str, Any]] = []
    callbacks = dict.fromkeys(["SCHEMA", "RECORD", "STATE"], seen.append)
    reader.process_lines(io.BytesIO(text.encode()), callbacks)
    return seen


def record_line(record: str, stream: str = "s") -> str:
    return f'{{"type": "RECORD", "stream": "{stream}", "record": {record}}}\n'


@pytest.mark.parametrize(
    "record",
    [
        '{"n": 0.1, "big": 123456789012345678901234567890, "e": 1E-7, "t": 1.10}',
        '{"s": "caf\\u00e9 \\ud83d\\ude00", "nested": {"list": [1, 2.5, null, true]}}',
        '{"lone": "\\ud800", "nan": NaN}',
    ],
)
def test_messages_are_what_the_sdks_default_reader_makes_of_them(record: str) -> None:
    text = SCHEMA + "\n" + record_line(record) + '{"type": "STATE", "value": {"at": 1.50}}\n'

    assert repr(read(text)) == repr(read(text, SimpleSingerReader()))


def test_floats_are_decimals_of_their_own_text() -> None:
    [message] = read(record_line('{"n": 0.1, "t": 1.10, "big": 12345678901234567890}'))

    assert message["record"] == {
        "n": Decimal("0.1"),
        "t": Decimal("1.10"),
        "big": 12345678901234567890,
    }
    assert str(message["record"]["t"]) == "1.10"


def test_text_input_is_read_too() -> None:
    reader = MessageReader()
    seen: list[dict[str, Any]] = []

    counts = reader.process_lines(io.StringIO(record_line('{"a": "é"}')), {"RECORD": seen.append})

    assert seen[0]["record"] == {"a": "é"}
    assert counts == {"RECORD": 1}


def test_it_counts_every_line_and_each_streams_records() -> None:
    reader = MessageReader()
    positions = []

    def note(message: dict[str, Any]) -> None:
        positions.append(reader.record_position(message["stream"]))

    text = "".join(
        [record_line("{}", "a"), "\n", record_line("{}", "b"), "  \n", record_line("{}", "a")]
    )
    reader.process_lines(io.BytesIO(text.encode()), {"RECORD": note})

    assert positions == [
        "stream 'a', record 1 (input line 1)",
        "stream 'b', record 1 (input line 3)",
        "stream 'a', record 2 (input line 5)",
    ]


def test_a_streams_loader_gets_its_records_json_text_and_may_leave_one_to_the_callback() -> None:
    reader = MessageReader()
    loaded: list[bytes] = []

    def load(record: bytes) -> bool:
        loaded.append(bytes(record))
        return b"keep" in loaded[-1]

    reader.raw_record_handlers["a"] = load
    seen: list[dict[str, Any]] = []
    text = "".join(
        [
            record_line('{"n": 1.50, "keep": 1}', "a"),
            record_line('{"n": 2}', "a"),  # refused by the loader: decoded whole
            record_line('{"n": 3}', "b"),  # no loader
            '{"type": "STATE", "value": {}}\n',
            record_line('{"keep": 4}', "a"),
        ]
    )

    counts = reader.process_lines(
        io.BytesIO(text.encode()), {"RECORD": seen.append, "STATE": print}
    )

    assert loaded == [b'{"n": 1.50, "keep": 1}', b'{"n": 2}', b'{"keep": 4}']
    assert [(m["stream"], m["record"]) for m in seen] == [("a", {"n": 2}), ("b", {"n": 3})]
    assert counts == {"RECORD": 4, "STATE": 1}
    assert reader.record_position("a") == "stream 'a', record 3 (input line 5)"


def test_lines_a_loader_could_not_take_are_named_as_bad_as_ever() -> None:
    reader = MessageReader()
    reader.raw_record_handlers["s"] = lambda record: bytes(record).startswith(b"{")
    text = record_line("{}") + '{"type": "RECORD", "stream": "s", "record": 5}\n'

    with pytest.raises(NotAMessageError, match="input line 2: a RECORD needs a 'stream'"):
        reader.process_lines(io.BytesIO(text.encode()), {"RECORD": print})


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("nope", "input line 2: not JSON (Expecting value: line 1 column 1 (char 0)): 'nope'"),
        ('{"type": "RECORD", "stream": "s"', "input line 2: not JSON (Expecting ',' delimiter"),
        ("[1, 2]", "input line 2: not a Singer message (a JSON object with a 'type'): '[1, 2]'"),
        ('{"value": 1}', "input line 2: not a Singer message (a JSON object with a 'type')"),
        ('{"type": "NEWS"}', "input line 2: a message of an unknown type 'NEWS'"),
        (
            '{"type": "RECORD", "stream": "s", "record": 5}',
            "input line 2: a RECORD needs a 'stream'",
        ),
        ('{"type": "RECORD", "record": {}}', "input line 2: a RECORD needs a 'stream'"),
    ],
)
def test_a_bad_line_is_named_by_its_number(line: str, problem: str) -> None:
    with pytest.raises(NotAMessageError) as raised:
        read(f"{SCHEMA}\n{line}\n")

    assert str(raised.value).startswith(problem)


def test_a_long_bad_line_is_quoted_only_in_part() -> None:
    line = "x" * 1000

    with pytest.raises(NotAMessageError) as raised:
        read(line + "\n")

    assert str(raised.value).endswith(f"{'x' * 80!r}... (1000 characters)")


def test_a_line_that_is_not_utf8_is_a_bad_line() -> None:
    reader = MessageReader()

    with pytest.raises(NotAMessageError, match=r"input line 1: not JSON \(.*utf-8"):
        reader.process_lines(io.BytesIO(b'{"type": "STATE", "value": "\xff"}\n'), {})


def test_a_file_given_with_input_is_read_as_bytes_as_standard_input_is() -> None:
    """``--input`` opens the file as text; a line that is not UTF-8 is still one bad line."""
    lines = SCHEMA + '\n{"type": "STATE", "value": "\xff"}\n'
    text_file = io.TextIOWrapper(io.BytesIO(lines.encode("latin-1")), encoding="utf-8")

    with pytest.raises(NotAMessageError, match=r"input line 2: not JSON \(.*utf-8"):
        MessageReader().process_lines(text_file, {"SCHEMA": print})


def test_a_message_without_a_key_its_type_needs_names_its_line() -> None:
    reader = MessageReader()

    def check(message: dict[str, Any]) -> None:
        reader.assert_line_requires(message["schema"], {"properties"})

    with pytest.raises(
        NotAMessageError, match="input line 1: an incomplete message: no 'properties'"
    ):
        reader.process_lines(io.BytesIO(b'{"type": "SCHEMA", "schema": {}}\n'), {"SCHEMA": check})
