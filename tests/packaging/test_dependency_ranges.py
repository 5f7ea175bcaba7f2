"""Every runtime dependency and extra in pyproject.toml is bounded at both ends (docs/testing.md,
"The dependency ranges at both ends"): a lower bound that ``make test-lowest`` tests, and an upper
bound below the next version that may break us, which ``make test-latest`` tests: the next minor
for a dependency still at 0.x in the lock, the next major from 1.0 on. The lock's version lies in
the range (``make test`` runs on it). The ``codegen`` extra is pinned exactly. The ``dev`` extra
is exempt: ``make`` installs the exact lock (requirements/dev.txt) instead of it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXEMPT = {"dev"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


LOCK = {
    canonical(name): Version(version)
    for name, version in (
        line.split("==", 1)
        for line in (ROOT / "requirements" / "dev.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
}


def requirements() -> list[tuple[str, str]]:
    found = [("dependencies", spec) for spec in PROJECT["dependencies"]]
    for extra, specs in PROJECT["optional-dependencies"].items():
        if extra not in EXEMPT:
            found += [(extra, spec) for spec in specs if canonical(Requirement(spec).name) != PROJECT["name"]]
    return found


def next_breaking(version: Version) -> Version:
    """The first version that may break us: the next minor below 1.0, the next major from 1.0."""
    major, minor = (*version.release, 0)[:2]
    return Version(f"0.{minor + 1}") if major == 0 else Version(f"{major + 1}")


def problems(group: str, spec: str) -> list[str]:
    """What is wrong with one requirement line (empty when it follows the policy)."""
    requirement = Requirement(spec)
    operators = {s.operator: Version(s.version) for s in requirement.specifier}
    if group == "codegen" or set(operators) == {"=="}:
        return [] if set(operators) == {"=="} else [f"{group}: {spec} is not pinned exactly (==)"]
    found = []
    if set(operators) != {">=", "<"}:
        return [f"{group}: {spec} needs a lower bound (>=) and an upper bound (<), and nothing else"]
    lower, upper = operators[">="], operators["<"]
    locked = LOCK.get(canonical(requirement.name))
    if locked is None:
        return [f"{group}: {requirement.name} is not in requirements/dev.txt"]
    if not requirement.specifier.contains(locked, prereleases=True):
        found.append(f"{group}: {spec} does not hold the lock's {locked}")
    if upper > next_breaking(locked):
        found.append(f"{group}: {spec} allows {next_breaking(locked)}, which may break us (lock: {locked})")
    if lower >= upper:
        found.append(f"{group}: {spec} is empty")
    return found


@pytest.mark.parametrize(("group", "spec"), requirements(), ids=lambda value: str(value))
def test_each_runtime_dependency_and_extra_is_bounded_at_both_ends(group: str, spec: str) -> None:
    assert problems(group, spec) == []


def test_the_codegen_extra_is_pinned_exactly_to_the_lock() -> None:
    for spec in PROJECT["optional-dependencies"]["codegen"]:
        requirement = Requirement(spec)
        (pin,) = requirement.specifier
        assert pin.operator == "==" and LOCK[canonical(requirement.name)] == Version(pin.version), spec


@pytest.mark.parametrize(
    ("group", "spec", "complaint"),
    [
        ("cli", "typer>=0.27", "needs a lower bound"),
        ("cli", "typer<0.28", "needs a lower bound"),
        ("cli", "typer>=0.27,<0.29", "allows 0.28"),
        ("cli", "typer>=0.27,<1", "allows 0.28"),
        ("cli", "rich>=13.8,<17", "allows 16"),
        ("cli", "typer>=0.28,<0.29", "does not hold the lock's 0.27.3"),
        ("codegen", "ruff>=0.17.5,<0.18", "not pinned exactly"),
    ],
)
def test_the_policy_refuses_ranges_that_do_not_hold(group: str, spec: str, complaint: str) -> None:
    assert any(complaint in problem for problem in problems(group, spec)), problems(group, spec)


def test_the_next_breaking_version() -> None:
    assert next_breaking(Version("0.27.3")) == Version("0.28")
    assert next_breaking(Version("0.66b2")) == Version("0.67")
    assert next_breaking(Version("15.0.0")) == Version("16")
    assert next_breaking(Version("26.1.0")) == Version("27")


def test_docs_testing_lists_every_bounded_requirement_as_in_pyproject() -> None:
    page = (ROOT / "docs" / "testing.md").read_text()
    section = page[page.index("## The dependency ranges at both ends") :]
    listed = set(re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE))
    bounded = {spec for group, spec in requirements() if group != "codegen"}
    assert listed == bounded
    assert "make test-latest" in section and "make test-lowest" in section
