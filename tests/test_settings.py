"""The settings as users see them: ``--about``, and meltano.yml kept in step with it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import TARGET_COMMAND

MELTANO_YML = Path(__file__).parents[1] / "meltano.yml"


@pytest.fixture(scope="module")
def about() -> dict[str, Any]:
    """``target-eloqua --about --format json``, which needs no config."""
    completed = subprocess.run(
        [TARGET_COMMAND, "--about", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    about: dict[str, Any] = json.loads(completed.stdout)
    return about


@pytest.fixture(scope="module")
def meltano_loader() -> dict[str, Any]:
    project = yaml.safe_load(MELTANO_YML.read_text())
    [loader] = [p for p in project["plugins"]["loaders"] if p["name"] == "target-eloqua"]
    return dict(loader)


def test_every_setting_is_described(about: dict[str, Any]) -> None:
    undescribed = [
        name
        for name, schema in about["settings"]["properties"].items()
        if not schema.get("description")
    ]
    assert undescribed == []


def test_secrets_are_marked_secret(about: dict[str, Any]) -> None:
    secret = {
        name for name, schema in about["settings"]["properties"].items() if schema.get("secret")
    }
    assert secret == {"password"}


def test_meltano_yml_declares_every_setting_of_about(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    declared = [setting["name"] for setting in meltano_loader["settings"]]
    assert sorted(declared) == sorted(about["settings"]["properties"])


def test_meltano_yml_marks_the_same_settings_sensitive(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    sensitive = {s["name"] for s in meltano_loader["settings"] if s.get("sensitive")}
    secret = {
        name for name, schema in about["settings"]["properties"].items() if schema.get("secret")
    }
    assert sensitive == secret


def test_meltano_yml_defaults_match_about(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    properties = about["settings"]["properties"]
    mismatched = {
        s["name"]: (s["value"], properties[s["name"]].get("default"))
        for s in meltano_loader["settings"]
        if "value" in s and s["value"] != properties[s["name"]].get("default")
    }
    assert mismatched == {}


def test_meltano_yml_capabilities_are_the_sdks(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    assert meltano_loader["capabilities"] == about["capabilities"]
    assert meltano_loader["namespace"] == "target_eloqua"
    assert meltano_loader["pip_url"] == "-e ."
