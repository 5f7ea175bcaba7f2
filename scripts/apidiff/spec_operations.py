"""The spec classifier's walk: operations, their parameters, bodies and responses, then the
component schemas no operation reached, then the rest of the document."""

from __future__ import annotations

from apidiff.findings import Finding, Kind, merge
from apidiff.shapes import flatten
from apidiff.spec_load import Json, child, resolve
from apidiff.spec_schemas import REQUEST, RESPONSE, Walk, compare

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: components compared where an operation uses them
USED = frozenset({"schemas", "parameters", "responses", "requestBodies", "headers"})
NOTES = ("summary", "description", "example", "examples", "deprecated")
B, A, N = Kind.BREAKING, Kind.ADDITIVE, Kind.NEITHER


def _notes(w: Walk, old: dict[str, Json], new: dict[str, Json], pointer: str, d: str) -> None:
    for key in NOTES:
        if old.get(key) != new.get(key):
            w.add(N, pointer, f"note:{key}", f"{key} changed", d)


def _parameters(spec: dict[str, Json], path: str, method: str) -> dict[tuple[str, str], tuple[Json, str]]:
    """The operation's parameters (the path's, then its own, which win), keyed by (in, name)."""
    found: dict[tuple[str, str], tuple[Json, str]] = {}
    item = spec["paths"][path]
    for owner, pointer in ((item, child("#/paths", path)), (item[method], child("#/paths", path, method))):
        for i, raw in enumerate(owner.get("parameters") or ()):
            node, where = resolve(spec, raw, child(pointer, "parameters", i))
            found[(node.get("in", ""), node.get("name", ""))] = (node, where)
    return found


def _compare_parameters(w: Walk, path: str, method: str) -> None:
    old, new = _parameters(w.old, path, method), _parameters(w.new, path, method)
    for (where, name), (_, pointer) in old.items():
        if (where, name) not in new:
            w.add(
                B, pointer, "parameter-removed", f"{where} parameter {name!r} removed (or renamed)", REQUEST
            )
    for (where, name), (node, pointer) in new.items():
        if (where, name) in old:
            continue
        kind, text = (B, "required") if node.get("required") else (A, "optional")
        w.add(kind, pointer, "parameter-new", f"new {text} {where} parameter {name!r}", REQUEST)
    for key, (old_node, _) in old.items():
        if key not in new:
            continue
        new_node, pointer = new[key]
        if bool(new_node.get("required")) != bool(old_node.get("required")):
            kind, text = (B, "is now required") if new_node.get("required") else (A, "is no longer required")
            w.add(
                kind,
                pointer,
                f"required:{bool(new_node.get('required'))}",
                f"parameter {key[1]!r} {text}",
                REQUEST,
            )
        _notes(w, old_node, new_node, pointer, REQUEST)
        compare(
            w,
            (old_node.get("schema", {}), child(old[key][1], "schema")),
            (new_node.get("schema", {}), child(pointer, "schema")),
            REQUEST,
        )


def _content(w: Walk, old: Json, new: Json, old_ptr: str, new_ptr: str, d: str) -> None:
    """Compare the media types of a body (request or response)."""
    o, n = (old or {}).get("content") or {}, (new or {}).get("content") or {}
    for media in o.keys() - n.keys():
        w.add(B, child(old_ptr, "content", media), "media-removed", f"{d} body {media} removed", d)
    for media in n.keys() - o.keys():
        w.add(A, child(new_ptr, "content", media), "media-new", f"new {d} body {media}", d)
    for media in o.keys() & n.keys():
        old_at, new_at = (
            child(old_ptr, "content", media, "schema"),
            child(new_ptr, "content", media, "schema"),
        )
        compare(w, (o[media].get("schema", {}), old_at), (n[media].get("schema", {}), new_at), d)


def _request_body(w: Walk, old_op: dict[str, Json], new_op: dict[str, Json], pointer: str) -> None:
    if "requestBody" not in old_op and "requestBody" not in new_op:
        return
    at = child(pointer, "requestBody")
    if "requestBody" not in new_op:
        w.add(B, at, "body-removed", "request body removed", REQUEST)
        return
    new, new_at = resolve(w.new, new_op["requestBody"], at)
    if "requestBody" not in old_op:
        kind, text = (B, "required") if new.get("required") else (A, "optional")
        w.add(kind, new_at, "body-new", f"new {text} request body", REQUEST)
        return
    old, old_at = resolve(w.old, old_op["requestBody"], at)
    if bool(new.get("required")) and not old.get("required"):
        w.add(B, new_at, "required:True", "request body is now required", REQUEST)
    _notes(w, old, new, new_at, REQUEST)
    _content(w, old, new, old_at, new_at, REQUEST)


