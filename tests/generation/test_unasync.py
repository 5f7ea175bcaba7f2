"""scripts/unasync.py: the rename table, the protected names, strings and markers, and --check."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.sandbox import ManualClock, Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import unasync

FIXTURES = Path(__file__).parent / "fixtures"


def code(source: str) -> str:
    """The transformed code, before formatting (the transformation alone)."""
    return unasync.transform(source, "t_async.py")


@pytest.mark.parametrize(
    ("source", "twin"),
    [
        # keywords
        ("async def f(): pass\n", "def f(): pass\n"),
        ("x = await f()\n", "x = f()\n"),
        (
            "async def f():\n    async with a as b:\n        pass\n",
            "def f():\n    with a as b:\n        pass\n",
        ),
        (
            "async def f():\n    async for x in y:\n        pass\n",
            "def f():\n    for x in y:\n        pass\n",
        ),
        ("return [await g(x) async for x in y]\n", "return [g(x) for x in y]\n"),
        # the protocol
        ("def __aenter__(s): ...\n", "def __enter__(s): ...\n"),
        ("def __aexit__(s): ...\n", "def __exit__(s): ...\n"),
        ("i.__aiter__().__anext__()\n", "i.__iter__().__next__()\n"),
        ("await c.aclose()\n", "c.close()\n"),
        ("raise StopAsyncIteration\n", "raise StopIteration\n"),
        # typing / contextlib
        (
            "from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator\n",
            "from collections.abc import Generator, Iterable, Iterator\n",
        ),
        (
            "from contextlib import asynccontextmanager\nfrom typing import AsyncContextManager\n",
            "from contextlib import contextmanager\nfrom typing import ContextManager\n",
        ),
        # asyncio (dotted: the whole name, and only at the start of a dotted name)
        ("await asyncio.sleep(1)\n", "time.sleep(1)\n"),
        ("lock = asyncio.Lock()\n", "lock = threading.Lock()\n"),
        # httpx
        ("c = httpx.AsyncClient()\n", "c = httpx.Client()\n"),
        ("class T(httpx.AsyncBaseTransport): ...\n", "class T(httpx.BaseTransport): ...\n"),
        ("class S(httpx.AsyncByteStream): ...\n", "class S(httpx.SyncByteStream): ...\n"),
        ("r = await t.handle_async_request(q)\n", "r = t.handle_request(q)\n"),
        ("await r.aread()\n", "r.read()\n"),
        (
            "r.aiter_bytes(), r.aiter_raw(), r.aiter_lines()\n",
            "r.iter_bytes(), r.iter_raw(), r.iter_lines()\n",
        ),
        # the generated client
        ("await get_order.asyncio_detailed(i, client=c)\n", "get_order.sync_detailed(i, client=c)\n"),
        # our classes
        (
            "AsyncVoucherify, AsyncOrders, AsyncExportHandle, AsyncPaginator, AsyncPageIterator\n",
            "Voucherify, Orders, ExportHandle, Paginator, PageIterator\n",
        ),
        (
            "AsyncAsyncActions, AsyncRetryTransport, AsyncSharedPool, AsyncExportDownloads, AsyncWatched\n",
            "AsyncActions, RetryTransport, SharedPool, ExportDownloads, Watched\n",
        ),
        # the paginator's hand-written prefetch drivers (tasks, threads)
        ("run = AsyncRun(planner, fetch, prefetch)\n", "run = SyncRun(planner, fetch, prefetch)\n"),
        # the http package's pairs: a streamed body and a block under an attempt's limit, the OAuth lock
        ("s = AsyncLimitedStream(b, limit, e)\n", "s = LimitedStream(b, limit, e)\n"),
        ("async with awithin_limit(limit):\n    pass\n", "with within_limit(limit):\n    pass\n"),
        ("async with creds.async_lock:\n    pass\n", "with creds.lock:\n    pass\n"),
        # our functions
        (
            "acall, apoll, apaginate, aimport_orders, acreate_export, aiter_orders, aiter_order_pages\n",
            "call, poll, paginate, import_orders, create_export, iter_orders, iter_order_pages\n",
        ),
        ("async with _aopen_download(c, u) as r:\n", "with _open_download(c, u) as r:\n"),
        # the facade
        (
            "http = AsyncHTTPClient(transport=async_pool(t))\nawait self._acall(f, M)\n",
            "http = HTTPClient(transport=sync_pool(t))\nself._call(f, M)\n",
        ),
        # module names, in import statements only
        (
            "from voucherify_ext.pagination.paginator_async import AsyncPaginator\n",
            "from voucherify_ext.pagination.paginator_sync import Paginator\n",
        ),
        (
            "import voucherify_ext.http.transport_async as t\n",
            "import voucherify_ext.http.transport_sync as t\n",
        ),
        (
            "from voucherify_ext.http import (\n    pool_async,\n)\n",
            "from voucherify_ext.http import (\n    pool_sync,\n)\n",
        ),
        ("paginator_async = 1\n", "paginator_async = 1\n"),
    ],
)
def test_each_table_group(source: str, twin: str) -> None:
    assert code(source) == twin


def test_protected_names_and_their_one_exception() -> None:
    source = "from m import AsyncActionGetResponseBody\nx: AsyncActions = AsyncAsyncActions()\n"
    assert code(source) == "from m import AsyncActionGetResponseBody\nx: AsyncActions = AsyncActions()\n"


def test_a_table_entry_for_a_protected_name_is_refused() -> None:
    with pytest.raises(unasync.UnasyncError, match="protected"):
        unasync._check_table({"AsyncActionGetResponseBody": "SyncActionGetResponseBody"})
    unasync._check_table({"AsyncAsyncActions": "AsyncActions"})  # the one exception


def test_a_chain_of_renames_is_refused() -> None:
    with pytest.raises(unasync.UnasyncError, match="'close' is itself renamed"):
        unasync._check_table({"aclose": "close", "close": "shut"})


# The family, including names a careless rule would touch (``..._async`` in an import).
PROTECTED_NAMES = st.builds(
    str.__add__, st.from_regex(r"\AAsyncAction[A-Za-z0-9_]*\Z"), st.sampled_from(["", "_async", "s"])
)


@settings(max_examples=200, deadline=None)
@given(name=PROTECTED_NAMES)
def test_the_protected_family_is_never_renamed(name: str) -> None:
    source = (
        f"from voucherify_ext.mod_async import {name}\n"
        f"import {name}\n"
        f"class {name}({name}): ...\n"
        f"v = m.{name}({name}.{name})\n"
        f'"""Docstring naming {name}."""\n'
        f"# comment naming {name}\n"
    )
    twin = code(source)
    assert twin == source.replace("ext.mod_async import", "ext.mod_sync import")


# Arbitrary text, with the words a rename would touch mixed in so that a rewrite would show.
LITERAL_TEXT = st.lists(
    st.text()
    | st.sampled_from([*unasync.RENAMES, *unasync.DOC_PHRASES, "async", "await", "asyncio", "_async"])
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=LITERAL_TEXT)
def test_string_literal_contents_are_preserved(text: str) -> None:
    source = f"x = {text!r}\nawait f({text!r}, b={text.encode('utf-8', 'surrogatepass')!r})\n"
    tree = ast.parse(code(source))
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert constants.count(text) == 2
    assert text.encode("utf-8", "surrogatepass") in constants


def test_strings_and_comments_keep_words_docstrings_and_comments_get_identifiers() -> None:
    source = (
        '"""The async client: see AsyncVoucherify.aclose; async with AsyncVoucherify() as vf: ...\n'
        "Then await vf.orders.acall(), and await the result or myvf.x: prose keeps its words.\n"
        '"""\n'
        'MESSAGE = "async AsyncVoucherify aclose await"  # the async AsyncOrders\n'
    )
    assert code(source) == (
        '"""The async client: see Voucherify.close; with Voucherify() as vf: ...\n'
        "Then vf.orders.call(), and await the result or myvf.x: prose keeps its words.\n"
        '"""\n'
        'MESSAGE = "async AsyncVoucherify aclose await"  # the async Orders\n'
    )


