"""Valid response payloads drawn from a schema, the mutations a newer server may send, and the
two comparisons the forward-compatibility oracle makes.

``Builder.build`` draws (through hypothesis) a payload valid for a ``Node``; given a site's
steps it makes sure the payload reaches the site (the optional fields on the way present, an
array on the way non-empty, a union on the way taking the site's branch) and records every
concrete location of the site (``targets``), and every ``date-time`` string it wrote
(``datetimes``). ``mutate`` sends an unknown value or an unknown field at some of the targets.

``mismatches`` compares a re-serialized payload with the one sent, strictly (``1`` is not
``1.0``, ``True`` is not ``1``), except at date-time locations: the models keep a
``datetime`` and write it back with ``isoformat()``, so Voucherify's spelling
``2022-09-09T07:44:41.594Z`` returns as ``2022-09-09T07:44:41.594000+00:00``, the same instant.
There the re-serialized string must be exactly ``fromisoformat(sent).isoformat()`` (which is the
sent string itself when it was drawn in that spelling). ``shape`` is the tree of Python types a
payload parsed into, for "the union branch chosen is unchanged".
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st
from openapi_python_client.strings import PythonIdentifier

from tests.spec.fwdcompat_schema import Node, Site, Step

Loc = tuple[str | int, ...]
SMALL_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(-1e9, 1e9) | SMALL_TEXT
FREE_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(SMALL_TEXT, inner, max_size=2),
    max_leaves=4,
)
OFFSETS = st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=5, minutes=30))])
INSTANTS = st.datetimes(datetime.datetime(2000, 1, 1), datetime.datetime(2100, 1, 1), timezones=OFFSETS)
MAX_ARRAY = 3


def voucherify_spelling(instant: datetime.datetime) -> str:
    """How Voucherify writes an instant: UTC, milliseconds, ``Z``."""
    utc = instant.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class Builder:
    """``draw``: a ``st.composite`` function's draw (far cheaper per call than ``st.data()``'s)."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw
        self.targets: list[Loc] = []
        self.datetimes: set[Loc] = set()

    def build(self, node: Node, loc: Loc = (), steps: tuple[Step, ...] | None = None) -> Any:
        """A value for ``node`` at ``loc``; with ``steps``, one that reaches the site at the end."""
        if steps == ():
            self.targets.append(loc)
        on_path = steps is not None
        if node.nullable and not on_path and self.draw(st.booleans()):
            return None
        if node.kind == "union":
            if steps:
                kind, index = steps[0]
                assert kind == "branch", (node.pointer, steps)
                return self.build(node.branches[int(index)], loc, steps[1:])
            return self.build(self.draw(st.sampled_from(node.branches)), loc)
        if node.kind == "object":
            return self._object(node, loc, steps)
        if node.kind == "array":
            return self._array(node, loc, steps)
        if node.kind == "enum":
            return self.draw(st.sampled_from(node.enum))
        if node.kind == "any":
            return self.draw(FREE_JSON)
        return self._scalar(node, loc)

    def _object(self, node: Node, loc: Loc, steps: tuple[Step, ...] | None) -> dict[str, Any]:
        step = steps[0] if steps else None
        rest = steps[1:] if steps else None
        out: dict[str, Any] = {}
        for name, child in node.properties:
            if step == ("prop", name):
                out[name] = self.build(child, (*loc, name), rest)
            elif name in node.required or self.draw(st.booleans()):
                out[name] = self.build(child, (*loc, name))
        if isinstance(node.extra, Node) or node.extra is True:
            forced = step == ("extra",)
            count = self.draw(st.integers(1 if forced else 0, 2))
            chosen = self._chosen(count) if forced else set()
            for i in range(count):
                key = self.draw(new_key(node, out))
                if isinstance(node.extra, Node):
                    out[key] = self.build(node.extra, (*loc, key), rest if i in chosen else None)
                else:
                    out[key] = self.draw(FREE_JSON)
        return out

    def _array(self, node: Node, loc: Loc, steps: tuple[Step, ...] | None) -> list[Any]:
        assert node.items is not None
        forced = bool(steps)
        low = max(node.min_items, 1 if forced else 0)
        high = min(node.max_items if node.max_items is not None else MAX_ARRAY, max(low, MAX_ARRAY))
        count = self.draw(st.integers(low, high))
        chosen = self._chosen(count) if forced else set()
        rest = steps[1:] if steps else None
        return [self.build(node.items, (*loc, i), rest if i in chosen else None) for i in range(count)]

    def _chosen(self, count: int) -> set[int]:
        """Which of ``count`` elements carry the site (at least one)."""
        indices = st.lists(st.integers(0, count - 1), min_size=1, max_size=count, unique=True)
        return set(self.draw(indices))

    def _scalar(self, node: Node, loc: Loc) -> Any:
        if not node.types:  # {type: "null"}
            return None
        kind = self.draw(st.sampled_from(node.types))
        if kind == "string":
            if node.format == "date-time":
                self.datetimes.add(loc)
                instant = self.draw(INSTANTS)
                return self.draw(st.sampled_from([instant.isoformat(), voucherify_spelling(instant)]))
            if node.format == "date":
                return self.draw(st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1))).isoformat()
            if node.format is not None:
                raise AssertionError(f"{node.pointer}: no builder for format {node.format!r}")
            if node.pattern is not None:
                return self.draw(st.from_regex(node.pattern, fullmatch=True))
            return self.draw(SMALL_TEXT)
        if kind == "integer":
            low = node.minimum if node.minimum is not None else -(2**40)
            return self.draw(st.integers(low, node.maximum if node.maximum is not None else 2**40))
        if kind == "number":
            return self.draw(st.integers(-(2**40), 2**40) | st.floats(-1e9, 1e9))
        if kind == "boolean":
            return self.draw(st.booleans())
        raise AssertionError(f"{node.pointer}: no builder for type {kind!r}")


