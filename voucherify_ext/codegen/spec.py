"""Reading a spec the way the generator reads it, and its canonical JSON.

The generator reads a ``.json`` spec with ``json`` and anything else with ruamel.yaml's safe
loader; so does this module, so ``openapi.json`` is the document the generator saw. The canonical
form: keys sorted, one-space indent, non-ASCII kept, a final newline, UTF-8. YAML keys JSON cannot
name are spelt as JSON spells them (an unquoted ``200:`` becomes ``"200"``), dates as ISO strings.
"""

from __future__ import annotations

import datetime
import json
import mimetypes
from pathlib import Path
from typing import Any

from voucherify_ext.codegen.errors import CodegenError


def load(spec: Path) -> dict[str, Any]:
    """The spec as a dict, or :class:`CodegenError` (unreadable, not YAML/JSON, not OpenAPI)."""
    try:
        raw = spec.read_bytes()
    except OSError as exc:
        raise CodegenError(f"cannot read the spec {spec}: {exc.strerror or exc}") from None
    document = _parse(spec, raw)
    if not isinstance(document, dict) or "openapi" not in document:
        raise CodegenError(f"{spec} is not an OpenAPI document (no top-level 'openapi' key)")
    return document


def _parse(spec: Path, raw: bytes) -> object:
    if mimetypes.guess_type(spec.absolute().as_uri(), strict=True)[0] == "application/json":
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            raise CodegenError(f"{spec} is not valid JSON: {exc}") from None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe").load(raw)
    except YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        raise CodegenError(f"{spec} is not valid YAML{line}: {problem}") from None


def canonical_json(spec: Path) -> str:
    """The spec as the generated package ships it (``openapi.json``)."""
    document = _jsonable(load(spec), spec)
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _key(key: object, spec: Path) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool | int | float):
        return json.dumps(key)
    raise CodegenError(f"{spec} has a mapping key JSON cannot hold: {key!r}")


def _jsonable(value: object, spec: Path) -> object:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            name = _key(key, spec)
            if name in out:
                raise CodegenError(f"{spec} has the key {name!r} twice once spelt as JSON")
            out[name] = _jsonable(item, spec)
        return out
    if isinstance(value, list):
        return [_jsonable(item, spec) for item in value]
    if isinstance(value, datetime.date):  # datetime.datetime too
        return value.isoformat()
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise CodegenError(f"{spec} holds a value JSON cannot hold: {type(value).__name__}")
