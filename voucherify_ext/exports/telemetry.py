"""OpenTelemetry for export downloads, when ``opentelemetry-api`` is installed (optional).

An export's download URL carries its token in the query (``?token=``). HTTP instrumentation
would put that URL on its span (``url.full``, ``http.url``): ``opentelemetry-util-http``'s
``redact_url`` does not know ``token``, and a ``request_hook`` runs only after the span has
started with the raw URL. So while a download request is *sent*, ext suppresses HTTP
instrumentation (``suppress_http_instrumentation``) and records a span of its own, named
``GET /v1/exports/{export_Id}``, with the URL redacted (``token=[REDACTED]``), the method,
the status code and, on failure, the error type and its (redacted) message. The span lasts
until the response is closed, so it covers the body. Its attributes follow the HTTP semantic
conventions the application chose with ``OTEL_SEMCONV_STABILITY_OPT_IN`` (unset: the old
names; ``http``: the stable ones; ``http/dup``: both), like the httpx instrumentation.

Without ``opentelemetry-api`` every function here does nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import httpx

from voucherify_ext.auth import Secret
from voucherify_ext.logs import redact

__all__ = ["DownloadSpan", "download_span"]

try:  # optional dependency: never a hard import
    from opentelemetry import context as _otel_context
    from opentelemetry import trace as _otel_trace
except ImportError:  # tests/security: a download with opentelemetry blocked
    _otel_trace = None  # type: ignore[assignment]
    _otel_context = None  # type: ignore[assignment]

_TEMPLATE = "/v1/exports/{export_Id}"


def _suppressed() -> contextlib.AbstractContextManager[object]:
    """HTTP instrumentation off in this context: the public helper of
    ``opentelemetry-instrumentation`` when installed, else the API's own context key (which
    is what that helper sets, and what every HTTP instrumentation checks)."""
    try:
        from opentelemetry.instrumentation.utils import suppress_http_instrumentation
    except ImportError:
        return _suppressed_by_key()
    return suppress_http_instrumentation()


@contextlib.contextmanager
def _suppressed_by_key() -> Iterator[None]:
    key = getattr(_otel_context, "_SUPPRESS_HTTP_INSTRUMENTATION_KEY", None)
    if _otel_context is None or key is None:
        yield
        return
    token = _otel_context.attach(_otel_context.set_value(key, True))
    try:
        yield
    finally:
        _otel_context.detach(token)


def _modes() -> tuple[bool, bool]:
    """(old attribute names, stable attribute names) as ``OTEL_SEMCONV_STABILITY_OPT_IN`` says."""
    opted = {part.strip() for part in os.environ.get("OTEL_SEMCONV_STABILITY_OPT_IN", "").split(",")}
    if "http/dup" in opted:
        return True, True
    if "http" in opted:
        return False, True
    return True, False


class DownloadSpan:
    """ext's span for one download request (a no-op without OpenTelemetry)."""

    def __init__(self, url: Secret, export_id: str) -> None:
        self._span: Any = None
        if _otel_trace is None:
            return
        old, new = self._old, self._new = _modes()
        parsed = httpx.URL(url.reveal())
        shown = redact(str(parsed))
        attributes: dict[str, Any] = {"voucherify.export_id": export_id}
        if old:
            attributes.update({"http.method": "GET", "http.url": shown, "net.peer.name": parsed.host})
            if parsed.port is not None:
                attributes["net.peer.port"] = parsed.port
        if new:
            attributes.update(
                {
                    "http.request.method": "GET",
                    "url.full": shown,
                    "url.template": _TEMPLATE,
                    "server.address": parsed.host,
                    "server.port": parsed.port or (443 if parsed.scheme == "https" else 80),
                }
            )
        tracer = _otel_trace.get_tracer("voucherify_ext")
        # not made current: the span outlives this frame (it ends when the body is closed)
        self._span = tracer.start_span(
            f"GET {_TEMPLATE}", kind=_otel_trace.SpanKind.CLIENT, attributes=attributes
        )

    def sending(self) -> contextlib.AbstractContextManager[object]:
        """Around the send: no instrumentation span with the raw URL; ours is the parent of
        anything else started meanwhile."""
        if self._span is None:
            return contextlib.nullcontext()
        stack = contextlib.ExitStack()
        stack.enter_context(_suppressed())
        stack.enter_context(
            _otel_trace.use_span(
                self._span, end_on_exit=False, record_exception=False, set_status_on_exception=False
            )
        )
        return stack

    def status(self, code: int) -> None:
        if self._span is None:
            return
        if self._old:
            self._span.set_attribute("http.status_code", code)
        if self._new:
            self._span.set_attribute("http.response.status_code", code)
        if code >= 400:
            self._span.set_status(_otel_trace.Status(_otel_trace.StatusCode.ERROR))

    def end(self, error: BaseException | None) -> None:
        if self._span is None:
            return
        if error is not None:
            name = type(error).__name__
            self._span.add_event(
                "exception", {"exception.type": name, "exception.message": redact(str(error))}
            )
            if self._new:
                self._span.set_attribute("error.type", name)
            self._span.set_status(_otel_trace.Status(_otel_trace.StatusCode.ERROR))
        self._span.end()


@contextlib.contextmanager
def download_span(url: Secret, export_id: str) -> Iterator[DownloadSpan]:
    """A :class:`DownloadSpan` ended when the block ends (with its error, if it raised)."""
    span = DownloadSpan(url, export_id)
    try:
        yield span
    except BaseException as exc:
        span.end(exc)
        raise
    span.end(None)
