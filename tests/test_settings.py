"""The settings as users see them: ``--about``, and meltano.yml, the Meltano Hub definition, the
README and the mapping guide kept in step.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
MELTANO_YML = ROOT / "meltano.yml"
HUB_DIR = ROOT / "meltano-hub" / "loaders" / "target-eloqua"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
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


def hub_definition() -> dict[str, Any]:
    """The loader's Meltano Hub definition: the one file in ``HUB_DIR``, named by its variant."""
    [path] = HUB_DIR.iterdir()
    definition: dict[str, Any] = yaml.safe_load(path.read_text())
    assert path.name == f"{definition['variant']}.yml"
    return definition


@pytest.fixture(scope="module", params=["meltano.yml", "meltano-hub"])
def meltano_loader(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The loader as meltano.yml declares it, and as its Meltano Hub definition does."""
    if request.param == "meltano-hub":
        return hub_definition()
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


def test_readme_mapping_guide_meltano_yml_and_the_hub_definition_are_generated_from_about() -> None:
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
    assert meltano_loader["executable"] == "target-eloqua"


def test_meltano_yml_installs_the_work_tree() -> None:
    project = yaml.safe_load(MELTANO_YML.read_text())
    [loader] = [p for p in project["plugins"]["loaders"] if p["name"] == "target-eloqua"]
    assert loader["pip_url"] == "-e ."


def test_the_hub_definition_installs_the_package_and_names_the_repository() -> None:
    definition = hub_definition()

    assert definition["name"] == PROJECT["name"]
    assert definition["pip_url"] == PROJECT["name"]
    assert definition["repo"] == PROJECT["urls"]["Repository"]
    assert definition["repo"].lower().endswith(f"/{definition['variant']}/target-eloqua")
    assert "meltano_sdk" in definition["keywords"]
    assert definition["label"]
    assert definition["description"]
    assert definition["maintenance_status"] == "active"


def test_each_hub_setting_has_a_label_and_says_whether_it_is_sensitive() -> None:
    settings = hub_definition()["settings"]

    assert [s["name"] for s in settings if not s.get("label")] == []
    assert [s["name"] for s in settings if not isinstance(s.get("sensitive"), bool)] == []
