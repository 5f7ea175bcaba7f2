"""Every exception class of the package pickles to an equal error with no secret in the bytes,
and an error raised in a ProcessPoolExecutor worker reaches the parent as itself.

The classes are discovered, not listed: every subclass of VoucherifyError in every module of
voucherify_ext, and the combined classes the error factories make (an HTML 502 is a
``ServerError`` that is also an ``APIResponseError``). Their instances are built from the
constructor's signature with Hypothesis values, so a class added later is covered as long as
its parameters have types this file knows how to make (it fails, naming the type, otherwise).
"""

from __future__ import annotations

import concurrent.futures
import importlib
import inspect
import io
import multiprocessing
import pickle
import pkgutil
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from voucherify_client.models import AsyncActionGetResponseBody

import voucherify_ext
from voucherify_ext import Voucherify, errors
from voucherify_ext.auth import Secret
from voucherify_ext.errors import (
    APIError,
    APIResponseError,
    NotFoundError,
    ServerError,
    VoucherifyError,
    error_timed_out,
    error_with_bad_body,
)
from voucherify_ext.errors.imports import ImportResultLike, InvalidRecordLike
from voucherify_ext.imports.results import ChunkReport, ImportFailure, ImportResult, InvalidRecord
from voucherify_ext.sandbox import Sandbox, serve

from .conftest import forgotten_secrets

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
# a fixed prefix, as real tokens have: Hypothesis also draws words from the code under test, and a
# "secret" such as "ImportFa" is found in any pickle (a class name), not leaked by the error
secrets_st = st.text(TOKEN_ALPHABET, min_size=8, max_size=40).map("tok~".__add__)
text_st = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def _all_error_classes() -> list[type[VoucherifyError]]:
    for module in pkgutil.walk_packages(voucherify_ext.__path__, "voucherify_ext."):
        importlib.import_module(module.name)
    found: set[type[VoucherifyError]] = set()
    todo: list[type[VoucherifyError]] = [VoucherifyError]
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    for cls in [c for c in found if issubclass(c, APIError) and "_combined_from" not in vars(c)]:
        found |= {error_with_bad_body(cls), error_timed_out(cls), error_timed_out(error_with_bad_body(cls))}
    return sorted(found, key=lambda c: (c.__qualname__, c.__mro__.__len__()))


CLASSES = _all_error_classes()


def _json_st() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | text_st
    return st.recursive(
        leaves, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(text_st, kids, max_size=3)
    )


def _action_st() -> st.SearchStrategy[AsyncActionGetResponseBody]:
    return st.builds(
        lambda id_, message: AsyncActionGetResponseBody.from_dict(
            {"id": id_, "type": "ORDERS.IMPORT", "status": "FAILED", "result": {"message": message}}
        ),
        text_st,
        text_st,
    )


def _result_st() -> st.SearchStrategy[ImportResult]:
    chunk = st.builds(ChunkReport, index=st.integers(1, 9), count=st.integers(0, 9), async_action_id=text_st)
    failure = st.builds(
        ImportFailure,
        source_id=st.none() | text_st,
        reason=text_st,
        chunk=st.integers(1, 9),
        async_action_id=text_st,
    )
    return st.builds(ImportResult, chunks=st.lists(chunk, max_size=2), failures=st.lists(failure, max_size=2))


def _record_st() -> st.SearchStrategy[InvalidRecord]:
    return st.builds(
        InvalidRecord,
        index=st.integers(0, 99),
        message=text_st,
        line=st.none() | st.integers(1, 99),
        file=st.none() | text_st,
        chunk=st.none() | st.integers(1, 9),
    )


SIMPLE: dict[object, st.SearchStrategy[Any]] = {
    str: text_st,
    int: st.integers(-(10**6), 10**6),
    float: st.floats(allow_nan=False),
    bool: st.booleans(),
    type(None): st.none(),
    typing.Any: _json_st(),
    AsyncActionGetResponseBody: _action_st(),
    ImportResult: _result_st(),
    InvalidRecord: _record_st(),
    # what the import errors are typed with (the errors import nothing of voucherify_ext.imports)
    ImportResultLike: _result_st(),
    InvalidRecordLike: _record_st(),
}


def _strategy(annotation: Any, where: str) -> st.SearchStrategy[Any]:
    if annotation in SIMPLE:
        return SIMPLE[annotation]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_strategy(arg, where) for arg in typing.get_args(annotation)))
    if origin is list:
        return st.lists(_strategy(typing.get_args(annotation)[0], where), max_size=3)
    raise AssertionError(f"{where}: no strategy for {annotation!r}; add one to SIMPLE in this file")


def _instances(cls: type[VoucherifyError]) -> st.SearchStrategy[VoucherifyError]:
    """``cls(...)`` with every parameter of its constructor drawn from its annotation."""
    init = cls.__init__
    hints = typing.get_type_hints(init)  # in the namespace of the module that defines ``__init__``
    positional: list[st.SearchStrategy[Any]] = []
    keywords: dict[str, st.SearchStrategy[Any]] = {}
    for name, param in inspect.signature(init).parameters.items():
        if name == "self":
            continue
        strategy = _strategy(hints[name], f"{cls.__qualname__}({name})")
        if param.default is not inspect.Parameter.empty:
            strategy = st.just(param.default) | strategy
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[name] = strategy
        else:
            positional.append(strategy)
    return st.builds(cls, *positional, **keywords)


