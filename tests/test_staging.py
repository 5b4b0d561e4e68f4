"""Upload bodies: CSV with a header row of definition keys, or a JSON array."""

from __future__ import annotations

import csv
import io
import json

from target_eloqua.staging import encode_rows

ROWS = [
    {"name": 'Acme, "the" company', "note": "line one\nline two"},
    {"name": "Zürich AG", "note": ""},
]


def test_csv_has_a_header_and_quotes_commas_quotes_and_newlines() -> None:
    body, content_type = encode_rows(ROWS, ["name", "note"], "csv")

    assert content_type == "text/csv; charset=utf-8"
    assert body.startswith(b"name,note\r\n")
    assert list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline=""))) == ROWS


def test_json_is_an_array_of_objects_in_utf8() -> None:
    body, content_type = encode_rows(ROWS, ["name", "note"], "json")

    assert content_type == "application/json; charset=utf-8"
    assert "Zürich".encode() in body
    assert json.loads(body) == ROWS
