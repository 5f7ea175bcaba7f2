"""Validation of bulk input against the spec's own schemas.

The generated ``from_dict`` checks no types, so an order that would be refused by Voucherify
(or worse, half-imported) is caught here, before anything is sent. The schema is the one the
client is generated from: ``voucherify_client/openapi.json``, shipped as package data, read
with :mod:`importlib.resources` and compiled once with ``jsonschema_rs`` (Rust; about half a
microsecond for a typical order, and its errors carry the instance path). When
``jsonschema_rs`` is not installed the pure-Python ``jsonschema`` package is used instead
(same answers, roughly 50 times slower).

Besides the schema (types, enums, ``items`` at most 500 entries), :class:`OrderValidator`
requires a non-empty string ``source_id`` on every order unless ``require_source_id=False``:
without one neither reconciliation nor a later rerun can tell orders apart.

Before the schema, :class:`OrderValidator` encodes the order exactly as httpx will encode the
request body (``json.dumps(..., ensure_ascii=False, allow_nan=False)``, then UTF-8): a value
nested too deeply for the encoder (``RecursionError``), ``NaN``/``Infinity``, a lone surrogate,
an integer beyond Python's 4,300-digit conversion limit, bytes, sets or other objects that are
not JSON are refused with their path, and an order that passes can be sent. There is no
Python walk of the structure on the way: the C encoder is the check, and only when it fails
does :func:`encode_problem` look for the place (:func:`find_unencodable`, iterative, so it
cannot recurse too deeply itself). :func:`encode_error` does the same for a request body that
httpx could not encode (``orders.create`` with such metadata).

Messages name the field path, e.g. ``items[3].quantity: "x" is not of type "integer"``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from voucherify_ext.errors import InputTooDeepError, InputTypeError, ValidationError
from voucherify_ext.item_lint import item_problem, unlinked_items

__all__ = [
    "IMPORT_ITEM_SCHEMA",
    "OrderValidator",
    "deepest",
    "encode_error",
    "encode_problem",
    "find_unencodable",
    "format_path",
    "load_spec",
    "schema_backend",
    "schema_backend_problem",
    "schema_for",
    "short_path",
]

#: The component the import body's items are checked against.
IMPORT_ITEM_SCHEMA = "OrdersImportCreateRequestBodyItem"
_MAX_MESSAGE = 200


@functools.cache
def load_spec() -> dict[str, Any]:
    """The OpenAPI document the generated client was built from (package data)."""
    text = importlib.resources.files("voucherify_client").joinpath("openapi.json").read_text("utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def schema_for(component: str) -> dict[str, Any]:
    """A standalone JSON Schema (2020-12, as OpenAPI 3.1 uses) for ``#/components/schemas/<component>``.

    The spec's components ride along so internal ``$ref``s resolve.
    """
    spec = load_spec()
    if component not in spec.get("components", {}).get("schemas", {}):
        raise KeyError(f"the spec has no schema named {component!r}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{component}",
        "components": spec["components"],
    }


def format_path(parts: Sequence[str | int]) -> str:
    """``["items", 3, "quantity"]`` → ``items[3].quantity``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def short_path(parts: Sequence[str | int], *, keep: int = 6) -> str:
    """:func:`format_path`, with ``...`` in place of the middle of a long path
    (``metadata.a.a.a.a.a...a.b``); ``<top level>`` for an empty one."""
    if len(parts) <= keep + 4:
        return format_path(parts) or "<top level>"
    tail = format_path(parts[-2:]) if isinstance(parts[-2], str) else format_path(["", *parts[-2:]])
    return f"{format_path(parts[:keep])}...{tail.lstrip('.') if tail.startswith('[') else tail}"


# ---------------------------------------------------------------------------- JSON encoding

#: What httpx does with ``json=`` (``httpx._content.encode_json``), then ``.encode("utf-8")``.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_SCALARS = (str, int, float, bool, type(None))


