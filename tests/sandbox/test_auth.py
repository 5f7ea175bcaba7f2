"""Authentication: app keys, OAuth bearer tokens with scopes, and Voucherify's 401 body."""

from __future__ import annotations

import httpx
import pytest

from voucherify_ext.sandbox import DEFAULT_APP_ID, DEFAULT_APP_TOKEN, Sandbox

UNAUTHORIZED = {"code": 401, "message": "Unauthorized", "key": "unauthorized"}


def test_defaults_are_documented_credentials(sb: Sandbox) -> None:
    assert (
        (sb.app_id, sb.app_token)
        == (DEFAULT_APP_ID, DEFAULT_APP_TOKEN)
        == ("sandbox-app-id", "sandbox-app-token")
    )
    assert "sandbox-app-token" not in repr(sb)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-App-Id": DEFAULT_APP_ID},
        {"X-App-Id": DEFAULT_APP_ID, "X-App-Token": "wrong"},
        {"X-App-Id": "other", "X-App-Token": DEFAULT_APP_TOKEN},
        {"Authorization": "Bearer not-a-token"},
    ],
)
def test_bad_credentials_are_401(sb: Sandbox, headers: dict[str, str]) -> None:
    response = httpx.get(sb.url + "/v1/orders", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert "X-Rate-Limit-Limit" in response.headers


def _token(client: httpx.Client, scope: str) -> dict[str, object]:
    response = client.post("/v1/oauth/token", data={"grant_type": "client_credentials", "scope": scope})
    assert response.status_code == 200
    assert response.request.headers["content-type"] == "application/x-www-form-urlencoded"
    token: dict[str, object] = response.json()
    return token


def test_oauth_token_grants_bearer_access_by_scope(client: httpx.Client, sb: Sandbox) -> None:
    token = _token(client, "orders exports")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 900
    assert token["client_id"] == sb.app_id
    assert isinstance(token["expires_at"], int)
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(sb.url + "/v1/orders", headers=bearer).status_code == 200
    assert httpx.post(sb.url + "/v1/orders/export", json={}, headers=bearer).status_code == 200
    assert httpx.get(sb.url + "/v1/async-actions", headers=bearer).status_code == 401
    api = {"Authorization": f"Bearer {_token(client, 'api')['access_token']}"}
    assert httpx.get(sb.url + "/v1/async-actions", headers=api).status_code == 200


def test_token_endpoint_needs_app_keys_and_the_grant(client: httpx.Client, sb: Sandbox) -> None:
    bearer = {"Authorization": f"Bearer {_token(client, 'api')['access_token']}"}
    form = {"grant_type": "client_credentials"}
    assert httpx.post(sb.url + "/v1/oauth/token", data=form, headers=bearer).status_code == 401
    response = client.post("/v1/oauth/token", data={"grant_type": "password"})
    assert response.status_code == 400 and response.json()["key"] == "invalid_payload"


def test_expired_token_is_rejected(client: httpx.Client, sb: Sandbox) -> None:
    token = str(_token(client, "api")["access_token"])
    assert sb.state.token_info(token, now=0) is not None
    assert sb.state.token_info(token, now=4_000_000_000) is None
    assert httpx.get(sb.url + "/v1/orders", headers={"Authorization": f"Bearer {token}"}).status_code == 401
