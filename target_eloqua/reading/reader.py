"""Read the Singer messages of the input, quickly, knowing where each one is.

Each line is decoded by msgspec (singer-sdk's ``msgspec`` extra), about three times as fast as
the SDK's default reader. Like that reader, it makes a JSON float into a ``Decimal`` from the
float's own text, never through a binary float: ``0.1`` stays ``0.1``, big integers stay exact,
and STATE is written back as it came. A line msgspec refuses is read again with the SDK's
default decoder (the standard library's), which also takes a few things msgspec does not (a lone
surrogate escape, ``NaN``): only a line neither can read is bad input.

A stream can have a raw-record handler (``raw_record_handlers``): its RECORD messages are then
decoded only down to the record, whose JSON text goes to the handler as it is, so that the record
is decoded once, by the handler, into what it needs. A handler may refuse a record; the message
is then decoded whole and goes to the RECORD callback, as any other.

A STATE handler (``state_handler``), when set, takes the value of each STATE message as it is
read, in place of the SDK's callback, which only remembers the newest to write it at the next
drain of every sink. An ACTIVATE_VERSION handler (``activate_version_handler``), when set, takes
each ACTIVATE_VERSION message in place of the SDK's callback, which warns about metadata
columns (``_sdc_deleted_at``) a target without them does not use.

The reader knows where it is: the input line (1-based, counting every line, blank ones too) and,
for a RECORD, the record's number within its stream. Blank lines carry no message: skipped.
"""

from __future__ import annotations

import io
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import IO, Any

import msgspec
from singer_sdk.contrib.msgspec import decoder
from singer_sdk.singerlib.encoding.base import GenericSingerReader
from singer_sdk.singerlib.json import deserialize_json

from target_eloqua.errors import NotAMessageError

EXCERPT_LENGTH = 80
"""How many characters of a bad line its error quotes."""


RawRecordHandler = Callable[[bytes], bool]
"""Takes a record as the JSON text of a RECORD message's ``record``; ``False`` if it does not
(it takes nothing but a JSON object).
"""


class _Envelope(msgspec.Struct, gc=False):
    """A message, down to its type and stream, with a RECORD's record left undecoded."""

    type: str
    stream: str = ""
    record: msgspec.Raw = msgspec.Raw()


_ENVELOPES = msgspec.json.Decoder(_Envelope)


class MessageReader(GenericSingerReader[bytes]):
    """The SDK's reader loop, with msgspec, positions, and bad lines named by their number."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        """The input line being read (0 before the first)."""
        self.record_counts: defaultdict[str, int] = defaultdict(int)
        """RECORD messages read so far, per stream."""
        self.raw_record_handlers: dict[str, RawRecordHandler] = {}
        """The streams whose records go to a handler undecoded, and their handlers."""
        self.state_handler: Callable[[Any], None] | None = None
        """Takes the value of each STATE message, if set (in place of the SDK's callback)."""
        self.activate_version_handler: Callable[[dict[str, Any]], None] | None = None
        """Takes each ACTIVATE_VERSION message, if set (in place of the SDK's callback)."""

    @property
    def default_input(self) -> IO[bytes]:
        """Standard input as bytes: msgspec reads UTF-8 itself, and a line that is not UTF-8
        is then one more bad line with its number, not a failure of the whole input.
        """
        return sys.stdin.buffer

    def process_lines(
        self,
        file_input: IO[bytes] | IO[str] | None,
        callbacks: dict[str, Callable[[dict[str, Any]], None]],
    ) -> Counter[str]:
        """Hand each message to the callback of its type; count the messages of each type."""
        counts: Counter[str] = Counter()
        record_counts = self.record_counts
        lines: Iterable[bytes | str] = file_input or self.default_input
        if isinstance(lines, io.TextIOWrapper):  # a file given with --input: read as stdin is
            lines = lines.buffer
        for self.line, line in enumerate(lines, start=1):
            if self.raw_record_handlers and self._handled_undecoded(line):
                counts["RECORD"] += 1
                continue
            try:
                message = self.deserialize_json(line)
            except NotAMessageError:
                if line.isspace():
                    continue
                raise
            kind = message["type"]
            callback = callbacks.get(kind)
            if callback is None:
                raise self.bad_line(line, f"a message of an unknown type {kind!r}")
            if kind == "RECORD":
                self._check_record(line, message)
                record_counts[message["stream"]] += 1
            if kind == "STATE" and self.state_handler is not None:
                self.assert_line_requires(message, {"value"})
                self.state_handler(message["value"])
            elif kind == "ACTIVATE_VERSION" and self.activate_version_handler is not None:
                self.assert_line_requires(message, {"stream", "version"})
                self.activate_version_handler(message)
            else:
                callback(message)
            counts[kind] += 1
        return counts

    def _handled_undecoded(self, line: bytes | str) -> bool:
        """Whether the line is a RECORD that the raw-record handler of its stream has taken."""
        try:
            envelope = _ENVELOPES.decode(line)
        except msgspec.MsgspecError:  # the whole decoding says what is wrong, if anything
            return False
        handler = (
            self.raw_record_handlers.get(envelope.stream) if envelope.type == "RECORD" else None
        )
        if handler is None or not envelope.record or not handler(envelope.record):
            return False
        self.record_counts[envelope.stream] += 1
        return True

    def deserialize_json(self, line: bytes | str) -> dict[str, Any]:
        """The line's message: a JSON object with a ``type``."""
        try:
            message = decoder.decode(line)
        except ValueError:
            try:  # without its line end, which the decoder would blame in an unended string
                message = deserialize_json(_without_line_end(line))
            except ValueError as error:
                raise self.bad_line(line, f"not JSON ({error})") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise self.bad_line(line, "not a Singer message (a JSON object with a 'type')")
        return message

    def _check_record(self, line: bytes | str, message: dict[str, Any]) -> None:
        if not isinstance(message.get("stream"), str) or not isinstance(
            message.get("record"), dict
        ):
            raise self.bad_line(line, "a RECORD needs a 'stream' name and a 'record' object")

    def assert_line_requires(self, line_dict: Any, requires: set[str]) -> None:  # type: ignore[override]
        """Raise, naming the line, if a message (or its schema) lacks a key it needs.

        The SDK's static method could not say which line; the SDK calls it on the reader.
        """
        if isinstance(line_dict, dict) and requires.issubset(line_dict):
            return
        present = set(line_dict) if isinstance(line_dict, dict) else set()
        missing = ", ".join(repr(key) for key in sorted(requires - present))
        raise NotAMessageError(f"input line {self.line}: an incomplete message: no {missing}")

    def bad_line(self, line: bytes | str, problem: str) -> NotAMessageError:
        """The error for the current line: its number, the problem, and its start."""
        return NotAMessageError(f"input line {self.line}: {problem}: {excerpt(line)}")

    def record_position(self, stream: str) -> str:
        """Where the current RECORD of ``stream`` is: ``stream 'x', record 12 (input line 14)``."""
        number = self.record_counts.get(stream, 0)
        return f"stream '{stream}', record {number} (input line {self.line})"


def _without_line_end(line: bytes | str) -> bytes | str:
    return line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n")


def excerpt(line: bytes | str) -> str:
    """The start of a line, quoted, for an error message."""
    text = _without_line_end(line)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if len(text) <= EXCERPT_LENGTH:
        return repr(text)
    return f"{text[:EXCERPT_LENGTH]!r}... ({len(text)} characters)"
