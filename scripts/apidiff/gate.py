"""The gate: a breaking change passes only when it is versioned, i.e. the package version is
bumped per the semver policy and ``CHANGELOG.md``'s ``## Unreleased`` names each breaking item.

Policy: from 1.0 a breaking change bumps the major; before 1.0 (0.x) it bumps the minor
(0.1.0 → 0.2.0). Naming: the item's JSON pointer or its Python path, in backticks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apidiff.findings import Finding

VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:[-.+].*)?$")


class GateError(Exception):
    """A version or changelog the gate cannot read."""


def parse_version(text: str) -> tuple[int, int, int]:
    match = VERSION.match(text.strip())
    if match is None:
        raise GateError(f"not a version: {text!r}")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def needed(baseline: str) -> tuple[int, int, int]:
    """The lowest version a breaking change after ``baseline`` may be released as."""
    major, minor, _ = parse_version(baseline)
    return (major + 1, 0, 0) if major >= 1 else (0, minor + 1, 0)


def bumped_enough(baseline: str, current: str) -> bool:
    return parse_version(current) >= needed(baseline)


def unreleased(changelog: str) -> str:
    """The text of the ``## Unreleased`` section (up to the next ``## `` heading); "" if none."""
    match = re.search(r"^## \[?Unreleased\]?[ \t]*$(.*?)(?=^## |\Z)", changelog, re.M | re.S | re.I)
    return match.group(1) if match else ""


def named(section: str) -> set[str]:
    """Every backticked name in a changelog section."""
    return set(re.findall(r"`([^`\n]+)`", section))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problems: tuple[str, ...]


def judge(breaking: list[Finding], baseline: str, current: str, changelog: str) -> Verdict:
    """Whether the breaking findings are versioned, and if not, exactly what is missing."""
    if not breaking:
        return Verdict(True, ())
    problems: list[str] = []
    if not bumped_enough(baseline, current):
        want = ".".join(map(str, needed(baseline)))
        problems.append(
            f"version {current} is not bumped for a breaking change: the baseline is {baseline}, so "
            f"voucherify_ext/_version.py needs at least {want}"
        )
    names = named(unreleased(changelog))
    missing = [f for f in breaking if not names & set(f.names)]
    for f in missing:
        problems.append(
            "CHANGELOG.md's `## Unreleased` does not name "
            + " or ".join(f"`{n}`" for n in f.names)
            + f" ({f.message})"
        )
    return Verdict(not problems, tuple(problems))
