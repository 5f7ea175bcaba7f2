"""Shared by the api-diff tests: the real spec, its mutation sites, and an oracle of where each
component schema is used (request, response), written apart from the classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]

SPEC_PATH = ROOT / "openapi" / "voucherify-orders.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
SCHEMAS = "#/components/schemas/"


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _closure(spec: dict[str, Any], refs: set[str]) -> set[str]:
    names: set[str] = set()
    todo = list(refs)
    while todo:
        ref = todo.pop()
        section, name = ref.split("/")[2:4]
        node = spec["components"][section][name]
        if section == "schemas":
            if name in names:
                continue
            names.add(name)
        todo += _refs(node)
    return names


def directions(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Each component schema's directions of use; one no operation reaches counts as both."""
    sent: set[str] = set()
    read: set[str] = set()
    for item in spec["paths"].values():
        for method, op in item.items():
            if method == "parameters":
                continue
            sent |= _refs(item.get("parameters")) | _refs(op.get("parameters")) | _refs(op.get("requestBody"))
            read |= _refs(op.get("responses"))
    request, response = _closure(spec, sent), _closure(spec, read)
    return {
        name: ({"request"} if name in request else set()) | ({"response"} if name in response else set())
        or {"request", "response"}
        for name in spec["components"]["schemas"]
    }


def containers(spec: dict[str, Any]) -> list[tuple[str, tuple[str | int, ...]]]:
    """Every place properties are written in a component schema: (schema name, path to the node)."""
    found: list[tuple[str, tuple[str | int, ...]]] = []
    for name, node in spec["components"]["schemas"].items():
        if "properties" in node:
            found.append((name, ()))
        for i, part in enumerate(node.get("allOf") or ()):
            if "properties" in part:
                found.append((name, ("allOf", i)))
    return found


def at(spec: dict[str, Any], name: str, path: tuple[str | int, ...]) -> Any:
    node = spec["components"]["schemas"][name]
    for token in path:
        node = node[token]
    return node


def pointer(name: str, path: tuple[str | int, ...], *more: str) -> str:
    tokens = [str(t).replace("~", "~0").replace("/", "~1") for t in (*path, *more)]
    return SCHEMAS + name + "".join("/" + t for t in tokens)