class _Loader(pickle.Unpickler):
    """``pickle.loads`` that notes the module of every class and function the pickle names."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file)
        self.modules: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.modules.add(module)
        return super().find_class(module, name)


def _public(error: BaseException) -> dict[str, Any]:
    """What a caller can look at: every attribute, the args and the notes."""
    seen = {name: getattr(error, name, "<unset>") for name in dir(error) if not name.startswith("_")}
    seen.pop("with_traceback", None)
    seen.pop("add_note", None)
    seen["__notes__"] = getattr(error, "__notes__", None)
    return seen


def test_the_walk_finds_the_hierarchy() -> None:
    names = {c.__qualname__ for c in CLASSES}
    assert {"NotFoundError", "ServerError", "ImportReconcileError", "ImportTimeoutError"} <= names
    assert any(issubclass(c, ServerError) and issubclass(c, APIResponseError) for c in CLASSES)
    assert len(CLASSES) >= 50  # 30-odd classes, and three combined ones of each APIError class


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: "+".join(b.__name__ for b in c.__mro__[:3]))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), secret=secrets_st, note=text_st)
def test_every_error_pickles_to_an_equal_one_without_the_secret(
    cls: type[VoucherifyError], data: st.DataObject, secret: str, note: str
) -> None:
    with forgotten_secrets():
        Secret(secret)  # the client knows it (an app token, say)
        error = data.draw(_instances(cls))
        # a "secret" that spells a class or attribute name is in every pickle of the class
        assume(secret.encode() not in pickle.dumps(error))
        # the server echoed it: in the message, a note and a JSON body
        error.message = f"{error.message} X-App-Token {secret}"
        error.args = (error.message,)
        error.add_note(f"{note} {secret}")
        if isinstance(error, APIError):
            error.body = {"echo": secret, "items": [secret]}

        blob = pickle.dumps(error)
        loader = _Loader(io.BytesIO(blob))
        copy = loader.load()

        assert secret.encode() not in blob
        # a public class's pickle names the public path, not the module inside voucherify_ext.errors
        # that defines the class: it stays loadable when the package's insides move
        inside = {m for m in loader.modules if m.startswith("voucherify_ext.errors.")}
        assert cls.__name__.startswith("_") or not inside, inside
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert repr(copy) == repr(error)
        assert _public(copy) == _public(error)
        assert secret not in str(copy) + repr(copy) + repr(_public(copy))


@given(secret=secrets_st, reason=text_st)
@settings(max_examples=30, deadline=None)
def test_a_secret_deep_in_an_attribute_stays_out_of_the_bytes(secret: str, reason: str) -> None:
    """An object attribute (an ImportResult whose failure reason echoes the secret) is
    scrubbed: in the error, in its pickle, and the caller's object is left as it was."""
    with forgotten_secrets():
        Secret(secret)
        result = ImportResult(failures=[ImportFailure("s1", f"{reason} {secret}", 1, "aa_1")])
        error = errors.OrderImportError("chunk 1 refused", chunk=1, result=result)
        blob = pickle.dumps(error)
        assert secret.encode() not in blob
        copy = pickle.loads(blob)
        assert copy.result == error.result
        assert copy.result.failures[0].reason.endswith("[REDACTED]")
        assert secret not in copy.result.failures[0].reason
        assert result.failures[0].reason.endswith(secret)  # the caller's result is not changed
        clean = ImportResult(failures=[ImportFailure("s1", "refused", 1, "aa_1")])
        assert errors.OrderImportError("x", chunk=1, result=clean).result is clean  # nothing copied


class _Unpicklable:
    def __reduce__(self) -> Any:
        raise TypeError("not picklable")

    def __repr__(self) -> str:
        return "<state of job 7>"


def test_an_unpicklable_attribute_travels_as_its_repr() -> None:
    error = errors.JobTimeoutError("still running", job_id="aa_1", timeout=5.0, last=_Unpicklable())
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.job_id, copy.timeout, copy.last, str(copy)) == ("aa_1", 5.0, "<state of job 7>", str(error))


def test_the_html_502_of_the_finding_pickles() -> None:
    """Finding 8: an HTML 502 could not be pickled at all; NotFoundError failed to unpickle."""
    html = error_with_bad_body(ServerError)(
        "HTTP 502 with a body that is not Voucherify's JSON error", status_code=502, attempts=3
    )
    html.excerpt = "<html>502 Bad Gateway</html>"
    not_found = NotFoundError("Resource not found", status_code=404, request_id="v-1", resource_id="x")
    for error in (html, not_found):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error) and _public(copy) == _public(error)


# ------------------------------------------------------------------ through a process pool


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve() as sb:
        yield sb


def _get(url: str, app_id: str, app_token: str, order_id: str) -> None:
    """Runs in the worker process: a real request that fails."""
    with Voucherify(base_url=url, app_id=app_id, app_token=app_token, max_retries=0) as vf:
        vf.orders.get(order_id)


def test_errors_raised_in_a_process_pool_reach_the_parent_typed(sandbox: Sandbox) -> None:
    sandbox.reset()
    context = multiprocessing.get_context("spawn")  # nothing shared with the parent
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_get, sandbox.url, sandbox.app_id, sandbox.app_token, "nope")
        with pytest.raises(NotFoundError) as caught:
            future.result(timeout=60)
        assert caught.value.status_code == 404 and caught.value.request_id
        assert caught.value.resource_id == "nope" and caught.value.attempts == 1
        assert "request_id=" in str(caught.value)

        sandbox.inject("html")
        future = pool.submit(_get, sandbox.url, sandbox.app_id, sandbox.app_token, "nope")
        with pytest.raises(ServerError) as html:
            future.result(timeout=60)
        assert isinstance(html.value, APIResponseError) and html.value.status_code == 502
        assert html.value.excerpt and "Bad Gateway" in html.value.excerpt
        assert sandbox.app_token not in str(html.value) + repr(vars(html.value))
