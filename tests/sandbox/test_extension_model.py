"""Searching tests of an extension resource over loopback HTTP: drawn sequences of upserts, gets
and list pages agree with a small model of Voucherify's upsert; drawn faults on extension routes
do to the client (and to the write) exactly what they do on the built-in operations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from voucherify_ext.sandbox import Sandbox

from .test_extension import served_sandbox

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    yield from served_sandbox()


@pytest.fixture(scope="module")
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, headers=sb.headers, timeout=5) as client:
        yield client


# ---------------------------------------------------------------- upsert, get, list against a model


@dataclass
class Model:
    """Voucherify's upsert as the docs describe it: ``id`` names the object, else ``source_id``;
    sent fields replace, the others stay; a source_id another object holds is a 400."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> fields, creation order

    def holder(self, source_id: str) -> str | None:
        return next((i for i, o in self.objects.items() if o.get("source_id") == source_id), None)

    def find(self, key: str) -> str | None:
        return key if key in self.objects else self.holder(key)

    def upsert(self, body: dict[str, Any]) -> str | None:
        """The id the upsert writes (``"?"`` for a new generated one), or None for a 400."""
        target = body["id"] if body.get("id") in self.objects else None
        if target is None and "source_id" in body:
            target = self.holder(body["source_id"])
        owner = self.holder(body["source_id"]) if "source_id" in body else None
        if target is not None and owner is not None and owner != target:
            return None
        return target if target is not None else body.get("id", "?")


ids = st.sampled_from(["k-1", "k-2"])
source_ids = st.sampled_from(["s-1", "s-2", "s-3"])
upserts = st.tuples(
    st.just("upsert"),
    st.one_of(st.none(), ids, st.integers(0, 5)),  # no id, a chosen id, or a stored object's id
    st.one_of(st.none(), source_ids),
    st.integers(0, 9),
)
gets = st.tuples(st.just("get"), st.one_of(ids, source_ids, st.integers(0, 5), st.just("nobody")))
pages = st.tuples(st.just("list"), st.integers(1, 4), st.integers(1, 3))


@SETTINGS
@example(steps=[("upsert", None, "s-1", 1), ("upsert", None, "s-2", 2), ("upsert", 0, "s-2", 3)])  # 400
@example(steps=[("upsert", "k-1", "s-1", 1), ("upsert", "k-2", "s-1", 2), ("get", "k-2"), ("list", 2, 1)])
@given(steps=st.lists(st.one_of(upserts, gets, pages), min_size=1, max_size=12))
def test_drawn_upserts_gets_and_pages_agree_with_the_model(
    sb: Sandbox, http: httpx.Client, steps: list[tuple[Any, ...]]
) -> None:
    sb.reset()
    model = Model()

    def stored(index: int) -> str | None:
        known = list(model.objects)
        return known[index % len(known)] if known else None

    for step in steps:
        if step[0] == "upsert":
            _, chosen, source_id, n = step
            body: dict[str, Any] = {"n": n}
            chosen_id = stored(chosen) if isinstance(chosen, int) else chosen
            if chosen_id is not None:
                body["id"] = chosen_id
            if source_id is not None:
                body["source_id"] = source_id
            expected = model.upsert(body)
            response = http.post("/v1/customers", json=body)
            if expected is None:
                assert response.status_code == 400, (body, response.text)
                assert "is already used by customer" in response.json()["details"]
                continue
            assert response.status_code == 200, response.text
            got = response.json()
            new = expected not in model.objects
            if expected == "?":
                assert got["id"].startswith("cust_") and got["id"] not in model.objects
            else:
                assert got["id"] == expected
            fields = {} if new else dict(model.objects[got["id"]])
            fields |= {k: v for k, v in body.items() if k != "id"}
            model.objects[got["id"]] = fields
            assert {k: got[k] for k in fields} == fields
            assert got["object"] == "customer" and (got["updated_at"] is None) == new
        elif step[0] == "get":
            key = stored(step[1]) if isinstance(step[1], int) else step[1]
            key = key or "nobody"
            response = http.get(f"/v1/customers/{key}")
            found = model.find(key)
            if found is None:
                assert response.status_code == 404
            else:
                assert response.status_code == 200 and response.json()["id"] == found
        else:
            _, limit, page = step
            response = http.get("/v1/customers", params={"limit": limit, "page": page})
            body = response.json()
            newest_first = list(reversed(model.objects))
            assert body["object"] == "list" and body["data_ref"] == "customers"
            assert body["total"] == len(model.objects)
            assert [c["id"] for c in body["customers"]] == newest_first[(page - 1) * limit : page * limit]
    created = [c["created_at"] for c in sb.resource_items("customers")]
    assert created == sorted(created) and len(set(created)) == len(created)  # unique, increasing


