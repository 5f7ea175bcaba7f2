"""voucherify_ext: retries, rate limits, pagination, jobs, typed errors and a sandbox for the
generated Voucherify Orders client (``voucherify_client``)."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
