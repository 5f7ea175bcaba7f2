"""Generated junk at every public input entry point (issue 11, item 4): the bad-input catalogue
lists the cases someone thought of; this searches for the ones nobody did.

Values are JSON-ish and worse: deep nesting (past the JSON encoder's recursion limit), wrong
types, odd Unicode and lone surrogates, ``NaN``/``Infinity``, integers beyond Python's
4,300-digit conversion limit, bytes, sets, non-string keys, arbitrary bytes for file lines.
They go to ``orders.create``/``update`` (sync and async), ``import_orders`` (an iterable, a
JSONL file, a CSV file, and sources that are not iterables), ``export`` parameters and the
client's constructor. Every failure must be a :class:`VoucherifyError` with a message, never
a raw Python exception; input refused by validation sends nothing (the sandbox's request
counter), and an import error that reports sent chunks reports exactly the POSTs that reached
the server.

On the code before issue 11 this finds, within its first examples, the raw ``RecursionError``
of deep metadata, ``ValueError`` of ``export(filters="...")``, ``TypeError`` of
``import_orders(None)`` and ``UnicodeDecodeError`` of a latin-1 CSV line.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, ValidationError, Voucherify, VoucherifyError
from voucherify_ext.sandbox import Sandbox

IMPORT = "/v1/orders/import"
#: examples per entry point; VOUCHERIFY_FUZZ_EXAMPLES=2000 searches longer (a few minutes)
EXAMPLES = int(os.environ.get("VOUCHERIFY_FUZZ_EXAMPLES", "60"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ---------------------------------------------------------------------------- strategies


class DeepDict(dict[str, Any]):
    def __repr__(self) -> str:  # Hypothesis prints examples; the plain repr would recurse too far
        return f"nest({self.depth}, as_list=False)"

    depth = 0


class DeepList(list[Any]):
    def __repr__(self) -> str:
        return f"nest({self.depth}, as_list=True)"

    depth = 0


def nest(depth: int, as_list: bool) -> Any:
    value: Any = "bottom"
    for _ in range(depth - 1):
        value = [value] if as_list else {"a": value}
    top: DeepDict | DeepList = DeepList([value]) if as_list else DeepDict(a=value)
    top.depth = depth
    return top


class Huge(int):
    """An integer past Python's 4,300-digit str() limit, with a repr Hypothesis can print."""

    def __repr__(self) -> str:
        return "Huge(10**5000)"


surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
odd_text = st.text(st.one_of(st.characters(), surrogates), max_size=12)
keys = st.one_of(
    odd_text, st.sampled_from(["source_id", "amount", "metadata", "items", "product", "quantity"])
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.builds(lambda: Huge(10**5000)),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text,
    st.binary(max_size=6),
    st.frozensets(st.integers(), max_size=2),
    st.builds(object),
)
deep = st.builds(nest, st.sampled_from([2, 50, 1200, 5000]), st.booleans())
junk = st.one_of(
    deep,
    st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.tuples(inner, inner),
            st.dictionaries(keys, inner, max_size=3),
            st.dictionaries(st.one_of(st.integers(), st.none(), st.tuples(st.integers())), inner, max_size=2),
        ),
        max_leaves=8,
    ),
)
order_like = st.fixed_dictionaries(
    {"source_id": st.one_of(st.text(min_size=1, max_size=8), junk)},
    optional={
        "amount": st.one_of(st.integers(0, 10**6), junk),
        "status": st.one_of(st.sampled_from(["PAID", "CREATED"]), junk),
        "metadata": st.one_of(st.dictionaries(keys, junk, max_size=3), junk),
        "items": st.one_of(st.lists(st.fixed_dictionaries({"quantity": junk}), max_size=2), junk),
        "customer": st.one_of(st.fixed_dictionaries({"source_id": junk}), junk),
    },
)
records = st.one_of(order_like, junk)


def jsonish_line(value: Any) -> bytes:
    try:
        return json.dumps(value, allow_nan=True, default=repr).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, RecursionError):
        return b"{]"


file_lines = st.one_of(
    st.binary(max_size=40),
    st.builds(jsonish_line, records),
    st.builds(
        lambda n: b'{"source_id": "d", "metadata": {"x": ' + b"[" * n + b"]" * n + b"}}",
        st.integers(500, 3000),
    ),
    st.builds(
        lambda s: json.dumps({"source_id": s}, ensure_ascii=False).encode("latin-1", "replace"), odd_text
    ),
)
csv_columns = st.lists(
    st.sampled_from(
        ["source_id", "amount", "status", "items", "metadata.a", "customer_id", "amont", "caf\xe9"]
    ),
    min_size=1,
    max_size=4,
)
csv_cells = st.one_of(
    st.binary(max_size=12),
    st.sampled_from([b"", b"1", b"PAID", b"[", b'"', b"NaN", b'{"a": NaN}', b"[" * 2000 + b"]" * 2000]),
    st.builds(lambda s: s.encode("utf-8", "surrogatepass"), odd_text),
)


# ---------------------------------------------------------------------------- the invariant


@pytest.fixture(scope="module")
def vf(voucherify_sandbox_server: Sandbox) -> Iterator[Voucherify]:
    sb = voucherify_sandbox_server
    with Voucherify(
        app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, max_retries=0, sleep=lambda s: None
    ) as client:
        yield client


