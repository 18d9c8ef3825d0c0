"""The lock files: what pyproject.toml asks for, and the tested versions in the image."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCK = settings.BASE_DIR / "requirements.lock"
IMAGE_LOCK = settings.BASE_DIR / "deploy" / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def pins(path: Path) -> dict[str, Version]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            found[canonicalize_name(match[1])] = Version(match[2])
    return found


def project() -> dict:
    return tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]


def runtime_requirements() -> list[Requirement]:
    return [Requirement(spec) for spec in project()["dependencies"]]


def dev_requirements() -> list[Requirement]:
    return [Requirement(spec) for spec in project()["optional-dependencies"]["dev"]]


def test_the_lock_satisfies_pyproject() -> None:
    locked = pins(LOCK)
    for requirement in [*runtime_requirements(), *dev_requirements()]:
        version = locked.get(canonicalize_name(requirement.name))
        # A pyproject.toml edited without `make lock` installs something else than it says.
        assert version is not None, f"{requirement.name} is not locked: run `make lock`"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement.name}=={version} is outside {requirement}: run `make lock`"
        )


def test_the_dev_tools_have_upper_bounds() -> None:
    for requirement in dev_requirements():
        assert any(spec.operator == "<" for spec in requirement.specifier), requirement


def test_the_image_installs_the_tested_versions_without_the_dev_tools() -> None:
    locked, image = pins(LOCK), pins(IMAGE_LOCK)
    assert {name: locked.get(name) for name in image} == image
    for requirement in runtime_requirements():
        assert canonicalize_name(requirement.name) in image, requirement
    for requirement in dev_requirements():
        assert canonicalize_name(requirement.name) not in image, requirement