def test_an_f_string_keeps_its_literal_text_and_may_use_other_names() -> None:
    source = 'f"AsyncVoucherify {{aclose}} {type(self).__name__!r} {n:>{width}}"\n'
    assert code(source) == source


def test_replacement_marker_replaces_the_whole_statement_and_remove_blocks_go() -> None:
    source = (
        "import asyncio  # unasync: import time\n"
        "from x import (\n"
        "    Awaitable,\n"
        ")  # unasync: from x import Callable\n"
        "if True:\n"
        "    S = Awaitable[None]  # unasync: S = None\n"
        "# unasync: remove-start\n"
        "async def gather(): return await asyncio.gather()\n"
        "# unasync: remove-end\n"
        "y = 1\n"
    )
    assert code(source) == "import time\nfrom x import Callable\nif True:\n    S = None\ny = 1\n"


@pytest.mark.parametrize(
    ("source", "twin"),
    [
        # the ASYNC codes go (RUF100 would call them unused in sync code), the others stay
        ("async def f(timeout=1):  # noqa: ASYNC109\n", "def f(timeout=1):\n"),
        ("x = 1\t# noqa: ASYNC230 - small writes to a local file\n", "x = 1\n"),
        ("raise E  # noqa: B904, ASYNC109 - the same error\n", "raise E  # noqa: B904 - the same error\n"),
        ("raise E  # noqa: ASYNC109,B904,E501\n", "raise E  # noqa: B904, E501\n"),
        (
            "raise E  # noqa: B904 - ASYNC109 is prose here\n",
            "raise E  # noqa: B904 - ASYNC109 is prose here\n",
        ),
        ("x = 1  # not a directive: noqa ASYNC109\n", "x = 1  # not a directive: noqa ASYNC109\n"),
        ('x = "# noqa: ASYNC109"\n', 'x = "# noqa: ASYNC109"\n'),  # a string, not a comment
    ],
)
def test_noqa_directives_lose_their_async_codes(source: str, twin: str) -> None:
    assert code(source) == twin


