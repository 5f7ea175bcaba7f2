"""The generated models that hold a secret (the export download URL with its token, the OAuth
access token; marked ``x-secret`` in the spec) never show it in ``repr``/``str``/f-strings or
rich's pretty printing, while attribute access and ``to_dict()`` give the real value; a
generated ``Response`` shows its body's size, not the body."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openapi_python_client.strings import pascal_case
from rich.pretty import pretty_repr
from voucherify_client import models
from voucherify_client.types import Response

from voucherify_ext import Voucherify
from voucherify_ext.sandbox import Sandbox, serve

from .conftest import assert_no_secret, planted

APP_TOKEN = planted("app-token")


def _spec() -> dict[str, Any]:
    return json.loads(resources.files("voucherify_client").joinpath("openapi.json").read_text())


def _secret_fields() -> list[tuple[str, str]]:
    """(schema title, property name) of every property marked ``x-secret``."""
    found = []
    for schema in _spec()["components"]["schemas"].values():
        for name, prop in (schema.get("properties") or {}).items():
            if prop.get("x-secret"):
                found.append((schema["title"], name))
    return found


def test_every_property_described_as_a_secret_is_marked_x_secret() -> None:
    described = [
        (schema["title"], name)
        for schema in _spec()["components"]["schemas"].values()
        for name, prop in (schema.get("properties") or {}).items()
        if "a secret" in str(prop.get("description", "")).lower()
    ]
    assert sorted(described) == sorted(_secret_fields())
    assert ("ExportResult", "url") in described and ("OAuthToken", "access_token") in described


def _instance(cls: type, values: dict[str, object]) -> Any:
    """An instance of a generated model with every field set (secret fields from ``values``)."""
    obj = object.__new__(cls)
    for field in attrs.fields(cls):
        value = values.get(field.name, {} if field.name == "additional_properties" else None)
        object.__setattr__(obj, field.name, value)
    return obj


@given(st.text(min_size=1), st.text(min_size=1))
def test_a_secret_field_shows_the_same_whatever_its_value(one: str, other: str) -> None:
    """repr, str, f-string and rich's pretty repr do not depend on the secret's value."""
    assert _secret_fields()
    for title, name in _secret_fields():
        cls = getattr(models, pascal_case(title))
        a, b = _instance(cls, {name: one}), _instance(cls, {name: other})
        assert repr(a) == repr(b) and str(a) == str(b) and f"{a}" == f"{b}"
        assert pretty_repr(a) == pretty_repr(b)
        assert getattr(a, name) == one  # the value itself is untouched


def test_only_the_marked_fields_are_redacted() -> None:
    """Every other field of every generated model keeps attrs' plain repr (nothing hidden by
    accident, nothing secret left plain)."""
    secret = set(_secret_fields())
    assert secret
    titles = {pascal_case(s["title"]): s["title"] for s in _spec()["components"]["schemas"].values()}
    checked = 0
    for class_name in models.__all__:
        cls = getattr(models, class_name)
        if not attrs.has(cls):
            continue
        module = importlib.import_module(cls.__module__)
        for field in attrs.fields(cls):
            marked = (titles.get(class_name), field.name) in secret
            assert (field.repr is not True) == marked, (class_name, field.name)
            checked += 1
        assert ("_redacted" in vars(module)) == any(t == titles.get(class_name) for t, _ in secret)
    assert checked > 100


def test_response_repr_shows_the_body_size_only() -> None:
    body = b'{"result": {"url": "https://download.voucherify.io/v1/exports/exp_1?token=SECRETVALUE"}}'
    response = Response(status_code=200, content=body, headers={}, parsed=None)  # type: ignore[arg-type]
    assert "SECRETVALUE" not in repr(response) and "SECRETVALUE" not in pretty_repr(response)
    assert f"<{len(body)} bytes>" in repr(response)
    assert response.content == body


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(app_token=APP_TOKEN, import_speed=1_000_000) as sb:
        yield sb


def test_export_reprs_hide_the_download_token(sandbox: Sandbox) -> None:
    """The reported finding: repr(export.export), str(export.refresh()) and
    f"{export.export.result}" showed the URL with its ?token=."""
    with Voucherify(
        app_id=sandbox.app_id, app_token=APP_TOKEN, base_url=sandbox.url, sleep=lambda s: None
    ) as vf:
        vf.orders.create({"source_id": "repr-1", "amount": 1})
        export = vf.orders.export(fields=["id"])
        refreshed = export.refresh()
        assert export.url is not None and "token=" in export.url
        token = export.url.split("token=", 1)[1]
        result = export.export.result
        texts = [
            repr(export.export),
            str(refreshed),
            f"{export.export.result}",
            f"{refreshed!r}",
            pretty_repr(refreshed),
            repr(export),
        ]
        assert_no_secret(texts, [token])
        # the caller still gets the real value
        assert result is not None and not isinstance(result, type(None))
        assert token in result.url  # type: ignore[union-attr]
        assert token in refreshed.to_dict()["result"]["url"]
        assert token in export.url
