"""The files a run writes besides STATE, each checked before any input is read, so that a run
never loads data and then fails to say so: the summary, the rejects file, the dry-run output,
the change store.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from singer_sdk.exceptions import ConfigValidationError

from target_eloqua.loading.dry_run import DryRunWriter
from target_eloqua.loading.rejects import RejectsFile
from target_eloqua.loading.report import write_summary

logger = logging.getLogger("target-eloqua")


def summary_path(config: Mapping[str, Any]) -> Path | None:
    """Where the run summary goes (``summary_path``), its directory made and writable."""
    return _writable_file(config, "summary_path")


def write_summary_file(path: Path, summary: dict[str, Any]) -> None:
    """Write the summary; failing to must not hide how the run itself ended."""
    try:
        write_summary(path, summary)
    except OSError as error:
        logger.error("Cannot write the run summary to %s: %s", path, error)
    else:
        logger.info("Run summary written to %s", path)


def rejects_path(config: Mapping[str, Any]) -> Path | None:
    """Where the rejects file goes (``rejects_path``), its directory made and writable; the
    file itself is left as it is until the run starts (``open_rejects_file``).
    """
    return _writable_file(config, "rejects_path")


def open_rejects_file(path: Path) -> RejectsFile:
    """The run's rejects file, emptied, as the run starts."""
    try:
        return RejectsFile(path)
    except OSError as error:
        raise _setting_error(f"rejects_path: cannot write {path}: {error}") from error


def change_store_path(config: Mapping[str, Any]) -> Path | None:
    """Where the change store is (``change_store``), its directory made and writable."""
    return _writable_file(config, "change_store")


def dry_run_writer(config: Mapping[str, Any]) -> DryRunWriter | None:
    """Where a dry run writes its uploads (``dry_run_dir``, or a new temporary directory);
    ``None`` when the run really loads.
    """
    if not config.get("dry_run"):
        return None
    configured = config.get("dry_run_dir")
    if not configured:
        directory = Path(tempfile.mkdtemp(prefix="target-eloqua-dry-run-"))
    else:
        directory = Path(configured)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            problem = f"dry_run_dir: cannot make the directory {directory}: {error}"
            raise _setting_error(problem) from error
    logger.info("Dry run: what would be uploaded is written to %s", directory)
    return DryRunWriter(directory)


def _writable_file(config: Mapping[str, Any], setting: str) -> Path | None:
    """The file path ``setting`` gives, its directory made and writable; ``None`` if unset."""
    configured = config.get(setting)
    if not configured:
        return None
    path = Path(configured)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problem = f"{setting}: cannot write {configured}: {error.strerror or error}"
        raise _setting_error(problem) from error
    if path.is_dir() or not os.access(path.parent, os.W_OK):
        raise _setting_error(f"{setting}: cannot write {configured}: not a writable file")
    return path


def _setting_error(problem: str) -> ConfigValidationError:
    return ConfigValidationError("Config validation failed", errors=[problem])
