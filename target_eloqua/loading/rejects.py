"""Records not loaded: one JSON line each in the rejects file, and a summary for the log.

Besides Eloqua's rejects (its ELQ status codes), the file lists records the target itself did
not send, under status codes of its own: ``MERGED`` (replaced by a later record with the same
identifier in its batch) and ``NO_IDENTIFIER`` (no identifier to match an Eloqua record on).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from singer_sdk.singerlib.json import serialize_json

from target_eloqua.mapping.streams import StreamMapping
from target_eloqua.mapping.values import UnformattableValueError, format_value

SAMPLE_IDENTIFIERS = 3
"""How many identifier values the log names per stream and status code."""

SAMPLE_CHARACTERS = 60
"""How much of an identifier value the log shows."""

MERGED = "MERGED"
"""The status code of a record replaced by a later one with the same identifier in its batch;
it does not count against ``max_rejects``.
"""
MERGED_MESSAGE = "replaced by a later record with the same identifier in its batch"

NO_IDENTIFIER = "NO_IDENTIFIER"
"""The status code of a record without an identifier, never sent; a reject."""


def reject_entry(
    mapping: StreamMapping,
    sync_uri: str,
    reject: Mapping[str, Any],
    record: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What the rejects file says about one item of ``GET /syncs/{id}/rejects``.

    ``invalid_fields`` names stream properties, as the tap knows them, rather than the
    definition's field keys; ``record`` is the record as the tap sent it (``None`` if it is
    unknown).
    """
    properties = mapping.property_of_key
    return {
        "stream": mapping.stream,
        "identifier": reject_identifier(mapping, reject, record),
        "status_code": reject.get("statusCode"),
        "message": reject.get("message"),
        "invalid_fields": [properties.get(key, key) for key in reject.get("invalidFields") or []],
        "sync_uri": sync_uri,
        "record_index": reject.get("recordIndex"),
        "record": record,
    }


def unsent_entry(
    mapping: StreamMapping, status_code: str, message: str, record: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What the rejects file says about a record the target did not send (``MERGED``,
    ``NO_IDENTIFIER``), in the shape of Eloqua's rejects.
    """
    invalid = [mapping.identifier] if status_code == NO_IDENTIFIER else []
    return {
        "stream": mapping.stream,
        "identifier": None if record is None else record.get(mapping.identifier),
        "status_code": status_code,
        "message": message,
        "invalid_fields": invalid,
        "sync_uri": None,
        "record_index": None,
        "record": record,
    }


def record_matches(
    mapping: StreamMapping, reject: Mapping[str, Any], record: Mapping[str, Any]
) -> bool:
    """Whether ``record`` is the one Eloqua rejected: its identifier, formatted as it was
    uploaded, is the one Eloqua echoes. This checks the position (``recordIndex``) the record
    was found by; a reject without the echo cannot be checked and is taken as matching.
    """
    echoed = (reject.get("fieldValues") or {}).get(mapping.identifier_key)
    if echoed is None:
        return True
    try:
        uploaded = format_value(record.get(mapping.identifier))
    except UnformattableValueError:
        return False
    return bool(uploaded == echoed)


def reject_identifier(
    mapping: StreamMapping, reject: Mapping[str, Any], record: Mapping[str, Any] | None
) -> Any:
    """The rejected record's identifier value: from the record when known, else from the
    values Eloqua echoes.
    """
    if record is not None and mapping.identifier in record:
        return record[mapping.identifier]
    return (reject.get("fieldValues") or {}).get(mapping.identifier_key)


class RejectTally:
    """Rejects of one stream counted per status code, with a few identifier values of each."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.messages: dict[str, str] = {}
        self.samples: dict[str, list[str]] = {}

    @property
    def total(self) -> int:
        """How many rejects were counted."""
        return sum(self.counts.values())

    def add(self, status_code: str, message: str, identifier: Any) -> None:
        """Count one reject."""
        self.counts[status_code] += 1
        self.messages.setdefault(status_code, message)
        samples = self.samples.setdefault(status_code, [])
        if len(samples) < SAMPLE_IDENTIFIERS:
            samples.append(_sample(identifier))

    def merge(self, other: RejectTally) -> None:
        """Add another tally's counts, and its samples while there is room."""
        for code, count in other.counts.items():
            self.counts[code] += count
            self.messages.setdefault(code, other.messages[code])
            samples = self.samples.setdefault(code, [])
            samples += other.samples[code][: SAMPLE_IDENTIFIERS - len(samples)]

    def lines(self) -> list[str]:
        """One line per status code, most frequent first, e.g.
        ``12 records ELQ-00002 (Invalid email address.), e.g. a@, b@, c@``.
        """
        return [
            f"{count} record{'s' if count != 1 else ''} {code} ({self.messages[code]}), "
            f"e.g. {', '.join(self.samples[code])}"
            for code, count in self.counts.most_common()
        ]


def _sample(identifier: Any) -> str:
    """An identifier value as the log shows it: blank, missing and unprintable ones visibly
    so, long ones cut short.
    """
    if identifier in (None, ""):
        return repr(identifier)
    text = str(identifier)
    if len(text) > SAMPLE_CHARACTERS:
        text = text[: SAMPLE_CHARACTERS - 3] + "..."
    return text if text.isprintable() else repr(text)  # a newline must not fake a log line


class RejectsFile:
    """The run's rejects file, JSON Lines, written by the syncs running side by side.

    It is emptied when the run starts, so that it describes this run alone.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, lines: Iterable[Mapping[str, Any]]) -> None:
        """Append lines one by one (they may come from a long iterator) and flush them, so
        that the file is complete whenever the run stops.
        """
        with self._lock:
            for line in lines:
                self._file.write(serialize_json(line) + "\n")
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()
