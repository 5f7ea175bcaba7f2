"""Small helpers: Voucherify-style timestamps and identifiers, and the JSON response class."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import JSONResponse as StarletteJSONResponse

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def iso_ms(epoch_ms: int) -> str:
    """Format epoch milliseconds as Voucherify does: ISO 8601, milliseconds, ``Z``."""
    moment = _EPOCH + timedelta(milliseconds=epoch_ms)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def parse_iso(text: str) -> int | None:
    """Parse an ISO 8601 date-time or a bare date into epoch milliseconds; ``None`` if invalid.

    A value without a zone is taken as UTC, since Voucherify works in UTC throughout.
    """
    if not isinstance(text, str) or not text or len(text) > 64:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return int(parsed.timestamp() * 1000)
    except (OverflowError, OSError, ValueError):
        return None


def request_id() -> str:
    """A Voucherify-like request id (``v-`` + 18 hex digits), only ever sent in error bodies."""
    return "v-" + secrets.token_hex(9)


def random_suffix(rng_bits: int, length: int) -> str:
    """Encode random bits as ``length`` characters of Voucherify's id alphabet."""
    chars = []
    for _ in range(length):
        rng_bits, index = divmod(rng_bits, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


class JSONResponse(StarletteJSONResponse):
    """JSON with ASCII escapes: request strings may hold lone surrogates, which UTF-8 cannot
    encode, and echoing them back must not turn into a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")
