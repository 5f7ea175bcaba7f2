"""An import file that changes between the validating scan and the sending pass (issue 11,
item 7): the run stops before the first chunk whose bytes differ from what was validated, the
error says exactly what was sent (chunks and their async actions, ``result`` attached), and no
line that was not validated reaches the server.

The file is changed from ``on_progress`` after chunk k was submitted, while the sending pass
is reading it. Lines are longer than the reader's 8 KiB buffer, so what the sending pass reads
after chunk k is what is on disk then; the property test does not depend on that: whatever mix
of old and new bytes was read, the invariant must hold.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.errors import ImportFileChangedError, ImportValidationError, ValidationError
from voucherify_ext.imports.drivers import ImportProgress, aimport_orders, import_orders
from voucherify_ext.sandbox import Sandbox

from .conftest import no_asleep, no_sleep

IMPORT = "/v1/orders/import"
PAD = "x" * 9000  # one line is more than the reader's buffer


def record(i: int, prefix: str = "f") -> dict[str, Any]:
    return {"source_id": f"{prefix}{i}", "amount": 100 + i, "metadata": {"pad": PAD}}


def line(order: dict[str, Any]) -> bytes:
    return (json.dumps(order) + "\n").encode()


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def after_chunk(k: int, change: Callable[[], None]) -> Callable[[ImportProgress], None]:
    """An ``on_progress`` that runs ``change`` once, when chunk ``k`` has been submitted."""
    done = False

    def on_progress(p: ImportProgress) -> None:
        nonlocal done
        if p.phase == "submitting" and p.chunks_submitted == k and not done:
            done = True
            change()

    return on_progress


def replace_line(path: Path, number: int, new: bytes) -> Callable[[], None]:
    def change() -> None:
        lines = path.read_bytes().splitlines(keepends=True)
        lines[number - 1] = new
        path.write_bytes(b"".join(lines))  # in place: the open handle sees it

    return change


def stored_source_ids(sb: Sandbox) -> set[str]:
    return {o["source_id"] for o in sb.orders()}


def test_a_line_broken_after_chunk_9_stops_saying_what_was_sent(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.jsonl", [line(record(i)) for i in range(24)])
    change = replace_line(path, 20, b'{"source_id": "f19", "amount": \n')  # chunk 10: lines 19-20
    with pytest.raises(ImportFileChangedError) as caught:
        import_orders(vf.client, path, chunk_size=2, wait=False, on_progress=after_chunk(9, change))
    error = caught.value
    sent = error.result.chunks
    assert [c.index for c in sent] == list(range(1, 10)) and error.chunk == 10
    text = str(error)
    assert "nothing was sent" not in text
    assert f"{path}:20: the file changed after it was validated" in text
    assert "stopped before sending chunk 10; already sent: 9 chunk(s), 18 order(s)" in text
    assert all(c.async_action_id in text for c in sent)
    assert error.sent_chunks == sent
    assert isinstance(error, ValidationError) and isinstance(error, ValueError)
    assert sb.request_count("POST", IMPORT) == 9
    assert stored_source_ids(sb) == {f"f{i}" for i in range(18)}


def test_a_record_changed_after_validation_is_never_sent(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    path = write(tmp_path / "orders.jsonl", [line(record(i)) for i in range(12)])
    intruder = line({"source_id": "intruder", "amount": 1, "metadata": {"pad": PAD}})
    with pytest.raises(ImportFileChangedError) as caught:
        import_orders(
            vf.client,
            path,
            chunk_size=2,
            wait=False,
            on_progress=after_chunk(2, replace_line(path, 8, intruder)),
        )
    error = caught.value
    assert [c.index for c in error.result.chunks] == [1, 2, 3] and error.chunk == 4
    assert "the bytes read differ from those validated" in str(error)
    assert sb.request_count("POST", IMPORT) == 3
    assert sb.count_orders(source_id="intruder") == 0
    assert stored_source_ids(sb) == {f"f{i}" for i in range(6)}


def test_lines_appended_after_validation_are_not_sent(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    path = write(tmp_path / "orders.jsonl", [line(record(i)) for i in range(6)])

    def append() -> None:
        with open(path, "ab") as handle:
            handle.write(b"".join(line(record(i, "new")) for i in range(3)))

    with pytest.raises(ImportFileChangedError) as caught:
        import_orders(vf.client, path, chunk_size=2, wait=False, on_progress=after_chunk(1, append))
    assert [c.index for c in caught.value.result.chunks] == [1, 2, 3]
    assert "more records than were validated" in str(caught.value) or "differ" in str(caught.value)
    assert not {s for s in stored_source_ids(sb) if s.startswith("new")}


def test_a_file_cut_short_after_validation_is_an_error_not_a_smaller_success(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    lines = [line(record(i)) for i in range(10)]
    path = write(tmp_path / "orders.jsonl", lines)
    with pytest.raises(ImportFileChangedError) as caught:
        import_orders(
            vf.client, path, chunk_size=2, on_progress=after_chunk(1, lambda: write(path, lines[:5]))
        )
    error = caught.value
    assert len(error.result.chunks) < 5
    assert sb.request_count("POST", IMPORT) == len(error.result.chunks)
    assert stored_source_ids(sb) <= {f"f{i}" for i in range(10)}


def test_a_csv_line_that_is_no_longer_utf8_stops_before_its_chunk(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    rows = [b"source_id,amount,metadata.pad\n"] + [f"c{i},{i},{PAD}\n".encode() for i in range(8)]
    path = write(tmp_path / "orders.csv", rows)
    change = replace_line(path, 8, f"c6,6,Jos\xe9{PAD}\n".encode("latin-1"))  # data row 7: chunk 4
    with pytest.raises(ImportFileChangedError) as caught:
        import_orders(vf.client, path, chunk_size=2, wait=False, on_progress=after_chunk(2, change))
    error = caught.value
    assert [c.index for c in error.result.chunks] == [1, 2, 3] and error.chunk == 4
    assert f"{path}:8:" in str(error) and "not UTF-8" in str(error)
    assert stored_source_ids(sb) == {f"c{i}" for i in range(6)}


async def test_async_import_stops_the_same_way(avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path) -> None:
    path = write(tmp_path / "orders.jsonl", [line(record(i)) for i in range(8)])
    change = replace_line(path, 7, b"not json\n")
    with pytest.raises(ImportFileChangedError) as caught:
        await aimport_orders(
            avf.client, path, chunk_size=2, wait=False, sleep=no_asleep, on_progress=after_chunk(2, change)
        )
    assert [c.index for c in caught.value.result.chunks] == [1, 2, 3]
    assert "already sent: 3 chunk(s), 6 order(s)" in str(caught.value)
    assert sb.request_count("POST", IMPORT) == 3


def test_an_unchanged_file_and_a_file_replaced_by_rename_import_whole(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.jsonl", [line(record(i)) for i in range(6)])

    def replace_by_rename() -> None:  # what editors do: the open handle keeps the old file
        other = write(tmp_path / "new.jsonl", [line(record(i, "new")) for i in range(6)])
        os.replace(other, path)

    result = import_orders(vf.client, path, chunk_size=2, on_progress=after_chunk(1, replace_by_rename))
    assert result.ok and result.done_count == 6
    assert stored_source_ids(sb) == {f"f{i}" for i in range(6)}


def test_invalid_file_before_anything_is_sent_still_says_so(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.jsonl", [line(record(0)), b"{oops\n"])
    with pytest.raises(ImportValidationError, match=r"orders\.jsonl:2: .*\(nothing was sent\)"):
        import_orders(vf.client, path, chunk_size=1)
    assert sb.request_count("POST", IMPORT) == 0


# ------------------------------------------------------------------ search: any change, any time

MUTATIONS = ("replace", "replace-same", "break", "latin1", "insert", "delete", "append", "truncate", "unlink")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    count=st.integers(2, 14),
    chunk_size=st.integers(1, 5),
    kind=st.sampled_from(MUTATIONS),
    after=st.integers(1, 6),
    where=st.integers(0, 100),
    fmt=st.sampled_from(("jsonl", "csv")),
)
def test_no_line_that_was_not_validated_is_ever_sent(
    vf: Voucherify,
    sb: Sandbox,
    tmp_path: Path,
    count: int,
    chunk_size: int,
    kind: str,
    after: int,
    where: int,
    fmt: str,
) -> None:
    """Whatever the change and whenever it happens: either the run finishes with exactly the
    validated orders stored, or it stops with ImportFileChangedError whose report matches what
    reached the server, and everything stored is a validated line."""
    sb.reset()
    path = tmp_path / f"orders.{fmt}"
    path.unlink(missing_ok=True)

    def encode(i: int, prefix: str = "f") -> bytes:
        if fmt == "csv":
            return f"{prefix}{i},{100 + i},{PAD}\n".encode()
        return line(record(i, prefix))

    header = [b"source_id,amount,metadata.pad\n"] if fmt == "csv" else []
    lines = [*header, *(encode(i) for i in range(count))]
    write(path, lines)
    validated = {f"f{i}": 100 + i for i in range(count)}
    at = len(header) + where % count  # a data line

    def change() -> None:
        new = list(lines)
        if kind == "replace":
            new[at] = encode(where, "other")
        elif kind == "replace-same":
            new[at] = lines[at]
        elif kind == "break":
            new[at] = b'{"source_id": \n' if fmt == "jsonl" else b'x,"1\n'
        elif kind == "latin1":
            new[at] = new[at].replace(b"x", "\xe9".encode("latin-1"), 1)
        elif kind == "insert":
            new.insert(at, encode(where, "other"))
        elif kind == "delete":
            del new[at]
        elif kind == "append":
            new.append(encode(where, "other"))
        elif kind == "truncate":
            new = new[:at]
        else:
            path.unlink()
            return
        write(path, new)

    try:
        result = import_orders(
            vf.client, path, chunk_size=chunk_size, sleep=no_sleep, on_progress=after_chunk(after, change)
        )
    except ImportFileChangedError as exc:
        reported = exc.result.chunks
        assert sb.request_count("POST", IMPORT) == len(reported)
        assert f"already sent: {len(reported)} chunk(s)" in str(exc) or not reported
        assert all(c.async_action_id in str(exc) for c in reported)
        assert exc.result.submitted == sum(c.count for c in reported)
        assert exc.chunk is None or exc.chunk == len(reported) + 1
    else:
        assert result.ok and result.done_count == count
        assert {o["source_id"] for o in sb.orders()} == set(validated)
    for order in sb.orders():  # nothing that was not validated reached the server
        assert validated.get(order["source_id"]) == order["amount"], order["source_id"]
