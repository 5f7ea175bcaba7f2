"""OpenTelemetry spans of ext (voucherify_ext/tracing.py), with the real SDK's in-memory exporter
and the real httpx instrumentation, against a loopback sandbox: a span per operation (each page,
each poll), one per import, export and wait, the HTTP spans their children, errors marked, and no
planted secret in any span name, attribute or event. Without opentelemetry the client works and
imports none of it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.security.conftest import BLOCK_OPENTELEMETRY, record_spans, span_texts
from voucherify_ext import AsyncVoucherify, NotFoundError, Voucherify
from voucherify_ext.sandbox import Sandbox, serve

APP_TOKEN = "planted-app-token-7f3c9e1d2b"
_exporter = InMemorySpanExporter()


@pytest.fixture(scope="module")
def provider() -> TracerProvider:
    provider: TracerProvider = record_spans(_exporter)
    return provider


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(app_token=APP_TOKEN, import_speed=1_000_000) as sb:
        yield sb


@pytest.fixture
def spans(provider: TracerProvider) -> Iterator[InMemorySpanExporter]:
    HTTPXClientInstrumentor().instrument()
    _exporter.clear()
    try:
        yield _exporter
    finally:
        HTTPXClientInstrumentor().uninstrument()


def _client(sb: Sandbox) -> Voucherify:
    return Voucherify(app_id=sb.app_id, app_token=APP_TOKEN, base_url=sb.url, sleep=lambda s: None)


def _texts(span: ReadableSpan) -> list[str]:
    return span_texts(span)


def _no_secret(found: tuple[ReadableSpan, ...], *secrets: str) -> None:
    for span in found:
        for text in _texts(span):
            for secret in secrets:
                assert secret not in text, f"span {span.name!r}: {text}"


def _named(found: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in found if s.name == name]


def _children(found: tuple[ReadableSpan, ...], parent: ReadableSpan) -> list[ReadableSpan]:
    ctx = parent.get_span_context()
    assert ctx is not None
    return [s for s in found if s.parent is not None and s.parent.span_id == ctx.span_id]


def test_an_operation_has_its_span_with_the_http_span_inside(
    sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    with _client(sandbox) as vf:
        created = vf.orders.create({"source_id": "trace-1", "amount": 100})
        assert created.id is not None
        vf.orders.get(created.id)
        with pytest.raises(NotFoundError):
            vf.orders.get("ord_missing")
    found = spans.get_finished_spans()
    (create,) = _named(found, "voucherify.create_order")
    gets = _named(found, "voucherify.get_order")
    assert [(s.attributes or {}).get("http.response.status_code") for s in gets] == [200, 404]
    assert gets[0].status.is_ok and not gets[1].status.is_ok
    for ours in (create, *gets):
        http = _children(found, ours)
        assert [s.name for s in http] in (["POST"], ["GET"]), [s.name for s in http]
    _no_secret(found, APP_TOKEN)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=st.integers(min_value=0, max_value=25), page_size=st.integers(min_value=1, max_value=10))
def test_each_page_has_its_span_numbered(
    sandbox: Sandbox, spans: InMemorySpanExporter, orders: int, page_size: int
) -> None:
    sandbox.reset()
    sandbox.seed_orders(orders)
    spans.clear()
    before = sandbox.request_count("GET", "/v1/orders")
    with _client(sandbox) as vf:
        assert len(list(vf.orders.iter(page_size=page_size))) == orders
    sent = sandbox.request_count("GET", "/v1/orders") - before
    pages = _named(spans.get_finished_spans(), "voucherify.list_orders")
    numbers = [(s.attributes or {}).get("voucherify.page") for s in pages]
    # a span for every page the server was asked for, each once and in order
    assert numbers == list(range(1, sent + 1)), (numbers, sent)
    assert sent >= -(-orders // page_size)


def test_an_import_and_its_waits_are_parents_of_their_operations(
    sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    with _client(sandbox) as vf:
        result = vf.orders.import_orders(
            [{"source_id": f"trace-imp-{i}", "amount": 10} for i in range(30)], chunk_size=10
        )
        assert result.total == 30
        handle = vf.orders.export(fields=["id"])
        assert handle.id
    found = spans.get_finished_spans()
    (imported,) = _named(found, "voucherify.orders.import")
    assert (imported.attributes or {}).get("voucherify.orders") == 30
    assert (imported.attributes or {}).get("voucherify.chunks") == 3
    inside = {s.name for s in _children(found, imported)}
    assert "voucherify.import_orders" in inside, inside
    (exported,) = _named(found, "voucherify.orders.export")
    waits = [s for s in _children(found, exported) if s.name == "voucherify.wait"]
    assert len(waits) == 1
    polls = [s for s in _children(found, waits[0]) if s.name == "voucherify.get_export"]
    assert (waits[0].attributes or {}).get("voucherify.polls") == len(polls) >= 1
    assert (waits[0].attributes or {}).get("voucherify.job_state") == "done"
    _no_secret(found, APP_TOKEN)


def test_async_client_spans_nest_per_task(sandbox: Sandbox, spans: InMemorySpanExporter) -> None:
    async def main() -> None:
        async def no_sleep(seconds: float) -> None:
            return None

        async with AsyncVoucherify(
            app_id=sandbox.app_id, app_token=APP_TOKEN, base_url=sandbox.url, sleep=no_sleep
        ) as avf:
            await asyncio.gather(
                *(avf.orders.create({"source_id": f"trace-a{i}", "amount": 1}) for i in range(5))
            )

    asyncio.run(main())
    found = spans.get_finished_spans()
    creates = _named(found, "voucherify.create_order")
    assert len(creates) == 5
    # each task's HTTP span is the child of its own operation span, none of another's
    assert all(len(_children(found, s)) == 1 for s in creates)
    _no_secret(found, APP_TOKEN)


def test_the_client_works_without_opentelemetry(sandbox: Sandbox) -> None:
    script = (
        BLOCK_OPENTELEMETRY
        + f"""
