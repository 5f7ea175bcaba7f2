"""Late commits: an import accepted, its response lost, its async action visible only later."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.sandbox import (
    ManualClock,
    Sandbox,
    SandboxConfig,
    SandboxConnectionFault,
    SandboxState,
    create_app,
)
from voucherify_ext.sandbox.errors import SandboxError
from voucherify_ext.sandbox.faults import FaultPlan
from voucherify_ext.sandbox.util import parse_iso

IMPORT = "/v1/orders/import"


def _orders(prefix: str, n: int = 3) -> list[dict[str, Any]]:
    return [{"source_id": f"{prefix}{i}"} for i in range(n)]


def _lost_import(raw: httpx.Client, body: list[dict[str, Any]]) -> None:
    with pytest.raises(httpx.TransportError):  # closed without a byte, like drop_after
        raw.post(IMPORT, json=body)


def _listed(raw: httpx.Client) -> list[str]:
    return [a["id"] for a in raw.get("/v1/async-actions", params={"limit": 100}).json()["async_actions"]]


def test_after_requests_the_kth_later_request_sees_the_action(
    sb: Sandbox, clock: ManualClock, raw: httpx.Client
) -> None:
    sb.inject("late_commit", after_requests=3)
    _lost_import(raw, _orders("a"))
    [pending] = sb.pending_imports()
    sb.advance(3600)  # time alone does not commit a request-counted late commit
    assert raw.get(f"/v1/async-actions/{pending}").status_code == 404  # 1st later request
    assert _listed(raw) == []  # 2nd
    assert sb.count_orders() == 0 and sb.import_carriers() == {} and sb.async_action_count() == 0
    sb.advance(5)
    action = raw.get(f"/v1/async-actions/{pending}")  # 3rd: committed on its arrival
    assert action.status_code == 200
    assert parse_iso(action.json()["created_at"]) == int((clock()) * 1000)  # the commit time
    assert sb.pending_imports() == [] and _listed(raw) == [pending]
    assert sb.import_carriers() == {f"a{i}": [pending] for i in range(3)}
    sb.advance(1)
    assert sb.count_orders() == 3


def test_delay_ms_commits_when_the_clock_passes_it(
    sb: Sandbox, clock: ManualClock, raw: httpx.Client
) -> None:
    sb.inject("late_commit", method="POST", path=IMPORT, delay_ms=1300)
    sent_at = clock()
    _lost_import(raw, _orders("d"))
    [pending] = sb.pending_imports()
    for _ in range(20):  # requests alone do not commit a clock-timed late commit
        assert raw.get(f"/v1/async-actions/{pending}").status_code == 404
    sb.advance(1.299)
    assert raw.get(f"/v1/async-actions/{pending}").status_code == 404
    sb.advance(10)  # well past: created_at is still when it fell due
    action = raw.get(f"/v1/async-actions/{pending}").json()
    assert parse_iso(action["created_at"]) == int(sent_at * 1000) + 1300
    assert action["status"] == "DONE" and sb.count_orders() == 3


def test_whichever_comes_first_and_default_delay(sb: Sandbox, clock: ManualClock, raw: httpx.Client) -> None:
    sb.inject("late_commit", after_requests=100, delay_ms=500)
    _lost_import(raw, _orders("w"))
    sb.advance(0.5)
    assert len(_listed(raw)) == 1
    sb.inject("late_commit")  # neither: 1000 ms on the sandbox clock
    _lost_import(raw, _orders("x"))
    sb.advance(0.999)
    assert len(_listed(raw)) == 1
    sb.advance(0.001)
    assert len(_listed(raw)) == 2


def test_commit_pending_and_the_control_plane(sb: Sandbox, clock: ManualClock, raw: httpx.Client) -> None:
    with httpx.Client(base_url=sb.url) as control:
        response = control.post(
            "/_sandbox/faults", json={"kind": "late_commit", "after_requests": 50, "times": 2}
        )
        assert response.json() == {"pending": 2}
        _lost_import(raw, _orders("p"))
        _lost_import(raw, _orders("q"))
        first, second = sb.pending_imports()
        assert control.get("/_sandbox/state").json()["imports_uncommitted"] == 2
        assert control.post("/_sandbox/commit-pending").json() == {"committed": [first, second]}
    assert sb.commit_pending() == [] and _listed(raw) == [second, first]


def test_a_late_commit_on_another_request_acts_as_drop_after(sb: Sandbox, raw: httpx.Client) -> None:
    sb.inject("late_commit", method="POST", path="/v1/orders")
    with pytest.raises(httpx.TransportError):
        raw.post("/v1/orders", json={"source_id": "committed"})
    assert sb.count_orders("committed") == 1 and sb.pending_imports() == []


def test_inject_checks_late_commit_terms() -> None:
    plan = FaultPlan()
    with pytest.raises(ValueError, match="after_requests"):
        plan.inject("status", after_requests=1)
    with pytest.raises(ValueError, match="after_requests"):
        plan.inject("late_commit", after_requests=0)
    with pytest.raises(ValueError, match="delay_ms"):
        plan.inject("late_commit", delay_ms=-1)
    plan.inject("late_commit")
    fault = plan.decide("POST", IMPORT)
    assert fault is not None
    assert (fault.kind, fault.delay_ms, fault.after_requests) == ("late_commit", 1000, None)
    assert plan.decide("POST", IMPORT) is None
    assert "late_commit" not in FaultPlan().kinds  # random faults do not pick it unless named
    named = FaultPlan(rate=1.0, kinds="late_commit").decide("POST", IMPORT)
    assert named is not None and named.kind == "late_commit" and named.delay_ms == 1000


async def test_bare_asgi_app_raises_and_commits_later() -> None:
    clock = ManualClock()
    app = create_app(SandboxConfig(), clock=clock)
    state: SandboxState = app.state.sandbox
    state.faults.inject("late_commit", after_requests=1)
    transport = httpx.ASGITransport(app=app)
    headers = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sb", headers=headers) as c:
        with pytest.raises(SandboxConnectionFault, match="late_commit"):
            await c.post(IMPORT, json=_orders("asgi"))
        [pending] = state.pending_imports()
        assert (await c.get(f"/v1/async-actions/{pending}")).status_code == 200


def test_real_time_latency_commits_after_the_client_gave_up(sb: Sandbox, raw: httpx.Client) -> None:
    """The real-time variant: the handler commits after the latency, when the client's read
    timeout has long fired; the action's created_at is that commit time."""
    sb.inject("latency", method="POST", path=IMPORT, delay_ms=400)
    sent_at = time.time()
    with pytest.raises(httpx.ReadTimeout):
        raw.post(IMPORT, json=_orders("slow"), timeout=0.15)
    assert _listed(raw) == []  # not committed yet: still sleeping
    deadline = time.monotonic() + 5
    while not (ids := _listed(raw)) and time.monotonic() < deadline:
        time.sleep(0.02)
    [action_id] = ids
    created = parse_iso(raw.get(f"/v1/async-actions/{action_id}").json()["created_at"])
    assert created is not None and created >= int(sent_at * 1000) + 400


