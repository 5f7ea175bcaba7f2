"""The schema rules, direction-aware: what a request may send, what a response may hold.

A request schema may widen (the client may send more); a response schema may not change type
at all (the generated attribute's type would), may gain fields and enum values (unknown values
parse), and may not lose a guarantee (a field always present, never null).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apidiff.findings import Finding, Kind
from apidiff.shapes import MAX_LIMITS, MIN_LIMITS, Ref, Shape, flatten, signature
from apidiff.spec_load import Json, resolve

REQUEST = "request"
RESPONSE = "response"
B, A, N = Kind.BREAKING, Kind.ADDITIVE, Kind.NEITHER


@dataclass
class Walk:
    """Both specs, the findings so far, and the (old, new, direction) node pairs already compared."""

    old: dict[str, Json]
    new: dict[str, Json]
    findings: list[Finding] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    visited: set[str] = field(default_factory=set)  # every schema pointer compared or merged

    def add(self, kind: Kind, pointer: str, rule: str, message: str, direction: str) -> None:
        self.findings.append(Finding(kind, message, pointer, rule=rule, directions=frozenset({direction})))


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Every value of a type in ``narrow`` is of a type in ``wide`` (empty: any type)."""
    if not wide:
        return True
    if not narrow:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _types(w: Walk, o: Shape, n: Shape, d: str) -> bool:
    """Type, format and nullability; True when a free-form object became a typed one."""
    narrowed = o.free_form and not n.free_form and bool(n.properties or isinstance(n.additional, tuple))
    if narrowed:
        w.add(B, n.pointer, "free-form-narrowed", "a free-form object narrowed to a typed one", d)
    elif n.free_form and not o.free_form and (o.properties or isinstance(o.additional, tuple)):
        kind = A if d == REQUEST else B
        w.add(kind, n.pointer, "typed-widened", "a typed object widened to a free-form one", d)
    if o.types != n.types:
        names = f"{'/'.join(sorted(o.types)) or 'any'} → {'/'.join(sorted(n.types)) or 'any'}"
        if _covers(n.types, o.types):
            kind, how = (A if d == REQUEST else B), "widened"
        else:
            kind, how = B, "narrowed" if _covers(o.types, n.types) else "changed"
        w.add(kind, n.pointer, f"type:{names}", f"type {how} ({names})", d)
    if o.format != n.format:
        kind = A if d == REQUEST and n.format is None else B
        w.add(
            kind, n.pointer, f"format:{o.format}>{n.format}", f"format changed ({o.format} → {n.format})", d
        )
    if o.nullable != n.nullable:
        if n.nullable:
            kind, text = (A, "may now be null") if d == REQUEST else (B, "may now be null")
        else:
            kind, text = (B, "no longer accepts null") if d == REQUEST else (A, "is never null now")
        w.add(kind, n.pointer, f"nullable:{n.nullable}", text, d)
    return narrowed


def _enum(w: Walk, o: Shape, n: Shape, d: str) -> None:
    if o.enum is None and n.enum is not None:
        w.add(B, n.pointer, "enum-added", "now restricted to an enum (narrowed)", d)
        return
    if o.enum is not None and n.enum is None:
        kind = A if d == REQUEST else B
        w.add(kind, n.pointer, "enum-dropped", "no longer an enum", d)
        return
    if o.enum is None or n.enum is None:
        return
    for value in [v for v in o.enum if v not in n.enum]:
        what = "a request may no longer send it" if d == REQUEST else "its generated member goes"
        w.add(B, n.pointer + "/enum", f"enum-removed:{value}", f"enum value {value!r} removed ({what})", d)
    for value in [v for v in n.enum if v not in o.enum]:
        w.add(A, n.pointer + "/enum", f"enum-new:{value}", f"new enum value {value!r}", d)


