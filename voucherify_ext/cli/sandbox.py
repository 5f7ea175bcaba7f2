"""``voucherify-orders sandbox``: run the local sandbox server in the foreground.

A plain function; :func:`voucherify_ext.cli.app.build_app` makes it a command with
:data:`HELP` and :data:`CONTEXT_SETTINGS` (its options are the sandbox's own, passed through).
"""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["CONTEXT_SETTINGS", "HELP", "sandbox"]

#: every argument goes to ``python -m voucherify_ext.sandbox``, ``--help`` included
CONTEXT_SETTINGS: dict[str, Any] = {
    "allow_extra_args": True,
    "ignore_unknown_options": True,
    "help_option_names": [],
}
HELP = (
    "Run the local sandbox server until Ctrl-C. Takes the options of "
    "`python -m voucherify_ext.sandbox` (--host, --port, --app-id, --app-token, --latency-ms, "
    "--fault-rate, --faults, --rate-limit, --import-speed, --seed, --state, --spec); "
    "`voucherify-orders sandbox --help` lists them."
)


def sandbox(ctx: typer.Context) -> None:
    from voucherify_ext.sandbox.__main__ import main as sandbox_main

    raise typer.Exit(sandbox_main(list(ctx.args), prog="voucherify-orders sandbox"))
