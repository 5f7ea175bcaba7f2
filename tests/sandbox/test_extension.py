"""A team's sandbox extension, served on loopback behind the fault proxy: its routes get the
sandbox's auth (401 on wrong credentials, OAuth scopes), request counting and injected faults
(a dropped response included), and its bulk call becomes an async action of the type it names.

``EXTENSION`` here is what a team writes; the other ``test_extension_*`` modules reuse it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from voucherify_ext.sandbox import (
    DEFAULT_IMPORT_SPEED,
    ExtensionRoute,
    ManualClock,
    Resource,
    Sandbox,
    SandboxError,
    SandboxExtension,
    SandboxState,
    create_app,
    serve,
)

CUSTOMERS = Resource(
    name="customers",
    path="/v1/customers",
    object="customer",
    id_prefix="cust_",
    scope="customers",
    bulk_path="/v1/customers/bulk/async",
    bulk_type="CUSTOMERS.BULK_UPDATE",
)


async def count_customers(request: Request, state: SandboxState) -> Response:
    """A hand-written route of the team's: how many customers carry ``?source_id=``."""
    wanted = request.query_params.get("source_id")
    if wanted is None:
        raise SandboxError(400, "invalid_query_params", "Invalid query params", "source_id is required")
    return JSONResponse(
        {"count": sum(c.get("source_id") == wanted for c in state.resource_items("customers"))}
    )


EXTENSION = SandboxExtension(
    name="customers-team",
    resources=[CUSTOMERS],
    routes=[ExtensionRoute("GET", "/v1/customers-count", count_customers, scope="customers")],
)

# every route of the extension, with a request that it answers 200
ROUTES = [
    ("GET", "/v1/customers", None),
    ("POST", "/v1/customers", {"source_id": "c-1"}),
    ("GET", "/v1/customers/c-0", None),
    ("POST", "/v1/customers/bulk/async", [{"source_id": "c-2"}]),
    ("GET", "/v1/customers-count?source_id=c-0", None),
]


def served_sandbox() -> Iterator[Sandbox]:
    with serve(extensions=[EXTENSION], seed=3) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def ext_server() -> Iterator[Sandbox]:
    yield from served_sandbox()


@pytest.fixture
def ext(ext_server: Sandbox) -> Iterator[Sandbox]:
    """The module's extended sandbox, empty and in real time for each test, one customer ``c-0``."""
    ext_server.use_clock(None)
    ext_server.set_rate_limit(None)
    ext_server.set_import_speed(DEFAULT_IMPORT_SPEED)
    ext_server.seed_resource("customers", [{"source_id": "c-0"}])
    yield ext_server
    ext_server.clear_faults()


@pytest.fixture
def http(ext: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ext.url, timeout=5) as client:
        yield client


