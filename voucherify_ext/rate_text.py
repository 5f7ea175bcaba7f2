"""A rate budget written as text, ``"100/min"``: :func:`parse_rate`."""

from __future__ import annotations

import re

from voucherify_ext.errors import ConfigurationError

__all__ = ["parse_rate"]

_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$")


def parse_rate(text: str) -> tuple[int, float]:
    """``"100/min"`` → ``(100, 60.0)``. Units: s, min, h (and their long forms); ``"5/5s"`` works."""
    if not isinstance(text, str):
        raise ConfigurationError(f"rate_limit must be a string such as '100/min', got {type(text).__name__}")
    match = _RATE.match(text.lower())
    if not match or match.group(3) not in _UNITS or len(match.group(1)) > 18:
        raise ConfigurationError(
            f"rate_limit must look like '100/min', '20/s' or '1000/h', got {text[:40]!r}"
        )
    count = int(match.group(1))
    period = float(match.group(2) or 1.0) * _UNITS[match.group(3)]
    if count <= 0 or period <= 0:
        raise ConfigurationError(f"rate_limit must be positive, got {text!r}")
    return count, period
