"""``voucherify-orders orders import`` and ``orders export``: the bulk jobs, with progress.

Plain functions; :func:`voucherify_ext.cli.app.build_app` makes them commands."""

from __future__ import annotations

import contextlib
import datetime
import signal
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Literal

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from voucherify_ext.cli import render
from voucherify_ext.cli.exits import EXIT_CODES, reported_errors
from voucherify_ext.cli.render import stderr
from voucherify_ext.cli.state import state_of
from voucherify_ext.errors import APIError, ValidationError
from voucherify_ext.exports import REFUSED_URL_STATUSES, ExportHandle
from voucherify_ext.imports.results import ImportProgress, ImportResult
from voucherify_ext.imports.state import MAX_CHUNK_SIZE
from voucherify_ext.item_lint import OrderItemWarning


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .jsonl (one order a line) or .csv file.")],
    chunk_size: Annotated[
        int, typer.Option(min=1, max=MAX_CHUNK_SIZE, help="Orders per request.")
    ] = MAX_CHUNK_SIZE,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Record progress here; rerun with it to resume.")
    ] = None,
    on_invalid: Annotated[
        Literal["stop", "skip"], typer.Option(help="stop: refuse the file; skip: import the valid records.")
    ] = "stop",
    wait: Annotated[bool, typer.Option(help="Wait for Voucherify to finish each chunk.")] = True,
    timeout: Annotated[float | None, typer.Option(help="Give up waiting after this many seconds.")] = None,
    strict: Annotated[
        bool,
        typer.Option(
            help="An item naming a product or SKU by source_id needs related_object (else: a warning)."
        ),
    ] = False,
) -> None:
    """Import historical orders from a file, with progress and a summary.

    The file is validated whole before anything is sent. Exits 1 when any order failed.
    """
    state = state_of(ctx)
    with reported_errors(state.debug):
        if not file.is_file():
            raise ValidationError(f"{file}: no such file")
    result: ImportResult | None = None
    with reported_errors(state.debug), render.progress_bars(*render.counting_columns()) as progress:
        # the total comes with the first progress event, from the import's validating scan
        sent = progress.add_task("orders submitted", total=None, note="")
        chunks = progress.add_task("chunks done", total=None, note="", visible=wait)

        def on_progress(p: ImportProgress) -> None:
            progress.update(
                sent,
                completed=p.orders_submitted,
                total=p.orders_total,
                note=f"{p.chunks_submitted} chunk(s)",
            )
            action = f"current {p.action_progress}%" if p.action_progress is not None else ""
            note = f"{p.failures} failed {action}".strip()
            progress.update(chunks, completed=p.chunks_done, total=max(p.chunks_submitted, 1), note=note)

        try:
            with _item_warnings_on(progress):
                result = state.client().orders.import_orders(
                    file,
                    chunk_size=chunk_size,
                    checkpoint=checkpoint,
                    on_invalid="skip" if on_invalid == "skip" else "raise",
                    wait=wait,
                    timeout=timeout,
                    on_progress=on_progress,
                    strict=strict,
                )
        except BaseException as exc:
            partial = getattr(exc, "result", None)
            if isinstance(partial, ImportResult) and partial.chunks:
                render.erase(progress)
                stderr.print("sent before it stopped:", partial.summary(), soft_wrap=True)
            raise
        progress.update(sent, completed=result.submitted, total=result.submitted)
        progress.update(chunks, completed=len(result.chunks), total=len(result.chunks), note="")
    assert result is not None
    render.stdout.print(render.import_summary(result))
    if result.skipped:
        render.stdout.print(render.skipped_table(result))
    if result.failures:
        render.stdout.print(render.failures_table(result))
    if result.failed_count or result.failed_chunks or result.skipped:
        raise typer.Exit(EXIT_CODES["api"])


@contextlib.contextmanager
def _item_warnings_on(progress: Progress) -> Iterator[None]:
    """Each :class:`~voucherify_ext.OrderItemWarning` as one ``warning:`` line on stderr (not
    Python's two lines pointing into the CLI's own code); other warnings go on as they were."""
    shown = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if isinstance(message, OrderItemWarning):
            progress.console.print(Text(f"warning: {message}", style="yellow"), soft_wrap=True)
        else:
            shown(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("always", OrderItemWarning)
        warnings.showwarning = show
        yield


def _check_date(text: str) -> None:
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date or date-time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)",
            param_hint="--since",
        ) from None


