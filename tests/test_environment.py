"""environment.yml (the conda route) must ask for what pyproject.toml asks for."""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# PyPI names whose conda-forge package is named differently.
CONDA_NAME = {"playwright": "playwright"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    # Requirements with an environment marker (tomli on Python 3.10) are pip-only shims.
    return dict(_split(r) for r in requirements if ";" not in r)


def _conda_requirements() -> dict[str, str]:
    found: dict[str, str] = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.\-]+[^#]*?)\s*(#.*)?$", line)
        if match:
            name, spec = _split(match.group(1))
            found[name] = spec
    return found


def test_environment_yml_matches_pyproject() -> None:
    pyproject = _pyproject_requirements()
    conda = _conda_requirements()
    for name, spec in pyproject.items():
        conda_name = CONDA_NAME.get(name, name)
        assert conda_name in conda, f"environment.yml lacks {conda_name} (pyproject: {name}{spec})"
        assert conda[conda_name] == spec, (
            f"{conda_name}: environment.yml has {conda[conda_name]!r}, pyproject has {spec!r}"
        )
    extra = set(conda) - {CONDA_NAME.get(n, n) for n in pyproject} - {"python", "pip"}
    assert not extra, f"environment.yml asks for packages pyproject does not: {sorted(extra)}"


def test_environment_yml_installs_r1lib_and_uses_conda_forge() -> None:
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text
    assert "- -e ." in text


def test_python_floor_matches() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    assert "  - python>=3.10" in (ROOT / "environment.yml").read_text()


def test_no_exact_pins() -> None:
    for name, spec in {**_pyproject_requirements(), **_conda_requirements()}.items():
        assert "==" not in spec, f"{name} is pinned exactly ({spec}); use lower bounds"
