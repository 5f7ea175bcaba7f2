"""Error hierarchy, messages, redaction helpers and secret-holding objects."""

from __future__ import annotations

import json
import logging

import pytest

from voucherify_ext import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    VoucherifyError,
)
from voucherify_ext.auth import AppKeys, OAuthTokenProvider, Secret, StaticToken
from voucherify_ext.errors import error_for_status
from voucherify_ext.logs import RedactingFilter, redact, redact_headers
from voucherify_ext.responses import api_error


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
        (403, APIError),
        (405, APIError),
        (423, APIError),
    ],
)
def test_error_for_status(status: int, cls: type[APIError]) -> None:
    assert error_for_status(status) is cls
    assert issubclass(cls, APIError) and issubclass(cls, VoucherifyError)


def test_hierarchy() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, VoucherifyError)
    assert issubclass(APIResponseError, VoucherifyError)
    assert issubclass(ConfigurationError, ValueError)


def test_api_error_from_voucherify_body() -> None:
    body = {
        "code": 404,
        "key": "not_found",
        "message": "Resource not found",
        "details": "Cannot find order with id ord_x",
        "request_id": "v-0c34c9a4a4d0dd2d35",
        "resource_id": "ord_x",
        "resource_type": "order",
    }
    err = api_error(404, json.dumps(body).encode(), {}, method="GET", path="/v1/orders/ord_x", attempts=1)
    assert isinstance(err, NotFoundError)
    assert (err.status_code, err.code, err.key, err.message) == (404, 404, "not_found", "Resource not found")
    assert (err.request_id, err.resource_id, err.resource_type) == ("v-0c34c9a4a4d0dd2d35", "ord_x", "order")
    assert err.details == "Cannot find order with id ord_x"
    assert err.attempts == 1
    text = str(err)
    for part in (
        "404",
        "not_found",
        "Resource not found",
        "Cannot find order",
        "v-0c34c9a4a4d0dd2d35",
        "attempts=1",
    ):
        assert part in text


def test_api_error_tolerates_odd_bodies() -> None:
    err = api_error(502, b"<html><body>Bad gateway</body></html>", {})
    # both: `except ServerError` (an outage) and `except APIResponseError` (not the spec's JSON)
    assert isinstance(err, ServerError) and isinstance(err, APIResponseError)
    assert type(err).__name__ == "ServerError" and err.status_code == 502
    assert err.excerpt and "Bad gateway" in err.excerpt
    assert "not Voucherify's JSON error" in str(err) and "Bad gateway" in str(err)
    err = api_error(401, b"<html>denied</html>", {})
    assert isinstance(err, AuthenticationError) and isinstance(err, APIResponseError)
    json_err = api_error(503, b'{"code": 503, "message": "down"}', {})
    assert isinstance(json_err, ServerError) and not isinstance(json_err, APIResponseError)
    err = api_error(400, json.dumps({"code": "x", "message": 5, "key": ["k"]}).encode(), {})
    assert isinstance(err, BadRequestError) and err.code is None and err.key is None
    assert str(err).startswith("400")
    err = api_error(429, b"", {"retry-after": "7"})
    assert isinstance(err, RateLimitError) and err.retry_after == 7.0


def test_outcome_unknown_is_stated() -> None:
    err = APIConnectionError(
        "RemoteProtocolError: dropped",
        method="POST",
        path="/v1/orders",
        attempts=1,
        outcome_unknown=True,
        not_retried_reason="the request is not idempotent",
    )
    text = str(err)
    assert "Outcome unknown" in text and "Not retried: the request is not idempotent" in text


def test_response_error_names_field_and_excerpt() -> None:
    err = APIResponseError("bad", status_code=200, field="amount", excerpt='{"amount": "12"}')
    assert "field=amount" in str(err) and "status=200" in str(err) and '"amount"' in str(err)


SECRET = "s3cr3t-Planted-Value"


@pytest.mark.parametrize(
    "text",
    [
        f"https://download.voucherify.io/v1/exports/exp_1?token={SECRET}",
        f"https://download.voucherify.io/v1/exports/exp_1?a=1&token={SECRET}&b=2",
        f"Authorization: Bearer {SECRET}",
        f"{{'X-App-Token': '{SECRET}'}}",
        f'{{"access_token": "{SECRET}"}}',
        f"x-app-token={SECRET}",
    ],
)
def test_redact(text: str) -> None:
    assert SECRET not in redact(text)


def test_redact_leaves_ordinary_text() -> None:
    assert redact("GET /v1/orders?page=2&limit=10") == "GET /v1/orders?page=2&limit=10"


def test_redact_headers() -> None:
    out = redact_headers({"X-App-Token": SECRET, "Authorization": f"Bearer {SECRET}", "X-App-Id": "id"})
    assert SECRET not in repr(out) and out["X-App-Id"] == "id"


def test_redacting_filter_rewrites_records() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: GET %s", (f"https://h/x?token={SECRET}",), None
    )
    RedactingFilter().filter(record)
    assert SECRET not in record.getMessage()


def test_secret_holders_never_show_the_value() -> None:
    for obj in (
        Secret(SECRET),
        AppKeys("app", SECRET),
        StaticToken(SECRET),
        OAuthTokenProvider(AppKeys("app", SECRET), ["api"]),
    ):
        assert SECRET not in repr(obj) and SECRET not in str(obj) and SECRET not in f"{obj}"
    assert Secret(SECRET).reveal() == SECRET


def test_error_messages_are_redacted() -> None:
    err = APIConnectionError(f"failed for https://h/?token={SECRET}", path=f"/v1/exports/e?token={SECRET}")
    assert SECRET not in str(err) and SECRET not in repr(err)
