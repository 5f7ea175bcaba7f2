"""Restarts from saved state: ids are never handed out twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.sandbox import ManualClock, SandboxConfig, SandboxState, serve
from voucherify_ext.sandbox.process import run_process

HEADERS = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
ID_ALPHABET = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _hand_out(state: SandboxState, n: int) -> set[str]:
    """``n`` import actions and ``n`` exports; their ids."""
    ids = {state.enqueue_import([{"source_id": f"r{i}"}]) for i in range(n)}
    ids |= {state.create_export({"fields": ["id"]}, "http://sb")["id"] for _ in range(n)}
    return ids


def test_ids_keep_the_api_shape() -> None:
    state = SandboxState(SandboxConfig(), clock=ManualClock())
    action_id = state.enqueue_import([{"source_id": "x"}])
    export_id = state.create_export({"fields": ["id"]}, "http://sb")["id"]
    order_id = state.create_order({"source_id": "y"})["id"]
    for value, prefix, length in ((action_id, "aa_", 18), (export_id, "exp_", 24), (order_id, "ord_", 24)):
        assert value.startswith(prefix) and len(value) == len(prefix) + length
        assert set(value[len(prefix) :]) <= ID_ALPHABET
        assert value[len(prefix) :].startswith(state.start_tag)


def test_a_restart_from_an_older_state_file_never_reuses_an_id(tmp_path: Path) -> None:
    """The finding: a sandbox restarted from an older --state handed out the same ids again
    (they came from the seeded RNG alone), and a checkpointed rerun waited on the wrong action."""
    clock = ManualClock()
    config = SandboxConfig(seed=3)
    first = SandboxState(config, clock=clock)
    before = _hand_out(first, 5)
    older = tmp_path / "older.json"
    first.save(older)
    after = _hand_out(first, 5)  # handed out, then lost: the file is older
    restarted = SandboxState.from_file(older, config, clock=clock)
    assert restarted.start_tag != first.start_tag
    again = _hand_out(restarted, 10)
    assert not again & (before | after)
    # the same through the config's state_file, as the CLI loads it
    via_config = SandboxState(SandboxConfig(seed=3, state_file=older), clock=clock)
    assert not _hand_out(via_config, 10) & (before | after | again)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6)), min_size=1, max_size=6))
def test_ids_are_unique_across_any_history_of_restarts(
    tmp_path_factory: Any, steps: list[tuple[int, int]]
) -> None:
    """Any sequence of "restart from the k-th older save, hand out n ids, save": no id twice."""
    folder = Path(tmp_path_factory.mktemp("restarts"))
    clock = ManualClock()
    config = SandboxConfig(seed=0)
    state = SandboxState(config, clock=clock)
    saves: list[Path] = []
    seen: set[str] = set()
    for back, n in steps:
        ids = _hand_out(state, n)
        assert not ids & seen
        seen |= ids
        saves.append(folder / f"s{len(saves)}.json")
        state.save(saves[-1])
        state = SandboxState.from_file(saves[max(0, len(saves) - 1 - back)], config, clock=clock)
    assert not _hand_out(state, 3) & seen


def test_sandbox_restart_reloads_the_saved_state_in_process(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    clock = ManualClock()
    # import_speed: no order is applied, so no order id is drawn between the action ids
    with (
        serve(state_file=path, clock=clock, seed=1, import_speed=0.001) as sb,
        httpx.Client(base_url=sb.url, headers=HEADERS) as c,
    ):
        kept = c.post("/v1/orders/import", json=[{"source_id": "kept"}]).json()["async_action_id"]
        sb.advance(1)
        sb.save()
        lost = [
            c.post("/v1/orders/import", json=[{"source_id": f"lost{i}"}]).json()["async_action_id"]
            for i in range(3)
        ]
        sb.inject("status", path="/v1/orders", status=503)
        sb.restart()
        assert sb.clock is clock
        assert sb.async_action_count() == 1 and sb.import_carriers() == {"kept": [kept]}
        assert all(c.get(f"/v1/async-actions/{i}").status_code == 404 for i in lost)
        assert c.get("/v1/orders").status_code == 200  # scripted faults do not survive
        news = [
            c.post("/v1/orders/import", json=[{"source_id": "new"}]).json()["async_action_id"]
            for _ in range(4)
        ]
        assert not set(news) & {kept, *lost}
    assert json.loads(path.read_text())["carriers"] == {"kept": [kept], "new": news}  # saved on exit
    with serve() as other, pytest.raises(ValueError, match="path"):
        other.restart()  # no state file configured and none given


def test_pending_late_commits_survive_a_restart(tmp_path: Path) -> None:
    clock = ManualClock()
    state = SandboxState(SandboxConfig(), clock=clock)
    by_requests = state.enqueue_import([{"source_id": "a"}], commit_after_requests=3)
    by_clock = state.enqueue_import([{"source_id": "b"}], commit_at_ms=clock() * 1000 + 500)
    state.count_request("GET", "/v1/orders")
    state.save(tmp_path / "s.json")
    restarted = SandboxState.from_file(tmp_path / "s.json", clock=clock)
    assert restarted.pending_imports() == [by_requests, by_clock]
    restarted.count_request("GET", "/v1/orders")
    assert restarted.pending_imports() == [by_requests, by_clock]
    restarted.count_request("GET", "/v1/orders")  # the third request since the POST
    assert restarted.pending_imports() == [by_clock]
    clock.advance(0.5)
    assert restarted.pending_imports() == []
    assert restarted.import_carriers() == {"a": [by_requests], "b": [by_clock]}


def _import(url: str, source_id: str) -> str:
    response = httpx.post(url + "/v1/orders/import", json=[{"source_id": source_id}], headers=HEADERS)
    action_id: str = response.json()["async_action_id"]
    return action_id


def test_cli_restarted_from_an_older_state_file_hands_out_new_ids(tmp_path: Path) -> None:
    """Real processes: save, hand out more, SIGKILL (nothing saved), restart from the older
    file with the same seed: no action id comes back. (A slow import speed keeps orders, whose
    ids come from the same generator, from interleaving: the old code then repeats exactly.)"""
    path = tmp_path / "state.json"
    options = ("--state", str(path), "--seed", "9", "--import-speed", "0.001")
    with run_process(*options) as first:
        before = {_import(first.url, f"b{i}") for i in range(3)}
        assert httpx.post(first.url + "/_sandbox/save").status_code == 204
        after = {_import(first.url, f"a{i}") for i in range(3)}
        first.proc.kill()
        first.proc.wait(10)
    assert {a["id"] for a in json.loads(path.read_text())["actions"]} == before
    with run_process(*options) as second:
        again = {_import(second.url, f"c{i}") for i in range(6)}
    assert len(again) == 6 and not again & (before | after)
