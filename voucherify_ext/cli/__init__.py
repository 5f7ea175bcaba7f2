"""``voucherify-orders``: move orders in and out of Voucherify from the shell.

Needs the ``cli`` extra (typer, rich); ``--sandbox`` and ``sandbox`` need the ``sandbox`` extra.
Exit codes are listed in :mod:`voucherify_ext.cli.app`.
"""

from __future__ import annotations

from .app import EXIT_CODES, app, main

__all__ = ["EXIT_CODES", "app", "main"]
