"""Sync/async parity of the façade: ``Voucherify`` vs ``AsyncVoucherify`` and ``Orders`` vs
``AsyncOrders`` have the same public names and the same signatures (annotations differing only
as the rename table of scripts/unasync.py says), and behave the same on the sandbox for
create/get/update, inputs drawn by hypothesis."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import typing
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, Voucherify, VoucherifyError
from voucherify_ext.client import facade_async, facade_sync
from voucherify_ext.orders import resource_async as orders_async
from voucherify_ext.orders import resource_sync as orders_sync
from voucherify_ext.orders.resource_async import AsyncOrders
from voucherify_ext.orders.resource_sync import Orders
from voucherify_ext.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import unasync

PAIRS = [(Voucherify, AsyncVoucherify), (Orders, AsyncOrders)]
PAIR_IDS = ["Voucherify", "Orders"]

#: the dunder methods compared too: the constructor, and the protocol methods a pair has under
#: its own name (``__enter__`` / ``__aenter__``)
DUNDERS = {"__init__", "__enter__", "__exit__", "__aenter__", "__aexit__", "__iter__", "__aiter__"}

#: the methods that do I/O: coroutine functions on the async side (all others are plain there too)
AWAITED = {
    AsyncVoucherify: {"close", "__aenter__", "__aexit__"},
    AsyncOrders: {"create", "get", "update", "import_orders", "export", "list"},
}


def sync_name(name: str) -> str:
    """The name the sync twin has for the async ``name``, by the rename table."""
    return unasync.RENAMES.get(name, name)


def sync_annotation(annotation: object) -> object:
    """The async ``annotation`` as the rename table turns it (the real transformation); one
    that is not written (``self``) stays as it is."""
    if not isinstance(annotation, str):
        return annotation
    return unasync.transform(f"x: {annotation}\n").removeprefix("x: ").rstrip("\n")


def members(cls: type) -> dict[str, Any]:
    """The public names of ``cls`` (and :data:`DUNDERS`), with their class attributes."""
    found = {}
    for name in dir(cls):
        if not name.startswith("_") or name in DUNDERS:
            found[name] = inspect.getattr_static(cls, name)
    return found


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS, ids=PAIR_IDS)
def test_the_same_public_names(sync_cls: type, async_cls: type) -> None:
    async_names = {sync_name(name) for name in members(async_cls)}
    assert set(members(sync_cls)) == async_names
    assert len(async_names) > 5  # the classes were found, not two empty sets


def _signature_rows(fn: Any) -> list[tuple[str, Any, Any, Any]]:
    signature = inspect.signature(fn)
    rows = [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]
    return [*rows, ("return", None, None, signature.return_annotation)]


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS, ids=PAIR_IDS)
def test_the_same_signatures(sync_cls: type, async_cls: type) -> None:
    compared = 0
    for name, async_member in members(async_cls).items():
        sync_member = members(sync_cls)[sync_name(name)]
        if isinstance(async_member, property):
            async_member, sync_member = async_member.fget, sync_member.fget
        if not callable(async_member):
            continue
        async_rows, sync_rows = _signature_rows(async_member), _signature_rows(sync_member)
        # names, kinds and defaults: identical (the defaults are the very same objects)
        assert [row[:2] for row in sync_rows] == [row[:2] for row in async_rows], name
        for sync_row, async_row in zip(sync_rows, async_rows, strict=True):
            assert sync_row[2] is async_row[2] or sync_row[2] == async_row[2], (name, sync_row[0])
            # annotations: the async one as the rename table turns it, nothing else
            assert sync_row[3] == sync_annotation(async_row[3]), (name, sync_row[0])
        assert not inspect.iscoroutinefunction(sync_member), name
        assert inspect.iscoroutinefunction(async_member) == (name in AWAITED[async_cls]), name
        compared += 1
    assert compared >= 5


def test_the_aliases_the_twins_annotate_with() -> None:
    # the marker lines of the async sources: the only annotations the rename table does not
    # produce, so pinned here (a wrong marker would give the sync twin an async sleep)
    assert facade_sync.Sleep == Callable[[float], None]
    assert facade_async.Sleep == Callable[[float], Awaitable[None]]
    assert orders_sync.Sleep == Callable[[float], None]
    assert orders_async.Sleep == Callable[[float], Awaitable[None]]
    assert orders_sync.OrderSource == Iterable[Any] | str | os.PathLike[str]
    assert orders_async.OrderSource == Iterable[Any] | AsyncIterable[Any] | str | os.PathLike[str]
    for module in (facade_sync, facade_async, orders_sync, orders_async):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


def test_the_annotations_resolve_in_both_twins() -> None:
    # a sync annotation naming something its module lacks would only show at resolve time
    for sync_cls, async_cls in PAIRS:
        for cls in (sync_cls, async_cls):
            for name, member in members(cls).items():
                fn = member.fget if isinstance(member, property) else member
                if callable(fn):
                    assert typing.get_type_hints(fn), (cls.__name__, name)


def test_the_resources_of_the_twins_are_twins(
    make_vf: Callable[..., Voucherify], make_avf: Callable[..., AsyncVoucherify]
) -> None:
    vf, avf = make_vf(), make_avf()
    assert set(vars(vf)) == set(vars(avf))
    for attribute in ("orders", "async_actions", "_http"):
        assert type(getattr(vf, attribute)).__name__ == sync_name(type(getattr(avf, attribute)).__name__)


# -- behaviour on the sandbox -----------------------------------------------------------------------

#: ``headers``: an error's response headers, whose ``Date`` differs from run to run
VOLATILE = {"id", "created_at", "updated_at", "request_id", "headers"}


def _normal(value: Any) -> Any:
    """``value`` with what differs between two runs by design (ids, times) replaced by its kind."""
    if isinstance(value, dict):
        return {
            key: (None if item is None else "<set>") if key in VOLATILE else _normal(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def _outcome(value: Any) -> Any:
    if isinstance(value, VoucherifyError):
        fields = {key: item for key, item in vars(value).items() if key not in VOLATILE}
        request_id = getattr(value, "request_id", None)
        text = str(value).replace(request_id, "<request_id>") if request_id else str(value)
        return (type(value).__name__, text, _normal(fields))
    return ("ok", type(value).__name__, _normal(value.to_dict()))


Step = tuple[str, tuple[Any, ...], dict[str, Any]]


def _steps(body: Any, changes: Any, key: str | None) -> list[Step]:
    steps: list[Step] = [("create", (body,), {})]
    if key is not None:
        steps += [("get", (key,), {}), ("update", (key, changes), {}), ("get", (key,), {})]
    steps += [("get", ("no-such-order",), {}), ("create", (body,), {"allow_unknown_fields": True})]
    return steps


def run_sync(vf: Voucherify, steps: list[Step]) -> list[Any]:
    outcomes = []
    for method, args, kwargs in steps:
        try:
            outcomes.append(_outcome(getattr(vf.orders, method)(*args, **kwargs)))
        except VoucherifyError as exc:
            outcomes.append(_outcome(exc))
    return outcomes


async def run_async(avf: AsyncVoucherify, steps: list[Step]) -> list[Any]:
    outcomes = []
    async with avf:
        for method, args, kwargs in steps:
            try:
                outcomes.append(_outcome(await getattr(avf.orders, method)(*args, **kwargs)))
            except VoucherifyError as exc:
                outcomes.append(_outcome(exc))
    return outcomes


def _state(sandbox: Sandbox) -> tuple[Any, Any]:
    return _normal(sandbox.orders()), sandbox.request_count()


def compare(
    sandbox: Sandbox,
    make_vf: Callable[..., Voucherify],
    make_avf: Callable[..., AsyncVoucherify],
    steps: list[Step],
    before_async: Callable[[], object] = lambda: None,
) -> None:
    """Run ``steps`` on a fresh sandbox with each client; the outcomes, the orders the sandbox
    then holds and the requests it saw must be the same. (``before_async``: for the tests that
    show this comparison failing.)"""
    sandbox.reset()
    sync_outcomes = run_sync(make_vf(), steps)
    sync_state = _state(sandbox)
    sandbox.reset()
    before_async()
    async_outcomes = asyncio.run(run_async(make_avf(), steps))
    assert async_outcomes == sync_outcomes, "the clients answered differently"
    assert _state(sandbox) == sync_state, "the clients left the sandbox differently"


IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=12)
AMOUNTS = st.integers(min_value=-5, max_value=10**9)
JSON_SCALARS = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)
METADATA = st.dictionaries(st.text(min_size=1, max_size=6), JSON_SCALARS, max_size=3)
ITEMS = st.lists(
    st.fixed_dictionaries(
        {"quantity": st.integers(0, 5)}, optional={"price": st.integers(0, 1000), "product_id": IDS}
    ),
    max_size=3,
)
VALID_BODIES = st.fixed_dictionaries(
    {}, optional={"source_id": IDS, "amount": AMOUNTS, "metadata": METADATA, "items": ITEMS}
)
#: what the input checks refuse: an unknown key, a wrong type, a value that is not a mapping
BAD_BODIES = st.one_of(
    VALID_BODIES.map(lambda body: {**body, "sourceid": "typo"}),
    VALID_BODIES.map(lambda body: {**body, "amount": "100"}),
    st.sampled_from([None, [], "order", 3]),
)
CHANGES = st.one_of(
    st.fixed_dictionaries({}, optional={"amount": AMOUNTS, "metadata": METADATA, "status": st.just("PAID")}),
    st.just({"amount": True}),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=VALID_BODIES | BAD_BODIES, changes=CHANGES, by_source_id=st.booleans())
def test_create_get_update_behave_the_same(
    sandbox: Sandbox,
    make_vf: Callable[..., Voucherify],
    make_avf: Callable[..., AsyncVoucherify],
    body: Any,
    changes: Any,
    by_source_id: bool,
) -> None:
    key = body.get("source_id") if isinstance(body, dict) and by_source_id else None
    compare(sandbox, make_vf, make_avf, _steps(body, changes, key))


def test_by_id_too(
    sandbox: Sandbox, make_vf: Callable[..., Voucherify], make_avf: Callable[..., AsyncVoucherify]
) -> None:
    # the ids differ between the runs, so each run reads and updates the one it created
    def sync_run() -> list[Any]:
        vf = make_vf()
        created = vf.orders.create({"amount": 5})
        return [
            _outcome(vf.orders.get(created.id)),
            _outcome(vf.orders.update(created.id, {"amount": 7})),
        ]

    async def async_run() -> list[Any]:
        async with make_avf() as avf:
            created = await avf.orders.create({"amount": 5})
            return [
                _outcome(await avf.orders.get(created.id)),
                _outcome(await avf.orders.update(created.id, {"amount": 7})),
            ]

    sandbox.reset()
    sync_outcomes, sync_state = sync_run(), _state(sandbox)
    sandbox.reset()
    assert asyncio.run(async_run()) == sync_outcomes
    assert _state(sandbox) == sync_state


# -- the comparison can fail --------------------------------------------------------------------------


@pytest.fixture
def divergent_async_create(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The async ``create`` sending one more field than it was given."""
    original = AsyncOrders.create

    async def create(self: AsyncOrders, order: Any, **kwargs: Any) -> Any:
        return await original(self, {**order, "metadata": {"extra": 1}}, **kwargs)

    monkeypatch.setattr(AsyncOrders, "create", create)
    yield


def test_the_comparison_sees_a_different_answer(
    sandbox: Sandbox,
    make_vf: Callable[..., Voucherify],
    make_avf: Callable[..., AsyncVoucherify],
    divergent_async_create: None,
) -> None:
    with pytest.raises(AssertionError, match="answered differently"):
        compare(sandbox, make_vf, make_avf, _steps({"source_id": "s", "amount": 1}, {}, "s"))


def test_the_comparison_sees_different_requests(
    sandbox: Sandbox, make_vf: Callable[..., Voucherify], make_avf: Callable[..., AsyncVoucherify]
) -> None:
    # the same answers, but the async run meets a 503 that its retry hides: only the requests
    # the sandbox saw tell the runs apart
    def one_503() -> None:
        sandbox.inject("status", method="POST", times=1, status=503)

    with pytest.raises(AssertionError, match="left the sandbox differently"):
        compare(sandbox, make_vf, make_avf, [("create", ({"source_id": "s", "amount": 1},), {})], one_503)
