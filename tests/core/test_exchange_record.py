"""The transport's record of an exchange (``voucherify_ext.http.exchange``): what it learned
travels in ``response.extensions``, never in headers of the server's response, never in a
context variable; and one function reads the wait a server asks for, on the injected clock."""

from __future__ import annotations

import contextvars
import email.utils
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from voucherify_client.api.orders import get_order
from voucherify_client.types import Response

from voucherify_ext import APIResponseError, AsyncVoucherify, RateLimitError, ServerError, Voucherify
from voucherify_ext.http.exchange import Exchange, deadline_of, exchange_of
from voucherify_ext.ratelimit import MIN_WAIT, RateLimiter
from voucherify_ext.responses import acall, call
from voucherify_ext.retry import RetryPolicy, decide
from voucherify_ext.server_waits import server_waits

API = "https://api.voucherify.io"
NOW = 1_700_000_000.0
ORDER = {"id": "ord_1", "object": "order", "amount": 1000}


def err(status: int, **headers: str) -> httpx.Response:
    body = {"code": status, "message": "boom", "key": "boom", "request_id": f"v-{status}"}
    return httpx.Response(status, json=body, headers=headers)


class Server:
    """Scripted answers (the last one repeats); counts requests."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@pytest.fixture
def vf_for() -> Iterator[Any]:
    made: list[Voucherify] = []

    def factory(server: Server, **kwargs: Any) -> Voucherify:
        kwargs.setdefault("retry_policy", RetryPolicy(jitter=0))
        vf = Voucherify(
            app_id="app",
            app_token="tok",
            base_url=API,
            http_transport=httpx.MockTransport(server),
            sleep=lambda seconds: None,
            wall_clock=lambda: NOW,
            **kwargs,
        )
        made.append(vf)
        return vf

    yield factory
    for vf in made:
        vf.close()


def _ours(headers: Any) -> list[str]:
    return [k for k in headers.keys() if k.lower().startswith("x-voucherify-")]  # noqa: SIM118


def test_no_response_a_user_sees_carries_an_x_voucherify_header(vf_for: Any) -> None:
    # a retried 503, then a write that is not retried: both used to gain x-voucherify-* headers
    vf = vf_for(Server(err(503), httpx.Response(200, json=ORDER)))
    response = vf.http.get("/v1/orders/ord_1")
    assert _ours(response.headers) == [] and exchange_of(response) == Exchange("GET", "/v1/orders/ord_1", 2)
    generated = call(get_order.sync_detailed, "ord_1", client=vf.client)
    assert _ours(generated.headers) == [] and isinstance(exchange_of(generated), Exchange)

    vf = vf_for(Server(err(503)))
    response = vf.http.post("/v1/orders", json={"amount": 5})
    assert response.status_code == 503 and _ours(response.headers) == []
    exchange = exchange_of(response)
    assert exchange is not None and exchange.outcome_unknown and exchange.not_retried_reason


async def test_no_async_response_carries_an_x_voucherify_header() -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    server = Server(err(503), httpx.Response(200, json=ORDER))
    async with AsyncVoucherify(
        app_id="app",
        app_token="tok",
        base_url=API,
        http_transport=httpx.MockTransport(server),
        sleep=no_sleep,
        retry_policy=RetryPolicy(jitter=0),
    ) as avf:
        response = await avf.http.get("/v1/orders/ord_1")
        assert _ours(response.headers) == [] and exchange_of(response) == Exchange(
            "GET", "/v1/orders/ord_1", 2
        )
        generated = await acall(get_order.asyncio_detailed, "ord_1", client=avf.client)
        assert _ours(generated.headers) == [] and exchange_of(generated) == Exchange(
            "GET", "/v1/orders/ord_1", 1
        )


HEADER_NAMES = st.sampled_from(["x-request-id", "x-rate-limit-remaining", "cache-control", "x-extra"])
ANSWERS = st.lists(
    st.tuples(
        st.sampled_from([200, 404, 429, 500, 503]),
        st.lists(st.tuples(HEADER_NAMES, st.from_regex(r"\A[a-z0-9]{1,8}\Z")), max_size=3),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(answers=ANSWERS, method=st.sampled_from(["GET", "POST", "PUT"]))
def test_the_headers_a_user_sees_are_exactly_the_servers(answers: list[Any], method: str) -> None:
    """Whatever the server answers and however often it is retried, the final response's
    headers are the server's own, and the record counts the attempts the server saw."""
    sent: list[list[tuple[str, str]]] = []
    script = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers = script.pop(0) if len(script) > 1 else script[0]
        sent.append([("content-type", "application/json"), *headers])
        return httpx.Response(status, headers=sent[-1], json={"code": status, "message": "m"})

    with Voucherify(
        app_id="app",
        app_token="tok",
        base_url=API,
        http_transport=httpx.MockTransport(handler),
        sleep=lambda seconds: None,
        wall_clock=lambda: NOW,
        retry_policy=RetryPolicy(jitter=0, max_retries=3),
    ) as vf:
        response = vf.http.request(method, "/v1/orders/ord_1", json={"source_id": "s"})
    got = [
        (k.decode().lower(), v.decode()) for k, v in response.headers.raw if k.lower() != b"content-length"
    ]
    assert got == sent[-1]
    exchange = exchange_of(response)
    assert exchange is not None and exchange.attempts == len(sent) and exchange.method == method


