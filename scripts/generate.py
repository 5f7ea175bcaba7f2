"""Regenerate ``generated/voucherify_client`` from ``openapi/voucherify-orders.yaml``.

Usage::

    python scripts/generate.py           # write generated/ and the sandbox's spec copy
    python scripts/generate.py --check   # regenerate into a temporary folder, fail on any difference
    python scripts/generate.py --spec PATCHED.yaml --output DIR   # DIR/voucherify_client only

``--spec``/``--output`` regenerate from another spec (a patched copy) into a folder of your own,
touching nothing in the repository: a test of a spec change regenerates that way.

The generator (openapi-python-client) and the formatter (ruff) are pinned in
``requirements/dev.txt``; ruff runs with ``openapi/ruff-generated.toml`` only, so the output is
byte-for-byte reproducible. A generator warning fails the run (``--fail-on-warning``).

Besides the generator's output, the package receives ``py.typed`` and ``openapi.json`` (the
spec, as canonical JSON), which ``voucherify_ext`` loads to validate bulk input. The same
canonical JSON is written to ``voucherify_ext/sandbox/openapi.json``: the sandbox reads its enums,
field sets and limits from its own copy, as it must not import the generated client.

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
SANDBOX_SPEC = ROOT / "voucherify_ext" / "sandbox" / "openapi.json"
BIN = Path(sys.executable).parent


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        command = " ".join(str(a) for a in args[:2])
        raise SystemExit(f"generation failed: {command} exited {result.returncode}")


def canonical_json(spec_path: Path = SPEC) -> str:
    """The spec as the packages ship it: sorted keys, one-space indent, a final newline."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generate_into(out: Path, spec: Path = SPEC) -> None:
    """Generate, format and complete the package in ``out`` (which must not exist) from ``spec``."""
    _run(
        BIN / "openapi-python-client",
        "generate",
        "--path",
        spec,
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
    (out / "openapi.json").write_text(canonical_json(spec), encoding="utf-8")


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
    parser.add_argument("--spec", type=Path, default=None, help="generate from this spec (with --output)")
    parser.add_argument(
        "--output", type=Path, default=None, help="write DIR/voucherify_client only, not the repository"
    )
    args = parser.parse_args()
    if args.output is not None:
        if args.check:
            parser.error("--output and --check exclude each other")
        generate_into(args.output / PACKAGE, args.spec or SPEC)
        print(f"generated {args.output / PACKAGE}")
        return 0
    if args.spec is not None:
        parser.error("--spec needs --output: generated/ is only ever built from the repository's spec")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / PACKAGE
        generate_into(fresh)
        if args.check:
            diffs = _differences(TARGET, fresh) if TARGET.exists() else ["generated/ is missing"]
            fresh_spec = (fresh / "openapi.json").read_bytes()
            if not SANDBOX_SPEC.exists() or SANDBOX_SPEC.read_bytes() != fresh_spec:
                diffs.append(f"stale: {SANDBOX_SPEC.relative_to(ROOT)} (the sandbox's spec copy)")
            if diffs:
                print("stale; run `make generate`:", *diffs, sep="\n  ")
            else:
                print("generated/ and the sandbox's spec copy are up to date")
            twins = unasync.main(["--check"], root=ROOT)
            return 1 if diffs or twins else 0
        if TARGET.exists():
            shutil.rmtree(TARGET)
        TARGET.parent.mkdir(exist_ok=True)
        shutil.copytree(fresh, TARGET)
        shutil.copyfile(fresh / "openapi.json", SANDBOX_SPEC)
    print(f"generated {TARGET.relative_to(ROOT)} and {SANDBOX_SPEC.relative_to(ROOT)}")
    return unasync.main([], root=ROOT)


if __name__ == "__main__":
    sys.exit(main())