def test_list_bounds_are_voucherifys(sb: Sandbox, http: httpx.Client) -> None:
    """page and limit 1..100 as on every list: the 400s name the property."""
    sb.reset()
    for params, details in (
        ({"limit": 0}, "Property .limit must be greater than or equal to 1"),
        ({"limit": 101}, "Property .limit must be less than or equal to 100"),
        ({"page": 101}, "Property .page must be less than or equal to 100"),
        ({"page": "x"}, "Property .page must be an integer"),
    ):
        response = http.get("/v1/customers", params=params)
        assert response.status_code == 400 and response.json()["details"] == details
    assert http.get("/v1/customers", params={"limit": 100, "page": 100}).json()["customers"] == []


# ---------------------------------------------------------------- faults: extension = built-in

PAIRS = [  # (built-in operation, extension operation) of one kind; bodies write source_id "p-1"
    (
        ("POST", "/v1/orders", {"source_id": "p-1", "amount": 1}),
        ("POST", "/v1/customers", {"source_id": "p-1"}),
    ),
    (("GET", "/v1/orders", None), ("GET", "/v1/customers", None)),
    (("GET", "/v1/orders/o-1", None), ("GET", "/v1/customers/c-1", None)),
    (
        ("POST", "/v1/orders/import", [{"source_id": "p-1"}]),
        ("POST", "/v1/customers/bulk/async", [{"source_id": "p-1"}]),
    ),
]
KINDS = ["status", "html", "invalid_json", "drop_before", "drop_after", "truncate", "latency", "short_page"]
STATUSES = [s.value for s in HTTPStatus if 400 <= s.value <= 599]


def _committed(sb: Sandbox, path: str) -> int:
    if path == "/v1/orders":
        return sb.count_orders(source_id="p-1")
    if path == "/v1/customers":
        return sum(c.get("source_id") == "p-1" for c in sb.resource_items("customers"))
    return sb.async_action_count()


def _outcome(sb: Sandbox, http: httpx.Client, method: str, path: str, body: object) -> tuple[Any, ...]:
    """What the client sees, and what the sandbox kept: comparable across resources."""
    before = _committed(sb, path)
    try:
        response = http.request(method, path, json=body)
    except httpx.TransportError as exc:
        seen: tuple[Any, ...] = ("transport error", type(exc).__name__)
    else:
        try:
            data = response.json()
        except ValueError:
            data = None
        media = response.headers.get("content-type", "").split(";")[0]
        ref = data.get("data_ref") if isinstance(data, dict) else None
        page = (len(data[ref]), data["total"]) if isinstance(ref, str) else None
        keys = sorted(data) if isinstance(data, dict) and response.status_code >= 400 else None
        seen = (response.status_code, media, data is None, page, keys)
    return (*seen, _committed(sb, path) - before, sb.request_count(method, path))


@pytest.mark.parametrize("kind", KINDS)
@settings(SETTINGS, max_examples=12)
@given(
    pair=st.sampled_from(PAIRS),
    status=st.sampled_from(STATUSES),
    items=st.one_of(st.none(), st.integers(0, 4)),
)
def test_a_drawn_fault_does_on_an_extension_route_what_it_does_on_a_built_in_one(
    sb: Sandbox, http: httpx.Client, pair: Any, kind: str, status: int, items: int | None
) -> None:
    outcomes = []
    for method, path, body in pair:
        sb.reset()
        sb.seed_orders(4, source_id_prefix="o-")
        sb.seed_resource("customers", [{"source_id": f"c-{n}"} for n in range(1, 5)])
        options: dict[str, Any] = {"status": status} if kind == "status" else {}
        options |= {"delay_ms": 5} if kind == "latency" else {}
        options |= {"items": items} if kind == "short_page" else {}
        sb.inject(kind, method=method, path=path, **options)
        outcomes.append(_outcome(sb, http, method, path, body))
    builtin, extension = outcomes
    assert extension == builtin
