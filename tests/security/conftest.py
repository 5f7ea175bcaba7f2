"""Shared pieces of the security suite: planted secrets, a root-logger capture at DEBUG, and a
sweep that looks for the secrets in everything a user, an operator or a log could see."""

from __future__ import annotations

import contextlib
import logging
import secrets
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from voucherify_ext import logs as _logs

LOGGERS = ("voucherify", "httpx", "httpcore")


@contextlib.contextmanager
def forgotten_secrets() -> Iterator[None]:
    """Secrets remembered inside the block (random ones, from Hypothesis) are forgotten after
    it, so they cannot redact text in later tests of the same process."""
    saved = dict(_logs._secrets)
    try:
        yield
    finally:
        with _logs._secrets_lock:
            _logs._secrets.clear()
            _logs._secrets.update(saved)
            _logs._secrets_pattern = None


def planted(label: str) -> str:
    """A unique secret that cannot appear anywhere by accident."""
    return f"PLANTED-{label}-{secrets.token_hex(12)}"


class RootCapture(logging.Handler):
    """Every record reaching the root logger: the formatted line and the repr of its args."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.names: set[str] = set()
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.names.add(record.name.split(".")[0])
        self.lines.append(f"{self.format(record)} args={record.args!r}")


@pytest.fixture
def logs() -> Iterator[RootCapture]:
    handler = RootCapture()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def exception_texts(exc: BaseException) -> list[str]:
    """str, repr, the formatted traceback, and every exception of the cause/context chain with
    its repr and attributes."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    seen: BaseException | None = exc
    depth = 0
    while seen is not None and depth < 20:
        texts += [str(seen), repr(seen), repr(vars(seen)) if hasattr(seen, "__dict__") else ""]
        texts += [repr(seen.__cause__), repr(seen.__context__)]
        seen = seen.__cause__ or seen.__context__
        depth += 1
    return texts


def assert_no_secret(texts: Iterable[str], secrets_: Iterable[str]) -> None:
    hidden = [s for s in secrets_ if s]
    assert hidden, "no secret to look for"
    for text in texts:
        for number, secret in enumerate(hidden):
            if secret in text:
                at = text.index(secret)
                context = (
                    text[max(0, at - 200) : at] + "<SECRET>" + text[at + len(secret) : at + len(secret) + 100]
                )
                raise AssertionError(f"secret #{number} leaked here: {context!r}")


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception reachable through ``__cause__``, ``__context__`` (shown or
    suppressed) and exception groups, each once."""
    found: list[BaseException] = []
    todo = [exc]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
        todo += list(getattr(current, "exceptions", ()))
    return found


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as exc:  # a half-built object: its repr is not what we test
        return f"<repr failed: {type(exc).__name__}>"


def frame_texts(exc: BaseException) -> list[str]:
    """What Sentry-style local capture sees: ``repr`` of every local of every frame of the
    traceback of ``exc`` and of each exception chained to it, and of each exception's
    attributes (``vars``) and arguments."""
    texts: list[str] = []
    for error in _chain(exc):
        texts += [_safe_repr(error), str(error), _safe_repr(error.args)]
        texts += [f"{k}={_safe_repr(v)}" for k, v in getattr(error, "__dict__", {}).items()]
        tb = error.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            name = f"{frame.f_code.co_filename}:{tb.tb_lineno} {frame.f_code.co_name}"
            texts += [f"{name} {key}={_safe_repr(value)}" for key, value in frame.f_locals.items()]
            tb = tb.tb_next
    return texts


def rich_texts(exc: BaseException) -> list[str]:
    """rich's traceback with ``show_locals=True`` (what the CLI's and many apps' handlers
    print), without the length limits that could cut a secret short."""
    import io

    from rich.console import Console
    from rich.traceback import Traceback

    out = io.StringIO()
    console = Console(file=out, width=40000, color_system=None, soft_wrap=True)
    console.print(
        Traceback.from_exception(
            type(exc),
            exc,
            exc.__traceback__,
            show_locals=True,
            locals_max_length=10_000,
            locals_max_string=10_000,
            max_frames=0,
        )
    )
    return [out.getvalue()]


#: a script prelude that makes every ``opentelemetry`` import fail (OTel stays optional)
BLOCK_OPENTELEMETRY = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
"""


def record_spans(exporter: Any) -> Any:
    """The global SDK tracer provider (set once per process), now also exporting to ``exporter``."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        current = TracerProvider()
        trace.set_tracer_provider(current)
    current.add_span_processor(SimpleSpanProcessor(exporter))
    return current


def span_texts(span: Any) -> list[str]:
    """Everything a finished span shows: its name, attributes, and its events' names and attributes."""
    texts = [span.name, *(f"{k}={v}" for k, v in (span.attributes or {}).items())]
    for event in span.events:
        texts += [event.name, *(f"{k}={v}" for k, v in (event.attributes or {}).items())]
    return texts
