"""``voucherify-orders orders ...``: get, create, update, list (import and export: bulk.py).

Plain functions; :func:`voucherify_ext.cli.app.build_app` makes them commands."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from voucherify_ext.cli import render
from voucherify_ext.cli.exits import reported_errors
from voucherify_ext.cli.state import state_of
from voucherify_ext.errors import InputTooDeepError, ValidationError


def _read_json(source: str) -> Any:
    """Read one JSON document (UTF-8) from a file or ``-`` (stdin); errors name the place."""
    name = "<stdin>" if source == "-" else source
    stdin = getattr(sys.stdin, "buffer", None)  # None when the process has no stdin at all
    if source == "-" and (stdin is None or stdin.closed):
        raise ValidationError(f"{name}: cannot read: standard input is closed; pass a FILE instead")
    try:
        data = stdin.read() if source == "-" and stdin is not None else Path(source).read_bytes()
    except OSError as exc:
        raise ValidationError(f"{name}: cannot read: {exc.strerror}") from None
    except ValueError as exc:  # I/O on a closed file
        raise ValidationError(f"{name}: cannot read: {exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise ValidationError(
            f"{name}:{line}:{column}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputTooDeepError(f"{name}: invalid JSON: nested too deeply to read", path=name) from None


def _print_json(data: Any) -> None:
    render.stdout.print_json(render.dumps(data))


def get(
    ctx: typer.Context, order_id: Annotated[str, typer.Argument(metavar="ID", help="Order ID or source_id.")]
) -> None:
    """Print one order as JSON."""
    state = state_of(ctx)
    with reported_errors(state.debug):
        _print_json(state.client().orders.get(order_id))


def create(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="JSON order; - reads stdin.")],
    allow_unknown_fields: Annotated[
        bool, typer.Option(help="Send keys our spec does not know (newer API fields).")
    ] = False,
) -> None:
    """Create an order (an upsert when it has an id or source_id) and print it as JSON."""
    state = state_of(ctx)
    with reported_errors(state.debug):
        order = _read_json(source)
        _print_json(state.client().orders.create(order, allow_unknown_fields=allow_unknown_fields))


def update(
    ctx: typer.Context,
    order_id: Annotated[str, typer.Argument(metavar="ID", help="Order ID or source_id.")],
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="JSON fields to change; - reads stdin.")],
    allow_unknown_fields: Annotated[
        bool, typer.Option(help="Send keys our spec does not know (newer API fields).")
    ] = False,
) -> None:
    """Change the given fields of an order and print it as JSON."""
    state = state_of(ctx)
    with reported_errors(state.debug):
        changes = _read_json(source)
        updated = state.client().orders.update(order_id, changes, allow_unknown_fields=allow_unknown_fields)
        _print_json(updated)


def list_orders(
    ctx: typer.Context,
    order: Annotated[
        Literal["created_at", "-created_at", "updated_at", "-updated_at"],
        typer.Option(help="Sort order: oldest first by default, - for newest first."),
    ] = "created_at",
    limit: Annotated[
        int | None, typer.Option(min=1, help="How many orders to print (default 10; not with --all).")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every order the list reaches (100 pages: 10,000 at most).")
    ] = False,
    page_size: Annotated[int, typer.Option(min=1, max=100, help="Orders per request, 1-100.")] = 100,
    fmt: Annotated[
        Literal["jsonl", "table"], typer.Option("--format", help="jsonl (streamed) or table.")
    ] = "jsonl",
    since: Annotated[
        str | None, typer.Option(help="Only orders created at or after this date/time (newest first).")
    ] = None,
    updated_since: Annotated[
        str | None,
        typer.Option(help="Only orders created or updated at or after this date/time (newest first)."),
    ] = None,
) -> None:
    """List orders, oldest first by default; streamed as JSON lines.

    The API lists 100 pages at most; past that, --all prints what it reached and exits 1
    pointing to `orders export`. With --since or --updated-since: every order changed since
    then, each once, newest first; the next run's date/time (the watermark) goes to stderr.
    """
    if all_ and limit is not None:
        raise typer.BadParameter("--limit and --all exclude each other", param_hint="'--limit' / '--all'")
    if since is not None or updated_since is not None:
        _list_changed(ctx, since, updated_since, page_size)
        return
    state = state_of(ctx)
    with reported_errors(state.debug):
        orders = state.client().orders.iter(
            order=order, page_size=page_size, max_items=None if all_ else (limit or 10)
        )
        with orders:
            if fmt == "table":
                render.stdout.print(render.orders_table(orders))
                return
            for item in orders:
                sys.stdout.write(render.dumps(item, indent=None) + "\n")
                sys.stdout.flush()


def _parse_since(text: str, hint: str) -> datetime.datetime:
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date or date-time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)", param_hint=hint
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=datetime.UTC)


def _list_changed(ctx: typer.Context, since: str | None, updated_since: str | None, page_size: int) -> None:
    """``orders list --since/--updated-since``: a changed-since read, then its watermark on stderr."""
    if since is not None and updated_since is not None:
        raise typer.BadParameter(
            "--since and --updated-since exclude each other", param_hint="'--since' / '--updated-since'"
        )
    state = state_of(ctx)
    with reported_errors(state.debug):
        orders = state.client().orders
        if updated_since is not None:
            changed = orders.iter(
                updated_since=_parse_since(updated_since, "--updated-since"), page_size=page_size
            )
        else:
            assert since is not None
            changed = orders.iter(created_since=_parse_since(since, "--since"), page_size=page_size)
        for item in changed:
            sys.stdout.write(render.dumps(item, indent=None) + "\n")
            sys.stdout.flush()
        if changed.watermark is not None:
            sys.stderr.write(f"watermark: {changed.watermark.isoformat()}\n")
