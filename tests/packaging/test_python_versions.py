"""The classifiers name only the Python versions the tests run on: the interpreter that runs this
suite (CI runs ``make test`` with the machine's python3, which builds .venv). ``requires-python``
stays a lower bound, and the lowest version named is that bound."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def classified_versions() -> set[str]:
    found = (re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c) for c in PROJECT["classifiers"])
    return {m.group(1) for m in found if m}


def test_the_classifiers_name_the_python_the_tests_run_on() -> None:
    assert classified_versions() == {f"{sys.version_info.major}.{sys.version_info.minor}"}


def test_requires_python_is_a_lower_bound_at_the_lowest_version_named() -> None:
    bound = re.fullmatch(r">=(3\.\d+)", PROJECT["requires-python"])
    assert bound is not None, PROJECT["requires-python"]  # no upper bound, no exclusions
    assert bound.group(1) == min(classified_versions(), key=lambda v: tuple(map(int, v.split("."))))
