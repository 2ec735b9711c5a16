"""The apps import in one direction (pyproject.toml's import contract, docs/architecture.md),
and `make lint` is what holds them to it: an import the wrong way fails it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
APPS = CONTRACT["root_packages"]


def lint(tree: Path) -> subprocess.CompletedProcess:
    """`make lint` in `tree`, with this environment's tools; `-o` keeps make from
    installing the copy into this environment."""
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "lint",
            f"VENV={BIN.parent}",
            "-o",
            f"{BIN.parent}/.installed",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tree(tmp_path):
    """The apps and the lint set-up, copied with their times (copy2)."""
    for name in APPS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "requirements.lock", "Makefile"):
        shutil.copy2(ROOT / name, tmp_path / name)
    if not (BIN.parent / ".installed").exists():
        pytest.skip("make lint needs the project's own environment (make install)")
    return tmp_path


def test_every_app_is_in_the_contract_and_the_settings():
    """A new app left out of the contract would be free to import anything."""
    from django.apps import apps

    project = {config.name.split(".")[0] for config in apps.get_app_configs()}
    project &= {path.name for path in ROOT.iterdir() if (path / "apps.py").exists()}
    assert project == set(APPS)
    layered = {
        app.strip() for layer in CONTRACT["contracts"][0]["layers"] for app in layer.split("|")
    }
    assert layered == set(APPS)


def test_the_apps_as_they_are_pass(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        # A lower app reaching up: breakouts into the organisers' console.
        (
            "breakouts/upwards.py",
            "from console import staff\n\nSTAFF_PAGES = staff\n",
            "breakouts is not allowed to import console",
        ),
        # A circle: the event domain importing an app built on it.
        (
            "symposium/circle.py",
            "from breakouts import models\n\nBREAKOUTS = models\n",
            "symposium is not allowed to import breakouts",
        ),
    ],
)
def test_an_import_the_wrong_way_fails_make_lint(tree, module, source, broken):
    (tree / module).write_text(f'"""An import the wrong way."""\n\n{source}')
    result = lint(tree)
    assert result.returncode != 0
    assert broken in result.stdout
    assert f"{module[:-3].replace('/', '.')} ->" in result.stdout
