"""The command tree, built in one place: :func:`build_app` makes the root command with its
global options and adds each command group; :func:`main` (the console script) runs it.

Importing a command module registers nothing: the modules define plain functions, and only
:func:`build_app` puts them in a tree (a new one on each call). Exit codes: :mod:`voucherify_ext.cli.exits`.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from voucherify_ext.cli import bulk, orders, sync
from voucherify_ext.cli import sandbox as sandbox_command
from voucherify_ext.cli.exits import reported_errors
from voucherify_ext.cli.state import CliState

__all__ = ["HELP", "build_app", "main"]

HELP = (
    "Create, read, list, import and export Voucherify orders.\n\n"
    "Credentials come from --app-id/--app-token or VOUCHERIFY_APP_ID/VOUCHERIFY_APP_TOKEN; "
    "the region from --cluster (eu, us1, as1) or --base-url. --sandbox runs the command "
    "against a private in-process sandbox (no account needed).\n\n"
    "Exit codes: 0 ok, 1 API error or failed orders, 2 usage, 3 configuration/authentication, "
    "4 invalid input, 5 network, 6 job failed or timed out, "
    "129 or 143 export download ended by SIGHUP or SIGTERM, 130 interrupted, 141 output pipe closed."
)

#: the libraries' loggers (HTTP, and the event loop and server of --sandbox): quiet under
#: --debug, which shows the client's own lines, unless --debug-http asks for them
HTTP_LOGGERS = ("httpx", "httpcore", "hpack", "h11", "asyncio", "uvicorn")

#: ``voucherify-orders orders ...``: (command name, function), in the order ``--help`` lists them
ORDERS_COMMANDS = (
    ("get", orders.get),
    ("create", orders.create),
    ("update", orders.update),
    ("list", orders.list_orders),
    ("import", bulk.import_),
    ("export", bulk.export),
    ("sync", sync.sync),
)


def build_app() -> typer.Typer:
    """The whole command tree: the root (``HELP``, the global options), ``orders`` with its
    commands, and ``sandbox``."""
    app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    app.callback()(global_options)
    orders_app = typer.Typer(help="Work with orders.", no_args_is_help=True)
    for name, command in ORDERS_COMMANDS:
        orders_app.command(name)(command)
    app.add_typer(orders_app, name="orders")
    app.command(help=sandbox_command.HELP, context_settings=sandbox_command.CONTEXT_SETTINGS)(
        sandbox_command.sandbox
    )
    return app


def global_options(
    ctx: typer.Context,
    app_id: Annotated[str | None, typer.Option(envvar="VOUCHERIFY_APP_ID", help="Application ID.")] = None,
    app_token: Annotated[
        str | None,
        typer.Option(envvar="VOUCHERIFY_APP_TOKEN", help="Application secret key.", show_default=False),
    ] = None,
    cluster: Annotated[
        str | None, typer.Option(envvar="VOUCHERIFY_CLUSTER", help="Region: eu, us1 or as1.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(envvar="VOUCHERIFY_API_URL", help="API base URL (instead of --cluster).")
    ] = None,
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="Run against a private in-process sandbox.")
    ] = False,
    sandbox_state: Annotated[
        str | None,
        typer.Option(help="With --sandbox: JSON file to load the sandbox from and save it to."),
    ] = None,
    max_retries: Annotated[int | None, typer.Option(help="Retries per request (default 2).")] = None,
    rate_limit: Annotated[
        str | None,
        typer.Option(envvar="VOUCHERIFY_RATE_LIMIT", help="Client-side budget, e.g. 20/s or 1000/min."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Log requests and show tracebacks.")] = False,
    debug_http: Annotated[
        bool,
        typer.Option(
            "--debug-http", help="--debug, and the libraries' own lines (httpx, httpcore, asyncio, uvicorn)."
        ),
    ] = False,
) -> None:
    if debug or debug_http:
        debug = True
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("voucherify").setLevel(logging.DEBUG)
        for library in HTTP_LOGGERS:  # connection and header chatter: only when asked for
            logging.getLogger(library).setLevel(logging.DEBUG if debug_http else logging.WARNING)
    ctx.obj = CliState(
        app_id=app_id,
        app_token=app_token,
        cluster=cluster,
        base_url=base_url,
        sandbox=sandbox,
        sandbox_state=sandbox_state,
        max_retries=max_retries,
        rate_limit=rate_limit,
        debug=debug,
    )
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: returns the exit code (see :mod:`voucherify_ext.cli.exits`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Commands report their own failures; this catches the rest (closing the --sandbox state).
    with reported_errors("--debug" in args):
        try:
            # standalone mode: typer prints usage errors itself (exit 2) and turns Ctrl-C into
            # an abort outside commands; inside them reported_errors has already answered.
            build_app()(args=args, prog_name="voucherify-orders", standalone_mode=True)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