def _leaf_problem(value: Any) -> str | None:
    """Why the encoder refuses this non-container value (None when it does not)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return (
                f"a string with a lone surrogate ({value[exc.start]!r} at position {exc.start}) "
                "is not valid UTF-8"
            )
        return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        try:
            int.__repr__(value)  # what the encoder calls, also for an int subclass
        except ValueError:
            return "an integer too large to write as JSON (more than 4300 digits)"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not valid JSON (only finite numbers are)"
    return f"a value of type {type(value).__name__} is not JSON (use a string, number, list or object)"


class _Walk:
    """A depth-first walk of nested dicts/lists/tuples without recursion: each node keeps its
    parent's index and key, so paths are rebuilt only for the node reported."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, str | int | None, int]] = []  # (parent, key, depth)

    def path(self, index: int) -> list[str | int]:
        parts: list[str | int] = []
        while index > 0:
            parent, key, _ = self.nodes[index]
            assert key is not None
            parts.append(key)
            index = parent
        return parts[::-1]

    def run(self, value: Any) -> Iterator[tuple[int, Any, str | None]]:
        """(index, node, problem) in encoding order; a container met again on its own path
        is reported (circular) and not entered."""
        on_path: set[int] = set()
        stack: list[tuple[Any, int, str | int | None, bool]] = [(value, -1, None, False)]
        while stack:
            node, parent, key, leaving = stack.pop()
            if leaving:
                on_path.discard(id(node))
                continue
            index = len(self.nodes)
            depth = self.nodes[parent][2] + 1 if parent >= 0 else 1
            self.nodes.append((parent, key, depth))
            if not isinstance(node, dict | list | tuple):
                yield index, node, _leaf_problem(node)
                continue
            if id(node) in on_path:
                yield index, node, "a circular reference (the value contains itself)"
                continue
            yield index, node, None
            on_path.add(id(node))
            stack.append((node, parent, key, True))
            if isinstance(node, dict):
                items: list[tuple[str | int, Any]] = []
                for name, child in node.items():
                    if not isinstance(name, str):
                        self.nodes.append((index, repr(name), depth + 1))
                        yield (
                            len(self.nodes) - 1,
                            name,
                            f"key {name!r} is not a string (JSON object keys are strings)",
                        )
                        continue
                    items.append((name, child))
            else:
                items = list(enumerate(node))
            stack.extend((child, index, name, False) for name, child in reversed(items))


def find_unencodable(value: Any) -> tuple[list[str | int], str] | None:
    """The path of the first value JSON encoding refuses and why, or None (depth aside: see
    :func:`deepest`). Iterative, so it works where the encoder ran out of stack."""
    walk = _Walk()
    for index, _, problem in walk.run(value):
        if problem is not None:
            return walk.path(index), problem
    return None


def deepest(value: Any) -> tuple[list[str | int], int]:
    """The path to the most deeply nested container of ``value`` and its depth (iterative)."""
    walk = _Walk()
    best, depth = 0, 0
    for index, node, _ in walk.run(value):
        if isinstance(node, dict | list | tuple) and walk.nodes[index][2] > depth:
            best, depth = index, walk.nodes[index][2]
    return walk.path(best), depth


def _too_deep(value: Any) -> tuple[str, str, int]:
    path, depth = deepest(value)
    return short_path(path), f"nested too deeply to encode as JSON ({depth} levels)", depth


def encode_problem(value: Any) -> str | None:
    """None when ``value`` encodes as the JSON body httpx would send, else ``path: why``."""
    try:
        _ENCODER.encode(value).encode("utf-8")
    except RecursionError:
        where, why, _ = _too_deep(value)
        return f"{where}: {why}"
    except (ValueError, TypeError) as exc:  # NaN, surrogates, huge ints, cycles, bytes, sets
        found = find_unencodable(value)
        if found is None:
            return f"cannot be encoded as JSON ({type(exc).__name__}: {exc})"
        return f"{short_path(found[0])}: {found[1]}"
    return None


