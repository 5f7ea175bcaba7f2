"""``make api-diff``: compare the spec and the public Python API with the committed baseline,
print every change (breaking / additive / neither), and fail on a breaking change that is not
versioned. ``make api-baseline`` (``--refresh``) makes the working tree the baseline.

Usage::

    python scripts/api_diff.py                # the report and the gate (exit 1: not versioned)
    python scripts/api_diff.py --refresh      # write openapi/baseline/ from the working tree

Exit 2 (one line on stderr) when the baseline or the spec cannot be read. docs/api-diff.md
explains the rules and the report.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from apidiff import baseline, surface
from apidiff.findings import Finding, Kind, fold_python
from apidiff.gate import GateError, judge
from apidiff.python_paths import PathMap
from apidiff.report import render
from apidiff.spec_load import SpecError, load_spec
from apidiff.spec_operations import classify

ROOT = Path(__file__).resolve().parent.parent


def _named(findings: list[Finding], old: PathMap, new: PathMap) -> list[Finding]:
    """Each spec finding with its Python path (the new tree's for an addition, else the old's)."""
    out = []
    for f in findings:
        if f.pointer is None:
            out.append(f)
            continue
        first, second = (new, old) if f.kind is Kind.ADDITIVE else (old, new)
        paths = first.lookup(f.pointer, f.rule) or second.lookup(f.pointer, f.rule)
        reached = set(old.lookup(f.pointer, f.rule)) | set(new.lookup(f.pointer, f.rule))
        out.append(replace(f, python_path=paths[0] if paths else None, affects=frozenset(reached)))
    return out


def run(root: Path, folder: Path) -> tuple[str, bool]:
    """The report, and whether the gate passes."""
    base = baseline.read(folder)
    spec = load_spec(root / "openapi" / "voucherify-orders.yaml")
    tree = surface.load_tree(root)
    old_map = PathMap(base.spec, base.tree["voucherify_client"])
    new_map = PathMap(spec, tree["voucherify_client"])
    spec_findings = _named(classify(base.spec, spec), old_map, new_map)
    findings = fold_python(spec_findings, surface.compare(base.tree, tree))
    version = baseline.current_version(root)
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    verdict = judge([f for f in findings if f.kind is Kind.BREAKING], base.version, version, changelog)
    return render(findings, base.version, version, verdict), verdict.ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the working tree (default: this repo)")
    parser.add_argument("--baseline", type=Path, help="the baseline folder (default: ROOT/openapi/baseline)")
    parser.add_argument("--refresh", action="store_true", help="write the baseline from the working tree")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    folder = args.baseline or root / "openapi" / "baseline"
    try:
        if args.refresh:
            baseline.write(root, folder)
            print(f"api-baseline: wrote {folder} (version {baseline.current_version(root)})")
            return 0
        text, ok = run(root, folder)
    except (baseline.BaselineError, SpecError, GateError) as exc:
        print(f"api-diff: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
