"""The environment installs the same way everywhere: requirements.lock pins every package
pyproject.toml asks for, the Makefile and environment.yml both install from it, and the
running environment is the locked one."""

from __future__ import annotations

import os
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
PLATFORMS = ["linux", "darwin", "win32"]
# What the Makefile and environment.yml install.
EXTRAS = "course,tests,book,production"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pyproject_requirements() -> list[Requirement]:
    project = _project()
    requirements = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += [Requirement(r) for r in extra]
    return requirements


def _lock() -> list[tuple[str, Version, Marker | None]]:
    """The lock's pins: (name, version, marker or None), comments dropped."""
    pins = []
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)\s*(?:;\s*(.+))?", line)
        assert match, f"requirements.lock: not an exact pin: {line!r}"
        name, version, marker = match.groups()
        pins.append((canonicalize_name(name), Version(version), Marker(marker) if marker else None))
    return pins


def _environment(python: str, platform: str) -> dict[str, str]:
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": platform,
        "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[platform],
        "os_name": "nt" if platform == "win32" else "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_machine": "x86_64",
        "extra": "",
    }


def _pins_for(environment: dict[str, str]) -> dict[str, list[Version]]:
    pins: dict[str, list[Version]] = {}
    for name, version, marker in _lock():
        if marker is None or marker.evaluate(environment):
            pins.setdefault(name, []).append(version)
    return pins


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("python", PYTHONS)
def test_lock_pins_every_requirement_once(python: str, platform: str) -> None:
    environment = _environment(python, platform)
    pins = _pins_for(environment)
    twice = {name: versions for name, versions in pins.items() if len(versions) > 1}
    assert not twice, f"Python {python} on {platform}: pinned more than once: {twice}"
    for requirement in _pyproject_requirements():
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, (
            f"requirements.lock lacks {requirement} for Python {python} on {platform}; "
            "run `make lock`"
        )
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name][0]}, outside pyproject.toml's "
            f"{requirement}; run `make lock`"
        )


def test_lock_pins_the_installers_and_the_build_backend() -> None:
    pins = _pins_for(_environment("3.11", "linux"))
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    for requirement in ["pip", "uv", *build]:
        name = canonicalize_name(Requirement(requirement).name)
        assert name in pins, f"requirements.lock does not pin {name}; run `make lock`"
        assert Requirement(requirement).specifier.contains(pins[name][0])


def test_makefile_installs_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK   := requirements.lock" in makefile
    assert "PIN       := --constraint $(LOCK)" in makefile
    assert "PIN_BUILD := --build-constraint $(LOCK)" in makefile
    install = re.search(
        r"pip install --quiet \$\(PIN\) \$\(PIN_BUILD\) -e \"\.\[(.+)\]\"", makefile
    )
    assert install, "the Makefile's install step does not use the lock"
    assert install.group(1) == EXTRAS


def test_environment_yml_installs_the_lock() -> None:
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text
    assert "  - python>=3.10" in text
    pip_section = text.split("  - pip:", 1)[1].splitlines()
    entries = [line.strip().removeprefix("- ") for line in pip_section if line.strip()]
    assert entries == ["--constraint requirements.lock", f"-e .[{EXTRAS}]"]


def test_python_floor_matches() -> None:
    assert _project()["requires-python"] == ">=3.10"
    assert "--python-version 3.10" in (ROOT / "Makefile").read_text()


@pytest.mark.skipif(
    os.environ.get("R1COURSE_LOCKED") == "0", reason="make test-latest: newest releases"
)
def test_this_environment_is_the_locked_one() -> None:
    # make setup installed from the lock: a package at another version means a stale .venv
    # (delete it and run make setup) or an install that bypassed the lock. A local build of
    # the locked release counts as that release: the lock's torch==2.13.0 admits the CPU
    # build 2.13.0+cpu (PEP 440 ignores the local label), which is what make installs
    # where such a wheel is offered (README, "The production extra").
    environment = {**default_environment(), "extra": ""}
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {
        name: f"{installed[name]} installed, {versions[0]} locked"
        for name, versions in _pins_for(environment).items()
        if name in installed and Version(Version(installed[name]).public) != versions[0]
    }
    assert not wrong, f"not the locked versions: {wrong}"
