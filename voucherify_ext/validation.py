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

Messages name the field path, e.g. ``items[3].quantity: "x" is not of type "integer"``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

__all__ = [
    "IMPORT_ITEM_SCHEMA",
    "OrderValidator",
    "format_path",
    "load_spec",
    "schema_backend",
    "schema_for",
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
            yield list(error.instance_path), _shorten(str(error.message), error.instance)


class _PythonBackend:
    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema  # type: ignore[import-untyped,unused-ignore]

        self._validator = jsonschema.Draft202012Validator(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def errors(self, instance: Any) -> Iterator[tuple[list[str | int], str]]:
        for error in sorted(self._validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            yield list(error.absolute_path), _shorten(error.message, error.instance)


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


class OrderValidator:
    """Checks one import order (a plain dict, as sent) and explains what is wrong.

    ``check(order)`` returns None when the order is valid, else a message naming the first
    offending field path (all of them, ``; ``-separated, up to three). Build once, reuse: the
    schema is compiled in the constructor. ``backend`` forces ``"rust"`` or ``"python"``.
    """

    def __init__(
        self,
        *,
        require_source_id: bool = True,
        component: str = IMPORT_ITEM_SCHEMA,
        backend: str | None = None,
    ) -> None:
        self.require_source_id = require_source_id
        self._backend = schema_backend(schema_for(component), backend)

    def check(self, order: Any) -> str | None:
        if not isinstance(order, dict):
            return f"an order must be a JSON object, got {type(order).__name__}"
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
        if not problems:
            return None
        return "; ".join(problems)
