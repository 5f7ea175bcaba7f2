"""A stateful local Voucherify for the operations in our spec, able to fail on purpose.

Like stripe-mock for Stripe, but it keeps what you send (orders with upsert, imports as queued
async actions, exports with a tokenised CSV download), enforces Voucherify's bounds, errors,
auth and rate limits, and injects faults: 5xx, 429, dropped connections before or after a
write, latency, truncated bodies, invalid JSON and HTML error pages.

* :func:`serve` - a real server on loopback in a background thread (sync and async clients);
* :func:`create_app` - the bare ASGI app for fast async tests;
* ``python -m voucherify_ext.sandbox`` - the command line (see ``docs/sandbox.md``);
* :class:`SandboxExtension`, :class:`Resource`, :class:`ExtensionRoute` - what another team adds
  to it: resources and routes served with the sandbox's auth, limits, counting and faults.
"""

from __future__ import annotations

# first: without the sandbox extra this raises SandboxExtraMissing, naming the extra to install
from voucherify_ext.sandbox import extra as _extra  # noqa: F401
from voucherify_ext.sandbox.app import create_app
from voucherify_ext.sandbox.clock import ManualClock
from voucherify_ext.sandbox.config import (
    DEFAULT_APP_ID,
    DEFAULT_APP_TOKEN,
    DEFAULT_IMPORT_SPEED,
    RateLimit,
    SandboxConfig,
    parse_rate_limit,
)
from voucherify_ext.sandbox.errors import SandboxError
from voucherify_ext.sandbox.extensions import ExtensionRoute, SandboxExtension, load_extensions
from voucherify_ext.sandbox.faults import FAULT_HEADER, Fault, FaultPlan
from voucherify_ext.sandbox.faults import KINDS as FAULT_KINDS
from voucherify_ext.sandbox.pipeline import Handler, SandboxConnectionFault
from voucherify_ext.sandbox.resources import Check, Resource
from voucherify_ext.sandbox.server import Sandbox, serve
from voucherify_ext.sandbox.state import SandboxState

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_APP_TOKEN",
    "DEFAULT_IMPORT_SPEED",
    "FAULT_HEADER",
    "FAULT_KINDS",
    "Check",
    "ExtensionRoute",
    "Fault",
    "FaultPlan",
    "Handler",
    "ManualClock",
    "RateLimit",
    "Resource",
    "Sandbox",
    "SandboxConfig",
    "SandboxConnectionFault",
    "SandboxError",
    "SandboxExtension",
    "SandboxState",
    "create_app",
    "load_extensions",
    "parse_rate_limit",
    "serve",
]
