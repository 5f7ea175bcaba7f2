"""Structured logs: the transport's records carry ``extra=`` fields (``logs.LOG_FIELDS``) that
a JSON handler can emit, against the sandbox with injected 503s and 429s, and no planted secret
appears in any field (string fields are redacted like the message)."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator

import pytest

from voucherify_ext import Voucherify
from voucherify_ext.errors import NotFoundError
from voucherify_ext.logs import LOG_FIELDS, remember_secret
from voucherify_ext.sandbox import Sandbox, serve

APP_TOKEN = f"PLANTED-app-token-{secrets.token_hex(12)}"
PATH_SECRET = f"PLANTED-path-{secrets.token_hex(12)}"


class JSONCapture(logging.Handler):
    """Each record as the JSON line a structured handler would write (message + fields)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = {k: getattr(record, k) for k in LOG_FIELDS if hasattr(record, k)}
        self.lines.append({"message": record.getMessage(), **fields})


@pytest.fixture
def capture() -> Iterator[JSONCapture]:
    handler = JSONCapture()
    log = logging.getLogger("voucherify")
    old = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    yield handler
    log.removeHandler(handler)
    log.setLevel(old)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(app_token=APP_TOKEN) as sb:
        yield sb


def test_retries_and_429s_carry_their_fields_without_secrets(sandbox: Sandbox, capture: JSONCapture) -> None:
    remember_secret(PATH_SECRET)
    with Voucherify(
        app_id=sandbox.app_id, app_token=APP_TOKEN, base_url=sandbox.url, sleep=lambda s: None, max_retries=3
    ) as vf:
        order = vf.orders.create({"source_id": "obs-1", "amount": 1})
        sandbox.inject("status", status=503, method="GET", times=1)
        sandbox.inject("status", status=429, method="GET", times=1)
        assert vf.orders.get(order.id).id == order.id
        with pytest.raises(NotFoundError):
            vf.orders.get(PATH_SECRET)  # the secret travels in the path
    text = json.dumps(capture.lines)
    assert APP_TOKEN not in text and PATH_SECRET not in text
    retries = [line for line in capture.lines if "delay_s" in line]
    assert [line["outcome"] for line in retries] == ["503", "429"]
    assert [line["attempt"] for line in retries] == [1, 2]
    assert all(line["http_method"] == "GET" and isinstance(line["delay_s"], float) for line in retries)
    final = [line for line in capture.lines if "http_status" in line and "elapsed_ms" in line]
    by_status = {line["http_status"]: line for line in final}
    assert by_status[200]["attempt"] == 3 and by_status[200]["http_path"] == f"/v1/orders/{order.id}"
    assert by_status[404]["http_path"] == "/v1/orders/[REDACTED]"
    assert isinstance(by_status[404]["elapsed_ms"], float)