def test_a_twin_with_a_noqa_for_an_async_rule_lints_clean() -> None:
    """What the rule is for: ruff (the project's rules) passes the rendered twin."""
    source = (
        "async def wait(timeout: float | None = None) -> None:  # noqa: ASYNC109\n"
        "    with open('f', 'wb') as handle:  # noqa: ASYNC230 - a local file\n"
        "        handle.write(b'')\n"
    )
    twin = unasync.render(source, "t_async.py", "voucherify_ext/t_sync.py")
    assert "noqa" not in twin
    unasync._ruff("check", "--quiet", stdin=twin, filename="voucherify_ext/t_sync.py")  # raises if not clean


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x: Awaitable[int]\n", "t_async.py:1: Awaitable"),
        ("pass\nawait asyncio.gather()\n", "t_async.py:2: asyncio"),
        ("await self.asyncio.sleep(1)\n", "t_async.py:1: asyncio"),  # not `asyncio.sleep`: not renamed
        ("await get_order.asyncio(i, client=c)\n", "t_async.py:1: asyncio"),  # the generated coroutine
        ('f"{AsyncVoucherify.__name__}"\n', "t_async.py:1: f-string field uses 'AsyncVoucherify'"),
        ("f'{{ {await g()!r:>{w}} }}'\n", "t_async.py:1: f-string field uses 'await'"),
        ("rf\"x {d['a']} {y.aclose}\"\n", "t_async.py:1: f-string field uses 'aclose'"),
        ("# unasync: remove-start\n", "t_async.py:1: remove-start without remove-end"),
        ("# unasync: remove-end\n", "t_async.py:1: remove-end without remove-start"),
        (
            "# unasync: import time\nimport asyncio\n",
            "t_async.py:1: a replacement marker goes on the statement",
        ),
    ],
)
def test_what_cannot_be_made_sync_is_refused_with_file_and_line(source: str, message: str) -> None:
    with pytest.raises(unasync.UnasyncError) as caught:
        code(source)
    assert str(caught.value).startswith(message)


SOURCE_NAME = "tests/generation/fixtures/actions_async.py"
EXPECTED = FIXTURES / "expected" / "actions_sync.py"


def render_fixture(source: str) -> str:
    return unasync.render(source, SOURCE_NAME, "tests/generation/fixtures/expected/actions_sync.py")


def test_the_fixture_twin_is_the_committed_expected_file() -> None:
    assert render_fixture((FIXTURES / "actions_async.py").read_text()) == EXPECTED.read_text()


def test_the_output_is_deterministic_and_a_fixed_point() -> None:
    source = (FIXTURES / "actions_async.py").read_text()
    twin = render_fixture(source)
    assert render_fixture(source) == twin
    header, body = twin.split("\n", 1)
    assert header == f"# GENERATED by scripts/unasync.py from {SOURCE_NAME}; do not edit."
    assert render_fixture(body) == twin  # the twin has nothing async left to transform


def tree(tmp_path: Path) -> Path:
    package = tmp_path / "voucherify_ext" / "demo"
    package.mkdir(parents=True)
    shutil.copy(FIXTURES / "actions_async.py", package / "actions_async.py")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "stray_async.py").write_text("async def f(): pass\n")
    return tmp_path


