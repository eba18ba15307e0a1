"""What an IT person installs: a version that names the build, current licence metadata, the
Windows-only time zone data, and dependency versions pinned to what CI tested."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

import watcher

REPO = Path(__file__).resolve().parent.parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def test_kinerja_version_names_the_build() -> None:
    result = subprocess.run([sys.executable, "-m", "watcher", "--version"], capture_output=True,
                            text=True, timeout=120, check=True)  # fmt: skip
    assert result.stdout == f"kinerja {watcher.__version__}\n"
    Version(watcher.__version__)  # PEP 440, so pip compares builds and upgrades to a newer one


def test_the_version_comes_from_git_and_the_licence_is_an_spdx_expression() -> None:
    project = PROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert "setuptools_scm" in PROJECT["tool"]
    assert any(_name(r) == "setuptools-scm" for r in PROJECT["build-system"]["requires"])
    assert project["license"] == "MIT"  # a string, not the table setuptools drops in 2027
    assert all((REPO / name).is_file() for name in project["license-files"])


def test_windows_gets_time_zone_data_of_its_own() -> None:
    [tzdata] = [r for r in PROJECT["project"]["dependencies"] if _name(r) == "tzdata"]
    marker = Requirement(tzdata).marker
    assert marker is not None
    assert marker.evaluate({"sys_platform": "win32"})
    assert not marker.evaluate({"sys_platform": "linux"})


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            [specifier] = requirement.specifier
            assert specifier.operator == "==", line
            pins[_name(line)] = specifier.version
    return pins


def test_every_linux_dependency_is_pinned_and_installed_at_its_pin() -> None:
    """CI installs with -c constraints.txt: the suite runs on exactly these versions, and a
    dependency added to pyproject without a pin fails here."""
    pins = _constraints()
    project = PROJECT["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    linux = [r for r in declared if Requirement(r).marker is None
             or Requirement(r).marker.evaluate({"sys_platform": "linux"})]  # fmt: skip
    assert {_name(r) for r in linux} <= set(pins)
    assert {name: version(name) for name in pins} == pins