def _token(http: httpx.Client, ext: Sandbox, scope: str) -> dict[str, str]:
    response = http.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope},
        headers=ext.headers,
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_extension_route_refuses_wrong_credentials_with_401(
    ext: Sandbox, http: httpx.Client, method: str, path: str, body: object
) -> None:
    wrong = [
        {},
        {"X-App-Id": ext.app_id, "X-App-Token": "not-the-token"},
        {"X-App-Id": "someone-else", "X-App-Token": ext.app_token},
        {"Authorization": "Bearer not-a-token"},
        _token(http, ext, "orders"),  # a real token, of another resource's scope
    ]
    for headers in wrong:
        response = http.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json() == {"code": 401, "message": "Unauthorized", "key": "unauthorized"}
    for headers in (ext.headers, _token(http, ext, "customers"), _token(http, ext, "api")):
        assert http.request(method, path, json=body, headers=headers).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_extension_route_is_counted_as_it_arrives(
    ext: Sandbox, http: httpx.Client, method: str, path: str, body: object
) -> None:
    bare = path.partition("?")[0]
    http.request(method, path, json=body, headers=ext.headers)
    http.request(method, path, json=body)  # a 401 is counted too
    assert ext.request_count(method, bare) == 2
    assert ext.request_count(None, bare) == 2 and ext.request_count() == 2
    ext.inject("drop_before", method=method, path=bare)  # never reaches the app: not counted
    with pytest.raises(httpx.TransportError):
        http.request(method, path, json=body, headers=ext.headers)
    assert ext.request_count(method, bare) == 2


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_extension_route_obeys_injected_faults(
    ext: Sandbox, http: httpx.Client, method: str, path: str, body: object
) -> None:
    bare = path.partition("?")[0]
    ext.inject("status", method=method, path=bare, status=503, times=2)
    ext.inject("html", method=method, path=bare)
    ext.inject("invalid_json", method=method, path=bare)
    seen = [http.request(method, path, json=body, headers=ext.headers) for _ in range(5)]
    assert [r.status_code for r in seen[:3]] == [503, 503, 502]
    assert seen[0].json()["message"] == "Service Unavailable"
    assert seen[2].headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError):
        seen[3].json()
    assert seen[4].status_code == 200 and isinstance(seen[4].json(), dict)
    ext.inject("status", method=method, path="/v1/customers*", status=429)  # a glob matches too
    limited = http.request(method, path, json=body, headers=ext.headers)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"


def test_a_dropped_upsert_was_committed_and_its_retry_is_counted_twice(
    ext: Sandbox, http: httpx.Client
) -> None:
    """What the customers example relies on: drop_after on the extension's upsert, behind the
    loopback proxy, loses the response of a committed write; the retried upsert is a second
    request and leaves one customer. A dropped bulk call (not retried) is one request, one action."""
    ext.inject("drop_after", method="POST", path="/v1/customers")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/v1/customers", json={"source_id": "dup", "name": "first"}, headers=ext.headers)
    assert [c["name"] for c in ext.resource_items("customers") if c.get("source_id") == "dup"] == ["first"]
    again = http.post("/v1/customers", json={"source_id": "dup", "name": "again"}, headers=ext.headers)
    assert again.status_code == 200 and again.json()["name"] == "again"
    assert ext.request_count("POST", "/v1/customers") == 2
    assert sum(c.get("source_id") == "dup" for c in ext.resource_items("customers")) == 1

    ext.inject("drop_after", method="POST", path="/v1/customers/bulk/async")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/v1/customers/bulk/async", json=[{"source_id": "b-1"}], headers=ext.headers)
    assert ext.request_count("POST", "/v1/customers/bulk/async") == 1
    assert ext.async_action_count() == 1


def test_the_bulk_call_is_an_async_action_of_the_named_type_on_the_sandbox_clock(
    ext: Sandbox, http: httpx.Client
) -> None:
    clock = ManualClock()
    ext.use_clock(clock)  # resets the sandbox
    ext.seed_resource("customers", [{"source_id": "c-0"}])
    ext.set_import_speed(10)  # items per second, for every action in the project's queue
    h = ext.headers
    ahead = http.post("/v1/orders/import", json=[{"source_id": f"o-{i}"} for i in range(10)], headers=h)
    body = [{"source_id": "c-0", "name": "renamed"}, {"source_id": 7}, {"source_id": "new", "name": "n"}]
    started = http.post("/v1/customers/bulk/async", json=body, headers=h).json()
    action_id = started["async_action_id"]
    assert action_id.startswith("aa_") and ahead.status_code == 200

    def action() -> dict[str, object]:
        response = http.get(f"/v1/async-actions/{action_id}", headers=h)
        assert response.status_code == 200
        got: dict[str, object] = response.json()
        return got

    assert action()["type"] == "CUSTOMERS.BULK_UPDATE"
    assert action()["status"] == "ENQUEUED"  # behind the import: one action at a time
    clock.advance(1.15)  # the import took 1 s; the bulk call has applied its first item since
    assert action()["status"] == "IN_PROGRESS"
    assert [c.get("name") for c in ext.resource_items("customers")] == ["renamed"]
    clock.advance(0.2)  # 3 items at 10/s: done 0.3 s after it started
    done = action()
    assert done["status"] == "DONE" and done["progress"] == 100
    assert done["result"] == {
        "message": "2 item(s) processed successfully, 1 failed.",
        "done_count": 2,
        "failed_count": 1,
        "errors": [
            {
                "message": "Invalid payload",
                "details": "Property .source_id must be a string",
                "key": "invalid_payload",
                "source_id": None,
            }
        ],
    }
    assert [c["source_id"] for c in ext.resource_items("customers")] == ["c-0", "new"]
    listed = http.get("/v1/async-actions", headers=h).json()["async_actions"]
    assert (listed[0]["id"], listed[0]["type"]) == (action_id, "CUSTOMERS.BULK_UPDATE")
    assert "result" not in listed[0]
    assert ext.import_carriers() == {f"o-{i}": [ahead.json()["async_action_id"]] for i in range(10)}


