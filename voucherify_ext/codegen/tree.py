"""Comparing a generated package with a fresh one, and putting a fresh one in place."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from voucherify_ext.codegen.errors import CodegenError

#: written by every generation; a folder without it was not written by this command
MARKER = "openapi.json"


def _files(root: Path) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.relative_to(root).parts
    }


def differences(fresh: Path, target: Path) -> list[str]:
    """What makes ``target`` differ from ``fresh``, one line per file, sorted; empty when identical.

    ``missing: F`` (generated, not in the target), ``extra: F`` (in the target only),
    ``stale: F`` (in both, other bytes). ``__pycache__`` folders are ignored.
    """
    if not target.is_dir():
        return [f"missing: {target.name}/ (the whole package)"]
    want, have = _files(fresh), _files(target)
    found = [f"missing: {name}" for name in want.keys() - have.keys()]
    found += [f"extra: {name}" for name in have.keys() - want.keys()]
    found += [
        f"stale: {name}"
        for name in want.keys() & have.keys()
        if want[name].read_bytes() != have[name].read_bytes()
    ]
    return sorted(found, key=lambda line: (line.split(": ", 1)[1], line))


def refuse_foreign(target: Path) -> None:
    """A folder that this command did not write is never replaced (it could be someone's code)."""
    if target.exists() and not (target / MARKER).is_file():
        raise CodegenError(
            f"{target} exists and was not written by voucherify_ext.codegen (it has no {MARKER}); "
            "remove it or choose another --out"
        )


def replace(fresh: Path, target: Path) -> None:
    """Put a copy of ``fresh`` at ``target``, replacing a previous generation as a whole."""
    refuse_foreign(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-codegen-", dir=target.parent))
    try:
        shutil.copytree(fresh, staging / "new")
        if target.exists():
            target.rename(staging / "old")
        (staging / "new").rename(target)
    finally:
        shutil.rmtree(staging)
