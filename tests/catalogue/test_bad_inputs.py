"""The bad-input catalogue (issue 8): malformed library arguments, records and server replies,
each with the typed error it must raise and a fragment of its message. For input refused before
sending, the sandbox's request counter proves that nothing was sent, or the error's report
lists exactly what was.

Server replies come from the sandbox's own fault kinds (``truncate``, ``invalid_json``,
``html``) where it can produce them, and from respx for what it cannot (a 200 HTML page, an
empty 200, a 200 carrying an error object, an unknown enum value, wrong field types).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from voucherify_ext import (
    APIResponseError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ImportValidationError,
    InputTooDeepError,
    InputTypeError,
    NotFoundError,
    ServerError,
    ValidationError,
    Voucherify,
    VoucherifyError,
)
from voucherify_ext.sandbox import Sandbox

API = "https://api.voucherify.io"


@dataclass
class Ctx:
    sb: Sandbox
    vf: Voucherify  # against the sandbox, no retries: one fault, one error
    tmp: Path
    monkeypatch: pytest.MonkeyPatch
    extra: dict[str, Any] = field(default_factory=dict)

    def file(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    def latin1(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_bytes(text.encode("latin-1"))
        return path


@dataclass
class Case:
    id: str
    run: Callable[[Ctx], Any]
    error: type[BaseException]
    fragments: tuple[str, ...]
    #: what may have reached the sandbox: "nothing" (no request at all), "no-post" (reads
    #: only), or None (the request is sent: the server is what refuses it)
    sent: str | None = "nothing"
    check: Callable[[BaseException, Ctx], None] | None = None
    xfail: str | None = None


def _vf(**kw: Any) -> Voucherify:
    kw.setdefault("app_id", "app")
    kw.setdefault("app_token", "tok")
    return Voucherify(**kw)


def _orders(n: int, **extra: Any) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"source_id": f"c-{i}", "amount": 100 + i, **extra}


def _mocked(body: Any = None, *, status: int = 200, content: bytes | None = None, ctype: str | None = None):
    """A client whose every request is answered by respx with this reply."""
    router = respx.MockRouter(assert_all_called=False)
    headers = {"content-type": ctype} if ctype else {}
    if content is None:
        content = json.dumps(body).encode()
        headers.setdefault("content-type", "application/json")
    router.route().mock(return_value=httpx.Response(status, content=content, headers=headers))
    return _vf(base_url=API, http_transport=httpx.MockTransport(router.handler), max_retries=0)


ORDER = {
    "id": "ord_1",
    "source_id": "web-1",
    "object": "order",
    "status": "PAID",
    "amount": 500,
    "created_at": "2026-01-01T00:00:00.000Z",
    "items": [],
    "metadata": {},
}


def _record(expect_index: int | None = None, expect_line: int | None = None, chunk: int | None = None):
    def check(exc: BaseException, ctx: Ctx) -> None:
        assert isinstance(exc, ImportValidationError)
        if expect_index is not None:
            assert exc.index == expect_index
        if expect_line is not None:
            assert exc.line == expect_line
            assert exc.file is not None
            assert exc.file.endswith((".jsonl", ".csv"))
        if chunk is not None:
            assert exc.chunk == chunk
        assert exc.sent_chunks == []

    return check


def _bad_second_chunk(ctx: Ctx) -> Any:
    records = list(_orders(5))
    records[3] = {"source_id": "c-3", "amount": "lots"}
    return ctx.vf.orders.import_orders(iter(records), chunk_size=2, wait=False)


def _check_second_chunk(exc: BaseException, ctx: Ctx) -> None:
    assert isinstance(exc, ImportValidationError)
    assert exc.index == 3 and exc.chunk == 2
    assert len(exc.sent_chunks) == 1 and exc.sent_chunks[0].count == 2
    assert exc.sent_chunks[0].async_action_id in str(exc)
    # exactly what the report lists reached the server: one import POST, chunk 1's two orders
    assert ctx.sb.request_count("POST", "/v1/orders/import") == 1


def _truncated(ctx: Ctx) -> Any:
    ctx.vf.orders.create({"source_id": "t-1", "amount": 1})
    ctx.sb.inject("truncate", method="GET", path="/v1/orders/t-1")
    return ctx.vf.orders.get("t-1")


def _invalid_json(ctx: Ctx) -> Any:
    ctx.vf.orders.create({"source_id": "t-2", "amount": 1})
    ctx.sb.inject("invalid_json", method="GET", path="/v1/orders/t-2")
    return ctx.vf.orders.get("t-2")


def _invalid_json_on_write(ctx: Ctx) -> Any:
    ctx.sb.inject("invalid_json", method="POST", path="/v1/orders")
    return ctx.vf.orders.create({"amount": 1})


def _html(ctx: Ctx) -> Any:
    ctx.sb.inject("html", method="GET", path="/v1/orders/t-3")
    return ctx.vf.orders.get("t-3")


def _truncated_list(ctx: Ctx) -> Any:
    ctx.sb.seed_orders(30)
    ctx.sb.inject("truncate", method="GET", path="/v1/orders")
    return list(ctx.vf.orders.iter())


def _unknown_enum_kept(ctx: Ctx) -> Any:
    order = _mocked({**ORDER, "status": "SHIPPED"}).orders.get("web-1")
    # forward compatibility: no error, and the server's value is kept
    assert getattr(order.status, "value", order.status) == "SHIPPED"
    assert order.id == "ord_1" and order.amount == 500
    return order


def _env_cleared(ctx: Ctx) -> Any:
    for name in ("VOUCHERIFY_APP_ID", "VOUCHERIFY_APP_TOKEN", "VOUCHERIFY_API_URL", "VOUCHERIFY_CLUSTER"):
        ctx.monkeypatch.delenv(name, raising=False)
    return Voucherify()


def _status_field(exc: BaseException, ctx: Ctx) -> None:
    assert isinstance(exc, APIResponseError) and exc.field == "amount"


def _excerpt_kept(exc: BaseException, ctx: Ctx) -> None:
    assert isinstance(exc, APIResponseError) and exc.excerpt and exc.status_code == 200


def _deep(n: int) -> dict[str, Any]:
    top: dict[str, Any] = {}
    node = top
    for _ in range(n):
        node["a"] = {}
        node = node["a"]
    return top


def _nested_text(n: int) -> str:
    return "[" * n + "]" * n


def _also(
    builtin: type[BaseException], path_start: str | None = None
) -> Callable[[BaseException, Ctx], None]:
    """The typed error still is the built-in it replaced (``except TypeError`` keeps working)."""

    def check(exc: BaseException, ctx: Ctx) -> None:
        assert isinstance(exc, builtin), f"{type(exc).__name__} is not a {builtin.__name__}"
        if path_start is not None:
            assert isinstance(exc, ValidationError) and (exc.path or "").startswith(path_start), exc

    return check


def _no_secret(exc: BaseException, ctx: Ctx) -> None:
    assert "s3cret" not in str(exc) and "s3cret" not in repr(exc)


CASES: list[Case] = [
    # ------------------------------------------------------------ library arguments
    Case(
        "arg-bad-cluster",
        lambda c: _vf(cluster="mars"),
        ConfigurationError,
        ("unknown cluster 'mars'", "eu, us1, as1"),
    ),
    Case(
        "arg-missing-credentials",
        _env_cleared,
        ConfigurationError,
        ("missing Voucherify credentials", "VOUCHERIFY_APP_TOKEN"),
    ),
    Case(
        "arg-empty-app-token", lambda c: _vf(app_token="", base_url=API), ConfigurationError, ("app_token",)
    ),
    Case(
        "arg-http-url",
        lambda c: _vf(base_url="http://api.voucherify.io"),
        ConfigurationError,
        ("refusing plain-HTTP", "allow_insecure_http=True"),
    ),
    Case(
        "arg-url-and-cluster",
        lambda c: _vf(base_url=API, cluster="eu"),
        ConfigurationError,
        ("either base_url or cluster",),
    ),
    Case(
        "arg-url-not-http",
        lambda c: _vf(base_url="ftp://api.voucherify.io"),
        ConfigurationError,
        ("http(s) URL",),
    ),
    Case(
        "arg-token-with-newline",
        lambda c: _vf(app_token="s3cret\n"),
        ConfigurationError,
        ("stray newline",),
        check=_no_secret,
    ),
    Case("arg-negative-retries", lambda c: _vf(max_retries=-1), ConfigurationError, ("max_retries", "-1")),
    Case(
        "arg-bad-rate-limit", lambda c: _vf(rate_limit="lots"), ConfigurationError, ("rate_limit", "100/min")
    ),
    Case("arg-bad-timeout", lambda c: _vf(timeout="soon"), ConfigurationError, ("timeout must be seconds",)),
    Case(
        "arg-empty-oauth-scopes",
        lambda c: _vf(oauth_scopes=[]),
        ConfigurationError,
        ("oauth_scopes is empty",),
    ),
    Case(
        "arg-page-size-0",
        lambda c: c.vf.orders.iter(page_size=0),
        ConfigurationError,
        ("page_size", "1 to 100", "got 0"),
    ),
    Case(
        "arg-page-size-101",
        lambda c: list(c.vf.orders.iter_pages(page_size=101)),
        ConfigurationError,
        ("page_size", "got 101"),
    ),
    Case("arg-prefetch-0", lambda c: c.vf.orders.iter(prefetch=0), ConfigurationError, ("prefetch",)),
    Case(
        "arg-list-order",
        lambda c: c.vf.orders.iter(order="amount"),
        ConfigurationError,
        ("order must be one of", "'amount'"),
    ),
    Case(
        "arg-chunk-size-2001",
        lambda c: c.vf.orders.import_orders(_orders(3), chunk_size=2001),
        ConfigurationError,
        ("chunk_size", "2000", "2001"),
    ),
    Case(
        "arg-chunk-size-0",
        lambda c: c.vf.orders.import_orders(_orders(3), chunk_size=0),
        ConfigurationError,
        ("chunk_size",),
    ),
    Case(
        "arg-on-invalid",
        lambda c: c.vf.orders.import_orders(_orders(3), on_invalid="ignore"),  # type: ignore[arg-type]
        ConfigurationError,
        ("on_invalid",),
    ),
    Case(
        "arg-empty-order-id",
        lambda c: c.vf.orders.get(""),
        ValidationError,
        ("order_id must be a non-empty string",),
    ),
    Case(
        "arg-empty-async-action-id",
        lambda c: c.vf.async_actions.get(""),
        ValidationError,
        ("async action id",),
    ),
    Case(
        "arg-export-unknown-field",
        lambda c: c.vf.orders.export(fields=["nope"]),
        ValidationError,
        ("invalid export parameters", "fields[0]", "nope"),
    ),
    Case(
        "arg-export-order",
        lambda c: c.vf.orders.export(order="sideways"),
        ValidationError,
        ("order", "sideways"),
    ),
    Case(
        "arg-import-none",
        lambda c: c.vf.orders.import_orders(None),  # type: ignore[arg-type]
        InputTypeError,
        ("source must be an iterable of orders or a path", "NoneType"),
        check=_also(TypeError),
    ),
    Case(
        "arg-import-bytes",
        lambda c: c.vf.orders.import_orders(b'{"source_id": "a"}'),  # type: ignore[arg-type]
        InputTypeError,
        ("not bytes",),
        check=_also(TypeError),
    ),
    Case(
        "arg-export-filters-string",
        lambda c: c.vf.orders.export(filters="status=PAID"),  # type: ignore[arg-type]
        InputTypeError,
        ("filters must be a dict", "got str 'status=PAID'", "conditions"),
        check=_also(ValueError, "filters"),
    ),
    Case(
        "arg-export-fields-not-a-list",
        lambda c: c.vf.orders.export(fields=5),  # type: ignore[arg-type]
        InputTypeError,
        ("fields must be a list of column names", "got int"),
        check=_also(TypeError, "fields"),
    ),
    # ------------------------------------------------------------ records
    Case(
        "rec-amount-string",
        lambda c: c.vf.orders.create({"source_id": "a", "amount": "12.00"}),
        ValidationError,
        ("'amount' should be int",),
    ),
    Case(
        "rec-unknown-key",
        lambda c: c.vf.orders.create({"sourceid": "a"}),
        ValidationError,
        ("unknown field 'sourceid'", "did you mean 'source_id'"),
    ),
    Case(
        "rec-not-a-dict",
        lambda c: c.vf.orders.create([{"source_id": "a"}]),
        ValidationError,
        ("must be a dict",),
    ),  # type: ignore[arg-type]
    Case(
        "rec-items-not-a-list",
        lambda c: c.vf.orders.create({"source_id": "a", "items": "x"}),
        ValidationError,
        ("invalid order: items:", "not of type", "array"),
    ),
    Case(
        "rec-nested-product-not-an-object",
        lambda c: c.vf.orders.create({"source_id": "a", "items": [{"quantity": 1, "product": "p"}]}),
        ValidationError,
        ("items[0].product:", "not of type", "object"),
    ),
    Case(
        "rec-update-unknown-key",
        lambda c: c.vf.orders.update("a", {"amout": 1}),
        ValidationError,
        ("unknown field 'amout'", "did you mean 'amount'"),
    ),
    Case(
        "rec-metadata-5000-deep",
        lambda c: c.vf.orders.create({"source_id": "a", "metadata": _deep(5000)}),
        InputTooDeepError,
        ("metadata.a.a.a", "nested too deeply to encode as JSON", "nothing was sent"),
        check=_also(RecursionError, "metadata.a"),
    ),
    Case(
        "rec-update-metadata-5000-deep",
        lambda c: c.vf.orders.update("a", {"metadata": _deep(5000)}),
        InputTooDeepError,
        ("metadata.a.a.a", "nested too deeply"),
        check=_also(RecursionError),
    ),
    Case(
        "rec-metadata-nan",
        lambda c: c.vf.orders.create({"source_id": "a", "metadata": {"ratio": float("nan")}}),
        ValidationError,
        ("metadata.ratio", "nan is not valid JSON", "nothing was sent"),
    ),
    Case(
        "rec-metadata-bytes",
        lambda c: c.vf.orders.create({"source_id": "a", "metadata": {"raw": b"\x00"}}),
        InputTypeError,
        ("metadata.raw", "bytes is not JSON"),
        check=_also(TypeError),
    ),
    Case(
        "rec-metadata-lone-surrogate",
        lambda c: c.vf.orders.create({"source_id": "a", "metadata": {"name": "Jos\ud800"}}),
        ValidationError,
        ("metadata.name", "lone surrogate"),
    ),
    Case(
        "rec-import-metadata-5000-deep",
        lambda c: c.vf.orders.import_orders([{"source_id": "a", "metadata": _deep(5000)}]),
        ImportValidationError,
        ("record 0 (chunk 1)", "metadata.a.a", "nested too deeply", "nothing was sent"),
        check=_record(expect_index=0, chunk=1),
    ),
    Case(
        "rec-import-bytes-value",
        lambda c: c.vf.orders.import_orders([{"source_id": b"a"}]),
        ImportValidationError,
        ("record 0", "source_id: a value of type bytes is not JSON"),
        check=_record(expect_index=0),
    ),
    Case(
        "rec-import-key-not-a-string",
        lambda c: c.vf.orders.import_orders([{"source_id": "a", "customer": {1: "x"}}]),
        ImportValidationError,
        ("record 0", "customer.1: key 1 is not a string"),
        check=_record(expect_index=0),
    ),
    Case(
        "rec-status-not-in-enum",
        lambda c: c.vf.orders.create({"source_id": "a", "status": "SHIPPED"}),
        BadRequestError,
        ("400 invalid_payload", "status", "request_id=v-"),
        sent=None,
    ),
    Case(
        "rec-501-items",
        lambda c: c.vf.orders.import_orders([{"source_id": "a", "items": [{"quantity": 1}] * 501}]),
        ImportValidationError,
        ("record 0 (chunk 1)", "more than 500 items", "nothing was sent"),
        check=_record(expect_index=0, chunk=1),
    ),
    Case(
        "rec-import-wrong-type",
        lambda c: c.vf.orders.import_orders([*_orders(2), {"source_id": "x", "amount": "x"}]),
        ImportValidationError,
        ("record 2 (chunk 1)", 'amount: "x" is not of type "integer"', "nothing was sent"),
        check=_record(expect_index=2, chunk=1),
    ),
    Case(
        "rec-import-missing-source-id",
        lambda c: c.vf.orders.import_orders([{"amount": 1}]),
        ImportValidationError,
        ("record 0", "source_id: required", "require_source_id=False"),
        check=_record(expect_index=0),
    ),
    Case(
        "rec-import-not-an-object",
        lambda c: c.vf.orders.import_orders(["just a string"]),
        ImportValidationError,
        ("record 0", "must be a JSON object"),
        check=_record(expect_index=0),
    ),
    Case(
        "rec-bad-record-in-second-chunk",
        _bad_second_chunk,
        ImportValidationError,
        ("record 3 (chunk 2)", "chunk 2 was not sent", "already sent: 1 chunk(s), 2 order(s)"),
        sent=None,
        check=_check_second_chunk,
    ),
    Case(
        "rec-jsonl-invalid-line",
        lambda c: c.vf.orders.import_orders(c.file("o.jsonl", '{"source_id": "a"}\n{"source_id": \n')),
        ImportValidationError,
        ("o.jsonl:2: invalid order: not valid JSON", "(nothing was sent)"),
        check=_record(expect_line=2),
    ),
    Case(
        "rec-jsonl-wrong-type-line-3",
        lambda c: c.vf.orders.import_orders(
            c.file("t.jsonl", '{"source_id": "a"}\n\n{"source_id": "b", "items": [{"quantity": "two"}]}\n')
        ),
        ImportValidationError,
        ("t.jsonl:3:", 'items[0].quantity: "two" is not of type "integer"', "(nothing was sent)"),
        check=_record(expect_line=3),
    ),
    Case(
        "rec-csv-missing-source-id-column",
        lambda c: c.vf.orders.import_orders(c.file("m.csv", "status,amount\nPAID,100\n")),
        ValidationError,
        ("m.csv: the CSV file has no 'source_id' column",),
    ),
    Case(
        "rec-csv-unknown-column",
        lambda c: c.vf.orders.import_orders(c.file("u.csv", "source_id,amont\na,100\n")),
        ValidationError,
        ("u.csv: unknown CSV column 'amont'",),
    ),
    Case(
        "rec-csv-extra-cell",
        lambda c: c.vf.orders.import_orders(c.file("e.csv", "source_id,amount\na,1\nb,2,3\n")),
        ImportValidationError,
        ("e.csv:3: invalid order: more cells than header columns", "(nothing was sent)"),
        check=_record(expect_line=3),
    ),
    Case(
        "rec-csv-missing-cell",
        lambda c: c.vf.orders.import_orders(
            c.file("s.csv", "source_id,amount,metadata.note\na,1,gift\nb,2\n")
        ),
        ImportValidationError,
        ("s.csv:3:", "(nothing was sent)"),
    ),
    Case(
        "rec-csv-items-not-json",
        lambda c: c.vf.orders.import_orders(c.file("i.csv", "source_id,items\na,[{oops\n")),
        ImportValidationError,
        ("i.csv:2:", "items: not a JSON array"),
        check=_record(expect_line=2),
    ),
    Case(
        "rec-csv-amount-not-integer",
        lambda c: c.vf.orders.import_orders(c.file("n.csv", "source_id,amount\na,12.50\n")),
        ImportValidationError,
        ("n.csv:2:", 'amount: "12.50" is not of type "integer"'),
        check=_record(expect_line=2),
    ),
    Case(
        "rec-csv-latin1",
        lambda c: c.vf.orders.import_orders(c.latin1("l.csv", "source_id,metadata.name\na,ok\nb,Jos\xe9\n")),
        ImportValidationError,
        ("l.csv:3: invalid order: not UTF-8 text (byte 0xe9 at column 6)", "(nothing was sent)"),
        check=_record(expect_line=3),
    ),
    Case(
        "rec-csv-latin1-header",
        lambda c: c.vf.orders.import_orders(c.latin1("h.csv", "source_id,metadata.caf\xe9\na,1\n")),
        ValidationError,
        ("h.csv:1: the CSV header row is not UTF-8 text (byte 0xe9",),
    ),
    Case(
        "rec-csv-items-too-deep",
        lambda c: c.vf.orders.import_orders(c.file("d.csv", f"source_id,items\na,{_nested_text(5000)}\n")),
        ImportValidationError,
        ("d.csv:2:", "items: nested too deeply to decode as JSON"),
        check=_record(expect_line=2),
    ),
    Case(
        "rec-jsonl-latin1",
        lambda c: c.vf.orders.import_orders(
            c.latin1("l.jsonl", '{"source_id": "a", "metadata": {"n": "Jos\xe9"}}\n')
        ),
        ImportValidationError,
        ("l.jsonl:1: invalid order: not UTF-8 text (byte 0xe9 at column 42)", "save the file as UTF-8"),
        check=_record(expect_line=1),
    ),
    Case(
        "rec-jsonl-5000-deep",
        lambda c: c.vf.orders.import_orders(
            c.file(
                "d.jsonl",
                '{"source_id": "a"}\n{"source_id": "b", "metadata": {"x": ' + _nested_text(5000) + "}}\n",
            )
        ),
        ImportValidationError,
        ("d.jsonl:2: invalid order: nested too deeply to decode as JSON", "(nothing was sent)"),
        check=_record(expect_line=2),
    ),
    Case(
        "rec-jsonl-nan",
        lambda c: c.vf.orders.import_orders(
            c.file("n.jsonl", '{"source_id": "a", "metadata": {"x": NaN}}\n')
        ),
        ImportValidationError,
        ("n.jsonl:1:", "NaN is not valid JSON"),
        check=_record(expect_line=1),
    ),
    Case(
        "rec-file-missing",
        lambda c: c.vf.orders.import_orders(c.tmp / "absent.jsonl"),
        ValidationError,
        ("absent.jsonl: no such file",),
    ),
    # ------------------------------------------------------------ server replies
    Case(
        "reply-truncated-json",
        _truncated,
        APIResponseError,
        ("the response body was cut off after status 200", "GET /v1/orders/t-1"),
        sent=None,
    ),
    Case(
        "reply-invalid-json",
        _invalid_json,
        APIResponseError,
        ("the response body is not valid JSON", "status=200"),
        sent=None,
        check=_excerpt_kept,
    ),
    Case(
        "reply-invalid-json-on-a-write",
        _invalid_json_on_write,
        APIResponseError,
        ("not valid JSON", "the server accepted the POST (status 200)", "the write was applied"),
        sent=None,
    ),
    Case(
        "reply-html-error-page",
        _html,
        ServerError,
        ("502", "not Voucherify's JSON error", "Bad Gateway"),
        sent=None,
        check=lambda e, c: isinstance(e, APIResponseError) or pytest.fail("not an APIResponseError"),
    ),
    Case(
        "reply-truncated-list-page",
        _truncated_list,
        APIResponseError,
        ("cut off", "page=1"),
        sent=None,
    ),
    Case(
        "reply-wrong-content-type",
        lambda c: _mocked(content=b"<html><body>Welcome</body></html>", ctype="text/html").orders.get(
            "web-1"
        ),
        APIResponseError,
        ("not valid JSON", "<html>"),
        sent=None,
        check=_excerpt_kept,
    ),
    Case(
        "reply-empty-body-on-200",
        lambda c: _mocked(content=b"", ctype="application/json").orders.get("web-1"),
        APIResponseError,
        ("not valid JSON", "status=200"),
        sent=None,
    ),
    Case(
        "reply-200-with-error-object",
        lambda c: _mocked(
            {"code": 400, "key": "invalid_payload", "message": "Invalid payload", "request_id": "v-0123"}
        ).orders.get("web-1"),
        APIResponseError,
        ("invalid_payload",),
        sent=None,
    ),
    Case(
        "reply-field-wrong-type",
        lambda c: _mocked({**ORDER, "amount": "500"}).orders.get("web-1"),
        APIResponseError,
        ("field 'amount' should be int, got str",),
        sent=None,
        check=_status_field,
    ),
    Case(
        "reply-array-not-object",
        lambda c: _mocked([ORDER]).orders.get("web-1"),
        APIResponseError,
        ("does not match the spec",),
        sent=None,
    ),
    Case(
        "reply-list-items-null",
        lambda c: list(
            _mocked({"object": "list", "data_ref": "orders", "orders": None, "total": 3}).orders.iter()
        ),
        APIResponseError,
        ("does not match the spec",),
        sent=None,
    ),
    Case(
        "reply-404-html",
        lambda c: _mocked(status=404, content=b"<html>not here</html>", ctype="text/html").orders.get("x"),
        NotFoundError,
        ("404", "not Voucherify's JSON error"),
        sent=None,
        check=lambda e, c: isinstance(e, APIResponseError) or pytest.fail("not an APIResponseError"),
    ),
    Case(
        "reply-500-empty-body",
        lambda c: _mocked(status=500, content=b"").orders.get("x"),
        ServerError,
        ("500",),
        sent=None,
    ),
    Case(
        "reply-401-wrong-token",
        lambda c: _vf(app_id=c.sb.app_id, app_token="wrong-s3cret", base_url=c.sb.url).orders.get("x"),
        AuthenticationError,
        ("401", "Unauthorized"),
        sent=None,
        check=_no_secret,
    ),
]

# an unknown enum value is the one malformed-looking reply that must NOT raise
NOT_ERRORS = [("reply-unknown-enum-value-kept", _unknown_enum_kept)]


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) + len(NOT_ERRORS) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    kinds = {c.id.split("-")[0] for c in CASES}
    assert kinds == {"arg", "rec", "reply"}


@pytest.fixture
def ctx(voucherify_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ctx]:
    sb = voucherify_sandbox
    sb.set_import_speed(1_000_000)
    with Voucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, max_retries=0) as vf:
        yield Ctx(sb=sb, vf=vf, tmp=tmp_path, monkeypatch=monkeypatch)
    sb.clear_faults()


@pytest.mark.parametrize("case", _params())
def test_bad_input(case: Case, ctx: Ctx) -> None:
    before = ctx.sb.request_count()
    with pytest.raises(case.error) as info:
        case.run(ctx)
    exc = info.value
    assert isinstance(exc, VoucherifyError), f"{type(exc).__name__} is not a VoucherifyError"
    text = str(exc)
    for fragment in case.fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    if case.sent == "nothing":
        assert ctx.sb.request_count() == before, "refused input, yet a request reached the sandbox"
    if case.check is not None:
        case.check(exc, ctx)


@pytest.mark.parametrize(("name", "run"), NOT_ERRORS, ids=[n for n, _ in NOT_ERRORS])
def test_tolerated_reply(name: str, run: Callable[[Ctx], Any], ctx: Ctx) -> None:
    run(ctx)