def test_check_passes_after_write_and_fails_on_missing_edited_and_stale_twins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(tmp_path)
    twin = root / "voucherify_ext" / "demo" / "actions_sync.py"
    assert unasync.problems(root) == ["missing: voucherify_ext/demo/actions_sync.py"]
    assert unasync.main(["--check"], root=root) == 1
    assert "missing: voucherify_ext/demo/actions_sync.py" in capsys.readouterr().out

    assert unasync.main([], root=root) == 0
    assert twin.read_text().startswith(
        "# GENERATED by scripts/unasync.py from voucherify_ext/demo/actions_async.py; do not edit.\n"
    )
    assert unasync.main(["--check"], root=root) == 0
    assert not (root / "voucherify_ext" / "demo" / "__pycache__" / "stray_sync.py").exists()

    twin.write_text(twin.read_text().replace("self._sleep(self._interval)", "pass"))
    assert unasync.problems(root) == ["differs: voucherify_ext/demo/actions_sync.py"]
    twin.write_bytes(twin.read_bytes() + b"\n")  # one byte is enough
    assert unasync.main(["--check"], root=root) == 1
    assert "differs: voucherify_ext/demo/actions_sync.py" in capsys.readouterr().out

    unasync.main([], root=root)
    (root / "voucherify_ext" / "demo" / "actions_async.py").rename(root / "voucherify_ext" / "old_async.txt")
    assert unasync.problems(root) == ["stale (no *_async.py source): voucherify_ext/demo/actions_sync.py"]
    assert unasync.main([], root=root) == 0  # a generated stale twin is removed
    assert not twin.exists()


def test_a_hand_written_sync_module_without_source_is_not_deleted(tmp_path: Path) -> None:
    package = tmp_path / "voucherify_ext"
    package.mkdir()
    (package / "hand_sync.py").write_text("x = 1\n")
    assert unasync.main([], root=tmp_path) == 1
    assert (package / "hand_sync.py").exists()


def test_imports_are_sorted_again_after_renames() -> None:
    source = "from m import AsyncPaginator, Link\nfrom m.b_async import x\nfrom m.c import y\n\nprint(x, y)\n"
    assert unasync.render(source, "t_async.py", "voucherify_ext/t_sync.py") == (
        "# GENERATED by scripts/unasync.py from t_async.py; do not edit.\n"
        "from m import Link, Paginator\nfrom m.b_sync import x\nfrom m.c import y\n\nprint(x, y)\n"
    )


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"unasync_fixture_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_both_twins_poll_a_sandbox_import_to_its_end(
    voucherify_sandbox: Sandbox, voucherify_sandbox_clock: ManualClock
) -> None:
    """The generated twin runs, and does what its source does: poll until DONE, each wait
    through the injected sleep (which moves the sandbox's clock: no real-time waits)."""
    headers = {"X-App-Id": voucherify_sandbox.app_id, "X-App-Token": voucherify_sandbox.app_token}
    url = voucherify_sandbox.url

    def start() -> str:
        with httpx.Client(base_url=url, headers=headers) as http:
            created = http.post("/v1/orders/import", json=[{"source_id": "o1", "amount": 100}])
        return str(created.json()["async_action_id"])

    waits: dict[str, list[float]] = {"sync": [], "async": []}

    def sync_sleep(seconds: float) -> None:
        waits["sync"].append(seconds)
        voucherify_sandbox_clock.advance(seconds)

    async def async_sleep(seconds: float) -> None:
        waits["async"].append(seconds)
        voucherify_sandbox_clock.advance(seconds)

    sync_twin, async_source = load(EXPECTED), load(FIXTURES / "actions_async.py")
    sync_id = start()
    with sync_twin.AsyncActions(httpx.Client(base_url=url, headers=headers), sleep=sync_sleep) as actions:
        sync_action = actions.poll(sync_id)
    async_id = start()
    http = httpx.AsyncClient(base_url=url, headers=headers)
    async with async_source.AsyncAsyncActions(http, sleep=async_sleep) as actions:
        async_action = await actions.apoll(async_id)
    assert (sync_action.id, sync_action.status) == (sync_id, "DONE")
    assert (async_action.id, async_action.status) == (async_id, "DONE")
    assert waits["sync"] == waits["async"] != []
    assert http.is_closed
