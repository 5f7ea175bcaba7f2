"""Configuration of a sandbox run, shared by the CLI, :func:`serve` and :func:`create_app`.

Everything that can change at run time (faults, rate limit, latency, import speed) starts from
here and is then owned by the live :class:`~voucherify_ext.sandbox.state.SandboxState`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_APP_ID = "sandbox-app-id"
DEFAULT_APP_TOKEN = "sandbox-app-token"
DEFAULT_IMPORT_SPEED = 5000.0
"""Orders per second an import advances; fast by default so that tests do not wait."""

_PERIODS = {"s": 1.0, "sec": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}


@dataclass(frozen=True)
class RateLimit:
    """A budget of ``limit`` requests per ``period`` seconds (a fixed window per app id)."""

    limit: int
    period: float

    def __str__(self) -> str:
        for name in ("s", "min", "h"):
            if _PERIODS[name] == self.period:
                return f"{self.limit}/{name}"
        return f"{self.limit}/{self.period:g}s"


def parse_rate_limit(text: str | RateLimit | None) -> RateLimit | None:
    """Parse ``"2000/min"``, ``"20/s"``, ``"100/hour"``; ``None``, ``""`` or ``"none"`` mean unlimited."""
    if text is None or isinstance(text, RateLimit):
        return text
    text = text.strip().lower()
    if text in ("", "none", "off", "unlimited"):
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*([a-z]+)", text)
    if not match or match.group(2) not in _PERIODS or int(match.group(1)) < 1:
        raise ValueError(f"invalid rate limit {text!r}: use e.g. '2000/min', '20/s' or '100/hour'")
    return RateLimit(int(match.group(1)), _PERIODS[match.group(2)])


JOURNAL_CAPACITY = 100_000
"""How many requests :meth:`~voucherify_ext.sandbox.Sandbox.record_requests` keeps by default."""


@dataclass
class SandboxConfig:
    """Start-up settings. ``faults`` names the kinds random faults pick from (all when None)."""

    app_id: str = DEFAULT_APP_ID
    app_token: str = field(default=DEFAULT_APP_TOKEN, repr=False)  # a secret: never in reprs or logs
    rate_limit: RateLimit | None = None
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    faults: Sequence[str] | None = None
    import_speed: float = DEFAULT_IMPORT_SPEED
    seed: int = 0
    state_file: Path | None = None
    export_delay: float = 0.05
    """Seconds an export stays SCHEDULED and then IN_PROGRESS (each); small so tests stay fast."""
    token_ttl: int = 900
    journal: int = 0
    """How many API requests the request journal keeps (``voucherify_ext.sandbox.journal``); 0: no journal."""
    spec: Path | None = None
    """The OpenAPI document whose enums, field sets and limits the sandbox enforces (JSON, or
    YAML with PyYAML installed); None: the sandbox's own copy, ``voucherify_ext/sandbox/openapi.json``."""

    def __post_init__(self) -> None:
        if isinstance(self.rate_limit, str):
            self.rate_limit = parse_rate_limit(self.rate_limit)
        if self.state_file is not None and not isinstance(self.state_file, Path):
            self.state_file = Path(self.state_file)
        if self.spec is not None and not isinstance(self.spec, Path):
            self.spec = Path(self.spec)
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if self.import_speed <= 0:
            raise ValueError("import_speed must be positive")
