"""What the sandbox enforces, read from the spec: enums, field sets and types, defaults, limits.

The sandbox serves the operations of ``openapi/voucherify-orders.yaml`` and keeps no copy of what
that spec defines. :func:`load_model` reads a spec (by default the sandbox's own copy,
``voucherify_ext/sandbox/openapi.json``, which ``make generate`` writes: the sandbox must not
import the generated client) once, resolves its ``$ref``/``allOf``/nullable unions, and compiles
what the handlers need into a frozen :class:`SpecModel`: order request shapes (a field table per
object, types and nullability included), order statuses, item ``related_object`` values, the
500-item and 2000-order limits, list parameters, export fields, sorts, filter names, junctions and
operators, OAuth grant types, and every named enum. Nothing walks the spec per request.

What a spec cannot say stays hand-written, in the modules that behave that way: upsert, the
import's queue and progress, export timing, error bodies and their Voucherify-style messages, the
subset of filter operators actually evaluated, defaults the spec leaves open (a new order is
``CREATED``, an export's default columns, the list's default sort). Those modules name each value
they emit or default to; :meth:`SpecModel.require` checks at load time that the spec still has it.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_SPEC", "Field", "IntParam", "Shape", "SpecError", "SpecModel", "load_model"]

DEFAULT_SPEC = Path(__file__).resolve().with_name("openapi.json")
"""The sandbox's own copy of the spec (canonical JSON, written by ``make generate``)."""

_LEAF_KINDS = frozenset({"string", "integer", "number", "boolean", "date", "date-time", "object", "any"})


class SpecError(ValueError):
    """The spec lacks something the sandbox needs (a schema, an enum value, a limit)."""


@dataclass(frozen=True, eq=False)
class Field:
    """One property of a request object: its JSON type (``kind``; ``date``/``date-time`` for the
    string formats), whether ``null`` is allowed, its enum, and for objects and arrays what they
    hold."""

    name: str
    kind: str
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    shape: Shape | None = None
    """The properties of an object field (None: any object)."""
    items: Field | None = None
    """What an array field holds."""
    max_items: int | None = None


@dataclass(frozen=True, eq=False)
class Shape:
    """An object schema's properties, in checking order: plain values first, then nested
    objects, then arrays (so the first error named is the shallowest)."""

    fields: tuple[Field, ...]

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise SpecError(f"the spec defines no property {name!r} here")

    def kinds(self) -> dict[str, str]:
        """``{name: kind}``, ``?`` appended when null is allowed (what the tests compare)."""
        return {f.name: f.kind + ("?" if f.nullable else "") for f in self.fields}


@dataclass(frozen=True)
class IntParam:
    """An integer query parameter: its default and bounds."""

    default: int
    low: int
    high: int


