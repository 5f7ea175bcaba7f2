"""Regenerate ``generated/voucherify_client`` from ``openapi/voucherify-orders.yaml``.

Usage::

    python scripts/generate.py           # write generated/ and the sandbox's spec copy
    python scripts/generate.py --check   # regenerate into a temporary folder, fail on any difference
    python scripts/generate.py --spec PATCHED.yaml --output DIR   # DIR/voucherify_client only

``--spec``/``--output`` regenerate from another spec (a patched copy) into a folder of your own,
touching nothing in the repository: a test of a spec change regenerates that way.

The generator and ruff steps are ``voucherify_ext.codegen`` (the command other teams run,
docs/codegen.md), so there is one implementation: openapi-python-client and ruff pinned in the
``codegen`` extra, ``openapi/config.yaml``, the templates, ruff with ``openapi/ruff-generated.toml``
only, byte-for-byte reproducible. A generator warning fails the run.

Besides the generator's output, the package receives ``py.typed`` and ``openapi.json`` (the
spec, as canonical JSON), which ``voucherify_ext`` loads to validate bulk input. The same
canonical JSON is written to ``voucherify_ext/sandbox/openapi.json``: the sandbox reads its enums,
field sets and limits from its own copy, as it must not import the generated client.

Then the sync twins of ``voucherify_ext/**/*_async.py`` are written (or, with ``--check``,
checked byte for byte) by ``scripts/unasync.py``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import unasync

from voucherify_ext import codegen

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "voucherify-orders.yaml"
PACKAGE = "voucherify_client"
TARGET = ROOT / "generated" / PACKAGE
SANDBOX_SPEC = ROOT / "voucherify_ext" / "sandbox" / "openapi.json"


def _generate(spec: Path, out: Path) -> Path:
    try:
        return codegen.generate(spec, package=PACKAGE, out=out)
    except codegen.CodegenError as exc:
        raise SystemExit(f"generation failed: {exc}") from None


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
        print(f"generated {_generate(args.spec or SPEC, args.output)}")
        return 0
    if args.spec is not None:
        parser.error("--spec needs --output: generated/ is only ever built from the repository's spec")
    if args.check:
        try:
            found = codegen.check(SPEC, package=PACKAGE, out=TARGET.parent)
            fresh_spec = codegen.canonical_json(SPEC).encode("utf-8")
        except codegen.CodegenError as exc:
            raise SystemExit(f"generation failed: {exc}") from None
        diffs = [f"generated/{PACKAGE}/{d}" for d in found]
        if not SANDBOX_SPEC.exists() or SANDBOX_SPEC.read_bytes() != fresh_spec:
            diffs.append(f"stale: {SANDBOX_SPEC.relative_to(ROOT)} (the sandbox's spec copy)")
        if diffs:
            print("stale; run `make generate`:", *diffs, sep="\n  ")
        else:
            print("generated/ and the sandbox's spec copy are up to date")
        twins = unasync.main(["--check"], root=ROOT)
        return 1 if diffs or twins else 0
    _generate(SPEC, TARGET.parent)
    shutil.copyfile(TARGET / "openapi.json", SANDBOX_SPEC)
    print(f"generated {TARGET.relative_to(ROOT)} and {SANDBOX_SPEC.relative_to(ROOT)}")
    return unasync.main([], root=ROOT)


if __name__ == "__main__":
    sys.exit(main())