def new_key(node: Node, existing: dict[str, Any]) -> st.SearchStrategy[str]:
    """A field name the object does not declare and does not hold yet."""
    declared = {name for name, _ in node.properties} | set(existing)
    keys = st.from_regex(node.key_pattern, fullmatch=True) if node.key_pattern else SMALL_TEXT
    return keys.filter(lambda key: key not in declared)


def unknown_value(node: Node) -> st.SearchStrategy[Any]:
    """A value of the enum's type that the spec does not list (near misses of known values too)."""
    if all(isinstance(v, str) for v in node.enum):
        near = [
            f(v) for v in node.enum for f in (str.lower, str.upper, lambda s: s + "_V2", lambda s: s[:-1])
        ]
        values: st.SearchStrategy[Any] = st.sampled_from(near) | st.text(max_size=12)
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in node.enum):
        values = st.integers(-1000, 1000)
    else:
        raise AssertionError(f"{node.pointer}: no unknown value for enum {node.enum!r}")
    return values.filter(lambda v: v not in node.enum)


def mutate(builder: Builder, site: Site, payload: Any) -> tuple[Any, list[tuple[Loc, Any]]]:
    """``payload`` with an unknown value (enum site) or an unknown field (object site) at a
    nonempty subset of the site's targets; also what was put where: (location, value) for an
    enum, (location + (key,), value) for a field."""
    mutated = copy.deepcopy(payload)
    picks = builder.draw(st.lists(st.sampled_from(builder.targets), min_size=1, unique=True))
    changes: list[tuple[Loc, Any]] = []
    for loc in picks:
        if site.kind == "enum":
            value = builder.draw(unknown_value(site.node))
            mutated = put(mutated, loc, value)
            changes.append((loc, value))
        else:
            obj = get(mutated, loc)
            key = builder.draw(new_key(site.node, obj))
            extra = site.node.extra
            obj[key] = (
                builder.build(extra, (*loc, key)) if isinstance(extra, Node) else builder.draw(FREE_JSON)
            )
            changes.append(((*loc, key), obj[key]))
    return mutated, changes


def get(value: Any, loc: Loc) -> Any:
    for part in loc:
        value = value[part]
    return value


def put(value: Any, loc: Loc, new: Any) -> Any:
    if not loc:
        return new
    get(value, loc[:-1])[loc[-1]] = new
    return value


def mismatches(sent: Any, back: Any, datetimes: set[Loc], loc: Loc = ()) -> list[str]:
    """Where ``back`` (a re-serialized payload) differs from ``sent``; empty when equal."""
    if loc in datetimes and isinstance(sent, str):
        expected = datetime.datetime.fromisoformat(sent).isoformat()
        return [] if back == expected else [f"{loc}: {sent!r} came back as {back!r}, not {expected!r}"]
    if isinstance(sent, dict) and isinstance(back, dict):
        if set(sent) != set(back):
            return [f"{loc}: keys {sorted(set(sent) ^ set(back))} not in both"]
        return [m for k in sent for m in mismatches(sent[k], back[k], datetimes, (*loc, k))]
    if isinstance(sent, list) and isinstance(back, list):
        if len(sent) != len(back):
            return [f"{loc}: {len(sent)} items came back as {len(back)}"]
        return [
            m
            for i, (s, b) in enumerate(zip(sent, back, strict=True))
            for m in mismatches(s, b, datetimes, (*loc, i))
        ]
    if type(sent) is not type(back) or sent != back:
        return [f"{loc}: {sent!r} came back as {back!r}"]
    return []


def shape(parsed: Any, payload: Any) -> Any:
    """The Python types ``payload`` parsed into, aligned with the payload's own keys."""
    if attrs.has(type(parsed)):
        fields = attrs.fields_dict(type(parsed))
        extra = getattr(parsed, "additional_properties", {})
        out = {}
        for key, value in payload.items():
            if key in extra:
                out[key] = shape(extra[key], value)
            else:
                name = PythonIdentifier(key, "field_")
                assert name in fields, f"{type(parsed).__name__} has no attribute for {key!r}"
                out[key] = shape(getattr(parsed, name), value)
        return ("model", type(parsed).__qualname__, out)
    if isinstance(parsed, list) and isinstance(payload, list):
        return ("list", [shape(p, v) for p, v in zip(parsed, payload, strict=True)])
    if isinstance(parsed, dict) and isinstance(payload, dict):
        return ("dict", {k: shape(parsed[k], v) for k, v in payload.items()})
    return ("value", type(parsed).__qualname__)


def without(tree: Any, loc: Loc) -> Any:
    """``tree`` (a ``shape``) without the entry at ``loc`` (an added field)."""
    tree = copy.deepcopy(tree)
    node = tree
    for part in loc[:-1]:
        node = node[-1][part]
    del node[-1][loc[-1]]
    return tree
