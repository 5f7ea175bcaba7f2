"""A file is read twice at most, the validating scan and the sending pass, and hashed during
the first (issue 13): no pass of its own for the hash, nor for a progress bar's total.

Every open of the file is counted with an audit hook (``open`` events are raised by
``open()``, ``Path.open``, ``io.open`` and ``os.open`` alike, in any thread), so a reading
added anywhere, in the library or the CLI, is seen.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.errors import ImportFileChangedError
from voucherify_ext.imports.drivers import ImportProgress, aimport_orders, import_orders
from voucherify_ext.sandbox import Sandbox

from .conftest import FAST, no_asleep, no_sleep

_watched: dict[str, list[str]] = {}


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _watched:
        return
    target = args[0]
    if isinstance(target, str | bytes | os.PathLike):
        name = os.fsdecode(target)
        if name in _watched:
            _watched[name].append(str(args[1]))


sys.addaudithook(_hook)  # an audit hook cannot be removed: it does nothing unless a path is watched


@contextmanager
def opens_of(path: Path) -> Iterator[list[str]]:
    """The modes of every open of ``path`` while the block runs."""
    seen: list[str] = []
    _watched[str(path)] = seen
    try:
        yield seen
    finally:
        del _watched[str(path)]


def write(path: Path, records: list[dict[str, Any] | str], fmt: str) -> None:
    if fmt == "jsonl":
        text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
    else:
        rows = ["source_id,amount"] + [
            r if isinstance(r, str) else f"{r['source_id']},{r['amount']}" for r in records
        ]
        text = "\n".join(rows) + "\n"
    path.write_text(text, encoding="utf-8")


BAD = {"jsonl": '{"source_id": "bad", "amount": ', "csv": "bad,not-a-number"}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fmt=st.sampled_from(["jsonl", "csv"]),
    asynchronous=st.booleans(),
    count=st.integers(0, 12),
    bad=st.sets(st.integers(0, 11), max_size=3),
    chunk_size=st.integers(1, 5),
    checkpoint=st.booleans(),
)
def test_a_file_import_opens_the_file_once_for_the_scan_and_once_for_the_send(
    sandbox_session: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
    fmt: str,
    asynchronous: bool,
    count: int,
    bad: set[int],
    chunk_size: int,
    checkpoint: bool,
) -> None:
    sb = sandbox_session
    sb.reset()
    sb.set_import_speed(FAST)
    folder = tmp_path_factory.mktemp("reads")
    path = folder / f"orders.{fmt}"
    records: list[dict[str, Any] | str] = [
        BAD[fmt] if i in bad else {"source_id": f"r{i}", "amount": 100 + i} for i in range(count)
    ]
    valid = sum(1 for r in records if not isinstance(r, str))
    write(path, records, fmt)
    events: list[ImportProgress] = []
    options: dict[str, Any] = {
        "chunk_size": chunk_size,
        "on_invalid": "skip",
        "on_progress": events.append,
        "checkpoint": folder / "cp" if checkpoint else None,
    }
    with opens_of(path) as opens:
        if asynchronous:

            async def run() -> Any:
                async with AsyncVoucherify(
                    app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_asleep
                ) as avf:
                    return await aimport_orders(avf.client, path, sleep=no_asleep, **options)

            result = asyncio.run(run())
        else:
            with Voucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_sleep) as vf:
                result = import_orders(vf.client, path, sleep=no_sleep, **options)
    assert len(opens) == 2, opens  # the scan (which hashes) and the sending pass, nothing else
    assert all("w" not in mode and "a" not in mode for mode in opens)
    assert result.submitted == valid and len(result.skipped) == count - valid
    assert sorted(o["source_id"] for o in sb.orders()) == sorted(
        r["source_id"] for r in records if not isinstance(r, str)
    )
    # the progress bar's total comes from the scan: every event carries it
    assert all(e.orders_total == valid for e in events) and (events or not valid)


def test_a_resumed_file_import_still_opens_the_file_twice(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "orders.jsonl"
    write(path, [{"source_id": f"s{i}", "amount": i + 1} for i in range(6)], "jsonl")
    checkpoint = tmp_path / "cp"
    import_orders(vf.client, path, chunk_size=2, checkpoint=checkpoint, sleep=no_sleep)
    with opens_of(path) as opens:
        again = import_orders(vf.client, path, chunk_size=2, checkpoint=checkpoint, sleep=no_sleep)
    assert len(opens) == 2 and all(c.resumed for c in again.chunks) and again.submitted == 6


def test_the_hash_of_the_scan_still_catches_a_file_changed_before_the_send(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    """The scan's hashes are what the sending pass compares with (the check the hash pass was
    also for): a byte changed between the passes stops the run before that chunk is sent."""
    path = tmp_path / "orders.jsonl"
    pad = "x" * 9000  # a line longer than the reader's buffer: the sending pass reads what is on disk
    write(
        path, [{"source_id": f"s{i}", "amount": i + 1, "metadata": {"pad": pad}} for i in range(6)], "jsonl"
    )
    changed = path.read_bytes().replace(b'"amount": 5', b'"amount": 7')

    def change(p: ImportProgress) -> None:
        if p.phase == "submitting" and p.chunks_submitted == 1:
            path.write_bytes(changed)  # in place: the open handle sees it

    with opens_of(path) as opens, pytest.raises(ImportFileChangedError) as caught:
        import_orders(vf.client, path, chunk_size=2, on_progress=change, wait=False, sleep=no_sleep)
    assert caught.value.chunk == 3 and len(caught.value.sent_chunks) == 2
    assert len([m for m in opens if "w" not in m]) == 2  # (the test's own rewrite opens it for writing)
    assert {o["source_id"] for o in sb.orders()} == {"s0", "s1", "s2", "s3"}


CLI_RUN = textwrap.dedent(
    """
    import atexit, os, sys
    target, report = sys.argv[1], sys.argv[2]
    opens = []
    def hook(event, args):
        if event == "open" and isinstance(args[0], (str, os.PathLike)) and os.fspath(args[0]) == target:
            opens.append(args[1])
    sys.addaudithook(hook)
    def write_report():
        with open(report, "w") as handle:
            handle.write(str(len(opens)))
    atexit.register(write_report)
    from voucherify_ext.cli import main
    sys.exit(main(["orders", "import", target, "--chunk-size", "2"]))
    """
)


def test_the_cli_import_opens_the_file_twice_and_still_shows_the_total(sb: Sandbox, tmp_path: Path) -> None:
    """The CLI's progress bar took its total from a counting pass of its own (a third read);
    the total now comes from the import's scan."""
    path = tmp_path / "orders.jsonl"
    write(path, [{"source_id": f"c{i}", "amount": i + 1} for i in range(5)], "jsonl")
    report = tmp_path / "opens"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHERIFY_")}
    env.update(
        VOUCHERIFY_API_URL=sb.url,
        VOUCHERIFY_APP_ID=sb.app_id,
        VOUCHERIFY_APP_TOKEN=sb.app_token,
        COLUMNS="120",
        NO_COLOR="1",
    )
    done = subprocess.run(
        [sys.executable, "-c", CLI_RUN, str(path), str(report)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert report.read_text() == "2"
    assert "5/5" in done.stderr and len(sb.orders()) == 5
