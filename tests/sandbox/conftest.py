"""Fixtures for the sandbox tests: one real sandbox on loopback per session, reset per test,
and an httpx client that validates every response against our spec."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from voucherify_ext.sandbox import DEFAULT_IMPORT_SPEED, ManualClock, Sandbox, serve

SPEC_PATH = Path(__file__).resolve().parents[2] / "generated" / "voucherify_client" / "openapi.json"
SPEC_URI = "urn:voucherify-orders-spec"


class SpecValidator:
    """Checks one response against the spec: its status is declared for the operation, its body
    matches the declared schema for its media type (JSON Schema 2020-12, formats asserted), and
    the rate-limit headers the spec promises are integers."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self.routes: list[tuple[re.Pattern[str], str]] = []
        for template in spec["paths"]:
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self.routes.append((re.compile(pattern), template))
        self.checked: set[tuple[str, str, str]] = set()
        """(operationId, status key, media type) seen, to prove coverage."""

    def _deref(self, node: dict[str, Any]) -> tuple[dict[str, Any], str]:
        pointer = ""
        while "$ref" in node:
            pointer = node["$ref"][1:]
            node = self.spec
            for part in pointer.strip("/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def operation(self, method: str, path: str, query: str) -> tuple[str, dict[str, Any], str]:
        for pattern, template in self.routes:
            if pattern.match(path):
                if method == "GET" and template == "/v1/exports/{exportId}" and "token=" in query:
                    return "downloadExport", self.spec["x-export-download"], "/x-export-download"
                operation = self.spec["paths"][template].get(method.lower())
                if operation is None:
                    raise AssertionError(f"{method} {path}: no such operation in the spec")
                pointer = f"/paths/{template.replace('/', '~1')}/{method.lower()}"
                return operation["operationId"], operation, pointer
        raise AssertionError(f"{method} {path}: no such path in the spec")

    def validate(self, response: httpx.Response) -> None:
        request = response.request
        op_id, operation, op_pointer = self.operation(
            request.method, request.url.path, request.url.query.decode()
        )
        status = str(response.status_code)
        responses = operation["responses"]
        key = status if status in responses else f"{status[0]}XX" if f"{status[0]}XX" in responses else None
        if key is None:
            key = "default" if "default" in responses else None
        assert key is not None, f"{op_id}: status {status} is not declared ({sorted(responses)})"
        declared, pointer = self._deref(responses[key])
        if not pointer:
            pointer = f"{op_pointer}/responses/{key}"
        content = declared.get("content")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if not content:
            assert not response.content, f"{op_id} {status}: body where the spec declares none"
            self.checked.add((op_id, key, ""))
        else:
            assert media in content, f"{op_id} {status}: media type {media!r} not in {sorted(content)}"
            schema_pointer = f"{pointer}/content/{media.replace('/', '~1')}/schema"
            instance = json.loads(response.content) if media == "application/json" else response.text
            validator = Draft202012Validator(
                {"$ref": f"{SPEC_URI}#{schema_pointer}"},
                registry=self.registry,
                format_checker=FormatChecker(),
            )
            errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
            assert not errors, f"{op_id} {status}: {errors[0].message} at {list(errors[0].path)}"
            self.checked.add((op_id, key, media))
        for header, spec_header in (declared.get("headers") or {}).items():
            value = response.headers.get(header)
            if header in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining") or (
                status == "429" and header in ("Retry-After", "X-Rate-Limit-Retry")
            ):
                assert value is not None, f"{op_id} {status}: header {header} missing"
            if value is not None:
                schema, _ = self._deref(spec_header)
                if schema.get("schema", {}).get("type") == "integer":
                    assert re.fullmatch(r"-?\d+", value), (
                        f"{op_id} {status}: {header}={value!r} not an integer"
                    )


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def spec_validator(spec: dict[str, Any]) -> SpecValidator:
    return SpecValidator(spec)


@pytest.fixture(scope="session")
def session_sandbox() -> Iterator[Sandbox]:
    with serve(seed=7) as sandbox:
        yield sandbox


@pytest.fixture
def sb(session_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox, empty and with default settings for every test."""
    session_sandbox.use_clock(None)  # real time, and reset
    session_sandbox.set_rate_limit(None)
    session_sandbox.set_latency(0)
    session_sandbox.set_import_speed(DEFAULT_IMPORT_SPEED)
    yield session_sandbox
    session_sandbox.clear_faults()


@pytest.fixture
def client(sb: Sandbox, spec_validator: SpecValidator) -> Iterator[httpx.Client]:
    """Plain httpx with app keys; every response is validated against the spec."""

    def check(response: httpx.Response) -> None:
        response.read()
        spec_validator.validate(response)

    with httpx.Client(
        base_url=sb.url, headers=sb.headers, timeout=10, event_hooks={"response": [check]}
    ) as c:
        yield c


@pytest.fixture
def raw(sb: Sandbox) -> Iterator[httpx.Client]:
    """Plain httpx with app keys and no validation, for faults that break the protocol."""
    with httpx.Client(base_url=sb.url, headers=sb.headers, timeout=10) as c:
        yield c


@pytest.fixture
def clock(sb: Sandbox) -> Iterator[ManualClock]:
    """The session's sandbox in logical time for this test (real time again afterwards)."""
    manual = ManualClock()
    sb.use_clock(manual)
    yield manual
    sb.use_clock(None)
