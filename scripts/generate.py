"""Regenerate ``generated/voucherify_client`` from ``openapi/voucherify-orders.yaml``.

Usage::

    python scripts/generate.py           # write generated/
    python scripts/generate.py --check   # regenerate into a temporary folder, fail on any difference

The generator (openapi-python-client) and the formatter (ruff) are pinned in
``requirements/dev.txt``; ruff runs with ``openapi/ruff-generated.toml`` only, so the output is
byte-for-byte reproducible. A generator warning fails the run (``--fail-on-warning``).

Besides the generator's output, the package receives ``py.typed`` and ``openapi.json`` (the
spec, as canonical JSON), which ``voucherify_ext`` loads to validate bulk input.

Then the sync twins of ``voucherify_ext/**/*_async.py`` are written (or, with ``--check``,
checked byte for byte) by ``scripts/unasync.py``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import unasync
import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "voucherify-orders.yaml"
CONFIG = ROOT / "openapi" / "config.yaml"
TEMPLATES = ROOT / "openapi" / "templates"
RUFF_CONFIG = ROOT / "openapi" / "ruff-generated.toml"
PACKAGE = "voucherify_client"
TARGET = ROOT / "generated" / PACKAGE
BIN = Path(sys.executable).parent


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        command = " ".join(str(a) for a in args[:2])
        raise SystemExit(f"generation failed: {command} exited {result.returncode}")


def generate_into(out: Path) -> None:
    """Generate, format and complete the package in ``out`` (which must not exist)."""
    _run(
        BIN / "openapi-python-client",
        "generate",
        "--path",
        SPEC,
        "--config",
        CONFIG,
        "--custom-template-path",
        TEMPLATES,
        "--meta",
        "none",
        "--output-path",
        out,
        "--fail-on-warning",
    )
    _run(BIN / "ruff", "check", "--config", RUFF_CONFIG, "--fix-only", "--quiet", out)
    _run(BIN / "ruff", "format", "--config", RUFF_CONFIG, "--quiet", out)
    (out / "py.typed").write_text("")
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    (out / "openapi.json").write_text(json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def _differences(a: Path, b: Path) -> list[str]:
    def walk(cmp: filecmp.dircmp[str], prefix: str) -> list[str]:
        found = [f"only in {prefix or '.'} of generated/: {n}" for n in cmp.left_only]
        found += [f"missing from generated/{prefix}: {n}" for n in cmp.right_only]
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found += [f"differs: {prefix}{n}" for n in mismatch + errors]
        for name, sub in cmp.subdirs.items():
            found += walk(sub, f"{prefix}{name}/")
        return found

    return walk(filecmp.dircmp(a, b, ignore=["__pycache__"]), "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / PACKAGE
        generate_into(fresh)
        if args.check:
            diffs = _differences(TARGET, fresh) if TARGET.exists() else ["generated/ is missing"]
            if diffs:
                print("generated/ is stale; run `make generate`:", *diffs, sep="\n  ")
            else:
                print("generated/ is up to date")
            twins = unasync.main(["--check"], root=ROOT)
            return 1 if diffs or twins else 0
        if TARGET.exists():
            shutil.rmtree(TARGET)
        TARGET.parent.mkdir(exist_ok=True)
        shutil.copytree(fresh, TARGET)
    print(f"generated {TARGET.relative_to(ROOT)}")
    return unasync.main([], root=ROOT)


if __name__ == "__main__":
    sys.exit(main())
