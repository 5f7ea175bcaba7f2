"""The command tree, global options, and how failures become one line and an exit code.

Exit codes (also in ``voucherify-orders --help`` and docs/cli.md):

====  ===========================================================================
0     success
1     the API refused the request, or an import finished with failed orders
2     wrong usage (unknown option, missing argument)
3     configuration or authentication problem (credentials, cluster, URL, 401)
4     invalid input: nothing (or, with a report, only what is listed) was sent
5     network trouble: connection refused or dropped, timeout, unreadable reply
6     a job (import or export) failed or did not finish in time
130   interrupted (Ctrl-C); what was already sent is reported
====  ===========================================================================
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from ..errors import (
    APIConnectionError,
    APIError,
    APIResponseError,
    AuthenticationError,
    ConfigurationError,
    ValidationError,
    VoucherifyError,
)
from ..jobs import JobError
from .state import CliState

EXIT_CODES = {
    "ok": 0,
    "api": 1,
    "usage": 2,
    "config": 3,
    "input": 4,
    "network": 5,
    "job": 6,
    "interrupted": 130,
}

HELP = (
    "Create, read, list, import and export Voucherify orders.\n\n"
    "Credentials come from --app-id/--app-token or VOUCHERIFY_APP_ID/VOUCHERIFY_APP_TOKEN; "
    "the region from --cluster (eu, us1, as1) or --base-url. --sandbox runs the command "
    "against a private in-process sandbox (no account needed).\n\n"
    "Exit codes: 0 ok, 1 API error or failed orders, 2 usage, 3 configuration/authentication, "
    "4 invalid input, 5 network, 6 job failed or timed out, 130 interrupted."
)

app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
stderr = Console(stderr=True, highlight=False)


@app.callback()
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
    debug: Annotated[bool, typer.Option("--debug", help="Log requests and show tracebacks.")] = False,
) -> None:
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("voucherify").setLevel(logging.DEBUG)
    ctx.obj = CliState(
        app_id=app_id,
        app_token=app_token,
        cluster=cluster,
        base_url=base_url,
        sandbox=sandbox,
        sandbox_state=sandbox_state,
        max_retries=max_retries,
        debug=debug,
    )
    ctx.call_on_close(ctx.obj.close)


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, (ConfigurationError, AuthenticationError)):
        return EXIT_CODES["config"]
    if isinstance(exc, ValidationError):
        return EXIT_CODES["input"]
    if isinstance(exc, JobError):
        return EXIT_CODES["job"]
    if isinstance(exc, (APIConnectionError, APIResponseError)):
        return EXIT_CODES["network"]
    if isinstance(exc, APIError):
        return EXIT_CODES["api"]
    return EXIT_CODES["api"]


def _hint(exc: BaseException) -> str | None:
    if isinstance(exc, ConfigurationError):
        return (
            "set VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN (or pass --app-id/--app-token), or try --sandbox"
        )
    if isinstance(exc, AuthenticationError):
        return "check the app id and token, and that --cluster matches your project's region"
    if isinstance(exc, APIConnectionError):
        return "check --base-url/--cluster and your network; the request was retried as far as was safe"
    if isinstance(exc, ValidationError):
        return "fix the input at the place named above; nothing after it was sent"
    return None


@contextlib.contextmanager
def reported_errors(debug: bool) -> Iterator[None]:
    """Turn a failure into one clear line on stderr (request id included) and an exit code."""
    try:
        yield
    except KeyboardInterrupt:
        stderr.print("[bold red]interrupted[/]")
        raise SystemExit(EXIT_CODES["interrupted"]) from None
    except VoucherifyError as exc:
        if debug:
            stderr.print_exception()
        stderr.print(Text("error: ", style="bold red") + Text(f"{type(exc).__name__}: {exc}"), soft_wrap=True)
        hint = _hint(exc)
        if hint:
            stderr.print(Text(f"hint: {hint}"), soft_wrap=True)
        raise SystemExit(_exit_code(exc)) from None


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    from . import orders  # noqa: F401  (registers the commands)
    from . import sandbox as _sandbox  # noqa: F401

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    with reported_errors(debug):
        try:
            app(args=argv, prog_name="voucherify-orders", standalone_mode=False)
        except typer.Exit as exc:
            return exc.exit_code
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # click usage errors arrive here in non-standalone mode
            import click

            if isinstance(exc, click.ClickException):
                exc.show()
                return exc.exit_code
            raise
    return 0