def test_a_late_commit_on_the_bulk_call_makes_its_action_appear_later(
    ext: Sandbox, http: httpx.Client
) -> None:
    ext.inject("late_commit", method="POST", path="/v1/customers/bulk/async", after_requests=2)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/v1/customers/bulk/async", json=[{"source_id": "late"}], headers=ext.headers)
    assert ext.async_action_count() == 0 and len(ext.pending_imports()) == 1
    http.get("/v1/customers", headers=ext.headers)
    http.get("/v1/customers", headers=ext.headers)  # the second later request sees it
    assert ext.async_action_count() == 1 and ext.pending_imports() == []


def test_the_bulk_call_refuses_what_is_no_array_of_objects(ext: Sandbox, http: httpx.Client) -> None:
    for body, details in (
        ({"source_id": "x"}, "Property . must be an array"),
        ([], "Property . must contain at least 1 element"),
        ([{"source_id": "x"}, 3], "Property [1] must be an object"),
        ([{}] * 2001, "Property . cannot contain more than 2000 elements"),
    ):
        response = http.post("/v1/customers/bulk/async", json=body, headers=ext.headers)
        assert response.status_code == 400 and response.json()["details"] == details
    assert ext.async_action_count() == 0


def test_a_handler_error_and_a_missing_object_answer_in_voucherifys_format(
    ext: Sandbox, http: httpx.Client
) -> None:
    missing = http.get("/v1/customers/nobody", headers=ext.headers)
    assert missing.status_code == 404
    assert missing.json()["resource_type"] == "customer" and missing.json()["key"] == "not_found"
    bad = http.get("/v1/customers-count", headers=ext.headers)
    assert bad.status_code == 400 and bad.json()["details"] == "source_id is required"
    assert http.get("/v1/customers-count?source_id=c-0", headers=ext.headers).json() == {"count": 1}
    assert http.post("/v1/customers", json=[1], headers=ext.headers).status_code == 400


def test_a_route_that_is_served_already_is_refused_at_start() -> None:
    async def handler(request: Request, state: SandboxState) -> Response:
        return Response()

    for taken in (
        ExtensionRoute("GET", "/v1/orders", handler),  # built in
        ExtensionRoute("GET", "/v1/orders/{id}", handler),  # built in, parameter spelt otherwise
        ExtensionRoute("POST", "/v1/customers", handler),  # the resource's own
    ):
        with pytest.raises(ValueError, match=r"extension 'other': .*(served already|spelt differently)"):
            create_app(extensions=[EXTENSION, SandboxExtension("other", routes=[taken])])
    create_app(
        extensions=[
            EXTENSION,
            SandboxExtension("other", routes=[ExtensionRoute("PUT", "/v1/orders", handler)]),
        ]
    )
    with pytest.raises(ValueError, match="outside /_sandbox"):
        ExtensionRoute("GET", "/_sandbox/state", handler)
    with pytest.raises(ValueError, match="go together"):
        Resource(name="x", path="/v1/x", object="x", id_prefix="x_", bulk_path="/v1/x/bulk")
