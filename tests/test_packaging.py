"""The package as it is published: ``python -m build`` makes an sdist and a wheel that
``twine check`` passes; the wheel holds every module, ``py.typed`` and the emulator's catalog; and
installed from the wheel alone into a fresh virtual environment (its dependencies from the package
index), the target and the emulator run. The changelog has an entry for the version.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]


def run(
    *command: str | Path, timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel ``python -m build`` makes of the repository's files, copied
    apart: what a development install leaves in the work tree (``*.egg-info``) must not make up
    for a file the packaging config forgets.
    """
    source = tmp_path_factory.mktemp("source")
    listed = run("git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():  # a file deleted but not yet committed is listed too
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    outdir = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", outdir, source)
    return outdir


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    [path] = dist.glob("*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh virtual environment with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    return venv / "bin"


def test_build_makes_an_sdist_and_a_wheel_of_the_version(dist: Path) -> None:
    assert sorted(path.name for path in dist.iterdir()) == [
        f"target_eloqua-{VERSION}-py3-none-any.whl",
        f"target_eloqua-{VERSION}.tar.gz",
    ]


def test_twine_check_passes(dist: Path) -> None:
    run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))


def test_the_wheel_holds_every_module_the_type_marker_and_the_emulators_catalog(
    wheel: Path,
) -> None:
    package = ROOT / "target_eloqua"
    modules = {str(p.relative_to(ROOT)) for p in package.rglob("*.py")}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    assert modules - names == set()
    assert "target_eloqua/py.typed" in names
    assert "target_eloqua/emulator/model/default_catalog.json" in names


def test_the_installed_wheel_runs_the_target(installed: Path) -> None:
    about = run(
        installed / "target-eloqua", "--about", "--format", "json", timeout=60, cwd=installed
    )

    assert f'"version": "{VERSION}"' in about.stdout
    assert '"streams"' in about.stdout


def test_the_installed_wheel_runs_the_emulator_with_its_catalog(installed: Path) -> None:
    # Run outside the repository: `python -m` would import the package from the current folder.
    emulator_command: list[str | Path] = [installed / "python", "-m", "target_eloqua.emulator"]
    help_text = run(*emulator_command, "--help", timeout=60, cwd=installed)
    assert "--port" in help_text.stdout

    with subprocess.Popen(
        [*emulator_command, "--port", "0"],
        cwd=installed,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as emulator:
        try:
            assert emulator.stdout is not None
            first_line = emulator.stdout.readline()  # printed once the catalog is loaded
        finally:
            emulator.terminate()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+\n", first_line)


def test_the_changelog_has_an_entry_for_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")

    assert changelog.startswith("# Changelog\n")
    assert re.search(
        rf"^## \[{re.escape(VERSION)}\] - (\d{{4}}-\d\d-\d\d|Unreleased)$", changelog, re.M
    )
