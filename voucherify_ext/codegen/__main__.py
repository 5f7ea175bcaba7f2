"""``python -m voucherify_ext.codegen SPEC --package NAME --out DIR [--check]`` (docs/codegen.md).

Exit status: 0 written or up to date; 1 ``--check`` found differences (listed on stdout);
2 the spec, the generator or the environment failed (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from voucherify_ext.codegen.build import check, generate
from voucherify_ext.codegen.errors import CodegenError

PROG = "python -m voucherify_ext.codegen"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Generate a client package from an OpenAPI spec with voucherify_ext's pinned "
        "generator, templates and formatter.",
    )
    parser.add_argument("spec", type=Path, metavar="SPEC", help="the OpenAPI document (YAML or JSON)")
    parser.add_argument("--package", required=True, metavar="NAME", help="the package's import name")
    parser.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="the package goes to DIR/NAME/"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if DIR/NAME is stale")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    target = args.out / args.package
    try:
        if not args.check:
            print(f"generated {generate(args.spec, package=args.package, out=args.out)}")
            return 0
        found = check(args.spec, package=args.package, out=args.out)
    except CodegenError as exc:
        print(f"{PROG}: error: {' '.join(str(exc).split())}", file=sys.stderr)  # one line, always
        return 2
    if not found:
        print(f"{target} is up to date with {args.spec}")
        return 0
    again = shlex.join([*PROG.split(), str(args.spec), "--package", args.package, "--out", str(args.out)])
    print(f"{target} is stale; regenerate with: {again}", *found, sep="\n  ")
    return 1


if __name__ == "__main__":
    sys.exit(main())