# ---------------------------------------------------------------------- state level, searched


@dataclass
class _Model:
    seq: int = 0
    pending: list[tuple[str, float, float | None, int | None]] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)


_op = st.one_of(
    st.tuples(
        st.just("enqueue"),
        st.one_of(st.none(), st.integers(1, 4)),
        st.one_of(st.none(), st.sampled_from([0.0, 1.0, 250.0, 1300.0])),
    ),
    st.tuples(st.just("request")),
    st.tuples(st.just("advance"), st.sampled_from([0.0, 0.001, 0.25, 1.3, 5.0])),
    st.tuples(st.just("commit")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_op, max_size=30))
def test_late_commits_follow_their_terms_under_any_schedule(ops: list[tuple[Any, ...]]) -> None:
    """A model of the terms: committed exactly when due, never listed or readable before, ids
    unique, created_at in commit order and never before the commit's due time."""
    clock = ManualClock()
    state = SandboxState(SandboxConfig(import_speed=1e9), clock=clock)
    model = _Model()
    prefix: dict[str, str] = {}

    expected_ms: dict[str, float] = {}
    """When each action should say it was created (at most a few ms later: ids are unique)."""

    def settle() -> None:
        now = clock() * 1000
        for p in list(model.pending):
            by_clock = p[2] is not None and now >= p[2]
            if by_clock or (p[3] is not None and model.seq >= p[3]):
                model.pending.remove(p)
                model.committed.append(p[0])
                expected_ms[p[0]] = max(p[1], p[2]) if by_clock and p[2] is not None else now

    for n, op in enumerate(ops):
        if op[0] == "enqueue":
            _, k, delay = op
            at = None if delay is None else clock() * 1000 + delay
            action_id = state.enqueue_import(_orders(f"o{n}-", 2), commit_after_requests=k, commit_at_ms=at)
            prefix[action_id] = f"o{n}-"
            assert action_id not in model.committed and action_id not in [p[0] for p in model.pending]
            if k is None and at is None:
                model.committed.append(action_id)
                expected_ms[action_id] = clock() * 1000
            else:
                model.pending.append((action_id, clock() * 1000, at, None if k is None else model.seq + k))
        elif op[0] == "request":
            state.count_request("GET", "/v1/orders")
            model.seq += 1
        elif op[0] == "advance":
            clock.advance(op[1])
        else:
            ids = state.commit_pending()
            settle()
            assert ids == [p[0] for p in model.pending]
            model.committed += ids
            expected_ms.update(dict.fromkeys(ids, clock() * 1000))
            model.pending = []
        settle()
        assert state.pending_imports() == [p[0] for p in model.pending]
        assert set(model.committed) == {a["id"] for a in state.list_async_actions(100, None)[0]}
        for pending_id, *_ in model.pending:
            with pytest.raises(SandboxError):
                state.get_async_action(pending_id)
            assert state.count_orders(prefix[pending_id] + "0") == 0  # nothing applied before
        carriers = state.import_carriers()
        assert sorted({i for ids in carriers.values() for i in ids}) == sorted(model.committed)
    listed, _ = state.list_async_actions(100, None)
    created = [parse_iso(a["created_at"]) for a in listed]
    assert created == sorted(created, reverse=True) and len(set(created)) == len(created)
    for action in listed:  # created_at is the commit time
        created_ms = parse_iso(action["created_at"])
        assert created_ms is not None
        assert int(expected_ms[action["id"]]) <= created_ms <= int(expected_ms[action["id"]]) + len(listed)
    late = state.commit_pending()
    clock.advance(1)
    assert state.count_orders() == 2 * (len(model.committed) + len(late))
