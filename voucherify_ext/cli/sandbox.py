"""``voucherify-orders sandbox``: run the local sandbox server in the foreground."""

from __future__ import annotations

import typer

from voucherify_ext.cli.app import app


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    help="Run the local sandbox server until Ctrl-C. Takes the options of "
    "`python -m voucherify_ext.sandbox` (--host, --port, --app-id, --app-token, --latency-ms, "
    "--fault-rate, --faults, --rate-limit, --import-speed, --seed, --state); "
    "`voucherify-orders sandbox --help` lists them.",
)
def sandbox(ctx: typer.Context) -> None:
    from voucherify_ext.sandbox.__main__ import main as sandbox_main

    raise typer.Exit(sandbox_main(list(ctx.args)))
