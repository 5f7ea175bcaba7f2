"""The live-order sync's checkpoint file and the sandbox's request journal, without a run."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from voucherify_ext.errors import CheckpointError, CheckpointLockedError, CheckpointMismatchError
from voucherify_ext.orders.upsert_checkpoint import Confirmed, UpsertCheckpoint
from voucherify_ext.sandbox import Sandbox


@example(list(range(40)), ["failed"] * 40)  # failures alone move the watermark
@given(
    st.permutations(list(range(40))),
    st.lists(st.sampled_from(["ok", "failed", "open"]), min_size=40, max_size=40),
)
def test_the_confirmed_set_is_a_watermark_the_confirmed_above_it_and_the_failures(
    order: list[int], outcomes: list[str]
) -> None:
    confirmed = Confirmed()
    for index in order:
        if outcomes[index] == "ok":
            confirmed.add(index, f"id:{index}")
        elif outcomes[index] == "failed":
            confirmed.fail(index)
    assert [i for i in range(45) if i in confirmed] == [i for i in range(40) if outcomes[i] == "ok"]
    first_open = next((i for i in range(40) if outcomes[i] == "open"), 40)
    assert confirmed.watermark == first_open  # failures do not hold the watermark back
    assert all(i > confirmed.watermark for i in confirmed.above)
    assert confirmed.failed == {i for i in range(first_open) if outcomes[i] == "failed"} | {
        i for i in range(first_open, 40) if outcomes[i] == "failed"
    }
    for index in sorted(confirmed.failed):  # a rerun confirms what failed
        confirmed.add(index, f"id:{index}")
    assert not confirmed.failed
    assert [i for i in range(45) if i in confirmed] == [i for i in range(40) if outcomes[i] != "open"]


def test_a_torn_last_line_is_ignored_and_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "c.ckpt"
    with UpsertCheckpoint.open(path, input_hash=None) as checkpoint:
        checkpoint.confirm(0, "id:a", "created")
        checkpoint.fail(3)
        checkpoint.confirm(1, "id:b", "updated")
    with path.open("ab") as handle:
        handle.write(b'{"i": 2, "k": "id:')  # a writer killed mid-line
    with UpsertCheckpoint.open(path, input_hash=None) as checkpoint:
        assert [i in checkpoint.confirmed for i in range(4)] == [True, True, False, False]
        assert (checkpoint.confirmed.watermark, checkpoint.confirmed.failed) == (2, {3})
        checkpoint.confirm(2, "id:c", "created")
        assert (checkpoint.confirmed.watermark, checkpoint.confirmed.above) == (4, {})
    lines = path.read_bytes().splitlines()
    assert [json.loads(line).get("i") for line in lines[1:]] == [0, 3, 1, 2]


def test_other_input_a_second_run_and_garbage_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.ckpt"
    with UpsertCheckpoint.open(path, input_hash="sha256:1"), pytest.raises(CheckpointLockedError):
        UpsertCheckpoint.open(path, input_hash="sha256:1")
    with pytest.raises(CheckpointMismatchError):
        UpsertCheckpoint.open(path, input_hash="sha256:2")
    with path.open("ab") as handle:
        handle.write(b"not json\n")
    with pytest.raises(CheckpointError, match=":2:"):
        UpsertCheckpoint.open(path, input_hash="sha256:1")
    other = tmp_path / "import.ckpt"
    other.write_text('{"type": "header", "version": 1}\n', encoding="utf-8")
    with pytest.raises(CheckpointError, match="not an upsert_many checkpoint"):
        UpsertCheckpoint.open(other, input_hash=None)


def test_the_journal_is_off_by_default_and_bounded(voucherify_sandbox: Sandbox) -> None:
    headers = voucherify_sandbox.headers
    with httpx.Client(base_url=voucherify_sandbox.url, headers=headers) as http:
        http.post("/v1/orders", json={"source_id": "x"})
        assert voucherify_sandbox.journal() == []
        assert http.put("/_sandbox/journal", json={"capacity": 2}).json() == {"capacity": 2}
        for name in ("a", "b", "c"):
            http.post("/v1/orders", json={"source_id": name, "amount": 1})
        http.get("/v1/orders/a")
        answer = http.get("/_sandbox/requests", params={"include": "journal", "method": "POST"}).json()
        assert [e["key"] for e in answer["journal"]] == ["c"]  # the last 2 requests: POST c, GET a
        assert answer["journal_dropped"] == 2 and answer["count"] == 4
        entry = answer["journal"][0]
        assert entry["body"] == {"source_id": "c", "amount": 1} and entry["status"] == 200
        assert entry["at"] <= entry["done_at"]
    voucherify_sandbox.record_requests(0)
    assert voucherify_sandbox.journal() == []
