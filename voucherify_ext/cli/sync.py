"""``voucherify-orders orders sync FILE``: create or update every order of a file, one upsert
each, as fast as the rate budget allows, with progress, a summary and a resumable checkpoint.

A plain function; :func:`voucherify_ext.cli.app.build_app` makes it a command."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from voucherify_ext.cli import render
from voucherify_ext.cli.exits import EXIT_CODES, reported_errors, sanitize
from voucherify_ext.cli.render import stderr
from voucherify_ext.cli.state import state_of
from voucherify_ext.errors import ValidationError

if TYPE_CHECKING:
    from voucherify_ext.orders.upsert_results import UpsertProgress, UpsertResult, UpsertSummary

#: failed orders listed in the table; the rest are counted
FAILURES_SHOWN = 20


def sync(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .jsonl (one order a line) or .csv file.")],
    checkpoint: Annotated[
        Path | None, typer.Option(help="Record confirmed orders here; rerun with it to resume.")
    ] = None,
    stop_on_error: Annotated[bool, typer.Option(help="Stop after the first failed order.")] = False,
    retry_ambiguous: Annotated[
        bool,
        typer.Option(help="Resend an order whose answer was lost (Voucherify may fire its events twice)."),
    ] = True,
    max_in_flight: Annotated[
        int | None, typer.Option(min=1, help="At most this many requests at once (default: from the budget).")
    ] = None,
    allow_unknown_fields: Annotated[
        bool, typer.Option(help="Send keys our spec does not know (newer API fields).")
    ] = False,
    estimate: Annotated[
        bool, typer.Option("--estimate", help="Print the requests and time it would take, send nothing.")
    ] = False,
) -> None:
    """Create or update each order of a file (an upsert by id or source_id) within the rate budget.

    Every order must carry an id or a source_id. Exits 1 when any order failed.
    """
    state = state_of(ctx)
    with reported_errors(state.debug):
        if not file.is_file():
            raise ValidationError(f"{file}: no such file")
        orders = state.client().orders
        guess = orders.estimate_upserts(file)
        pace = (
            f"about {guess.seconds:,.0f} s at the rate budget"
            if guess.seconds is not None
            else "no rate budget configured (--rate-limit), so the time depends on the server's"
        )
        stderr.print(f"{guess.orders:,} order(s): {guess.requests:,} request(s), {pace}", soft_wrap=True)
        if estimate:
            return
    failures: list[UpsertResult] = []
    failed = 0
    with (
        reported_errors(state.debug),
        render.progress_bars(*render.counting_columns(), transient=True) as progress,
    ):
        task = progress.add_task("orders", total=guess.orders, note="")

        def on_progress(p: UpsertProgress) -> None:
            note = f"{p.created} created, {p.updated} updated, {p.failed} failed, {p.skipped} skipped"
            progress.update(task, completed=p.done, total=p.total, note=note)

        run = orders.upsert_many(
            file,
            checkpoint=checkpoint,
            stop_on_error=stop_on_error,
            retry_ambiguous=retry_ambiguous,
            max_in_flight=max_in_flight,
            on_progress=on_progress,
            allow_unknown_fields=allow_unknown_fields,
        )
        try:
            for result in run:
                if result.status == "failed":
                    failed += 1
                    if len(failures) < FAILURES_SHOWN:
                        failures.append(result)
        except KeyboardInterrupt:
            progress.stop()
            if checkpoint is not None:
                stderr.print(f"interrupted; rerun with --checkpoint {checkpoint} to resume", soft_wrap=True)
            raise
        summary = run.summary
    render.stdout.print(summary_table(summary))
    if failures:
        render.stdout.print(failures_table(failures, failed))
    if failed:
        raise typer.Exit(EXIT_CODES["api"])


def summary_table(summary: UpsertSummary) -> Table:
    """One row: what the run did, its requests and its time."""
    table = Table("created", "updated", "failed", "skipped", "requests", "seconds", title="Sync")
    table.add_row(
        f"{summary.created:,}",
        f"{summary.updated:,}",
        f"{summary.failed:,}",
        f"{summary.skipped:,}",
        f"{summary.requests:,}",
        f"{summary.elapsed_seconds:,.1f}",
    )
    return table


def failures_table(failures: Iterable[UpsertResult], total: int) -> Table:
    """The first failed orders: where in the file, the key, and the error on one line."""
    shown = list(failures)
    table = Table(title=f"Failed orders ({total:,})")
    table.add_column("where", no_wrap=True)
    table.add_column("key", no_wrap=True)
    table.add_column("error")
    for result in shown:
        where = f"line {result.line}" if result.line is not None else f"index {result.index}"
        error = f"{type(result.error).__name__}: {result.error}" if result.error is not None else ""
        table.add_row(where, sanitize(str(result.key)), sanitize(error))
    if total > len(shown):
        table.add_row("…", "", f"{total - len(shown):,} more")
    return table