class _Resolver:
    """``$ref``, ``allOf`` and ``oneOf``/``anyOf``-with-null resolution over one spec document."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})

    def deref(self, node: Any) -> dict[str, Any]:
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise SpecError(f"only local $refs are supported, not {ref!r}")
            node = self.spec
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            seen += 1
            if seen > 50:
                raise SpecError(f"$ref cycle at {ref}")
        if not isinstance(node, dict):
            raise SpecError(f"a schema must be an object, not {node!r}")
        return node

    def schema(self, name: str) -> dict[str, Any]:
        if name not in self.schemas:
            raise SpecError(f"the spec has no schema {name!r}")
        return self.deref(self.schemas[name])

    def properties(self, node: Any) -> dict[str, Any]:
        """The properties of an object schema, ``allOf`` parts merged in order."""
        node = self.deref(node)
        merged: dict[str, Any] = {}
        for part in node.get("allOf", []):
            merged.update(self.properties(part))
        merged.update(node.get("properties", {}))
        return merged

    def unwrap(self, node: Any) -> tuple[dict[str, Any], bool]:
        """The schema behind a nullable union (``oneOf``/``anyOf`` of it and ``null``, or
        ``type: [t, "null"]``) and whether null is allowed."""
        node = self.deref(node)
        for key in ("oneOf", "anyOf"):
            branches = [self.deref(b) for b in node.get(key, [])]
            others = [b for b in branches if b.get("type") != "null"]
            if branches and len(others) == 1 and len(branches) == 2:
                return self.unwrap(others[0])[0], True
        kind = node.get("type")
        if isinstance(kind, list) and "null" in kind:
            rest = [t for t in kind if t != "null"]
            return {**node, "type": rest[0] if len(rest) == 1 else rest}, True
        if node.get("allOf") and "type" not in node and "properties" not in node:
            parts = [self.deref(p) for p in node["allOf"]]
            if len(parts) == 1:
                return self.unwrap(parts[0])
        return node, False

    def field(self, name: str, node: Any) -> Field:
        schema, nullable = self.unwrap(node)
        kind = schema.get("type")
        enum = tuple(v for v in schema["enum"] if v is not None) if "enum" in schema else None
        if kind == "array":
            items = self.field("", schema.get("items", {}))
            return Field(name, "array", nullable, enum, items=items, max_items=schema.get("maxItems"))
        properties = self.properties(schema)
        if kind == "object" or properties:
            shape = self.shape(schema) if properties else None
            return Field(name, "object", nullable, enum, shape=shape)
        if kind == "string" and schema.get("format") in ("date", "date-time"):
            kind = schema["format"]
        if not isinstance(kind, str) or kind not in _LEAF_KINDS:
            kind = "any"  # unions of types (FilterValue) and untyped schemas: no type check
        return Field(name, kind, nullable, enum)

    def shape(self, node: Any) -> Shape:
        fields = [self.field(name, sub) for name, sub in self.properties(node).items()]

        def rank(f: Field) -> int:
            return 2 if f.kind == "array" else 1 if f.shape is not None else 0

        return Shape(tuple(sorted(fields, key=rank)))

    def enum(self, name: str) -> tuple[Any, ...]:
        schema, _ = self.unwrap(self.schema(name))
        if "enum" not in schema:
            raise SpecError(f"the spec's schema {name!r} is no enum")
        return tuple(schema["enum"])

    def parameter(self, operation_id: str, name: str) -> dict[str, Any]:
        for item in self.spec.get("paths", {}).values():
            for method, operation in item.items():
                if method == "parameters" or not isinstance(operation, dict):
                    continue
                if operation.get("operationId") != operation_id:
                    continue
                for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
                    parameter = self.deref(raw)
                    if parameter.get("name") == name:
                        return self.deref(parameter.get("schema", {}))
        raise SpecError(f"the spec's {operation_id} has no parameter {name!r}")

    def int_param(self, operation_id: str, name: str) -> IntParam:
        schema = self.parameter(operation_id, name)
        try:
            low, high = int(schema["minimum"]), int(schema["maximum"])
        except KeyError as exc:
            raise SpecError(f"the spec's {operation_id} parameter {name!r} has no {exc.args[0]}") from None
        return IntParam(int(schema.get("default", low)), low, high)


def _pattern(pattern: str) -> re.Pattern[str]:
    """A JSON Schema ``pattern`` for :meth:`re.Pattern.search`: a final ``$`` ends the text, as
    in ECMA-262 (Python's ``$`` would also match before a final line break)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _alternatives(pattern: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A ``^(a|b|c\\..+)$`` pattern's plain names and its templates (``c.<key>``)."""
    inner = re.fullmatch(r"\^\((.*)\)\$", pattern)
    plain: list[str] = []
    templates: list[str] = []
    for alternative in (inner.group(1) if inner else pattern).split("|"):
        if re.fullmatch(r"[A-Za-z0-9_]+", alternative):
            plain.append(alternative)
        else:
            prefix = re.fullmatch(r"([A-Za-z0-9_]+)\\\.\.\+", alternative)
            templates.append(f"{prefix.group(1)}.<key>" if prefix else alternative)
    return tuple(plain), tuple(templates)


@dataclass(frozen=True, eq=False)
class SpecModel:
    """Everything the sandbox reads from one spec, compiled once (see the module docstring)."""

    source: str
    order_create: Shape
    """``OrdersCreateRequestBody``: the fields and types a create may carry."""
    order_update: Shape
    order_import_item: Shape
    order_statuses: tuple[str, ...]
    related_objects: tuple[str, ...]
    max_items: int
    """``maxItems`` of an order's ``items``."""
    import_min: int
    import_max: int
    """``minItems``/``maxItems`` of the import body."""
    order_response_fields: frozenset[str]
    item_request_fields: frozenset[str]
    item_response_fields: frozenset[str]
    list_limit: IntParam
    list_page: IntParam
    list_sorts: tuple[str, ...]
    async_actions_limit: IntParam
    export_field_pattern: re.Pattern[str]
    export_fields: tuple[str, ...]
    """The plain column names of the ``ExportOrderField`` pattern, in its order."""
    export_field_templates: tuple[str, ...]
    """The pattern's other alternatives, spelt for people: ``metadata.<key>``."""
    export_orders: tuple[str, ...]
    filter_fields: tuple[str, ...]
    """The order fields ``ExportOrderFilters`` names (``junction`` aside)."""
    filter_name_pattern: re.Pattern[str] | None
    filter_field_templates: tuple[str, ...]
    """The name pattern's alternatives other than plain names: ``metadata.<key>``."""
    junctions: tuple[str, ...]
    operators: frozenset[str]
    """Every operator ``FiltersCondition`` names."""
    date_fields: frozenset[str]
    """Order response fields that are date-times (filters compare them as instants)."""
    grant_types: tuple[str, ...]
    enums: dict[str, tuple[Any, ...]]
    """Every enum of ``components/schemas`` by name, and every inline enum of a property by
    ``Schema.property`` (``OrderCalculated.object``), and a response header's as
    ``headers.<name>``."""

    @property
    def order_request_fields(self) -> frozenset[str]:
        return self.order_create.names | self.order_update.names | self.order_import_item.names

    def require(self, schema: str, value: Any) -> Any:
        """``value``, after checking that the spec's enum ``schema`` has it (a value the sandbox
        emits or defaults to by its own rules); :class:`SpecError` otherwise."""
        values = self.enums.get(schema)
        if values is None:
            raise SpecError(f"{self.source}: the spec has no enum schema {schema!r}")
        if value not in values:
            raise SpecError(f"{self.source}: the sandbox uses {value!r}, which {schema} no longer has")
        return value


def _model(spec: dict[str, Any], source: str) -> SpecModel:
    r = _Resolver(spec)
    create = r.shape(r.schema("OrdersCreateRequestBody"))
    items = create.field("items")
    if items.max_items is None:
        raise SpecError("the spec's OrderBase.items has no maxItems")
    item_shape = items.items.shape if items.items is not None else None
    if item_shape is None:
        raise SpecError("the spec's order items are no objects")
    body = r.schema("OrdersImportCreateRequestBody")
    field_schema = r.schema("ExportOrderField")
    plain, templates = _alternatives(field_schema["pattern"])
    filters = r.schema("ExportOrderFilters")
    filter_fields = tuple(n for n in r.properties(filters) if n != "junction")
    names = filters.get("propertyNames", {}).get("pattern")
    response = r.properties(r.schema("OrdersGetResponseBody"))
    response_item = r.field("", response["items"])
    enums: dict[str, tuple[Any, ...]] = {}
    for name in r.schemas:
        schema, _ = r.unwrap(r.schema(name))
        if "enum" in schema:
            enums[name] = tuple(schema["enum"])
        for prop, sub in r.properties(schema).items():
            inner, _ = r.unwrap(sub)
            if "enum" in inner and "$ref" not in sub:
                enums[f"{name}.{prop}"] = tuple(inner["enum"])
    for name, header in spec.get("components", {}).get("headers", {}).items():
        header_schema, _ = r.unwrap(r.deref(header).get("schema", {}))
        if "enum" in header_schema:
            enums[f"headers.{name}"] = tuple(header_schema["enum"])
    return SpecModel(
        source=source,
        order_create=create,
        order_update=r.shape(r.schema("OrdersUpdateRequestBody")),
        order_import_item=r.shape(r.schema("OrdersImportCreateRequestBodyItem")),
        order_statuses=tuple(create.field("status").enum or ()),
        related_objects=tuple(item_shape.field("related_object").enum or ()),
        max_items=int(items.max_items),
        import_min=int(body.get("minItems", 0)),
        import_max=int(body["maxItems"]),
        order_response_fields=frozenset(response),
        item_request_fields=item_shape.names,
        item_response_fields=response_item.items.shape.names
        if response_item.items is not None and response_item.items.shape is not None
        else frozenset(),
        list_limit=r.int_param("listOrders", "limit"),
        list_page=r.int_param("listOrders", "page"),
        list_sorts=tuple(r.deref(r.parameter("listOrders", "order")).get("enum", ())),
        async_actions_limit=r.int_param("listAsyncActions", "limit"),
        export_field_pattern=_pattern(field_schema["pattern"]),
        export_fields=plain,
        export_field_templates=templates,
        export_orders=r.enum("ExportOrderOrder"),
        filter_fields=filter_fields,
        filter_name_pattern=_pattern(names) if isinstance(names, str) else None,
        filter_field_templates=_alternatives(names)[1] if isinstance(names, str) else (),
        junctions=tuple(r.field("junction", r.properties(filters)["junction"]).enum or ()),
        operators=frozenset(r.properties(r.schema("FiltersCondition"))),
        date_fields=frozenset(
            n
            for n, sub in r.properties(r.schema("OrderCalculated")).items()
            if r.field(n, sub).kind == "date-time"
        ),
        grant_types=tuple(
            r.field("grant_type", r.properties(r.schema("OAuthTokenRequestBody"))["grant_type"]).enum or ()
        ),
        enums=enums,
    )


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:  # pragma: no cover - PyYAML is a development dependency
            raise SpecError(f"{path}: reading YAML needs PyYAML; pass the canonical openapi.json") from None
        loaded = yaml.safe_load(text)
    else:
        loaded = json.loads(text)
    if not isinstance(loaded, dict):
        raise SpecError(f"{path}: not an OpenAPI document")
    return loaded


@functools.cache
def _load(path: Path, mtime_ns: int) -> SpecModel:
    try:
        return _model(_read(path), str(path))
    except (KeyError, TypeError, AttributeError) as exc:
        raise SpecError(f"{path}: the spec lacks what the sandbox needs ({exc!r})") from None


def load_model(spec: Path | str | None = None) -> SpecModel:
    """The model of the spec at ``spec`` (default: :data:`DEFAULT_SPEC`), read once per file
    version: every sandbox on the same file shares one model."""
    path = Path(spec).resolve() if spec is not None else DEFAULT_SPEC
    return _load(path, path.stat().st_mtime_ns)
