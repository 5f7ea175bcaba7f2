"""OpenTelemetry: with ``opentelemetry-instrumentation-httpx`` on, globally or per client, in
both semantic-convention modes (``OTEL_SEMCONV_STABILITY_OPT_IN`` unset and ``http/dup``),
sync and async, no span attribute or event carries the export download token or a credential,
and ext's own download span exists with the redacted URL. The instrumentation reads the
opt-in mode when it instruments, so each test resets that cached state and un-instruments
afterwards."""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.instrumentation._semconv import _OpenTelemetrySemanticConventionStability
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.sandbox import Sandbox, serve

from .conftest import BLOCK_OPENTELEMETRY, planted, record_spans, span_texts

APP_TOKEN = planted("app-token")
DOWNLOAD_SPAN = "GET /v1/exports/{export_Id}"

_exporter = InMemorySpanExporter()


@pytest.fixture(scope="module")
def provider() -> TracerProvider:
    provider: TracerProvider = record_spans(_exporter)
    return provider


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(app_token=APP_TOKEN, import_speed=1_000_000) as sb:
        yield sb


@pytest.fixture(params=["", "http/dup"], ids=["semconv-default", "semconv-http-dup"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, provider: TracerProvider) -> str:
    if request.param:
        monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", request.param)
    else:
        monkeypatch.delenv("OTEL_SEMCONV_STABILITY_OPT_IN", raising=False)
    # the instrumentation caches the mode on first use: read it again for this test
    monkeypatch.setattr(_OpenTelemetrySemanticConventionStability, "_initialized", False)
    monkeypatch.setattr(
        _OpenTelemetrySemanticConventionStability, "_OTEL_SEMCONV_STABILITY_SIGNAL_MAPPING", {}
    )
    _exporter.clear()
    return str(request.param)


def _texts(span: ReadableSpan) -> list[str]:
    return span_texts(span)


def _check(spans: tuple[ReadableSpan, ...], secrets: list[str], mode: str) -> None:
    for span in spans:
        for text in _texts(span):
            for secret in secrets:
                assert secret not in text, f"span {span.name!r}: {text}"
    # the instrumentation was on: the API calls have its spans
    assert any(s.name in ("POST", "GET") for s in spans), [s.name for s in spans]
    ours = [s for s in spans if s.name == DOWNLOAD_SPAN]
    assert ours, [s.name for s in spans]
    for span in ours:
        attributes = span.attributes or {}
        keys = ["http.url"] + (["url.full"] if mode == "http/dup" else [])
        for key in keys:
            assert "token=[REDACTED]" in str(attributes[key]), attributes
        status_key = "http.response.status_code" if mode else "http.status_code"
        assert attributes[status_key] == 200
    # no instrumentation span for the download request itself (no other span has its URL)
    urls = [str(v) for s in spans if s not in ours for k, v in (s.attributes or {}).items() if "url" in k]
    assert urls and not [u for u in urls if "token" in u], urls


def _token(url: str | None) -> str:
    assert url is not None
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]


def _sync_download(sb: Sandbox, tmp: Path, per_client: bool) -> list[str]:
    with Voucherify(app_id=sb.app_id, app_token=APP_TOKEN, base_url=sb.url, sleep=lambda s: None) as vf:
        if per_client:
            HTTPXClientInstrumentor.instrument_client(vf.http)
        try:
            vf.orders.create({"source_id": "otel-1", "amount": 1})
            handle = vf.orders.export(fields=["id"])
            handle.download(tmp / "orders.csv")
            assert list(handle.iter_rows())
            return [APP_TOKEN, _token(handle.url)]
        finally:
            if per_client:
                HTTPXClientInstrumentor.uninstrument_client(vf.http)


async def _async_download(sb: Sandbox, tmp: Path, per_client: bool) -> list[str]:
    async def no_sleep(seconds: float) -> None:
        return None

    async with AsyncVoucherify(app_id=sb.app_id, app_token=APP_TOKEN, base_url=sb.url, sleep=no_sleep) as avf:
        if per_client:
            HTTPXClientInstrumentor.instrument_client(avf.http)
        try:
            await avf.orders.create({"source_id": "otel-2", "amount": 1})
            handle = await avf.orders.export(fields=["id"])
            await handle.download(tmp / "orders.csv")
            assert [row async for row in handle.iter_rows()]
            return [APP_TOKEN, _token(handle.url)]
        finally:
            if per_client:
                HTTPXClientInstrumentor.uninstrument_client(avf.http)


@pytest.fixture
def globally() -> Iterator[None]:
    HTTPXClientInstrumentor().instrument()
    yield
    HTTPXClientInstrumentor().uninstrument()


def test_global_instrumentation_sync(sandbox: Sandbox, mode: str, globally: None, tmp_path: Path) -> None:
    secrets = _sync_download(sandbox, tmp_path, per_client=False)
    _check(_exporter.get_finished_spans(), secrets, mode)


async def test_global_instrumentation_async(
    sandbox: Sandbox, mode: str, globally: None, tmp_path: Path
) -> None:
    secrets = await _async_download(sandbox, tmp_path, per_client=False)
    _check(_exporter.get_finished_spans(), secrets, mode)


def test_client_instrumentation_sync(sandbox: Sandbox, mode: str, tmp_path: Path) -> None:
    secrets = _sync_download(sandbox, tmp_path, per_client=True)
    _check(_exporter.get_finished_spans(), secrets, mode)


async def test_client_instrumentation_async(sandbox: Sandbox, mode: str, tmp_path: Path) -> None:
    secrets = await _async_download(sandbox, tmp_path, per_client=True)
    _check(_exporter.get_finished_spans(), secrets, mode)


def test_a_refused_download_span_says_so_without_the_token(
    sandbox: Sandbox, mode: str, globally: None, tmp_path: Path
) -> None:
    with Voucherify(
        app_id=sandbox.app_id, app_token=APP_TOKEN, base_url=sandbox.url, sleep=lambda s: None
    ) as vf:
        handle = vf.orders.export(fields=["id"])
        token = _token(handle.url)
        path = f"/v1/exports/{handle.id}"  # refused, and refused again after a refresh
        sandbox.inject("status", status=401, method="GET", path=path, query={"token": token}, times=5)
        with pytest.raises(Exception, match="fetched afresh"):
            handle.download(tmp_path / "x.csv")
    ours = [s for s in _exporter.get_finished_spans() if s.name == DOWNLOAD_SPAN]
    assert len(ours) == 2  # the first URL and the fresh one
    for span in ours:
        assert not span.status.is_ok
        assert span.events and span.events[0].attributes["exception.type"] == "AuthenticationError"  # type: ignore[index]
    for span in _exporter.get_finished_spans():
        assert all(token not in text and APP_TOKEN not in text for text in _texts(span))


def test_downloads_work_without_opentelemetry(sandbox: Sandbox, tmp_path: Path) -> None:
    """OTel stays optional: with every ``opentelemetry`` import failing, a download works."""
    script = (
        BLOCK_OPENTELEMETRY
        + f"""
from voucherify_ext import Voucherify
with Voucherify(app_id={sandbox.app_id!r}, app_token={APP_TOKEN!r}, base_url={sandbox.url!r},
                sleep=lambda s: None) as vf:
    handle = vf.orders.export(fields=["id"])
    print(handle.download({str(tmp_path / "plain.csv")!r}).stat().st_size > 0)
assert not any(m.startswith("opentelemetry") for m in sys.modules)
"""
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
