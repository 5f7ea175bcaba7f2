"""``GET /v1/exports`` (List Exports), which the bundled sandbox serves beyond our spec (the named
exception, ``values.BEYOND_SPEC``): the real API's envelope and ``order`` values (facts §2.10,
written out here), items valid against our spec's ``Export``, and the pipeline's behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from voucherify_ext.sandbox import ManualClock, Sandbox, serve

from .conftest import SPEC_URI, SpecValidator

ORDERS = ("created_at", "-created_at", "status", "-status")  # ParameterOrderListExports, facts §2.10
ENVELOPE = {  # ExportsListResponseBody, facts §2.10: all four fields required
    "type": "object",
    "required": ["object", "data_ref", "exports", "total"],
    "properties": {
        "object": {"const": "list"},
        "data_ref": {"const": "exports"},
        "exports": {"type": "array", "items": {"$ref": f"{SPEC_URI}#/components/schemas/Export"}},
        "total": {"type": "integer"},
    },
}


@pytest.fixture(scope="module")
def clocked() -> Iterator[tuple[Sandbox, ManualClock]]:
    clock = ManualClock()
    with serve(clock=clock) as sandbox:
        yield sandbox, clock


def _create(http: httpx.Client) -> str:
    response = http.post("/v1/orders/export", json={"parameters": {"fields": ["id"]}})
    assert response.status_code == 200
    export_id: str = response.json()["id"]
    return export_id


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    waits=st.lists(st.sampled_from([0.0, 0.03, 0.06, 0.2]), min_size=0, max_size=6),
    order=st.one_of(st.none(), st.sampled_from(ORDERS)),
    limit=st.integers(1, 4),
    page=st.integers(1, 3),
)
def test_drawn_exports_are_listed_paged_and_sorted_as_the_real_api_does(
    clocked: tuple[Sandbox, ManualClock],
    spec_validator: SpecValidator,
    waits: list[float],
    order: str | None,
    limit: int,
    page: int,
) -> None:
    sb, clock = clocked
    sb.reset()
    with httpx.Client(base_url=sb.url, headers=sb.headers, timeout=5) as http:
        created = []
        for wait in waits:  # exports created apart, so they are in different states when listed
            created.append(_create(http))
            clock.advance(wait)
        params: dict[str, Any] = {"limit": limit, "page": page} | ({"order": order} if order else {})
        response = http.get("/v1/exports", params=params)
        assert response.status_code == 200
        body = response.json()
        statuses = {e: http.get(f"/v1/exports/{e}").json()["status"] for e in created}
    validator = Draft202012Validator(
        ENVELOPE, registry=spec_validator.registry, format_checker=FormatChecker()
    )
    assert list(validator.iter_errors(body)) == []
    expected = list(created)  # creation order = created_at order
    field = (order or "-created_at").lstrip("-")
    if field == "status":
        expected.sort(key=lambda e: statuses[e])
    if (order or "-created_at").startswith("-"):
        expected.reverse()
    assert body["total"] == len(created)
    assert [e["id"] for e in body["exports"]] == expected[(page - 1) * limit : page * limit]
    assert all(e["status"] == statuses[e["id"]] for e in body["exports"])


def test_list_exports_refuses_what_the_real_api_does_not_take(sb: Sandbox, raw: httpx.Client) -> None:
    assert raw.get("/v1/exports", params={"order": "updated_at"}).json()["details"] == (
        "Property .order must be one of [created_at, -created_at, status, -status]"
    )
    assert raw.get("/v1/exports", params={"limit": 101}).status_code == 400
    assert raw.get("/v1/exports", params={"page": 0}).status_code == 400
    assert raw.get("/v1/exports", headers={"X-App-Token": "wrong"}).status_code == 401


def test_list_exports_runs_through_the_pipeline(sb: Sandbox, raw: httpx.Client) -> None:
    for _ in range(3):
        raw.post("/v1/orders/export", json={})
    sb.inject("short_page", method="GET", path="/v1/exports", items=1)
    short = raw.get("/v1/exports").json()
    assert (len(short["exports"]), short["total"]) == (1, 3)
    sb.inject("status", method="GET", path="/v1/exports", status=503)
    assert raw.get("/v1/exports").status_code == 503
    assert sb.request_count("GET", "/v1/exports") == 2
    token = raw.post("/v1/oauth/token", data={"grant_type": "client_credentials", "scope": "exports"})
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}  # no app keys
    assert httpx.get(f"{sb.url}/v1/exports", headers=bearer).json()["total"] == 3
