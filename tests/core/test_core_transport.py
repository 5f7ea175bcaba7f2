"""Narrow transport cases the sandbox cannot produce, with httpx.MockTransport as the server:
exact retry counts and sleeps, HTTP-date Retry-After, cross-host redirects, stream bodies,
deadlines, interrupts, and responses with wrongly typed fields."""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from voucherify_ext import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    AsyncVoucherify,
    BadRequestError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Voucherify,
)
from voucherify_ext._version import __version__
from voucherify_ext.http.exchange import exchange_of

API = "https://api.voucherify.io"
ORDER = {"id": "ord_1", "source_id": "s-1", "object": "order", "amount": 1000, "status": "PAID"}
NOW = 1_700_000_000.0
Handler = Callable[[httpx.Request], httpx.Response]


class Server:
    """Scripted answers; records every request it saw."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(request)  # type: ignore[no-any-return]
        return answer  # type: ignore[no-any-return]


def _not_retried(response: httpx.Response) -> str:
    """Why the transport handed ``response`` back instead of retrying it."""
    exchange = exchange_of(response)
    assert exchange is not None and exchange.not_retried_reason is not None
    return exchange.not_retried_reason


def ok(body: Any = ORDER, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


def err(status: int, **headers: str) -> httpx.Response:
    body = {"code": status, "message": "boom", "key": "boom", "request_id": f"v-{status}"}
    return httpx.Response(status, json=body, headers=headers)


class Sleeps(list[float]):
    """Fake sleep that advances a fake monotonic clock, so waits are not counted twice."""

    now = 0.0

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def mock_vf() -> Iterator[Callable[..., tuple[Voucherify, Server, Sleeps]]]:
    made: list[Voucherify] = []

    def factory(*answers: Any, **kwargs: Any) -> tuple[Voucherify, Server, Sleeps]:
        server = Server(*answers)
        sleeps = Sleeps()
        kwargs.setdefault("retry_policy", RetryPolicy(jitter=0))
        vf = Voucherify(
            app_id="app",
            app_token="tok",
            base_url=kwargs.pop("base_url", API),
            http_transport=httpx.MockTransport(server),
            sleep=sleeps,
            clock=sleeps.clock,
            wall_clock=lambda: NOW,
            **kwargs,
        )
        made.append(vf)
        return vf, server, sleeps

    yield factory
    for vf in made:
        vf.close()


def test_retries_then_succeeds_with_backoff_sleeps(mock_vf: Any) -> None:
    vf, server, sleeps = mock_vf(err(503), err(502), ok())
    order = vf.orders.get("ord_1")
    assert order.id == "ord_1"
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_gives_up_after_max_retries_with_attempts_on_the_error(mock_vf: Any) -> None:
    vf, server, _sleeps = mock_vf(err(503))
    with pytest.raises(ServerError) as info:
        vf.orders.get("ord_1")
    assert len(server.requests) == 3
    assert info.value.attempts == 3 and "attempts=3" in str(info.value)
    assert info.value.request_id == "v-503" and "v-503" in str(info.value)


def test_attempts_recorded_on_the_httpx_response(mock_vf: Any) -> None:
    vf, _, _ = mock_vf(err(500), ok())
    response = vf.http.get("/v1/orders/ord_1")
    exchange = exchange_of(response)
    assert exchange is not None and exchange.attempts == 2
    assert (exchange.method, exchange.path, exchange.not_retried_reason) == ("GET", "/v1/orders/ord_1", None)


def test_400_and_409_are_not_retried(mock_vf: Any) -> None:
    vf, server, sleeps = mock_vf(err(400))
    with pytest.raises(BadRequestError):
        vf.orders.get("x")
    assert len(server.requests) == 1 and sleeps == []
    vf, server, _ = mock_vf(err(409))
    with pytest.raises(Exception) as info:
        vf.orders.create({"source_id": "s"})
    assert type(info.value).__name__ == "ConflictError" and len(server.requests) == 1


def test_retry_after_http_date_is_honoured(mock_vf: Any) -> None:
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    vf, _server, sleeps = mock_vf(err(429, **{"Retry-After": date}), ok())
    vf.orders.get("ord_1")
    assert sleeps == [12.0]


def test_rate_limit_retry_epoch_is_read_against_server_date(mock_vf: Any) -> None:
    server_now = NOW - 7200  # the server's clock is 2 h behind ours
    headers = {
        "X-Rate-Limit-Retry": str(int(server_now) + 4),
        "Date": email.utils.formatdate(server_now, usegmt=True),
    }
    vf, _server, sleeps = mock_vf(err(429, **headers), ok())
    vf.orders.get("ord_1")
    assert sleeps == [4.0]


def test_retry_after_over_the_cap_fails_fast_with_rate_limit_error(mock_vf: Any) -> None:
    vf, server, sleeps = mock_vf(err(429, **{"Retry-After": "3600"}))
    with pytest.raises(RateLimitError) as info:
        vf.orders.get("ord_1")
    assert len(server.requests) == 1 and sleeps == []
    assert info.value.retry_after == 3600.0
    assert "3600" in str(info.value) and "cap" in str(info.value)


def test_garbage_retry_after_falls_back_to_backoff(mock_vf: Any) -> None:
    vf, _server, sleeps = mock_vf(err(503, **{"Retry-After": "whenever"}), ok())
    vf.orders.get("ord_1")
    assert sleeps == [0.5]


def test_connect_errors_are_retried_even_for_bare_creates(mock_vf: Any) -> None:
    vf, server, _sleeps = mock_vf(httpx.ConnectError("refused"), ok())
    vf.orders.create({"amount": 5})
    assert len(server.requests) == 2


def test_read_timeout_retried_for_get_not_for_bare_create(mock_vf: Any) -> None:
    vf, server, _ = mock_vf(httpx.ReadTimeout("timed out"), ok())
    vf.orders.get("ord_1")
    assert len(server.requests) == 2

    vf, server, _ = mock_vf(httpx.ReadTimeout("timed out"), ok())
    with pytest.raises(APITimeoutError) as info:
        vf.orders.create({"amount": 5})
    assert len(server.requests) == 1
    assert info.value.outcome_unknown
    assert "Outcome unknown" in str(info.value) and "not idempotent" in str(info.value)

    vf, server, _ = mock_vf(httpx.ReadTimeout("timed out"), ok())
    vf.orders.create({"amount": 5, "source_id": "s-9"})
    assert len(server.requests) == 2


def test_exhausted_connection_errors_become_api_connection_error(mock_vf: Any) -> None:
    vf, _server, _ = mock_vf(httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as info:
        vf.orders.get("ord_1")
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.attempts == 3 and not info.value.outcome_unknown
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_headers_for_the_api_host(mock_vf: Any) -> None:
    vf, server, _ = mock_vf(ok())
    vf.orders.get("ord_1")
    sent = server.requests[0].headers
    assert sent["x-app-id"] == "app" and sent["x-app-token"] == "tok"
    assert sent["x-voucherify-api-version"] == "v2018-08-01"
    assert sent["user-agent"].startswith(f"voucherify-orders/{__version__} python/")


def test_redirect_to_a_foreign_host_carries_no_credentials(mock_vf: Any) -> None:
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.voucherify.io":
            return httpx.Response(302, headers={"Location": "https://evil.example/steal?x=1"})
        return ok()

    vf, server, _ = mock_vf(route)
    vf.orders.get("ord_1")
    assert [r.url.host for r in server.requests] == ["api.voucherify.io", "evil.example"]
    foreign = server.requests[1].headers
    for name in ("x-app-id", "x-app-token", "authorization", "x-voucherify-api-version"):
        assert name not in foreign


def test_redirect_to_the_download_host_keeps_credentials(mock_vf: Any) -> None:
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.voucherify.io":
            return httpx.Response(
                302, headers={"Location": "https://download.voucherify.io/v1/exports/e?token=t"}
            )
        return httpx.Response(200, text="id\n1\n", headers={"content-type": "text/plain"})

    vf, server, _ = mock_vf(route)
    vf.http.get("/v1/exports/e")
    assert server.requests[1].headers["x-app-token"] == "tok"


def test_caller_supplied_credential_headers_are_stripped_for_foreign_hosts(mock_vf: Any) -> None:
    vf, server, _ = mock_vf(ok())
    vf.http.get("https://elsewhere.example/x", headers={"X-App-Token": "tok", "Authorization": "Bearer t"})
    assert "x-app-token" not in server.requests[0].headers
    assert "authorization" not in server.requests[0].headers


def test_discarded_responses_are_closed_before_retrying(mock_vf: Any) -> None:
    closed: list[bool] = []

    class Tracked(httpx.ByteStream):
        def close(self) -> None:
            closed.append(True)

    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            503, stream=Tracked(b'{"code":503,"message":"x"}'), headers={"content-type": "application/json"}
        )

    vf, _server, _ = mock_vf(failing, ok())
    vf.orders.get("ord_1")
    assert closed == [True]


def test_streaming_bodies_are_not_replayed(mock_vf: Any) -> None:
    vf, server, _ = mock_vf(err(503), ok())

    def body() -> Iterator[bytes]:
        yield b'{"source_id": "s"}'

    response = vf.http.put("/v1/orders/s", content=body())
    assert response.status_code == 503 and len(server.requests) == 1
    assert "cannot be replayed" in _not_retried(response)


def test_per_call_override_shares_pool_and_limiter(mock_vf: Any) -> None:
    vf, server, _sleeps = mock_vf(err(503))
    fast = vf.with_options(max_retries=0, timeout=5)
    assert fast.rate_limiter is vf.rate_limiter
    assert fast.http._transport.inner is vf.http._transport.inner  # type: ignore[attr-defined]
    with pytest.raises(ServerError):
        fast.orders.get("ord_1")
    assert len(server.requests) == 1
    assert server.requests[0].extensions["timeout"]["read"] == 5.0
    fast.close()  # a variant does not close the shared pool
    server.answers = [ok()]
    assert vf.orders.get("ord_1").id == "ord_1"
    assert vf.retry_policy.max_retries == 2


def test_deadline_covers_retry_sleeps() -> None:
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    server = Server(err(503))
    vf = Voucherify(
        app_id="a",
        app_token="t",
        base_url=API,
        http_transport=httpx.MockTransport(server),
        retry_policy=RetryPolicy(max_retries=10, jitter=0),
        deadline=3.0,
        sleep=sleep,
        clock=lambda: clock[0],
    )
    with pytest.raises(ServerError) as info:
        vf.orders.get("ord_1")
    # 0.5 + 1.0 slept (1.5 s); the next 2.0 s sleep would pass the 3 s deadline
    assert len(server.requests) == 3
    assert "deadline" in str(info.value)


def test_deadline_bounds_the_attempt_timeout(mock_vf: Any) -> None:
    vf, server, _ = mock_vf(ok(), deadline=2.0)
    vf.orders.get("ord_1")
    assert server.requests[0].extensions["timeout"]["read"] <= 2.0


def test_keyboard_interrupt_is_not_wrapped(mock_vf: Any) -> None:
    vf, _server, _ = mock_vf(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        vf.orders.get("ord_1")


async def test_cancelled_error_is_not_wrapped() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        raise asyncio.CancelledError()

    async with AsyncVoucherify(
        app_id="a", app_token="t", base_url=API, http_transport=httpx.MockTransport(handler)
    ) as avf:
        with pytest.raises(asyncio.CancelledError):
            await avf.orders.get("ord_1")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ORDER, "amount": "1000"}, "amount"),
        ({**ORDER, "id": 5}, "id"),
        ({**ORDER, "items": [{"quantity": "2"}]}, "items[0].quantity"),
        ({**ORDER, "customer": {"id": 1, "object": "customer"}}, "customer.id"),
        ({**ORDER, "redemptions": {"r_1": {"stacked": "no"}}}, "redemptions.r_1.stacked"),
    ],
)
def test_wrongly_typed_fields_raise_response_error(mock_vf: Any, body: dict[str, Any], field: str) -> None:
    vf, _, _ = mock_vf(ok(body))
    with pytest.raises(APIResponseError) as info:
        vf.orders.get("ord_1")
    assert info.value.field == field
    assert info.value.status_code == 200
    assert field in str(info.value)


@pytest.mark.parametrize(
    "content",
    [b'{"id": "ord_1", "amount": ', b"[1, 2]", b"null", b'"just a string"', b'{"created_at": 5}'],
)
def test_malformed_success_bodies_raise_response_error(mock_vf: Any, content: bytes) -> None:
    vf, _, _ = mock_vf(httpx.Response(200, content=content, headers={"content-type": "application/json"}))
    with pytest.raises(APIResponseError) as info:
        vf.orders.get("ord_1")
    assert info.value.status_code == 200
    assert info.value.excerpt


def test_unknown_fields_and_enum_values_from_the_server_are_accepted(mock_vf: Any) -> None:
    vf, _, _ = mock_vf(ok({**ORDER, "status": "REFUNDED", "brand_new": {"x": 1}}))
    order = vf.orders.get("ord_1")
    assert order.status == "REFUNDED"
    assert order.additional_properties["brand_new"] == {"x": 1}


def test_undeclared_error_status_is_typed(mock_vf: Any) -> None:
    vf, _, _ = mock_vf(err(402))
    with pytest.raises(Exception) as info:
        vf.orders.get("ord_1")
    assert type(info.value).__name__ == "PaymentRequiredError"


def test_generated_client_repr_holds_no_secret(mock_vf: Any) -> None:
    vf, _, _ = mock_vf(ok())
    assert "tok" not in repr(vf.client).replace("token=", "").replace(
        "<managed by voucherify_ext transport>", ""
    )
    assert "tok" not in repr(vf).replace("app_token=Secret", "")
    _ = json  # keep the import for readers comparing bodies


def test_a_long_server_pause_fails_every_call_fast(mock_vf: Any) -> None:
    vf, server, sleeps = mock_vf(err(429, **{"Retry-After": "3600"}))
    for _ in range(3):
        with pytest.raises(RateLimitError):
            vf.orders.get("ord_1")
    assert len(server.requests) == 3 and sleeps == []


def test_rate_limit_wait_beyond_the_deadline_fails_instead_of_waiting(mock_vf: Any) -> None:
    vf, server, sleeps = mock_vf(ok(), rate_limit="1/min", deadline=5.0)
    vf.orders.get("ord_1")
    with pytest.raises(APITimeoutError, match="deadline"):
        vf.orders.get("ord_1")
    assert len(server.requests) == 1 and sleeps == []


IMPORT_REASON = (
    "an import creates a new async action on every call; it is reconciled by the importer, "
    "not retried blindly"
)


def test_an_ambiguous_import_failure_says_it_is_reconciled_not_that_it_lacks_a_source_id(
    mock_vf: Any,
) -> None:
    vf, server, sleeps = mock_vf(httpx.ReadTimeout("timed out"), ok())
    with pytest.raises(APITimeoutError) as info:
        vf.http.post("/v1/orders/import", json=[{"source_id": "s-1", "amount": 5}])
    assert info.value.outcome_unknown and len(server.requests) == 1 and sleeps == []
    assert info.value.not_retried_reason == IMPORT_REASON
    assert "source_id" not in str(info.value) and IMPORT_REASON in str(info.value)

    vf, server, _ = mock_vf(err(503))
    response = vf.http.post("/v1/orders/import", json=[{"source_id": "s-1", "amount": 5}])
    assert response.status_code == 503 and len(server.requests) == 1
    assert _not_retried(response) == IMPORT_REASON


def test_other_non_idempotent_requests_get_a_generic_reason(mock_vf: Any) -> None:
    vf, server, _ = mock_vf(err(503))
    response = vf.http.post("/v1/orders/export", json={"exported_object": "order"})
    reason = _not_retried(response)
    assert len(server.requests) == 1
    assert "not idempotent" in reason and "source_id" not in reason and "import" not in reason


def test_an_exhausted_budget_beyond_the_cap_fails_fast_without_sleeping(mock_vf: Any) -> None:
    headers = {
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Retry": str(int(NOW) + 3600),
        "Date": email.utils.formatdate(NOW, usegmt=True),
    }
    vf, server, sleeps = mock_vf(ok(**headers), err(429, **{"Retry-After": "3600"}))
    vf.orders.get("ord_1")
    with pytest.raises(RateLimitError) as info:
        vf.orders.get("ord_1")
    assert info.value.retry_after == 3600.0
    assert len(server.requests) == 2 and sleeps == []


def test_a_429_with_an_exhausted_budget_is_waited_once(mock_vf: Any) -> None:
    headers = {
        "Retry-After": "1",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Retry": str(int(NOW) + 2),  # whole seconds, against a whole-second Date
        "Date": email.utils.formatdate(NOW, usegmt=True),
    }
    vf, server, sleeps = mock_vf(err(429, **headers), ok())
    vf.orders.get("ord_1")
    vf.orders.get("ord_1")
    assert len(server.requests) == 3 and sleeps == [1.0]


def test_injected_sleep_without_an_injected_clock_does_not_spin() -> None:
    # only sleep is injected (a no-op): the real clock does not move with it, and the
    # rate limiter's 1 s guess after "0 remaining" must be one sleep, not a busy loop
    slept: list[float] = []
    answers = [ok(**{"X-Rate-Limit-Remaining": "0"}), ok()]
    server = Server(*answers)
    with Voucherify(
        app_id="app",
        app_token="tok",
        base_url=API,
        http_transport=httpx.MockTransport(server),
        sleep=slept.append,
    ) as vf:
        vf.orders.get("ord_1")
        vf.orders.get("ord_1")
    assert slept == [1.0] and len(server.requests) == 2


def test_responses_are_not_run_through_urllib_cookie_machinery(
    mock_vf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Voucherify sets no cookies; httpx's default store wraps every response and request in
    # urllib objects to look for some (~13 us a request). Ours neither looks nor keeps any.
    import urllib.request

    built: list[object] = []
    original = urllib.request.Request.__init__

    def counting(self: urllib.request.Request, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(urllib.request.Request, "__init__", counting)
    vf, server, _ = mock_vf(ok(**{"Set-Cookie": "session=abc; Path=/"}))
    vf.orders.get("ord_1")
    vf.orders.get("ord_1")
    assert built == []
    assert "cookie" not in server.requests[1].headers
    assert not vf.http.cookies


def test_headers_changed_on_the_way_out_do_not_leak_into_the_next_request(mock_vf: Any) -> None:
    # the transport reuses the header set it built for identical requests; what is sent is a copy
    seen: list[tuple[str | None, str | None]] = []

    def route(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers.get("x-app-token"), request.headers.get("x-extra")))
        request.headers["x-extra"] = "leaked"
        return ok()

    vf, _, _ = mock_vf(route)
    vf.orders.get("ord_1")
    vf.orders.get("ord_1")
    vf.http.get("https://elsewhere.example/x")
    assert seen == [("tok", None), ("tok", None), (None, None)]
