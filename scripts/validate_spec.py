"""Validate openapi/voucherify-orders.yaml with openapi-spec-validator, plus project rules.

Project rules: every schema has a unique ``title`` (the generator names classes from them and
would silently merge duplicates), every operation has a camelCase ``operationId``, and every
operation declares Voucherify's error responses.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from openapi_spec_validator import validate

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "voucherify-orders.yaml"
ERROR_CODES = {"400", "401", "429", "5XX"}


def project_problems(spec: dict) -> list[str]:
    problems: list[str] = []
    titles: dict[str, str] = {}
    for name, schema in spec["components"]["schemas"].items():
        title = schema.get("title")
        if title is None:
            problems.append(f"components.schemas.{name}: no title")
        elif title in titles:
            problems.append(f"components.schemas.{name}: title {title!r} also used by {titles[title]}")
        else:
            titles[title] = name
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            op_id = op.get("operationId", "")
            if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", op_id):
                problems.append(f"{where}: operationId {op_id!r} is not camelCase")
            missing = ERROR_CODES - set(op.get("responses", {}))
            if missing:
                problems.append(f"{where}: error responses not declared: {sorted(missing)}")
    return problems


def main() -> int:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    validate(spec)
    problems = project_problems(spec)
    for problem in problems:
        print(f"{SPEC.name}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{SPEC.name}: valid OpenAPI {spec['openapi']}, {len(spec['components']['schemas'])} schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
