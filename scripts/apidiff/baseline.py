"""The committed baseline (openapi/baseline/): the released spec, the dump of its public Python
API, and its version; written by ``make api-baseline``, read by ``make api-diff``."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apidiff import surface
from apidiff.gate import GateError, parse_version
from apidiff.spec_load import SpecError, load_spec

SPEC, PYTHON, VERSION = "voucherify-orders.yaml", "python-api.json", "VERSION"


class BaselineError(Exception):
    """The baseline is missing or cannot be read."""


@dataclass
class Baseline:
    spec: dict[str, Any]
    tree: surface.Surface
    version: str


def current_version(root: Path) -> str:
    text = (root / "voucherify_ext" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if match is None:
        raise GateError("voucherify_ext/_version.py has no __version__")
    return match.group(1)


def read(folder: Path) -> Baseline:
    for name in (SPEC, PYTHON, VERSION):
        if not (folder / name).is_file():
            raise BaselineError(f"baseline missing: {folder / name} (make api-baseline writes it)")
    try:
        spec = load_spec(folder / SPEC)
        tree = surface.load_dump((folder / PYTHON).read_text(encoding="utf-8"))
        version = (folder / VERSION).read_text(encoding="utf-8").strip()
        parse_version(version)
    except (SpecError, GateError, ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"baseline corrupt in {folder}: {exc}") from exc
    return Baseline(spec, tree, version)


def write(root: Path, folder: Path) -> None:
    """Make the working tree (spec, generated client, voucherify_ext, version) the baseline."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "openapi" / SPEC, folder / SPEC)
    (folder / PYTHON).write_text(surface.dump(surface.load_tree(root)), encoding="utf-8")
    (folder / VERSION).write_text(current_version(root) + "\n", encoding="utf-8")
