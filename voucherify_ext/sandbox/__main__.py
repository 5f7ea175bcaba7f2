"""``python -m voucherify_ext.sandbox``: run the sandbox in the foreground until Ctrl-C or
SIGTERM; with ``--state`` the data is saved on either."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from voucherify_ext.sandbox.app import create_app
from voucherify_ext.sandbox.config import (
    DEFAULT_APP_ID,
    DEFAULT_APP_TOKEN,
    DEFAULT_IMPORT_SPEED,
    SandboxConfig,
    parse_rate_limit,
)
from voucherify_ext.sandbox.extensions import load_extensions
from voucherify_ext.sandbox.faults import KINDS, parse_kinds
from voucherify_ext.sandbox.server import Runner

log = logging.getLogger("voucherify.sandbox")


def build_parser(prog: str = "python -m voucherify_ext.sandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A stateful local Voucherify that fails on purpose.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default: %(default)s)")
    parser.add_argument(
        "--app-id", default=DEFAULT_APP_ID, help="the only accepted X-App-Id (default: %(default)s)"
    )
    parser.add_argument(
        "--app-token",
        default=DEFAULT_APP_TOKEN,
        help="the only accepted X-App-Token (default: sandbox-app-token)",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="latency added to every API request")
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of API requests that fail, 0..1 (default: 0)"
    )
    parser.add_argument(
        "--faults",
        default=None,
        help=f"comma-separated fault kinds for --fault-rate: {', '.join(KINDS)} or status codes "
        "like 503,429 (default: all kinds)",
    )
    parser.add_argument(
        "--rate-limit", default=None, help="per-app budget, e.g. 2000/min, 20/s (default: none)"
    )
    parser.add_argument(
        "--import-speed",
        type=float,
        default=DEFAULT_IMPORT_SPEED,
        help="orders per second an import advances (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault plan (default: 0)")
    parser.add_argument(
        "--journal",
        type=int,
        default=0,
        metavar="N",
        help="keep the last N API requests (key, body, time) for GET /_sandbox/requests?include=journal "
        "(default: 0, none)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="JSON file to load at start and save at exit (Ctrl-C or SIGTERM)",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        help="OpenAPI document to follow: its enums, fields and limits (default: the bundled copy)",
    )
    parser.add_argument(
        "--extension",
        action="append",
        default=[],
        metavar="MODULE:ATTR",
        help="a SandboxExtension (or a list of them) to serve as well, e.g. myteam.sandbox:EXTENSION; "
        "repeatable",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        app_id=args.app_id,
        app_token=args.app_token,
        rate_limit=parse_rate_limit(args.rate_limit),
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        faults=parse_kinds(args.faults) if args.faults else None,
        import_speed=args.import_speed,
        seed=args.seed,
        journal=args.journal,
        state_file=args.state,
        spec=args.spec,
    )


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    """Run the sandbox; ``prog`` is the command name usage and errors show (the CLI's
    ``voucherify-orders sandbox``)."""
    parser = build_parser() if prog is None else build_parser(prog)
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        extensions = [ext for reference in args.extension for ext in load_extensions(reference)]
        app = create_app(config, extensions=extensions)
    except ImportError as exc:
        print(f"sandbox: cannot import the extension: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:  # an unreadable spec, or one the sandbox cannot follow
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    runner = Runner(app, args.host, args.port)

    async def run() -> None:
        async def announce() -> None:
            await runner.started.wait()
            # Only the app id: the token and any bearer or export tokens are never logged.
            log.info(
                "Voucherify sandbox on http://%s:%d (app id %s, %d orders)",
                args.host,
                runner.port,
                config.app_id,
                app.state.sandbox.count_orders(),
            )

        task = asyncio.create_task(announce())
        try:
            await runner.run()
        finally:
            task.cancel()

    # SIGTERM (what ``kill`` and process managers send) stops it like Ctrl-C, so the state is
    # saved either way. uvicorn captures both while it serves and re-raises them afterwards.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    if config.state_file is not None:
        app.state.sandbox.save(config.state_file)
        log.info("state saved to %s", config.state_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
