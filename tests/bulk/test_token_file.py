"""The token file: read first, replaced atomically, readable by its owner only."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from target_eloqua.bulk.token_file import TokenFileError, read_refresh_token, write_refresh_token


def test_a_missing_file_holds_no_token_yet(tmp_path: Path) -> None:
    assert read_refresh_token(tmp_path / "token.json") is None


def test_a_written_token_is_read_back_from_an_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "token.json"

    write_refresh_token(path, "rt-1")

    assert read_refresh_token(path) == "rt-1"
    assert json.loads(path.read_text()) == {"refresh_token": "rt-1"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_new_token_replaces_the_file_and_its_loose_permissions(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    path.write_text(json.dumps({"refresh_token": "rt-old"}))
    path.chmod(0o644)
    old_inode = path.stat().st_ino

    write_refresh_token(path, "rt-new")

    assert read_refresh_token(path) == "rt-new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_ino != old_inode  # renamed over, never rewritten in place
    assert os.listdir(tmp_path) == ["token.json"]


@pytest.mark.parametrize("content", ["not json", "[]", "{}", '{"refresh_token": ""}'])
def test_a_file_that_is_not_a_token_file_is_named(tmp_path: Path, content: str) -> None:
    path = tmp_path / "token.json"
    path.write_text(content)

    with pytest.raises(TokenFileError, match=f"{path} is not a token file"):
        read_refresh_token(path)


def test_a_token_that_cannot_be_written_is_an_error_naming_the_file_not_the_token(
    tmp_path: Path,
) -> None:
    path = tmp_path / "missing-directory" / "token.json"

    with pytest.raises(TokenFileError, match=f"cannot write {path}") as caught:
        write_refresh_token(path, "rt-secret-3391")

    assert "rt-secret-3391" not in str(caught.value)
