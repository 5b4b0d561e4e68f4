"""The README tells the truth: its config examples are ones the target takes, its links and
scripts exist. (Its settings tables are checked by tests/test_settings.py.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator import EmulatorServer
from tests.support import emulator_config, run_target

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
JSON_BLOCKS = re.findall(r"^```json\n(.*?)^```", README, re.DOTALL | re.MULTILINE)
CONFIG_EXAMPLES = [
    example
    for example in map(json.loads, JSON_BLOCKS)
    if "streams" in example and "exit_code" not in example
]
"""The README's JSON examples of target configs (others show, e.g., an emulator catalog or a
run summary, which has an ``exit_code``).
"""


@pytest.fixture(scope="module")
def settings(about: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = about["settings"]
    return result


def test_the_readme_has_config_examples_for_each_kind_of_entity() -> None:
    entities = {
        mapping.get("entity", "accounts").split("/")[0]
        for example in CONFIG_EXAMPLES
        for mapping in example.get("streams", {}).values()
    }
    assert entities == {"accounts", "contacts", "customObjects"}


@pytest.mark.parametrize("example", CONFIG_EXAMPLES)
def test_config_examples_use_only_settings_the_target_has(
    example: dict[str, Any], settings: dict[str, Any]
) -> None:
    mapping_keys = settings["properties"]["streams"]["additionalProperties"]["properties"]

    assert set(example) <= set(settings["properties"])
    for mapping in example["streams"].values():
        assert set(mapping) <= set(mapping_keys)
        assert mapping["identifier"] in mapping["fields"]


@pytest.mark.parametrize("example", CONFIG_EXAMPLES)
def test_config_examples_map_onto_the_emulators_default_catalog(
    example: dict[str, Any], emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams=example["streams"])

    run = run_target(config, [], tmp_path)

    assert run.returncode == 0, run.stderr


def test_relative_links_point_at_files() -> None:
    links = re.findall(r"\]\((?!https?:|#)([^)]+)\)", README)
    assert links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_scripts_the_readme_runs_exist() -> None:
    scripts = set(re.findall(r"\b(scripts/[\w.]+\.(?:sh|py))\b", README))
    assert "scripts/demo.sh" in scripts
    assert [script for script in scripts if not (ROOT / script).is_file()] == []
