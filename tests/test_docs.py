"""The README and the pages of docs/ tell the truth: their config examples are ones the target
takes, the run summary's example has every counter the target writes, their links and anchors
resolve, the scripts they run exist, and the README stays a front page. (The generated settings
tables are checked by tests/test_settings.py.)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator import EmulatorServer
from target_eloqua.loading.report import COUNTERS, SyncRecord
from target_eloqua.mapping.entities import parse_entity
from tests.support import emulator_config, run_target

ROOT = Path(__file__).parents[1]
README_PATH = ROOT / "README.md"
DOCS_PATHS = sorted((ROOT / "docs").glob("*.md"))
PAGES = {path: path.read_text(encoding="utf-8") for path in [README_PATH, *DOCS_PATHS]}
"""Every page of the documentation: README.md, then docs/*.md."""
README = PAGES[README_PATH]
README_MAX_LINES = 250

FENCED_BLOCK = re.compile(r"^```.*?^```[^\n]*$", re.DOTALL | re.MULTILINE)
JSON_BLOCK = re.compile(r"^```json\n(.*?)^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\]\(([^)\s]+)\)")
FOREIGN_CITATION = re.compile(r"reference sections? \d|\.\./shared/|\bdesign[.]md\b", re.IGNORECASE)
"""What points outside the repository: the team's own notes, which users do not have."""


def page_name(path: Path) -> str:
    return str(path.relative_to(ROOT))


JSON_EXAMPLES = [
    (f"{page_name(path)}:{number}", json.loads(block))
    for path, text in PAGES.items()
    for number, block in enumerate(JSON_BLOCK.findall(text), start=1)
]
CONFIG_EXAMPLES = {
    name: example
    for name, example in JSON_EXAMPLES
    if "streams" in example and "exit_code" not in example
}
"""The JSON examples of target configs, by page and number (others show, e.g., an emulator
catalog or a run summary, which has an ``exit_code``).
"""


def prose(text: str) -> str:
    """The text without its fenced code blocks, whose `#` lines are not headings and whose
    brackets are not links.
    """
    return FENCED_BLOCK.sub("", text)


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces as
    hyphens, a repeated one suffixed with -1, -2, ...
    """
    seen: Counter[str] = Counter()
    result = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#* *$", prose(text), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        result.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return result


def relative_links(text: str) -> list[str]:
    return [link for link in LINK.findall(prose(text)) if not re.match(r"[a-z]+:", link)]


@pytest.fixture(scope="module")
def settings(about: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = about["settings"]
    return result


def test_the_docs_have_config_examples_for_each_kind_of_entity() -> None:
    entities = {
        parse_entity(mapping.get("entity", "accounts")).kind
        for example in CONFIG_EXAMPLES.values()
        for mapping in example.get("streams", {}).values()
    }
    assert entities == {
        "accounts",
        "contacts",
        "customObjects",
        "events",
        "activities",
        "opportunities",
        "opportunities/contacts",
        "campaignResponses",
        "emailAddresses",
    }


@pytest.mark.parametrize("example", CONFIG_EXAMPLES.values(), ids=CONFIG_EXAMPLES)
def test_config_examples_use_only_settings_the_target_has(
    example: dict[str, Any], settings: dict[str, Any]
) -> None:
    mapping_keys = settings["properties"]["streams"]["additionalProperties"]["properties"]

    assert set(example) <= set(settings["properties"])
    for mapping in example["streams"].values():
        assert set(mapping) <= set(mapping_keys)
        assert mapping.get("identifier", next(iter(mapping["fields"]))) in mapping["fields"]


@pytest.mark.parametrize("example", CONFIG_EXAMPLES.values(), ids=CONFIG_EXAMPLES)
def test_config_examples_map_onto_the_emulators_default_catalog(
    example: dict[str, Any], emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams=example["streams"])

    run = run_target(config, [], tmp_path)

    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("path", PAGES, ids=page_name)
def test_relative_links_point_at_files_and_their_anchors(path: Path) -> None:
    broken = []
    for link in relative_links(PAGES[path]):
        target, _, anchor = link.partition("#")
        target_path = (path.parent / target).resolve() if target else path
        if not target_path.exists():
            broken.append(link)
        elif anchor and target_path.suffix == ".md":
            text = PAGES.get(target_path) or target_path.read_text(encoding="utf-8")
            if anchor not in anchors(text):
                broken.append(link)
    assert broken == []


def test_the_readme_and_every_docs_page_have_relative_links() -> None:
    assert all(relative_links(text) for text in PAGES.values())


def test_the_readme_links_to_every_docs_page() -> None:
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in relative_links(README)}
    assert [page_name(path) for path in DOCS_PATHS if path not in linked] == []


def test_there_are_docs_pages() -> None:
    names = {path.stem for path in DOCS_PATHS}
    assert {
        "mapping",
        "runs-and-reports",
        "faults-and-recovery",
        "emulator",
        "performance",
        "development",
    } <= names


@pytest.mark.parametrize("path", DOCS_PATHS, ids=page_name)
def test_each_docs_page_opens_with_a_title_and_a_paragraph_on_what_it_covers(path: Path) -> None:
    title, blank, paragraph = PAGES[path].split("\n", 3)[:3]
    assert re.match(r"# \S", title)
    assert blank == ""
    assert re.match(r"[A-Za-z`]", paragraph)


def test_the_readme_is_a_front_page_of_at_most_250_lines() -> None:
    assert len(README.splitlines()) <= README_MAX_LINES


def test_the_readme_opens_with_the_two_commands_and_what_they_need() -> None:
    opening = re.match(r"# target-eloqua\n\n```bash\n(.*?)\n```\n\n(.*?)\n\n", README, re.DOTALL)

    assert opening
    commands = opening.group(1).splitlines()
    assert [command.split("#")[0].strip() for command in commands] == [
        "bash scripts/demo.sh",
        "bash scripts/test.sh",
    ]
    assert "the main job" in commands[0]
    assert "the tests" in commands[1]
    assert opening.group(2).startswith("Both work from a fresh clone")


@pytest.mark.parametrize("path", PAGES, ids=page_name)
def test_no_page_cites_a_document_the_repository_does_not_have(path: Path) -> None:
    text = PAGES[path]
    cited = set(re.findall(r"[\w./-]*\w\.md\b", text))
    missing = [
        name for name in cited if not (ROOT / name).exists() and not (path.parent / name).exists()
    ]
    assert missing == []
    assert FOREIGN_CITATION.findall(text) == []


CODE_PATHS = sorted(
    path
    for folder in ("target_eloqua", "tests", "bench", "scripts")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in (".py", ".sh")
)


@pytest.mark.parametrize("path", CODE_PATHS, ids=page_name)
def test_no_code_cites_a_document_the_repository_does_not_have(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    cited = set(re.findall(r"\bdocs/[\w-]+\.md\b|\b[A-Z]+\.md\b", text))
    missing = [name for name in cited if not (ROOT / name).exists()]
    assert missing == []
    assert FOREIGN_CITATION.findall(text) == []


def test_scripts_the_docs_run_exist() -> None:
    scripts = {
        script
        for text in PAGES.values()
        for script in re.findall(r"\b((?:scripts|bench)/[\w.]+\.(?:sh|py))\b", text)
    }
    assert "scripts/demo.sh" in scripts
    assert [script for script in scripts if not (ROOT / script).is_file()] == []


def test_the_run_summary_example_has_every_counter_and_the_page_explains_each() -> None:
    page = ROOT / "docs" / "runs-and-reports.md"
    [summary] = [
        example
        for name, example in JSON_EXAMPLES
        if name.startswith(page_name(page)) and "exit_code" in example
    ]
    [stream] = summary["streams"].values()

    assert list(summary["totals"]) == list(COUNTERS)
    assert list(stream) == [*COUNTERS, "verify_seconds"]
    assert list(stream["syncs"][0]) == [f.name for f in fields(SyncRecord)]
    assert [name for name in COUNTERS if f"`{name}`" not in prose(PAGES[page])] == []
