"""The settings as users see them: ``--about``, and meltano.yml, the README and the mapping guide
kept in step.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
MELTANO_YML = ROOT / "meltano.yml"
# Meltano 4.4.1's setting kinds, less the deprecated `password` and `oauth` (use `sensitive`).
MELTANO_SETTING_KINDS = {
    "string",
    "integer",
    "boolean",
    "decimal",
    "date_iso8601",
    "email",
    "options",
    "file",
    "array",
    "object",
    "hidden",
}


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
    properties = about["settings"]["properties"]
    secret = {name for name, schema in properties.items() if schema.get("secret")}
    looks_secret = {n for n in properties if re.search(r"password|secret|refresh_token", n)}
    assert "password" in secret
    assert looks_secret <= secret


def test_readme_mapping_guide_and_meltano_yml_are_generated_from_about() -> None:
    completed = subprocess.run(
        [sys.executable, "scripts/sync_settings.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


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


def test_meltano_yml_kinds_match_about(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    properties = about["settings"]["properties"]
    for setting in meltano_loader["settings"]:
        assert setting["kind"] in MELTANO_SETTING_KINDS, setting["name"]
        options = [option["value"] for option in setting.get("options", [])]
        assert options == properties[setting["name"]].get("enum", []), setting["name"]


def test_meltano_yml_descriptions_match_about(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    properties = about["settings"]["properties"]
    mismatched = [
        s["name"]
        for s in meltano_loader["settings"]
        if s.get("description") != properties[s["name"]]["description"]
    ]
    assert mismatched == []


def test_meltano_yml_defaults_match_about(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    defaults = {
        name: schema["default"]
        for name, schema in about["settings"]["properties"].items()
        if "default" in schema
    }
    values = {s["name"]: s["value"] for s in meltano_loader["settings"] if "value" in s}
    assert values == defaults


def test_meltano_yml_capabilities_are_the_sdks(
    about: dict[str, Any], meltano_loader: dict[str, Any]
) -> None:
    assert meltano_loader["capabilities"] == about["capabilities"]
    assert meltano_loader["namespace"] == "target_eloqua"
    assert meltano_loader["pip_url"] == "-e ."