def test_unwrap_takes_attempts_and_reasons_from_the_record(vf_for: Any) -> None:
    vf = vf_for(Server(err(503)))
    with pytest.raises(ServerError) as info:
        vf.orders.create({"amount": 5})  # a bare create: not retried, may have been applied
    error = info.value
    assert (error.method, error.path, error.attempts) == ("POST", "/v1/orders", 1)
    assert error.outcome_unknown and error.not_retried_reason and "duplicate" in error.not_retried_reason


def test_a_body_the_generated_parse_refuses_is_described_from_its_exchange(vf_for: Any) -> None:
    # no generated Response exists when the parse raises: call() kept the httpx response
    vf = vf_for(Server(err(503), httpx.Response(200, json=[1, 2])))
    with pytest.raises(APIResponseError) as info:
        vf.orders.get("ord_1")
    error = info.value
    assert (error.status_code, error.method, error.path, error.attempts) == (
        200,
        "GET",
        "/v1/orders/ord_1",
        2,
    )
    assert error.excerpt == "[1, 2]" or error.excerpt == "[1,2]"


def test_a_429s_retry_after_is_read_on_the_injected_wall_clock(vf_for: Any) -> None:
    # an HTTP date 12 s after the client's (injected) now; time.time() is years later
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    vf = vf_for(Server(err(429, **{"Retry-After": date})), retry_policy=RetryPolicy(jitter=0, max_retries=0))
    with pytest.raises(RateLimitError) as info:
        vf.orders.get("ord_1")
    assert info.value.retry_after == 12.0


def test_no_context_variable_keeps_a_response(vf_for: Any) -> None:
    vf = vf_for(Server(httpx.Response(200, json=ORDER)))
    vf.orders.get("ord_1")
    vf.http.get("/v1/orders/ord_1")
    holding = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("voucherify_ext"):
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, contextvars.ContextVar):
                current = value.get(None)
                if isinstance(current, httpx.Response | Response):
                    holding.append(f"{name}.{attr}")
    assert holding == []


# -- one reader of the server's requested wait ----------------------------------------------------

DELTA = st.integers(0, 120).map(str)
DATE = st.integers(-30, 120).map(lambda s: email.utils.formatdate(NOW + s, usegmt=True))
EPOCH = st.integers(-30, 120).map(lambda s: str(int(NOW) + s))
WAIT_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "retry-after": st.one_of(DELTA, DATE, st.just("soon")),
        "x-rate-limit-retry": st.one_of(EPOCH, st.just("x")),
        "date": st.one_of(DATE, st.just("garbage")),
    },
)


@settings(max_examples=300, deadline=None)
@given(headers=WAIT_HEADERS)
def test_the_transport_and_the_rate_limiter_wait_what_server_waits_reads(headers: dict[str, str]) -> None:
    requested = server_waits(headers, NOW).requested
    policy = RetryPolicy(jitter=0, max_retry_after=1_000, max_retries=5)
    decision = decide(policy, attempt=1, idempotent=True, status=429, headers=headers, now=NOW)
    if requested is not None:
        assert decision.retry and decision.delay == requested
    limiter = RateLimiter(None, clock=lambda: 0.0, wall_clock=lambda: NOW, max_pause=1_000)
    limiter.observe(headers, 429)
    wait, slot = limiter.try_acquire()
    if requested is not None and requested >= MIN_WAIT:
        assert slot is None and wait == pytest.approx(requested)
    elif requested is None:
        assert slot is not None and wait == 0.0


def test_the_record_says_when_the_calls_deadline_passes(vf_for: Any) -> None:
    now = [100.0]
    vf = vf_for(Server(httpx.Response(200, json=ORDER)), deadline=5.0, clock=lambda: now[0])
    exchange = exchange_of(vf.http.get("/v1/orders/ord_1"))
    assert exchange is not None and exchange.deadline_at == 105.0
    assert deadline_of(vf.with_options(deadline=None).http.get("/v1/orders/ord_1"), -1.0) == -1.0
    assert deadline_of(httpx.Response(200), 7.0) == 7.0  # not through the transport
