"""Logging for the client: the ``voucherify`` logger, ``VOUCHERIFY_LOG``, and redaction.

Only metadata is logged (method, path, status, attempt, delay, request id, elapsed). Secrets
never reach a log record: credentials live in headers that are never logged, and the one
secret that travels in a URL (the export download ``token=``) is stripped by :func:`redact`.
Because httpx logs full URLs at INFO level, a redacting filter is also installed on the
``httpx`` and ``httpcore`` loggers.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import warnings

logger = logging.getLogger("voucherify")

_REDACTED = "[REDACTED]"

# `token=...` in query strings (export download URLs), bearer tokens, app-token headers.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)([?&;](?:access_)?token=)[^&#\s'\"]+"), r"\1" + _REDACTED),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]+"), r"\1" + _REDACTED),
    (
        re.compile(r"(?i)((?:x-app-token|authorization|access_token)['\"]?\s*[:=,]\s*['\"]?)[^'\"\s,}&]+"),
        r"\1" + _REDACTED,
    ),
)

SENSITIVE_HEADERS = frozenset({"x-app-token", "authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact(text: str) -> str:
    """Remove anything that looks like a secret from ``text`` (URLs, header dumps, messages)."""
    if not text:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_headers(headers: object) -> dict[str, str]:
    """A copy of ``headers`` (any mapping or httpx.Headers) safe to log."""
    items = headers.items() if hasattr(headers, "items") else []
    return {str(k): (_REDACTED if str(k).lower() in SENSITIVE_HEADERS else str(v)) for k, v in items}


class RedactingFilter(logging.Filter):
    """Rewrites a record's message through :func:`redact` (for third-party loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True


_FILTERED_LOGGERS = (
    "voucherify",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
#: the values ``VOUCHERIFY_LOG`` takes (any case); another value is warned about and ignored
LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_setup_lock = threading.Lock()
_setup_done = False


def setup_logging() -> None:
    """Install the redacting filters once, and honour ``VOUCHERIFY_LOG=info|debug`` (another
    value gives a ``UserWarning`` naming the valid ones).

    ``VOUCHERIFY_LOG`` adds a stderr handler to the ``voucherify`` logger only when it has no
    handler yet, so an application's own logging configuration always wins.
    """
    global _setup_done
    if _setup_done:
        return
    with _setup_lock:
        if _setup_done:
            return
        shared = RedactingFilter()
        for name in _FILTERED_LOGGERS:
            target = logging.getLogger(name)
            if not any(isinstance(f, RedactingFilter) for f in target.filters):
                target.addFilter(shared)
        raw = os.environ.get("VOUCHERIFY_LOG", "")
        level_name = raw.strip().lower()
        level = LOG_LEVELS.get(level_name)
        if level_name and level is None:
            warnings.warn(
                f"VOUCHERIFY_LOG={raw!r} is not a level this client knows and is ignored: use one of "
                f"{', '.join(LOG_LEVELS)} (or leave it unset for no log output)",
                UserWarning,
                stacklevel=2,
            )
        if level is not None:
            logger.setLevel(level)
            if not logger.handlers:
                handler = logging.StreamHandler(sys.stderr)
                handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
                handler.addFilter(shared)
                logger.addHandler(handler)
        _setup_done = True
