"""``voucherify-orders``: move orders in and out of Voucherify from the shell.

Needs the ``cli`` extra (typer, rich; it includes the sandbox for ``--sandbox`` and
``sandbox``). Exit codes are listed in :mod:`voucherify_ext.cli.exits`;
:func:`build_app` gives the command tree (a ``typer.Typer``), :func:`main` runs it.
"""

from __future__ import annotations

import sys

_MISSING = "voucherify-orders needs the cli extra: pip install 'voucherify-orders[cli]' (missing: {})"

try:
    from voucherify_ext.cli.app import build_app, main
    from voucherify_ext.cli.exits import EXIT_CODES
except ModuleNotFoundError as exc:  # installed without the extra: say so instead of a traceback
    if exc.name not in ("typer", "rich", "click"):
        raise
    _missing_name = exc.name

    def main(argv: list[str] | None = None) -> int:
        print(_MISSING.format(_missing_name), file=sys.stderr)
        return 3


__all__ = ["EXIT_CODES", "build_app", "main"]