def _properties(w: Walk, o: Shape, n: Shape, d: str) -> None:
    for name, (_, pointer) in o.properties.items():
        if name not in n.properties:
            w.add(B, pointer, "field-removed", f"field {name!r} removed (or renamed)", d)
    for name, (_, pointer) in n.properties.items():
        if name in o.properties:
            continue
        if d == RESPONSE:
            w.add(A, pointer, "field-new", f"new response field {name!r}", d)
        elif name in n.required:
            w.add(B, pointer, "field-new-required", f"new required request field {name!r}", d)
        else:
            w.add(A, pointer, "field-new", f"new optional request field {name!r}", d)
    for name, (old_node, old_pointer) in o.properties.items():
        if name not in n.properties:
            continue
        new_node, pointer = n.properties[name]
        was, now = name in o.required, name in n.required
        if now and not was:
            kind, text = (B, "is now required") if d == REQUEST else (A, "is now always present")
            w.add(kind, pointer, "required:True", f"field {name!r} {text}", d)
        elif was and not now:
            kind, text = (A, "is no longer required") if d == REQUEST else (B, "may now be missing")
            w.add(kind, pointer, "required:False", f"field {name!r} {text}", d)
        compare(w, (old_node, old_pointer), (new_node, pointer), d)


def _additional(w: Walk, o: Shape, n: Shape, d: str) -> None:
    if isinstance(o.additional, tuple) and isinstance(n.additional, tuple):
        compare(w, o.additional, n.additional, d)
    elif (o.additional is False) != (n.additional is False):
        kind = (B if n.additional is False else A) if d == REQUEST else N
        text = "extra fields no longer allowed" if n.additional is False else "extra fields allowed"
        w.add(kind, n.pointer, f"extra:{n.additional is not False}", text, d)


def _variants(w: Walk, o: Shape, n: Shape, d: str) -> None:
    old = {signature(node): (node, p) for node, p in o.variants}
    new = {signature(node): (node, p) for node, p in n.variants}
    for sig in old.keys() - new.keys():
        w.add(B, old[sig][1], f"branch-removed:{sig}", "a union branch removed (narrowed)", d)
    for sig in new.keys() - old.keys():
        kind = A if d == REQUEST else B
        w.add(kind, new[sig][1], f"branch-new:{sig}", "a new union branch", d)
    for sig in old.keys() & new.keys():
        compare(w, old[sig], new[sig], d)


def _limits(w: Walk, o: Shape, n: Shape, d: str) -> None:
    for key in sorted(o.limits.keys() | n.limits.keys()):
        before, after = o.limits.get(key), n.limits.get(key)
        if before == after:
            continue
        if after is None:
            narrowed = False
        elif key in MAX_LIMITS:
            narrowed = before is None or after < before
        elif key in MIN_LIMITS:
            narrowed = before is None or after > before
        else:
            narrowed = True
        kind = (B if narrowed else A) if d == REQUEST else N
        w.add(kind, n.pointer, f"limit:{key}", f"{key} {before!r} → {after!r}", d)


def _notes(w: Walk, o: Shape, n: Shape, d: str) -> None:
    for key in sorted(o.notes.keys() | n.notes.keys()):
        if o.notes.get(key) != n.notes.get(key):
            w.add(N, n.pointer, f"note:{key}", f"{key} changed", d)


def compare(w: Walk, old: Ref, new: Ref, d: str) -> None:
    """Compare the schema ``old`` (a node and its pointer in the old spec) with ``new``, as seen
    in direction ``d``, and record each change in ``w``.

    When a ``$ref`` now names another node, the changes are reported where the ``$ref`` is
    written, and that other node's annotations are not compared (they were not changed).
    """
    key = (resolve(w.old, *old)[1], resolve(w.new, *new)[1], d)
    if key in w.seen:
        return
    w.seen.add(key)
    o, n = flatten(w.old, *old), flatten(w.new, *new)
    w.visited.update([o.pointer, n.pointer, *o.parts, *n.parts])
    if o.pointer == n.pointer:
        _notes(w, o, n, d)
    else:
        n.pointer = new[1]
    narrowed = _types(w, o, n, d)
    _enum(w, o, n, d)
    if narrowed:  # its every field is new: the narrowing is the change
        return
    _properties(w, o, n, d)
    _additional(w, o, n, d)
    _variants(w, o, n, d)
    _limits(w, o, n, d)
    if o.items is not None and n.items is not None:
        compare(w, o.items, n.items, d)
