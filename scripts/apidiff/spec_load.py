"""Reading a spec, JSON pointers, and following local ``$ref`` while keeping where a node lives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

Json = Any
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there: four times faster


class SpecError(Exception):
    """The spec cannot be read, or a ``$ref`` does not point into it."""


def load_spec(path: Path) -> dict[str, Json]:
    """A YAML or JSON spec file as a dict."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_LOADER)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SpecError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or "paths" not in data:
        raise SpecError(f"{path} is not an OpenAPI document (no `paths`)")
    return data


def escape(token: str) -> str:
    """A JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def child(pointer: str, *tokens: str | int) -> str:
    """``pointer`` extended by ``tokens``: ``child("#/paths", "/v1/orders")`` is ``#/paths/~1v1~1orders``."""
    return pointer + "".join("/" + escape(str(t)) for t in tokens)


def lookup(spec: dict[str, Json], pointer: str) -> Json:
    """The node at a local pointer (``#/components/schemas/Order``)."""
    if not pointer.startswith("#"):
        raise SpecError(f"only local $ref are supported: {pointer}")
    node: Json = spec
    for token in [unescape(t) for t in pointer[1:].split("/")[1:]]:
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise SpecError(f"$ref {pointer} does not resolve")
    return node


def resolve(spec: dict[str, Json], node: Json, pointer: str) -> tuple[Json, str]:
    """Follow ``$ref`` (chains too) to the node it names, and that node's own pointer."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        pointer = node["$ref"]
        if pointer in seen:
            raise SpecError(f"$ref cycle at {pointer}")
        seen.add(pointer)
        node = lookup(spec, pointer)
    return node, pointer