def _plain(body: Any) -> Any:
    to_dict = getattr(body, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(body, list | tuple):
        return [_plain(item) for item in body]
    return body


def encode_error(exc: BaseException, body: Any) -> ValidationError:
    """The typed error for a request that could not be built because ``exc`` was raised while
    encoding ``body`` (a model, a list of models or plain data); nothing was sent.
    :class:`InputTooDeepError` for recursion, :class:`InputTypeError` for a value of a
    non-JSON type, else :class:`ValidationError`; the message names the path in ``body``."""
    try:
        plain = _plain(body)
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
        plain = None
    if isinstance(exc, RecursionError):
        where, why, depth = _too_deep(plain)
        return InputTooDeepError(
            f"the request body cannot be encoded: {where}: {why}; nothing was sent", path=where, depth=depth
        )
    cls: type[ValidationError] = InputTypeError if isinstance(exc, TypeError) else ValidationError
    found = find_unencodable(plain) if plain is not None else None
    if found is None:
        return cls(f"could not build the request: {type(exc).__name__}: {exc}; nothing was sent")
    where = short_path(found[0])
    return cls(f"the request body cannot be encoded: {where}: {found[1]}; nothing was sent", path=where)


def _shorten(message: str, instance: Any) -> str:
    if len(message) <= _MAX_MESSAGE:
        return message
    if isinstance(instance, list | dict):
        # the instance is repeated at the start of the message: summarise it instead
        summary = f"<{type(instance).__name__} of {len(instance)}>"
        for dump in (json.dumps(instance, separators=(",", ":")), json.dumps(instance)):
            if message.startswith(dump):
                return summary + message[len(dump) :]
    return message[: _MAX_MESSAGE - 3] + "..."


class SchemaBackend(Protocol):
    def is_valid(self, instance: Any) -> bool: ...

    def errors(self, instance: Any) -> Iterator[tuple[list[str | int], str]]: ...


class _RustBackend:
    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs

        self._validator = jsonschema_rs.Draft202012Validator(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def errors(self, instance: Any) -> Iterator[tuple[list[str | int], str]]:
        for error in self._validator.iter_errors(instance):
            options = getattr(error.kind, "options", None)
            if isinstance(options, list):  # an enum: every valid value, not "or 2 other candidates"
                yield list(error.instance_path), enum_message(error.instance, options)
            else:
                yield list(error.instance_path), _shorten(str(error.message), error.instance)


class _PythonBackend:
    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema  # type: ignore[import-untyped,unused-ignore]

        self._validator = jsonschema.Draft202012Validator(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def errors(self, instance: Any) -> Iterator[tuple[list[str | int], str]]:
        for error in sorted(self._validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            if error.validator == "enum" and isinstance(error.validator_value, list):
                yield list(error.absolute_path), enum_message(error.instance, error.validator_value)
            else:
                yield list(error.absolute_path), _shorten(error.message, error.instance)


def enum_message(instance: Any, options: list[Any]) -> str:
    """``"WEIRD" is not one of "CANCELED", "CREATED", "FULFILLED", "PAID"``: every valid value,
    in the spec's order, so the message says what to write instead."""
    shown = ", ".join(json.dumps(o, ensure_ascii=False) for o in options)
    return _shorten(
        f"{json.dumps(instance, ensure_ascii=False, default=str)} is not one of {shown}", instance
    )


def schema_backend(schema: dict[str, Any], prefer: str | None = None) -> SchemaBackend:
    """A compiled validator for ``schema``: ``jsonschema_rs`` when installed (or ``prefer="rust"``),
    else ``jsonschema`` (or ``prefer="python"``)."""
    if prefer in (None, "rust"):
        try:
            return _RustBackend(schema)
        except ImportError:
            if prefer == "rust":
                raise
    return _PythonBackend(schema)


def schema_backend_problem(instance: Any, exc: ValueError) -> str:
    """``path: why`` for a value the schema backend could not even read (``jsonschema_rs``
    raises ``ValueError`` for a non-string key, and past its own nesting limit)."""
    found = find_unencodable(instance)
    if found is not None:
        return f"{short_path(found[0])}: {found[1]}"
    if "recursion" in str(exc).lower():
        where, _, depth = _too_deep(instance)
        return f"{where}: nested too deeply to check ({depth} levels)"
    return f"<top level>: {exc}"


class OrderValidator:
    """Checks one import order (a plain dict, as sent) and explains what is wrong.

    ``check(order)`` returns None when the order is valid, else a message naming the first
    offending field path (all of them, ``; ``-separated, up to three). Build once, reuse: the
    schema is compiled in the constructor. ``backend`` forces ``"rust"`` or ``"python"``.
    ``strict=True`` also refuses an item that names a product or SKU by ``source_id`` without
    ``related_object`` (:mod:`voucherify_ext.item_lint`; without it the import warns instead).
    """

    def __init__(
        self,
        *,
        require_source_id: bool = True,
        component: str = IMPORT_ITEM_SCHEMA,
        backend: str | None = None,
        strict: bool = False,
    ) -> None:
        self.require_source_id = require_source_id
        self.strict = strict
        self._backend = schema_backend(schema_for(component), backend)

    def check(self, order: Any) -> str | None:
        if not isinstance(order, dict):
            return f"an order must be a JSON object, got {type(order).__name__}"
        unencodable = encode_problem(order)
        if unencodable is not None:
            return unencodable
        try:
            return self._check(order)
        except ValueError as exc:  # jsonschema_rs: a value it cannot convert (a non-string key)
            return schema_backend_problem(order, exc)

    def _check(self, order: dict[str, Any]) -> str | None:
        problems: list[str] = []
        if self.require_source_id:
            source_id = order.get("source_id")
            if not isinstance(source_id, str) or not source_id:
                problems.append(
                    "source_id: required (a non-empty string) so the import can be reconciled "
                    "and resumed; pass require_source_id=False to import orders without one"
                )
        if not self._backend.is_valid(order):
            for path, message in self._backend.errors(order):
                where = format_path(path) or "<order>"
                problems.append(f"{where}: {message}")
                if len(problems) >= 3:
                    break
        if self.strict and len(problems) < 3:
            problems.extend(item_problem(path) for path in unlinked_items(order)[: 3 - len(problems)])
        if not problems:
            return None
        return "; ".join(problems)
