"""Who carried what: for every source_id, the import actions that carried it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.sandbox import ManualClock, Sandbox, SandboxConfig, SandboxState

_BAD_ITEMS = [{"price": 1, "quantity": -1}]  # an entry the import reports as failed

_entry = st.one_of(
    st.builds(lambda s: {"source_id": s}, st.sampled_from(["a", "b", "c", "d"])),
    st.just({"amount": 5}),  # no source_id: not recorded
    st.builds(lambda s: {"source_id": s, "items": _BAD_ITEMS}, st.sampled_from(["a", "e"])),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_entry, min_size=1, max_size=6), max_size=6), st.data())
def test_carriers_record_every_entry_in_commit_and_payload_order(
    payloads: list[list[dict[str, Any]]], data: st.DataObject
) -> None:
    clock = ManualClock()
    state = SandboxState(SandboxConfig(), clock=clock)
    expected: dict[str, list[str]] = {}
    for payload in payloads:
        action_id = state.enqueue_import(payload)
        for entry in payload:
            if "source_id" in entry:
                expected.setdefault(entry["source_id"], []).append(action_id)
        clock.advance(data.draw(st.sampled_from([0.0, 0.001, 1.0])))
    assert state.import_carriers() == expected
    # the record is a copy: changing it changes nothing in the sandbox
    state.import_carriers().setdefault("a", []).append("aa_x")
    assert state.import_carriers() == expected


def test_carriers_over_http_include_failed_entries(
    sb: Sandbox, clock: ManualClock, raw: httpx.Client
) -> None:
    first = raw.post("/v1/orders/import", json=[{"source_id": "x"}, {"source_id": "y"}, {"amount": 1}])
    second = raw.post("/v1/orders/import", json=[{"source_id": "y", "items": _BAD_ITEMS}, {"source_id": "z"}])
    one, two = first.json()["async_action_id"], second.json()["async_action_id"]
    expected = {"x": [one], "y": [one, two], "z": [two]}
    assert sb.import_carriers() == expected
    with httpx.Client(base_url=sb.url) as control:
        assert control.get("/_sandbox/carriers").json() == {"carriers": expected}
    # the failed entry is still a carrier: the failure is the action's answer about it
    sb.advance(1)
    action = raw.get(f"/v1/async-actions/{two}").json()
    assert action["result"]["failed"][0]["source_id"] == "y"


def test_carriers_survive_save_and_load_and_reset_clears_them(tmp_path: Path) -> None:
    clock = ManualClock()
    state = SandboxState(SandboxConfig(), clock=clock)
    one = state.enqueue_import([{"source_id": "p"}, {"source_id": "q"}])
    two = state.enqueue_import([{"source_id": "p"}])
    path = tmp_path / "state.json"
    state.save(path)
    loaded = SandboxState(SandboxConfig(state_file=path), clock=clock)
    assert loaded.import_carriers() == {"p": [one, two], "q": [one]}
    loaded.reset()
    assert loaded.import_carriers() == {}
