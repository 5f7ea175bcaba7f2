"""Declared upserts: a team's write marked safe to repeat is retried after an ambiguous failure,
like ``createOrder`` with an ``id``; every other POST keeps "sent once, outcome unknown".

The decision (``is_idempotent``) is checked against an independent oracle over drawn
declarations, paths and bodies; the transport's behaviour over drawn ambiguous failures, through
``vf.bind(..., upserts=...)`` and ``RetryPolicy(upserts=...)``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from voucherify_client.client import AuthenticatedClient

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.errors import APIConnectionError, ConfigurationError
from voucherify_ext.http.exchange import exchange_of
from voucherify_ext.retry import ORDER_UPSERT, RetryPolicy, is_idempotent, not_idempotent_reason
from voucherify_ext.toolkit import Upsert

API = "https://api.voucherify.io"
SEGMENT = st.sampled_from(["v1", "customers", "products", "bulk", "async", "c_1", "x"])
KEYS = st.lists(st.sampled_from(["id", "source_id", "key", "email"]), min_size=1, max_size=2, unique=True)


def _oracle(declared: list[Upsert], method: str, path: str, body: object) -> bool:
    """Written apart from the code: a regex per declaration, keys read from the parsed body."""
    if method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE"):
        return True
    for upsert in [ORDER_UPSERT, *declared]:
        segments = [
            r"[^/]+" if s.startswith("{") else re.escape(s) for s in upsert.path.strip("/").split("/")
        ]
        named = isinstance(body, dict) and any(isinstance(body.get(k), str) and body[k] for k in upsert.keys)
        if method == upsert.method and re.fullmatch(r"(/.*)?/" + "/".join(segments) + "/?", path) and named:
            return True
    return False


@st.composite
def declarations(draw: st.DrawFn) -> list[Upsert]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        segments = draw(st.lists(st.one_of(SEGMENT, st.just("{id}")), min_size=1, max_size=3))
        method = draw(st.sampled_from(["POST", "post", "PATCH"]))
        out.append(Upsert("/" + "/".join(segments), keys=draw(KEYS), method=method))
    return out


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, object]:
    method = draw(st.sampled_from(["POST", "POST", "PATCH", "GET", "PUT"]))
    path = "/" + "/".join(draw(st.lists(SEGMENT, min_size=1, max_size=4))) + draw(st.sampled_from(["", "/"]))
    value = st.one_of(st.sampled_from(["", "k-1", "c_9"]), st.integers(), st.none())
    body = draw(
        st.one_of(
            st.dictionaries(st.sampled_from(["id", "source_id", "key", "email", "name"]), value, max_size=3),
            st.lists(st.integers(), max_size=2),
            st.none(),
        )
    )
    return method, path, body


@settings(max_examples=200, deadline=None)
@given(declared=declarations(), drawn=requests())
def test_a_request_is_idempotent_exactly_when_the_oracle_says(
    declared: list[Upsert], drawn: tuple[str, str, object]
) -> None:
    method, path, body = drawn
    content = b"" if body is None else json.dumps(body).encode()
    request = httpx.Request(method, API + path, content=content)
    assert is_idempotent(request, declared) == _oracle(declared, method, path.rstrip("/") or "/", body)
    if not is_idempotent(request, declared):
        reason = not_idempotent_reason(request, declared)
        assert "not idempotent" in reason or "async action" in reason


def test_the_default_is_unchanged_without_declarations() -> None:
    create = httpx.Request("POST", API + "/v1/customers", json={"source_id": "c-1"})
    assert not is_idempotent(create)
    assert is_idempotent(create, [Upsert("/v1/customers", keys="source_id")])
    assert not is_idempotent(create, [Upsert("/v1/customers", keys="id")])  # the key must be there
    assert is_idempotent(httpx.Request("POST", API + "/v1/orders", json={"id": "ord_1"}))


def test_a_declared_upsert_without_its_key_says_what_is_missing() -> None:
    declared = [Upsert("/v1/customers", keys=("id", "source_id"))]
    reason = not_idempotent_reason(httpx.Request("POST", API + "/v1/customers", json={"name": "x"}), declared)
    assert "POST /v1/customers with no id or source_id" in reason and "duplicate" in reason


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"path": "v1/customers"}, "start with '/'"),
        ({"path": "/v1/customers", "keys": ()}, "keys"),
        ({"path": "/v1/customers", "keys": ("",)}, "keys"),
        ({"path": "/v1/customers", "method": "GET"}, "POST or PATCH"),
    ],
)
def test_a_bad_declaration_is_refused_naming_what(kwargs: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(says)):
        Upsert(**kwargs)


def test_the_policy_takes_only_declarations() -> None:
    with pytest.raises(ConfigurationError, match="Upsert declarations"):
        RetryPolicy(upserts=["/v1/customers"])  # type: ignore[list-item]


# -- through the transport ---------------------------------------------------------------------

AMBIGUOUS = st.sampled_from(["read-error", "protocol-error", "read-timeout", 503, 502, 500])


def _transport(failure: str | int, sent: list[httpx.Request]) -> httpx.MockTransport:
    """The first attempt fails ambiguously (after the request was sent); later ones succeed."""

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if len(sent) == 1:
            if failure == "read-error":
                raise httpx.ReadError("connection reset after the request was written")
            if failure == "protocol-error":
                raise httpx.RemoteProtocolError("server disconnected without sending a response")
            if failure == "read-timeout":
                raise httpx.ReadTimeout("no response in time")
            assert isinstance(failure, int)
            return httpx.Response(failure, json={"code": failure, "message": "upstream"})
        return httpx.Response(200, json={"id": "cust_1", "source_id": "c-1", "object": "customer"})

    return httpx.MockTransport(handler)


def _send(bound: AuthenticatedClient, body: dict[str, Any]) -> tuple[bool, bool]:
    """POST /v1/customers through ``bound``: (succeeded, outcome_unknown)."""
    try:
        response = bound.get_httpx_client().post("/v1/customers", json=body)
    except APIConnectionError as exc:
        return False, exc.outcome_unknown
    exchange = exchange_of(response)
    assert exchange is not None
    return response.status_code == 200, exchange.outcome_unknown


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    failure=AMBIGUOUS,
    declared=st.booleans(),
    keyed=st.booleans(),
    through=st.sampled_from(["bind", "policy"]),
)
def test_only_a_declared_upsert_naming_its_record_is_sent_again(
    failure: str | int, declared: bool, keyed: bool, through: str
) -> None:
    sent: list[httpx.Request] = []
    upserts = [Upsert("/v1/customers", keys="source_id")] if declared else []
    policy = RetryPolicy(upserts=upserts if through == "policy" else ())
    with Voucherify(
        app_id="id",
        app_token="tok",
        base_url=API,
        http_transport=_transport(failure, sent),
        sleep=lambda s: None,
        retry_policy=policy,
    ) as vf:
        bound = vf.bind(AuthenticatedClient, upserts=upserts if through == "bind" else ())
        body = {"source_id": "c-1", "name": "Ada"} if keyed else {"name": "Ada"}
        ok, unknown = _send(bound, body)
        retried = declared and keyed
        assert len(sent) == (2 if retried else 1)
        assert ok == retried and unknown == (not retried)
        # the declaration stays with the client it was made on: vf's own POSTs are not covered
        if through == "bind" and declared:
            assert vf.retry_policy.upserts == ()


def test_bind_sends_through_the_client_with_no_secret_of_its_own() -> None:
    sent: list[httpx.Request] = []
    with Voucherify(
        app_id="id",
        app_token="tok-secret",
        base_url=API,
        http_transport=_transport(200, sent),
        sleep=lambda s: None,
    ) as vf:
        bound = vf.bind(AuthenticatedClient)
        assert isinstance(bound, AuthenticatedClient) and bound.get_httpx_client() is vf.http
        assert "tok-secret" not in repr(bound) and "tok-secret" not in bound.token
        bound.get_httpx_client().get("/v1/customers/c-1")
    assert sent[0].headers["x-app-token"] == "tok-secret"  # added by the transport, per request
    assert "authorization" not in sent[0].headers


async def test_the_async_client_binds_the_same_way() -> None:
    sent: list[httpx.Request] = []

    async def no_sleep(seconds: float) -> None:
        return None

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if len(sent) == 1:
            raise httpx.ReadError("connection reset after the request was written")
        return httpx.Response(200, json={"id": "cust_1"})

    async with AsyncVoucherify(
        app_id="id",
        app_token="tok",
        base_url=API,
        http_transport=httpx.MockTransport(handler),
        sleep=no_sleep,
    ) as avf:
        bound = avf.bind(AuthenticatedClient, upserts=[Upsert("/v1/customers", keys="source_id")])
        assert isinstance(bound, AuthenticatedClient)
        response = await bound.get_async_httpx_client().post("/v1/customers", json={"source_id": "c-1"})
    assert response.status_code == 200 and len(sent) == 2