from voucherify_ext import Voucherify
from voucherify_ext.tracing import tracing_available
with Voucherify(app_id={sandbox.app_id!r}, app_token={APP_TOKEN!r}, base_url={sandbox.url!r},
                sleep=lambda s: None) as vf:
    vf.orders.create({{"source_id": "no-otel", "amount": 1}})
    print(len(list(vf.orders.iter())) >= 1, tracing_available())
assert not any(m.startswith("opentelemetry") for m in sys.modules)
"""
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=30))
def test_span_strings_are_redacted(spans: InMemorySpanExporter, secret: str) -> None:
    """Whatever string reaches a span attribute or an error event passes the redaction."""
    from tests.security.conftest import forgotten_secrets
    from voucherify_ext.logs import remember_secret
    from voucherify_ext.tracing import span

    spans.clear()
    with forgotten_secrets():
        remember_secret(secret)
        with (
            pytest.raises(RuntimeError),
            span("voucherify.test", **{"voucherify.note": f"<{secret}>"}) as current,
        ):
            current.set(**{"voucherify.other": secret, "voucherify.count": 3})
            raise RuntimeError(f"failed with {secret}")
    (found,) = _named(spans.get_finished_spans(), "voucherify.test")
    assert (found.attributes or {}).get("voucherify.count") == 3
    assert (found.attributes or {}).get("error.type") == "RuntimeError"
    assert not found.status.is_ok
    _no_secret((found,), secret)


def test_a_request_the_transport_gives_up_on_is_an_error_span(
    sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    sandbox.reset()
    sandbox.inject("status", status=503, method="GET", path="/v1/orders/ord_gone", times=20)
    with _client(sandbox) as vf, pytest.raises(Exception) as raised:
        vf.orders.get("ord_gone")
    (failed,) = _named(spans.get_finished_spans(), "voucherify.get_order")
    assert not failed.status.is_ok
    assert (failed.attributes or {}).get("http.response.status_code") == 503, (
        raised.value,
        failed.attributes,
    )
    # one HTTP span per attempt, all inside the operation's span
    assert len(_children(spans.get_finished_spans(), failed)) >= 2
