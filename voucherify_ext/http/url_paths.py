"""Keep ``.`` and ``..`` path segments that are data (an id), not navigation.

Generated operations build a relative URL such as ``/v1/orders/{order_id}`` with every path
parameter percent-encoded (``quote(value, safe="")``), which encodes ``/ ? # %`` but leaves
``.`` alone: ``.`` is an unreserved character. An id that is exactly ``.`` or ``..`` therefore
becomes a dot segment, and httpx removes dot segments (RFC 3986, section 5.2.4) as soon as it
parses the URL: ``get(".")`` would fetch ``/v1/orders`` (the list) and ``get("..")`` ``/v1``.

:func:`keep_dot_segments` rewrites such segments of a relative URL to ``%2E`` / ``%2E%2E``
before httpx parses it. Nothing else changes: a segment that is already percent-encoded is not
touched (no double encoding), and absolute URLs (the export download URL the server hands
out) are left as they are. The httpx clients that :mod:`voucherify_ext.client` builds apply it
to every request, so every generated operation called through them is covered, including
operations other teams generate from their own specs with the stock templates.
"""

from __future__ import annotations

import re

__all__ = ["keep_dot_segments"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_DOTS = {".": "%2E", "..": "%2E%2E"}


def keep_dot_segments(url: str) -> str:
    """``url`` with every path segment that is exactly ``.`` or ``..`` percent-encoded, when
    ``url`` is a relative reference (no scheme, no authority); otherwise ``url`` unchanged."""
    if "." not in url or url.startswith("//") or _SCHEME.match(url):
        return url
    end = len(url)
    for mark in "?#":
        found = url.find(mark)
        if found != -1:
            end = min(end, found)
    path = url[:end]
    if "." not in path:
        return url
    segments = path.split("/")
    if not any(segment in _DOTS for segment in segments):
        return url
    return "/".join(_DOTS.get(segment, segment) for segment in segments) + url[end:]
