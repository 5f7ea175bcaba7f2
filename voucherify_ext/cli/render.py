"""Output: JSON for machines, rich tables and progress bars for people."""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from voucherify_client.types import Unset

from voucherify_ext.imports.results import ImportResult

stdout = Console(highlight=False, soft_wrap=True)
#: messages, progress bars and errors: never mixed into the data on stdout
stderr = Console(stderr=True, highlight=False)


def to_jsonable(model: Any) -> Any:
    """A generated model (or a dict of them) as plain JSON data."""
    return model.to_dict() if hasattr(model, "to_dict") else model


def _default(value: object) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def dumps(data: Any, *, indent: int | None = 2) -> str:
    return json.dumps(to_jsonable(data), indent=indent, default=_default, ensure_ascii=False)


ORDER_COLUMNS = ("id", "source_id", "status", "amount", "created_at")


def _cell(value: Any) -> str:
    if value is None or isinstance(value, Unset):
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def orders_table(orders: Iterable[Any]) -> Table:
    """One row per order; ids are never cut short (they are what you copy from the table)."""
    table = Table(title="Orders")
    for column in ORDER_COLUMNS:
        table.add_column(column, no_wrap=column == "id", justify="right" if column == "amount" else "left")
    for order in orders:
        table.add_row(*(_cell(getattr(order, c, None)) for c in ORDER_COLUMNS))
    return table


def import_summary(result: ImportResult) -> Table:
    table = Table("chunk", "orders", "async action", "status", "imported", "failed", title="Import")
    for chunk in result.chunks:
        note = " (resumed)" if chunk.resumed else " (reconciled)" if chunk.reconciled else ""
        table.add_row(
            str(chunk.index),
            str(chunk.count),
            chunk.async_action_id,
            f"{chunk.status}{note}",
            str(chunk.done_count),
            str(chunk.failed_count),
        )
    table.add_section()
    table.add_row(
        "total", str(result.submitted), "", "", str(result.done_count), str(result.failed_count), style="bold"
    )
    return table


def failures_table(result: ImportResult, limit: int = 20) -> Table:
    table = Table("source_id", "chunk", "reason", title=f"Failed orders ({result.failed_count})")
    for failure in result.failures[:limit]:
        table.add_row(str(failure.source_id), str(failure.chunk), failure.reason)
    if len(result.failures) > limit:
        table.add_row("…", "", f"{len(result.failures) - limit} more")
    return table


def skipped_table(result: ImportResult, limit: int = 20) -> Table:
    table = Table(title=f"Invalid records skipped ({len(result.skipped)})")
    table.add_column("where", no_wrap=True)  # file:line, what the user searches for
    table.add_column("problem")
    for record in result.skipped[:limit]:
        table.add_row(record.location, record.message)
    if len(result.skipped) > limit:
        table.add_row("…", f"{len(result.skipped) - limit} more")
    return table


def erase(progress: Progress) -> None:
    """Stop ``progress`` and take its bars off the screen (an error line follows, not them)."""
    console = progress.console
    if console.is_terminal:  # the bars drawn so far are taken back
        progress.live.transient = True
        progress.stop()
        return
    quiet, console.quiet = console.quiet, True  # a file or a pipe: the final drawing is left out
    try:
        progress.stop()
    finally:
        console.quiet = quiet


@contextlib.contextmanager
def progress_bars(*columns: str | ProgressColumn, transient: bool = False) -> Iterator[Progress]:
    """Progress bars on stderr for the block. When the block fails they are erased, so the
    one-line error is not printed under bars frozen at the moment it stopped."""
    progress = Progress(*columns, console=stderr, transient=transient)
    progress.start()
    try:
        yield progress
    except BaseException:
        erase(progress)  # may run twice (a command erases before its own report): harmless
        raise
    progress.stop()


def counting_columns() -> tuple[ProgressColumn, ...]:
    """The columns of a bar that counts orders: what, how far (n/total), a note, the time."""
    return (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
    )
