"""The printed report: every change grouped breaking / additive / neither, then a summary."""

from __future__ import annotations

from apidiff.findings import Finding, Kind
from apidiff.gate import Verdict


def _item(f: Finding) -> list[str]:
    where = f" [{', '.join(sorted(f.directions))}]" if f.directions else ""
    lines = [f"  - {f.kind.label}: {f.message}{where}"]
    if f.pointer:
        lines.append(f"      pointer: `{f.pointer}`")
    if f.python_path:
        lines.append(f"      python:  `{f.python_path}`")
    lines += [f"      {note}" for note in f.notes]
    return lines


def render(findings: list[Finding], baseline: str, current: str, verdict: Verdict) -> str:
    lines = [f"api-diff: the spec and the Python API against the baseline {baseline} (openapi/baseline/)"]
    counts = {}
    for kind in (Kind.BREAKING, Kind.ADDITIVE, Kind.NEITHER):
        group = [f for f in findings if f.kind is kind]
        counts[kind] = len(group)
        if group:
            lines += ["", f"{kind.label.upper()} ({len(group)})"]
            for f in group:
                lines += _item(f)
    summary = ", ".join(f"{n} {k.label}" for k, n in counts.items())
    lines += ["", f"summary: {summary}; version {current}, baseline {baseline}"]
    if verdict.ok:
        versioned = (
            " (versioned: version bumped, each item in the CHANGELOG)" if counts[Kind.BREAKING] else ""
        )
        lines.append(f"api-diff: OK{versioned}")
    else:
        lines.append("api-diff: FAILED: a breaking change is not versioned:")
        lines += [f"  - {p}" for p in verdict.problems]
        lines.append("  (docs/api-diff.md: the semver policy and how to write the CHANGELOG entry)")
    return "\n".join(lines) + "\n"