@pytest.fixture
def sb(voucherify_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, reset once per test (not per example: the counters are compared
    before and after each call)."""
    voucherify_sandbox.set_import_speed(1_000_000)
    return voucherify_sandbox


def typed_or_nothing(sb: Sandbox, run: Callable[[], Any]) -> None:
    """Run one call: it may succeed, or fail with a VoucherifyError that has a message; if the
    input was refused, nothing (or exactly the reported import chunks) reached the server."""
    before, posts_before = sb.request_count(), sb.request_count("POST", IMPORT)
    try:
        run()
    except VoucherifyError as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
        sent = getattr(exc, "sent_chunks", None)
        if sent:  # an import refused a later record: what it reports is what was posted
            assert sb.request_count("POST", IMPORT) - posts_before == len(sent), str(exc)
        elif isinstance(exc, ValidationError):
            assert sb.request_count() == before, f"refused input, yet a request was sent: {exc}"
    # anything else propagates and fails the test with the raw exception


# ---------------------------------------------------------------------------- entry points


@FAST
@given(order=st.one_of(order_like, junk))
def test_create_and_update_with_junk(vf: Voucherify, sb: Sandbox, order: Any) -> None:
    typed_or_nothing(sb, lambda: vf.orders.create(order))
    typed_or_nothing(sb, lambda: vf.orders.update("fuzz-1", order))


@settings(FAST, max_examples=max(EXAMPLES // 3, 10))
@given(order=st.one_of(order_like, junk))
def test_async_create_with_junk(sb: Sandbox, order: Any) -> None:
    async def create() -> None:
        async with AsyncVoucherify(
            app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, max_retries=0
        ) as avf:
            await avf.orders.create(order)

    typed_or_nothing(sb, lambda: asyncio.run(create()))


@FAST
@given(batch=st.lists(records, min_size=1, max_size=4), chunk_size=st.integers(1, 3))
def test_import_iterable_of_junk(vf: Voucherify, sb: Sandbox, batch: list[Any], chunk_size: int) -> None:
    typed_or_nothing(sb, lambda: vf.orders.import_orders(iter(batch), chunk_size=chunk_size, wait=False))


@FAST
@given(
    source=st.one_of(
        leaves, st.integers(), st.builds(dict), st.just(b"orders.jsonl"), st.just(bytearray(b"x"))
    )
)
def test_import_sources_that_are_not_orders(vf: Voucherify, sb: Sandbox, source: Any) -> None:
    typed_or_nothing(sb, lambda: vf.orders.import_orders(source, wait=False))


@FAST
@given(lines=st.lists(file_lines, min_size=1, max_size=4), skip=st.booleans())
def test_import_jsonl_file_of_junk(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, lines: list[bytes], skip: bool
) -> None:
    path = tmp_path / "junk.jsonl"
    path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
    on_invalid = "skip" if skip else "raise"
    typed_or_nothing(sb, lambda: vf.orders.import_orders(path, wait=False, on_invalid=on_invalid))


@FAST
@given(header=csv_columns, rows=st.lists(st.lists(csv_cells, max_size=4), max_size=3), skip=st.booleans())
def test_import_csv_file_of_junk(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, header: list[str], rows: list[list[bytes]], skip: bool
) -> None:
    path = tmp_path / "junk.csv"
    body = [",".join(header).encode("latin-1")] + [b",".join(row) for row in rows]
    path.write_bytes(b"\n".join(body) + b"\n")
    on_invalid = "skip" if skip else "raise"
    typed_or_nothing(
        sb, lambda: vf.orders.import_orders(path, wait=False, on_invalid=on_invalid, require_source_id=False)
    )


@FAST
@given(
    fields=st.one_of(
        st.none(), junk, st.lists(st.one_of(st.sampled_from(["id", "source_id"]), junk), max_size=3)
    ),
    filters=st.one_of(st.none(), junk, st.just("status=PAID"), st.dictionaries(keys, junk, max_size=2)),
    order=st.one_of(st.none(), st.sampled_from(["created_at", "-created_at"]), junk),
)
def test_export_parameters_of_junk(
    vf: Voucherify, sb: Sandbox, fields: Any, filters: Any, order: Any
) -> None:
    typed_or_nothing(sb, lambda: vf.orders.export(fields=fields, filters=filters, order=order, wait=False))


@FAST
@given(
    options=st.fixed_dictionaries(
        {},
        optional={
            "app_id": st.one_of(odd_text, junk),
            "app_token": st.one_of(odd_text, junk),
            "access_token": st.one_of(odd_text, junk),
            "oauth_scopes": st.one_of(st.lists(odd_text, max_size=2), junk),
            "cluster": st.one_of(st.sampled_from(["eu", "us1", "mars"]), junk),
            "base_url": st.one_of(
                st.sampled_from(["https://api.voucherify.io", "ftp://x", "http://[::1"]), junk
            ),
            "timeout": junk,
            "max_retries": junk,
            "rate_limit": st.one_of(st.sampled_from(["100/min", "lots", "0/s"]), junk),
            "api_version": junk,
        },
    )
)
def test_client_construction_with_junk(sb: Sandbox, options: dict[str, Any]) -> None:
    # the deadline's own checks belong to the transport work of issue 11 and are fuzzed there
    def build() -> None:
        Voucherify(**{"app_id": "a", "app_token": "t", **options}).close()

    typed_or_nothing(sb, build)


async def test_async_create_and_update_with_5000_deep_metadata(sb: Sandbox) -> None:
    """The example behind the search, through ``acall``: typed, the path named, nothing sent."""
    from voucherify_ext import InputTooDeepError

    before = sb.request_count()
    async with AsyncVoucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url) as avf:
        with pytest.raises(InputTooDeepError, match=r"metadata\.a\.a.*nested too deeply") as caught:
            await avf.orders.create({"source_id": "deep", "metadata": dict(nest(5000, as_list=False))})
        assert (
            isinstance(caught.value, RecursionError) and caught.value.depth == 5001
        )  # the body, then 5,000 levels
        with pytest.raises(InputTooDeepError):
            await avf.orders.update("deep", {"metadata": {"x": list(nest(5000, as_list=True))}})
    assert sb.request_count() == before
