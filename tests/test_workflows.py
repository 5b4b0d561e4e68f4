"""The GitHub Actions workflows, which cannot run here, checked as what GitHub reads: this
repository's CI (``.github/workflows/ci.yml``) and the example workflow for users in docs/ci.md.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[1]
CI_WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def load_workflow(text: str) -> dict[str, Any]:
    """A workflow as GitHub reads it: YAML 1.1 reads the key ``on`` as ``True``, GitHub as "on"."""
    workflow: dict[Any, Any] = yaml.safe_load(text)
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job["steps"]
    assert all(set(step) & {"uses", "run"} for step in steps)
    return steps


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in steps_of(job) if "uses" in step]


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step["run"] for step in steps_of(job) if "run" in step)


def supported_pythons() -> list[str]:
    prefix = "Programming Language :: Python :: "
    return [
        c.removeprefix(prefix)
        for c in PROJECT["classifiers"]
        if re.fullmatch(re.escape(prefix) + r"3\.\d+", c)
    ]


def test_ci_runs_the_tests_and_the_demo_on_pushes_and_pull_requests() -> None:
    workflow = load_workflow(CI_WORKFLOW.read_text(encoding="utf-8"))

    assert set(workflow["on"]) == {"push", "pull_request"}
    [job] = workflow["jobs"].values()
    assert uses(job) == ["actions/checkout@v4", "actions/setup-python@v5"]
    assert runs(job).splitlines() == ["bash scripts/test.sh", "bash scripts/demo.sh"]
    assert all((ROOT / script.split()[-1]).is_file() for script in runs(job).splitlines())
    assert job["timeout-minutes"] <= 30


def test_ci_runs_on_each_python_version_the_package_says_it_supports() -> None:
    job = next(iter(load_workflow(CI_WORKFLOW.read_text(encoding="utf-8"))["jobs"].values()))
    [setup_python] = [
        step for step in steps_of(job) if step.get("uses", "").startswith("actions/setup-python@")
    ]
    minimum = PROJECT["requires-python"].removeprefix(">=")

    assert job["strategy"]["matrix"]["python-version"] == supported_pythons()
    assert setup_python["with"]["python-version"] == "${{ matrix.python-version }}"
    assert supported_pythons()[0] == minimum


def example_workflow() -> dict[str, Any]:
    """The example workflow for users in docs/ci.md: its YAML block with jobs."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    [workflow] = [block for block in blocks if "\njobs:" in block]
    return load_workflow(workflow)


def test_the_example_loads_into_the_emulator_on_pull_requests() -> None:
    workflow = example_workflow()
    job = workflow["jobs"]["emulator"]

    assert "pull_request" in workflow["on"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert "-m target_eloqua.emulator --port 0" in runs(job)
    assert "ELOQUA_EMULATOR_URL=" in runs(job)
    assert "meltano --environment=emulator --log-format=plain run" in runs(job)
    assert "secrets." not in yaml.safe_dump(job)


def test_the_example_loads_into_eloqua_on_main_with_credentials_from_secrets() -> None:
    workflow = example_workflow()
    job = workflow["jobs"]["eloqua"]
    [load] = [
        step for step in steps_of(job) if "meltano --log-format=plain run" in step.get("run", "")
    ]

    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert "refs/heads/main" in job["if"]
    assert load["env"]["TARGET_ELOQUA_PASSWORD"] == "${{ secrets.ELOQUA_PASSWORD }}"
    assert all(value.startswith("${{ ") for value in load["env"].values())
