"""One change found by the spec classifier or by griffe, and how findings are merged."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace


class Kind(enum.IntEnum):
    """What a change means for users; a larger value is worse."""

    NEITHER = 0
    ADDITIVE = 1
    BREAKING = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """A change: its kind, where it is (JSON pointer and/or Python path) and a one-line message.

    ``affects`` are further Python paths the same change reaches (the classes that merge the
    changed schema through ``allOf``); griffe's findings at those paths are folded into this one.
    """

    kind: Kind
    message: str
    pointer: str | None = None
    python_path: str | None = None
    rule: str = ""
    directions: frozenset[str] = frozenset()
    affects: frozenset[str] = frozenset()
    notes: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        """The names a CHANGELOG entry may use for this change."""
        return tuple(n for n in (self.pointer, self.python_path) if n)


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (pointer or path, rule): the same change seen from several operations or
    directions is reported once, with the worst kind and every direction."""
    merged: dict[tuple[str, str], Finding] = {}
    for f in findings:
        key = (f.pointer or f.python_path or "", f.rule or f.message)
        old = merged.get(key)
        if old is None:
            merged[key] = f
            continue
        worst = f if f.kind > old.kind else old
        merged[key] = replace(
            worst,
            directions=old.directions | f.directions,
            affects=old.affects | f.affects,
            python_path=old.python_path or f.python_path,
        )
    return sorted(merged.values(), key=lambda f: (-f.kind, f.pointer or "", f.python_path or "", f.message))


def fold_python(spec: list[Finding], python: list[Finding]) -> list[Finding]:
    """Griffe's findings at a Python path a spec finding already names or reaches become notes of
    that spec finding; the others stay findings of their own."""
    owner: dict[str, int] = {}
    for i, f in enumerate(spec):
        for path in {f.python_path, *f.affects} - {None}:
            owner.setdefault(str(path), i)
    out = list(spec)
    rest: list[Finding] = []
    for p in python:
        at = owner.get(p.python_path or "")
        if at is None:
            rest.append(p)
        else:
            out[at] = replace(out[at], notes=(*out[at].notes, f"griffe: {p.python_path}: {p.message}"))
    return merge([*out, *rest])