def _filters(status: list[str], since: str | None) -> dict[str, Any] | None:
    filters: dict[str, Any] = {}
    if status:
        filters["status"] = {"conditions": {"$in": list(status)}}
    if since:
        filters["created_at"] = {"conditions": {"$after": [since]}}
    if len(filters) > 1:
        filters["junction"] = "and"
    return filters or None


#: signals that end a download as Ctrl-C does: the temporary file is removed, exit 128 + signum
_ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _signals_end_cleanly() -> Iterator[None]:
    """While a download runs, SIGTERM and SIGHUP raise ``SystemExit(128 + signum)`` (the
    default action would kill the process before the download's ``finally`` removes its hidden
    ``.part`` file); the previous handlers are restored after."""
    previous: dict[signal.Signals, Any] = {}
    try:
        for signum in _ENDING_SIGNALS:
            previous[signum] = signal.signal(signum, _raise_exit)
    except ValueError:  # not the main thread: signals cannot be handled here
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _download(handle: ExportHandle, output: Path, timeout: float, on_progress: Any) -> Path:
    """``handle.download``, saying when the download URL was refused and fetched afresh; a
    URL refused again is the download host's refusal (the credentials worked for the export),
    so it exits 1, not 3 with a hint about credentials."""
    try:
        with _signals_end_cleanly():
            path = handle.download(output, timeout=timeout, on_progress=on_progress)
    except APIError as exc:
        if not handle.url_refreshes or exc.status_code not in REFUSED_URL_STATUSES:
            raise
        stderr.print("download URL refused; fetched a fresh one from the export, refused again")
        stderr.print(Text("error: ", style="bold red") + Text(f"{type(exc).__name__}: {exc}"), soft_wrap=True)
        stderr.print(
            Text(
                "hint: the export was read with your credentials, but its download host refuses the "
                "URL; run the export again, and quote the request id to support if it persists"
            ),
            soft_wrap=True,
        )
        raise SystemExit(EXIT_CODES["api"]) from None
    if handle.url_refreshes:
        stderr.print("download URL expired; fetched a fresh one")
    return path


def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the CSV.")],
    field: Annotated[
        list[str] | None,
        typer.Option("--field", help="A CSV column (repeat); metadata.<key> for one metadata key."),
    ] = None,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Only orders with this status (repeat).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only orders created after this date/time.")] = None,
    order: Annotated[str | None, typer.Option(help="Sort: created_at, -created_at, status, ...")] = None,
    timeout: Annotated[float, typer.Option(help="Give up waiting after this many seconds.")] = 600.0,
) -> None:
    """Export orders to a CSV file: schedule, wait (with progress) and download (streamed)."""
    if since is not None:
        _check_date(since)
    if output.is_dir() or not output.parent.is_dir():  # checked before scheduling anything
        problem = f"{output} is a folder" if output.is_dir() else f"{output.parent} is not a folder"
        raise typer.BadParameter(f"{problem}; give the CSV file's path", param_hint="--output")
    state = state_of(ctx)
    with reported_errors(state.debug):
        with render.progress_bars(*_EXPORT_COLUMNS) as progress:
            handle = state.client().orders.export(
                fields=field or None, filters=_filters(status or [], since), order=order, wait=False
            )
            stderr.print(f"export {handle.id} scheduled")
            task = progress.add_task("exporting", total=None)
            handle.wait(timeout=timeout)
            progress.update(task, description="downloading", total=None, completed=0)

            def on_progress(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            path = _download(handle, output, timeout, on_progress)
            size = path.stat().st_size
            progress.update(task, description="done")  # bytes and total came from on_progress
        stderr.print(f"{size:,} bytes written to {path}", soft_wrap=True)


_EXPORT_COLUMNS = (
    SpinnerColumn(),
    TextColumn("{task.description}"),
    BarColumn(),
    DownloadColumn(),
    TransferSpeedColumn(),
    TimeElapsedColumn(),
)
