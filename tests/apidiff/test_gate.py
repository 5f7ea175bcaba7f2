"""The gate: a breaking change passes only with the version bumped per the semver policy (0.x:
the minor; from 1.0: the major) and each breaking item named under ``## Unreleased``."""

from __future__ import annotations

from apidiff.findings import Finding, Kind
from apidiff.gate import judge, unreleased
from hypothesis import given, settings
from hypothesis import strategies as st

VERSIONS = st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 5))
ITEMS = st.lists(
    st.tuples(
        st.from_regex(r"\A#/components/schemas/[A-Z][a-z]{1,6}/properties/[a-z_]{1,8}\Z"), st.booleans()
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
)
gate = settings(max_examples=60, deadline=None)


def _text(v: tuple[int, int, int]) -> str:
    return ".".join(map(str, v))


def _bumped(base: tuple[int, int, int], now: tuple[int, int, int]) -> bool:
    """The policy, written out: before 1.0 a breaking change needs a higher minor (or 1.0 and
    up), from 1.0 a higher major."""
    if base[0] == 0:
        return now[0] > 0 or now[1] > base[1]
    return now[0] > base[0]


def _finding(pointer: str) -> Finding:
    # the Python path names the property too: two drawn items of one schema must not share a
    # path (naming one would then name the other, which the gate rightly accepts)
    parts = pointer.split("/")
    path = f"voucherify_client.models.{parts[3]}.{parts[-1]}"
    return Finding(Kind.BREAKING, "field removed", pointer, python_path=path)


def _changelog(unreleased_names: list[str], released_names: list[str]) -> str:
    lines = ["# Changelog", "", "Policy text naming `not-an-item`.", "", "## Unreleased", ""]
    lines += [f"- **Breaking:** `{n}` removed." for n in unreleased_names]
    lines += ["", "## Versioning policy", "", "## 0.1.0", ""]
    lines += [f"- `{n}` (an older release)" for n in released_names]
    return "\n".join(lines) + "\n"


@gate
@given(VERSIONS, VERSIONS)
def test_the_version_must_be_bumped_per_the_policy(
    base: tuple[int, int, int], now: tuple[int, int, int]
) -> None:
    item = _finding("#/components/schemas/Order/properties/total")
    verdict = judge([item], _text(base), _text(now), _changelog([item.pointer or ""], []))
    assert verdict.ok is _bumped(base, now), verdict
    if not verdict.ok:
        want = f"{base[0] + 1}.0.0" if base[0] else f"0.{base[1] + 1}.0"
        assert verdict.problems == (verdict.problems[0],) and want in verdict.problems[0]


@gate
@given(ITEMS, st.data())
def test_each_breaking_item_must_be_named_under_unreleased(
    items: list[tuple[str, bool]], data: st.DataObject
) -> None:
    findings = [_finding(p) for p, _ in items]
    named = [f for f, (_, listed) in zip(findings, items, strict=True) if listed]
    by = [data.draw(st.sampled_from(f.names)) for f in named]  # the pointer or the Python path
    elsewhere = [f.pointer or "" for f in findings if f not in named]  # named, but not under Unreleased
    verdict = judge(findings, "0.1.0", "0.2.0", _changelog(by, elsewhere))
    missing = [f for f in findings if f not in named]
    assert verdict.ok is (not missing)
    assert len(verdict.problems) == len(missing)
    for f, problem in zip(missing, verdict.problems, strict=True):
        assert f"`{f.pointer}`" in problem and f"`{f.python_path}`" in problem


def test_no_breaking_change_needs_nothing() -> None:
    additive = Finding(Kind.ADDITIVE, "new field", "#/components/schemas/A/properties/b")
    assert judge([], "0.1.0", "0.1.0", "# Changelog\n").ok
    assert judge([f for f in [additive] if f.kind is Kind.BREAKING], "0.1.0", "0.1.0", "").ok


def test_the_unreleased_section_ends_at_the_next_heading() -> None:
    text = "## Unreleased\n\n- `a`\n\n## [Unreleased]\n\n- `b`\n"
    assert "`a`" in unreleased(text) and "`b`" not in unreleased(text)
