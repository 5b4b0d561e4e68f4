"""A dry run's output: per stream, the definition a real run would create and each upload."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]")


class DryRunWriter:
    """Writes ``<stream>.definition.json`` once and ``<stream>.<n>.<format>`` per drain.

    The parts a stream's earlier dry run left in the directory are removed when the stream
    writes its first one, so that the directory shows this run only.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._parts: Counter[str] = Counter()

    def write(
        self, stream: str, definition: Mapping[str, Any], payload: bytes, upload_format: str
    ) -> Path:
        """Write one drain's upload of ``stream``; returns the file written."""
        name = file_name(stream)
        with self._lock:
            self._parts[name] += 1
            number = self._parts[name]
        if number == 1:
            for stale in self.directory.glob(f"{name}.[0-9][0-9][0-9][0-9].*"):
                stale.unlink()
            definition_file = self.directory / f"{name}.definition.json"
            definition_file.write_text(json.dumps(definition, indent=2) + "\n")
        part = self.directory / f"{name}.{number:04d}.{upload_format}"
        part.write_bytes(payload)
        return part


def file_name(stream: str) -> str:
    """The stream's name, safe as a file name; a name that had to change gets a short hash of
    the original, so that two streams never share files.
    """
    safe = _UNSAFE_FILE_CHARACTERS.sub("_", stream)
    if safe == stream and not stream.startswith("."):
        return stream
    return f"{safe}-{hashlib.sha256(stream.encode()).hexdigest()[:8]}"
