"""Logging for the client: the ``voucherify`` logger, ``VOUCHERIFY_LOG``, and redaction.

Only metadata is logged (method, path, status, attempt, delay, request id, elapsed). Secrets
never reach a log record: credentials live in headers that are never logged, and the one
secret that travels in a URL (the export download ``token=``) is stripped by :func:`redact`.
Because httpx logs full URLs at INFO level, a redacting filter is also installed on the
``httpx`` and ``httpcore`` loggers.

:func:`redact` works two ways. By pattern: ``token=...`` in query strings, ``Bearer ...``,
``X-App-Token: ...``, ``Set-Cookie: ...``/``Cookie: ...`` and the password of
``scheme://user:password@host``. By value: every
secret the process knows (:func:`remember_secret`: each :class:`~voucherify_ext.auth.Secret`
registers itself, so app tokens, OAuth tokens and export download URLs with their ``token``;
the configuration adds passwords found in the base URL and proxy URL) is replaced wherever it
appears, in its plain, percent-encoded and JSON-escaped forms, so a server that echoes a
credential in an error body cannot put it in an exception, a log record or a CLI line.
Values shorter than :data:`MIN_SECRET_LENGTH` characters are not redacted by value (they would
erase ordinary words); the patterns still apply to them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import urllib.parse
import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("voucherify")

_REDACTED = "[REDACTED]"

# `token=...` in query strings (export download URLs), bearer tokens, app-token headers, cookies.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)([?&;](?:access_)?token=)[^&#\s'\"]+"), r"\1" + _REDACTED),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]+"), r"\1" + _REDACTED),
    (
        re.compile(r"(?i)((?:x-app-token|authorization|access_token)['\"]?\s*[:=,]\s*['\"]?)[^'\"\s,}&]+"),
        r"\1" + _REDACTED,
    ),
)
# Cookie values in header dumps (``Set-Cookie: sid=...``) and in httpcore's debug log of a
# response head (``(b'Set-Cookie', b'sid=...')``): a session cookie is a credential too. Applied
# only to text that names a cookie (one case-folded search is cheaper than two regex scans).
_COOKIE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(\bset-cookie['\"]?\s*[:=,]\s*b?['\"]?)[^'\"\r\n]+"), r"\1" + _REDACTED),
    (
        re.compile(r"(?i)((?<![\w-])cookie(?:['\"]?\s*:\s*['\"]?|['\"]\s*,\s*b?['\"]))[^'\"\r\n]+"),
        r"\1" + _REDACTED,
    ),
)

#: secrets shorter than this are not redacted by value (only by pattern)
MIN_SECRET_LENGTH = 6
#: how many secrets are remembered; the oldest go first (credentials are re-remembered on use)
_MAX_SECRETS = 4096

_URL_PASSWORD = re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@'\"<>]*:)[^/\s@'\"<>]+@")
#: the query parameters of a URL whose values are secrets
_TOKEN_KEYS = frozenset({"token", "access_token"})
_secrets_lock = threading.Lock()
#: secret value -> None, oldest first (an ordered set)
_secrets: OrderedDict[str, None] = OrderedDict()
_secrets_pattern: re.Pattern[str] | None = None


def _forms(value: str) -> set[str]:
    """``value`` and the ways it is written in URLs and JSON text."""
    forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value, safe="")}
    forms.add(json.dumps(value)[1:-1])
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def remember_secret(value: str | None) -> None:
    """Redact ``value`` by value from now on, in every text :func:`redact` cleans.

    For a URL, its secret parts: the password and the ``token``/``access_token`` query
    values (the rest of the URL stays readable)."""
    if not value or not isinstance(value, str):
        return
    parts = [value]
    if "://" in value:
        try:
            parsed = urllib.parse.urlsplit(value)
            parts = [urllib.parse.unquote(parsed.password or "")]
            parts += [v for k, v in urllib.parse.parse_qsl(parsed.query) if k.lower() in _TOKEN_KEYS]
        except ValueError:
            pass
    forms = set().union(*(_forms(part) for part in parts if part))
    if not forms:
        return
    global _secrets_pattern
    with _secrets_lock:
        new = False
        for form in forms:
            if form in _secrets:
                _secrets.move_to_end(form)
            else:
                _secrets[form] = None
                new = True
        while len(_secrets) > _MAX_SECRETS:
            _secrets.popitem(last=False)
            new = True
        if new:
            _secrets_pattern = None


def _known_secrets() -> re.Pattern[str] | None:
    global _secrets_pattern
    pattern = _secrets_pattern
    if pattern is None and _secrets:
        with _secrets_lock:
            ordered = sorted(_secrets, key=len, reverse=True)  # longest first: no partial leftovers
            pattern = _secrets_pattern = re.compile("|".join(map(re.escape, ordered)))
    return pattern


#: The ``extra=`` field names the client's log records carry (as applicable), for JSON and
#: structlog handlers; defined once here. String values are redacted like the message.
LOG_FIELDS = (
    "http_method",
    "http_path",
    "http_status",
    "attempt",
    "delay_s",
    "request_id",
    "elapsed_ms",
    "outcome",
    "not_retried",
)
_FIELD_NAMES = frozenset(LOG_FIELDS)


def log_fields(**values: object) -> dict[str, object]:
    """``extra=`` for a log record: the named :data:`LOG_FIELDS` that are not ``None``, with
    every string redacted."""
    unknown = values.keys() - _FIELD_NAMES
    if unknown:  # a programming error in this package: every field is named in LOG_FIELDS
        raise TypeError(f"log fields not in LOG_FIELDS: {sorted(unknown)}")
    return {k: redact_value(v) for k, v in values.items() if v is not None}


SENSITIVE_HEADERS = frozenset({"x-app-token", "authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact(text: str) -> str:
    """Remove anything that looks like a secret from ``text`` (URLs, header dumps, messages)."""
    if not text:
        return text
    known = _known_secrets()
    if known is not None:
        text = known.sub(_REDACTED, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    if "cookie" in text.casefold():
        for pattern, replacement in _COOKIE_PATTERNS:
            text = pattern.sub(replacement, text)
    return hide_userinfo(text)


def hide_userinfo(url: str) -> str:
    """``url`` with the password of its userinfo (``https://user:pw@host``) replaced."""
    return _URL_PASSWORD.sub(r"\1" + _REDACTED + "@", url)


def redact_value(value: object) -> object:
    """:func:`redact` applied to every string in ``value`` (dicts, lists, tuples); other
    values, and containers with nothing to redact, are returned as they are (the same object)."""
    if isinstance(value, str):
        cleaned = redact(value)
        return value if cleaned == value else cleaned  # an unchanged StrEnum stays itself
    if type(value) is dict:
        pairs = [(redact_value(k), redact_value(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    if type(value) in (list, tuple):
        assert isinstance(value, (list, tuple))
        items = [redact_value(v) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


def redact_headers(headers: object) -> dict[str, str]:
    """A copy of ``headers`` (any mapping or httpx.Headers) safe to log."""
    items = headers.items() if hasattr(headers, "items") else []
    return {str(k): (_REDACTED if str(k).lower() in SENSITIVE_HEADERS else str(v)) for k, v in items}


def safe_headers(headers: object) -> httpx.Headers:
    """A copy of response ``headers`` (``httpx.Headers`` or any mapping) that is safe to keep,
    print, log and pickle: the values of :data:`SENSITIVE_HEADERS` (``Set-Cookie``,
    ``Authorization``, ...) replaced by ``[REDACTED]``, every other value through :func:`redact`
    (a server or proxy that echoes a credential in a header cannot put it here). Repeated
    headers stay repeated; names keep their case."""
    import httpx  # here: importing the logger must not import the HTTP stack

    if isinstance(headers, httpx.Headers):
        items = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw]
    elif hasattr(headers, "items"):
        items = [(str(k), str(v)) for k, v in headers.items()]
    else:
        items = []
    # latin-1 text round-trips the raw bytes; other text (a mapping's) is sent as UTF-8 would be
    return httpx.Headers(
        [
            (_header_bytes(k), _header_bytes(_REDACTED if k.lower() in SENSITIVE_HEADERS else redact(v)))
            for k, v in items
        ]
    )


def _header_bytes(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


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
        if record.exc_info and not record.exc_text:
            # formatted once here, redacted, and kept: handlers use exc_text when it is set
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
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
