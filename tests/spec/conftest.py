"""Fixtures for the spec and generation tests: the spec, loaded once, and a schema validator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "voucherify-orders.yaml"
SPEC_URI = "urn:voucherify-orders"


def load_spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return load_spec()


def pointer(*parts: str) -> str:
    """A JSON pointer into the spec, escaping `/` and `~` in each part."""
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@pytest.fixture(scope="session")
def validator_for(spec: dict[str, Any]) -> Callable[[str], Draft202012Validator]:
    """Return a strict JSON Schema 2020-12 validator (formats checked) for a spec pointer."""
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
    )

    def make(ptr: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": SPEC_URI + ptr},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    return make


def iter_examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Yield (label, schema pointer, example value) for every example in the spec."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            bodies = []
            if "requestBody" in op:
                bodies.append((("paths", path, method, "requestBody"), op["requestBody"]))
            for status, resp in op["responses"].items():
                bodies.append((("paths", path, method, "responses", status), resp))
            for parts, body in bodies:
                for media, content in body.get("content", {}).items():
                    for name, example in content.get("examples", {}).items():
                        ptr = pointer(*parts, "content", media, "schema")
                        yield f"{op['operationId']} {parts[-1]} {name}", ptr, example["value"]
    for rname, resp in spec["components"]["responses"].items():
        for media, content in resp.get("content", {}).items():
            for name, example in content.get("examples", {}).items():
                ptr = pointer("components", "responses", rname, "content", media, "schema")
                yield f"response {rname} {name}", ptr, example["value"]
    for sname, schema in spec["components"]["schemas"].items():
        for i, value in enumerate(schema.get("examples", [])):
            yield f"schema {sname} #{i}", pointer("components", "schemas", sname), value
