"""OpenTelemetry spans for what the client does, when ``opentelemetry-api`` is installed.

Install the optional extra (``pip install "voucherify-orders[otel]"``) and configure a tracer
provider as usual; the client then opens, through the global tracer provider:

* a span per generated operation it calls (``voucherify.get_order``, ``voucherify.list_orders``
  for each page, ``voucherify.get_async_action`` for each poll, ...), with the HTTP status;
* a span around each import (``voucherify.orders.import``), export
  (``voucherify.orders.export``) and wait (``voucherify.async_actions.wait``,
  ``voucherify.exports.wait``), parents of the operations they make.

The HTTP requests themselves are traced by ``opentelemetry-instrumentation-httpx`` (docs/
observability.md); ext's spans are their parents. No span attribute carries a credential: the
attributes are names and numbers chosen here (never request bodies or headers), and every string
passes :func:`voucherify_ext.logs.redact`.

Without ``opentelemetry-api`` :func:`span` is a no-op that costs one ``None`` check; the module
never imports OpenTelemetry unless it is installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from voucherify_ext.logs import redact

__all__ = ["Span", "span", "tracing_available"]

try:  # optional dependency: never a hard import
    from opentelemetry import trace as _otel_trace
except ImportError:  # tests/observability: the client with opentelemetry blocked
    _otel_trace = None  # type: ignore[assignment]

TRACER_NAME = "voucherify_ext"
Attribute = str | int | float | bool


def tracing_available() -> bool:
    """Whether ``opentelemetry-api`` is importable (spans are recorded only with a provider)."""
    return _otel_trace is not None


def _clean(attributes: dict[str, Attribute | None]) -> dict[str, Attribute]:
    return {
        key: redact(value) if isinstance(value, str) else value
        for key, value in attributes.items()
        if value is not None
    }


class Span:
    """What a block can add to its span: attributes and the outcome (no-ops without OTel)."""

    __slots__ = ("_span",)

    def __init__(self, otel_span: Any) -> None:
        self._span = otel_span

    def set(self, **attributes: Attribute | None) -> None:
        """Set attributes (``None`` values are left out; strings are redacted)."""
        if self._span is not None:
            self._span.set_attributes(_clean(attributes))

    def status(self, code: int) -> None:
        """The HTTP status of the response this operation got."""
        if self._span is None:
            return
        self._span.set_attribute("http.response.status_code", code)
        if code >= 400:
            self._span.set_status(_otel_trace.Status(_otel_trace.StatusCode.ERROR))


#: what :func:`span` returns without OpenTelemetry: one shared, reusable no-op block
_NO_SPAN = contextlib.nullcontext(Span(None))


def span(name: str, **attributes: Attribute | None) -> contextlib.AbstractContextManager[Span]:
    """A span named ``name`` around the block, current while it runs (so HTTP spans and ext's
    inner spans are its children). An exception leaving the block is recorded by its type and
    redacted message, and marks the span as an error. Without OpenTelemetry: a shared no-op."""
    if _otel_trace is None:
        return _NO_SPAN
    return _recorded(name, attributes)


@contextlib.contextmanager
def _recorded(name: str, attributes: dict[str, Attribute | None]) -> Iterator[Span]:
    tracer = _otel_trace.get_tracer(TRACER_NAME)
    with tracer.start_as_current_span(
        name, attributes=_clean(attributes), record_exception=False, set_status_on_exception=False
    ) as otel_span:
        try:
            yield Span(otel_span)
        except BaseException as exc:
            kind = type(exc).__name__
            otel_span.set_attribute("error.type", kind)
            otel_span.add_event("exception", {"exception.type": kind, "exception.message": redact(str(exc))})
            otel_span.set_status(_otel_trace.Status(_otel_trace.StatusCode.ERROR))
            raise