def _responses(w: Walk, old_op: dict[str, Json], new_op: dict[str, Json], pointer: str) -> None:
    o, n = old_op.get("responses") or {}, new_op.get("responses") or {}
    for status in o.keys() - n.keys():
        w.add(
            B, child(pointer, "responses", status), "response-removed", f"response {status} removed", RESPONSE
        )
    for status in n.keys() - o.keys():
        w.add(A, child(pointer, "responses", status), "response-new", f"new response {status}", RESPONSE)
    for status in sorted(o.keys() & n.keys()):
        at = child(pointer, "responses", status)
        old, old_at = resolve(w.old, o[status], at)
        new, new_at = resolve(w.new, n[status], at)
        _notes(w, old, new, new_at, RESPONSE)
        _content(w, old, new, old_at, new_at, RESPONSE)
        oh, nh = old.get("headers") or {}, new.get("headers") or {}
        for name in oh.keys() - nh.keys():
            w.add(
                B,
                child(old_at, "headers", name),
                "header-removed",
                f"response header {name} removed",
                RESPONSE,
            )
        for name in nh.keys() - oh.keys():
            w.add(A, child(new_at, "headers", name), "header-new", f"new response header {name}", RESPONSE)


def _operation(w: Walk, path: str, method: str) -> None:
    pointer = child("#/paths", path, method)
    old_op, new_op = w.old["paths"][path][method], w.new["paths"][path][method]
    if old_op.get("operationId") != new_op.get("operationId"):
        ids = f"{old_op.get('operationId')!r} → {new_op.get('operationId')!r}"
        text = f"operationId {ids} (the generated module moves)"
        w.add(B, pointer, "operation-id", text, REQUEST)
    if (old_op.get("tags") or [None])[0] != (new_op.get("tags") or [None])[0]:
        w.add(B, pointer, "operation-tag", "first tag changed (the generated module moves)", REQUEST)
    _notes(w, old_op, new_op, pointer, REQUEST)
    if old_op.get("security") != new_op.get("security"):
        w.add(N, pointer, "security", "security requirements changed", REQUEST)
    _compare_parameters(w, path, method)
    _request_body(w, old_op, new_op, pointer)
    _responses(w, old_op, new_op, pointer)


def _operations(spec: dict[str, Json]) -> set[tuple[str, str]]:
    return {(p, m) for p, item in (spec.get("paths") or {}).items() for m in METHODS if m in (item or {})}


def _components(w: Walk) -> None:
    o = (w.old.get("components") or {}).get("schemas") or {}
    n = (w.new.get("components") or {}).get("schemas") or {}
    for name in o.keys() - n.keys():
        at = child("#/components/schemas", name)
        w.add(B, at, "schema-removed", f"schema {name!r} removed (its generated model goes)", RESPONSE)
    for name in n.keys() - o.keys():
        w.add(A, child("#/components/schemas", name), "schema-new", f"new schema {name!r}", RESPONSE)
    for name in sorted(o.keys() & n.keys()):
        at = child("#/components/schemas", name)
        if at in w.visited:  # compared through an operation; its own annotations may be left
            old, new = flatten(w.old, o[name], at), flatten(w.new, n[name], at)
            for key in sorted(old.notes.keys() | new.notes.keys()):
                if old.notes.get(key) != new.notes.get(key):
                    w.add(N, at, f"note:{key}", f"{key} changed", RESPONSE)
            continue
        for d in (REQUEST, RESPONSE):  # used by no operation: a model users may build or read
            compare(w, (o[name], at), (n[name], at), d)


def classify(old: dict[str, Json], new: dict[str, Json]) -> list[Finding]:
    """Every change from the spec ``old`` to ``new``, classified."""
    w = Walk(old, new)
    before, after = _operations(old), _operations(new)
    for path, method in sorted(before - after):
        op_id = old["paths"][path][method].get("operationId")
        text = f"operation {op_id} ({method.upper()} {path}) removed"
        w.add(B, child("#/paths", path, method), "operation-removed", text, REQUEST)
    for path, method in sorted(after - before):
        op_id = new["paths"][path][method].get("operationId")
        w.add(
            A,
            child("#/paths", path, method),
            "operation-new",
            f"new operation {op_id} ({method.upper()} {path})",
            REQUEST,
        )
    for path, method in sorted(before & after):
        _operation(w, path, method)
    _components(w)
    for key in sorted((old.keys() | new.keys()) - {"paths", "components"}):
        if old.get(key) != new.get(key):
            w.add(N, child("#", key), f"top:{key}", f"{key} changed", RESPONSE)
    for key in sorted(
        ((old.get("components") or {}).keys() | (new.get("components") or {}).keys()) - {"schemas"}
    ):
        if (old.get("components") or {}).get(key) != (new.get("components") or {}).get(key):
            w.add(
                N,
                child("#/components", key),
                f"components:{key}",
                f"components {key} changed (as used above)",
                RESPONSE,
            )
    return merge(w.findings)
