"""The spec's response bodies, as the forward-compatibility test walks them.

``response_bodies`` lists every JSON body of every response of every operation (error
responses included, ``$ref``-ed responses resolved). ``Schemas.node`` turns a schema into a
``Node`` (``$ref`` followed, ``allOf`` merged) and ``sites`` walks a body's schema to every
place where a newer server can send something this spec does not know: an enum (an unknown
value) and an object (an unknown field). A schema keyword the walker does not understand is an
error, never skipped, and ``crawl`` finds the enums and objects a second way (any dict with an
``enum`` key, or an object's keywords, following every ``$ref``, knowing nothing else of JSON
Schema) so the test can prove the walk missed none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

#: keywords that say nothing about which values are valid
ANNOTATIONS = frozenset({"title", "description", "examples", "deprecated", "default", "x-secret"})
#: keywords the walker and the payload builder understand
STRUCTURAL = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "format",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "items",
        "minItems",
        "maxItems",
        "allOf",
        "oneOf",
        "anyOf",
    }
)
JSON_BODY = "application/json"

Step = tuple[str, ...] | tuple[str, int]  # ("prop", name) | ("item",) | ("extra",) | ("branch", i)


class UnsupportedSchema(Exception):
    """A schema the walker cannot follow; the test fails rather than skip what it holds."""


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Body:
    """One response body: the operation, its status key ("200", "404", "5XX") and its schema."""

    op_id: str
    method: str
    path: str
    status: str
    pointer: str
    schema: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Node:
    """A schema with ``$ref`` followed and ``allOf`` merged. ``kind``: object, array, union,
    enum, scalar or any (free-form JSON). ``pointer``: where the schema is defined (for a
    merged object, its parts' pointers joined by ``+``)."""

    kind: str
    pointer: str
    nullable: bool = False
    types: tuple[str, ...] = ()
    enum: tuple[Any, ...] = ()
    format: str | None = None
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_items: int = 0
    max_items: int | None = None
    properties: tuple[tuple[str, Node], ...] = ()
    required: frozenset[str] = frozenset()
    #: None: not declared (open), True: free-form, False: closed, or the values' Node
    extra: Node | bool | None = None
    key_pattern: str | None = None
    items: Node | None = None
    branches: tuple[Node, ...] = ()


def response_bodies(spec: dict[str, Any]) -> list[Body]:
    bodies = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, response in op["responses"].items():
                ptr = "#/paths/" + "/".join(escape(p) for p in (path, method, "responses", status))
                if "$ref" in response:
                    ptr = response["$ref"]
                    response = lookup(spec, ptr)
                content = response.get("content", {})
                unknown = set(content) - {JSON_BODY}
                if unknown:
                    raise UnsupportedSchema(f"{ptr}: media types {sorted(unknown)}")
                if JSON_BODY in content:
                    schema = content[JSON_BODY]["schema"]
                    schema_ptr = f"{ptr}/content/{escape(JSON_BODY)}/schema"
                    bodies.append(Body(op["operationId"], method, path, status, schema_ptr, schema))
    return bodies


def lookup(spec: dict[str, Any], ptr: str) -> Any:
    value: Any = spec
    for part in ptr.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


class Schemas:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._cache: dict[str, Node] = {}

    def node(self, schema: dict[str, Any], ptr: str) -> Node:
        while "$ref" in schema:
            if set(schema) - ANNOTATIONS - {"$ref"}:
                raise UnsupportedSchema(f"{ptr}: keywords beside $ref")
            ptr = schema["$ref"]
            schema = lookup(self.spec, ptr)
        if ptr not in self._cache:
            self._cache[ptr] = self._build(schema, ptr)
        return self._cache[ptr]

    def _build(self, schema: dict[str, Any], ptr: str) -> Node:
        unknown = set(schema) - STRUCTURAL - ANNOTATIONS
        if unknown:
            raise UnsupportedSchema(f"{ptr}: keywords {sorted(unknown)}")
        if "allOf" in schema:
            rest = {k: v for k, v in schema.items() if k != "allOf" and k not in ANNOTATIONS}
            parts = [self.node(s, f"{ptr}/allOf/{i}") for i, s in enumerate(schema["allOf"])]
            if rest:
                parts.append(self._build(rest, ptr))
            return merge_objects(parts, ptr)
        for union in ("oneOf", "anyOf"):
            if union in schema:
                if set(schema) - ANNOTATIONS - {union}:
                    raise UnsupportedSchema(f"{ptr}: keywords beside {union}")
                branches = tuple(self.node(s, f"{ptr}/{union}/{i}") for i, s in enumerate(schema[union]))
                return Node("union", ptr, branches=branches)
        declared = schema.get("type", [])
        types = tuple([declared] if isinstance(declared, str) else declared)
        nullable = "null" in types
        solid = tuple(t for t in types if t != "null")
        if "enum" in schema or "const" in schema:
            values = tuple(schema["enum"]) if "enum" in schema else (schema["const"],)
            return Node("enum", ptr, nullable=nullable, types=solid, enum=values)
        if "object" in solid or {"properties", "additionalProperties"} & set(schema):
            if set(solid) - {"object"}:
                raise UnsupportedSchema(f"{ptr}: an object that may also be {solid}")
            return self._object(schema, ptr, nullable)
        if "array" in solid:
            if set(solid) - {"array"}:
                raise UnsupportedSchema(f"{ptr}: an array that may also be {solid}")
            items = self.node(schema.get("items", {}), f"{ptr}/items")
            return Node(
                "array",
                ptr,
                nullable=nullable,
                items=items,
                min_items=schema.get("minItems", 0),
                max_items=schema.get("maxItems"),
            )
        if not types:
            return Node("any", ptr)
        return Node(
            "scalar",
            ptr,
            nullable=nullable,
            types=solid,
            format=schema.get("format"),
            pattern=schema.get("pattern"),
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
        )

    def _object(self, schema: dict[str, Any], ptr: str, nullable: bool) -> Node:
        props = tuple(
            (name, self.node(s, f"{ptr}/properties/{escape(name)}"))
            for name, s in schema.get("properties", {}).items()
        )
        extra: Node | bool | None = None
        if "additionalProperties" in schema:
            declared = schema["additionalProperties"]
            is_schema = isinstance(declared, dict) and declared != {}
            extra = self.node(declared, f"{ptr}/additionalProperties") if is_schema else bool(declared)
        names = schema.get("propertyNames", {})
        if set(names) - {"pattern"}:
            raise UnsupportedSchema(f"{ptr}: propertyNames {sorted(names)}")
        return Node(
            "object",
            ptr,
            nullable=nullable,
            properties=props,
            required=frozenset(schema.get("required", [])),
            extra=extra,
            key_pattern=names.get("pattern"),
        )


def merge_objects(parts: list[Node], ptr: str) -> Node:
    """``allOf`` of objects, as the generator reads it: one object with every part's properties."""
    if any(p.kind != "object" for p in parts):
        raise UnsupportedSchema(f"{ptr}: allOf of {[p.kind for p in parts]}")
    props: dict[str, Node] = {}
    for part in parts:
        for name, node in part.properties:
            if props.setdefault(name, node) != node:
                raise UnsupportedSchema(f"{ptr}: allOf parts disagree on {name!r}")
    extras = {p.extra for p in parts if p.extra is not None}
    if len(extras) > 1:
        raise UnsupportedSchema(f"{ptr}: allOf parts disagree on additionalProperties")
    patterns = {p.key_pattern for p in parts if p.key_pattern is not None}
    if len(patterns) > 1:
        raise UnsupportedSchema(f"{ptr}: allOf parts disagree on propertyNames")
    return Node(
        "object",
        "+".join(p.pointer for p in parts),
        nullable=all(p.nullable for p in parts),
        properties=tuple(props.items()),
        required=frozenset().union(*(p.required for p in parts)),
        extra=extras.pop() if extras else None,
        key_pattern=patterns.pop() if patterns else None,
    )


@dataclass(frozen=True)
class Site:
    """A place in a response body: ``kind`` "enum" (send an unknown value) or "object" (send an
    unknown field), reached from the body's root by ``steps``."""

    body: Body
    kind: str
    steps: tuple[Step, ...]
    node: Node = field(compare=False, repr=False)

    @property
    def where(self) -> str:
        out = ""
        for step in self.steps:
            out += {"prop": f".{step[-1]}", "item": "[]", "extra": "{*}", "branch": f"|{step[-1]}"}[
                str(step[0])
            ]
        return out or "."

    @property
    def id(self) -> str:
        return f"{self.body.op_id} {self.body.status} {self.kind} {self.where}"


def sites(schemas: Schemas, body: Body) -> Iterator[Site]:
    yield from _walk(schemas.node(body.schema, body.pointer), (), body)


def _walk(node: Node, steps: tuple[Step, ...], body: Body) -> Iterator[Site]:
    if node.kind == "enum":
        yield Site(body, "enum", steps, node)
    elif node.kind == "object":
        if node.extra is not False:
            yield Site(body, "object", steps, node)
        for name, child in node.properties:
            yield from _walk(child, (*steps, ("prop", name)), body)
        if isinstance(node.extra, Node):
            yield from _walk(node.extra, (*steps, ("extra",)), body)
    elif node.kind == "array":
        assert node.items is not None
        yield from _walk(node.items, (*steps, ("item",)), body)
    elif node.kind == "union":
        for i, branch in enumerate(node.branches):
            yield from _walk(branch, (*steps, ("branch", i)), body)


def is_enum(value: dict[str, Any]) -> bool:
    return "enum" in value


def is_object(value: dict[str, Any]) -> bool:
    declared = value.get("type")
    typed = declared == "object" or (isinstance(declared, list) and "object" in declared)
    return typed or "properties" in value or "additionalProperties" in value


def crawl(
    spec: dict[str, Any],
    start: Any,
    ptr: str,
    found_if: Callable[[dict[str, Any]], bool],
    seen: set[str] | None = None,
) -> set[str]:
    """Pointers of every dict for which ``found_if`` holds that is reachable from ``start`` (at
    ``ptr``), following every ``$ref``: a second count of enums or objects, blind to JSON Schema."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    if isinstance(start, dict):
        if found_if(start):
            found.add(ptr)
        ref = start.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            found |= crawl(spec, lookup(spec, ref), ref, found_if, seen)
        for key, value in start.items():
            found |= crawl(spec, value, f"{ptr}/{escape(str(key))}", found_if, seen)
    elif isinstance(start, list):
        for i, value in enumerate(start):
            found |= crawl(spec, value, f"{ptr}/{i}", found_if, seen)
    return found
