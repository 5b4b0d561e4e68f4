"""Encode import rows as the body of a data upload: CSV with a header row, or a JSON array."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def encode_rows(
    rows: Iterable[dict[str, str]], keys: Sequence[str], upload_format: str
) -> tuple[bytes, str]:
    """Return the UTF-8 body and its Content-Type for ``rows`` keyed by definition ``keys``."""
    if upload_format == "json":
        body = json.dumps(list(rows), ensure_ascii=False, separators=(",", ":"))
    else:
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=list(keys), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        body = buffer.getvalue()
    return body.encode("utf-8"), CONTENT_TYPES[upload_format]
