"""A schema reduced to what a user of the generated client can observe.

``allOf`` is merged (as the generator merges it), a ``oneOf``/``anyOf`` branch of type ``null``
becomes ``nullable``, a union with one other branch is that branch; each property keeps the
pointer of the place it is written, so a change is reported where it was made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from apidiff.spec_load import Json, child, resolve

#: keywords that do not change what is sent or read: a change to one is "neither"
ANNOTATIONS = frozenset(
    {"description", "title", "summary", "example", "examples", "deprecated", "default", "externalDocs"}
)
#: limits on what may be sent; ``MAX`` ones narrow when lowered, ``MIN`` ones when raised
MAX_LIMITS = frozenset({"maxItems", "maxLength", "maximum", "maxProperties", "exclusiveMaximum"})
MIN_LIMITS = frozenset({"minItems", "minLength", "minimum", "minProperties", "exclusiveMinimum"})
OTHER_LIMITS = frozenset({"pattern", "multipleOf", "uniqueItems", "propertyNames"})
LIMITS = MAX_LIMITS | MIN_LIMITS | OTHER_LIMITS

Ref = tuple[Json, str]  # a node and its pointer


@dataclass
class Shape:
    pointer: str
    types: frozenset[str] = frozenset()  # JSON types but "null"; empty: any
    nullable: bool = False
    format: str | None = None
    enum: tuple[Json, ...] | None = None  # without null
    properties: dict[str, Ref] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: bool | Ref | None = None  # None: not said
    items: Ref | None = None
    variants: list[Ref] = field(default_factory=list)  # the non-null branches of a real union
    limits: dict[str, Json] = field(default_factory=dict)
    notes: dict[str, Json] = field(default_factory=dict)  # this node's own annotations
    parts: list[str] = field(default_factory=list)  # pointers of the nodes merged into this one

    @property
    def free_form(self) -> bool:
        """An object that takes any keys and says nothing of them (``dict[str, Any]``)."""
        return (
            self.types <= {"object"}
            and not self.properties
            and not self.variants
            and self.items is None
            and self.enum is None
            and self.additional in (None, True)
            and ("object" in self.types)
        )


def _merge(into: Shape, part: Shape) -> None:
    into.parts += [part.pointer, *part.parts]
    for name, ref in part.properties.items():
        into.properties.setdefault(name, ref)
    into.required |= part.required
    if part.types:
        into.types = into.types & part.types if into.types else part.types
    into.format = into.format or part.format
    if into.enum is None:
        into.enum = part.enum
    if into.additional is None:
        into.additional = part.additional
    into.items = into.items or part.items
    into.variants = into.variants or part.variants
    for key, value in part.limits.items():
        into.limits.setdefault(key, value)


def _own(node: dict[str, Any], pointer: str) -> Shape:
    shape = Shape(pointer=pointer)
    declared = node.get("type")
    types = {declared} if isinstance(declared, str) else set(declared or ())
    shape.nullable = "null" in types or node.get("nullable") is True
    types.discard("null")
    if "enum" in node:
        shape.nullable = shape.nullable or None in node["enum"]
        shape.enum = tuple(v for v in node["enum"] if v is not None)
    if "const" in node:
        shape.enum = (node["const"],)
    shape.properties = {
        name: (sub, child(pointer, "properties", name))
        for name, sub in (node.get("properties") or {}).items()
    }
    shape.required = frozenset(node.get("required") or ())
    extra = node.get("additionalProperties")
    if isinstance(extra, bool):
        shape.additional = extra
    elif isinstance(extra, dict):
        shape.additional = (extra, child(pointer, "additionalProperties"))
    if "items" in node:
        shape.items = (node["items"], child(pointer, "items"))
    if not types and (shape.properties or "additionalProperties" in node):
        types = {"object"}
    if not types and shape.items is not None:
        types = {"array"}
    shape.types = frozenset(types)
    shape.format = node.get("format")
    shape.limits = {k: node[k] for k in LIMITS if k in node}
    shape.notes = {k: v for k, v in node.items() if k in ANNOTATIONS or k.startswith("x-")}
    return shape


def _is_null(shape: Shape) -> bool:
    return shape.nullable and not shape.types and shape.enum is None and not shape.properties


def flatten(spec: dict[str, Json], node: Json, pointer: str) -> Shape:
    """The shape of ``node`` (found at ``pointer``), its ``$ref`` followed."""
    node, pointer = resolve(spec, node, pointer)
    if not isinstance(node, dict):
        return Shape(pointer=pointer)
    shape = _own(node, pointer)
    for i, member in enumerate(node.get("allOf") or ()):
        _merge(shape, flatten(spec, member, child(pointer, "allOf", i)))
    for keyword in ("oneOf", "anyOf"):
        branches = [(b, child(pointer, keyword, i)) for i, b in enumerate(node.get(keyword) or ())]
        if not branches:
            continue
        real = [(b, p) for b, p in branches if not _is_null(flatten(spec, b, p))]
        shape.nullable = shape.nullable or len(real) < len(branches)
        if len(real) == 1:
            _merge(shape, flatten(spec, *real[0]))
        else:
            shape.variants = shape.variants + real
    return shape


def signature(node: Json) -> str:
    """A union branch's identity: the component it names, or its own text without annotations."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return "ref " + str(node["$ref"])
    return json.dumps(_strip(node), sort_keys=True)


def _strip(node: Json, names: bool = False) -> Json:
    """``node`` without annotations; ``names``: ``node`` maps property names (kept, whatever they are)."""
    if isinstance(node, dict):
        return {
            k: _strip(v, k == "properties" and not names)
            for k, v in node.items()
            if names or (k not in ANNOTATIONS and not k.startswith("x-"))
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node
