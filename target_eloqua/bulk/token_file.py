"""The OAuth refresh token kept between runs, in a small JSON file: ``{"refresh_token": ...}``.

Eloqua's refresh tokens are single-use, and each refresh issues a new one. A run that does not
leave the newest one where the next run looks first leaves that run without a way in.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from target_eloqua.bulk.errors import EloquaError


class TokenFileError(EloquaError):
    """The token file cannot be read or written; the message names it, never the token."""


def read_refresh_token(path: Path) -> str | None:
    """The refresh token saved in ``path``; None if there is no such file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise TokenFileError(f"cannot read {path}: {error.strerror or error}") from error
    try:
        token = json.loads(text).get("refresh_token")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise TokenFileError(f'{path} is not a token file: {{"refresh_token": "..."}} expected')
    return token


def write_refresh_token(path: Path, token: str) -> None:
    """Replace ``path`` with a file that holds ``token`` and that only its owner can read.

    The new file is written beside the old one and renamed over it, so that a crash leaves one
    token or the other, never half a file.
    """
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise TokenFileError(f"cannot write {path}: {error.strerror or error}") from error
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump({"refresh_token": token}, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise TokenFileError(f"cannot write {path}: {error.strerror or error}") from error
