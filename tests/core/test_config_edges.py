"""Configuration edges: timeouts and proxies checked at construction, NO_PROXY read as curl and
requests read it, a base URL ending in /v1, VOUCHERIFY_LOG typos, models with unknown keys."""

from __future__ import annotations

import math
import urllib.request
import warnings
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from voucherify_client.models import OrdersCreateRequestBody, OrdersUpdateRequestBody

from voucherify_ext import ConfigurationError, ValidationError, Voucherify, VoucherifyError
from voucherify_ext import logs as logs_module
from voucherify_ext.config import bypasses_proxy, resolve_config
from voucherify_ext.sandbox import Sandbox

KEYS = {"app_id": "id", "app_token": "tok"}

# -- timeouts --------------------------------------------------------------------------------------

BAD_TIMEOUTS: list[Any] = [
    -1,
    -0.5,
    0,
    math.nan,
    math.inf,
    -math.inf,
    1e300,
    10**400,
    "5",
    True,
    [5],
    httpx.Timeout(5, read=-1),
    httpx.Timeout(5, connect=math.inf),
    httpx.Timeout(5, pool=math.nan),
]


@pytest.mark.parametrize("bad", BAD_TIMEOUTS, ids=repr)
def test_a_bad_timeout_is_refused_at_construction(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        Voucherify(timeout=bad, **KEYS)


@pytest.mark.parametrize("bad", BAD_TIMEOUTS, ids=repr)
def test_a_bad_timeout_is_refused_by_with_options(bad: Any) -> None:
    with Voucherify(**KEYS) as vf, pytest.raises(ConfigurationError, match="timeout"):
        vf.with_options(timeout=bad)


def test_the_timeout_error_names_the_part() -> None:
    with pytest.raises(ConfigurationError, match=r"timeout\.read"):
        Voucherify(timeout=httpx.Timeout(5, read=-1), **KEYS)


_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(min_value=0.05, max_value=1e9),
)
_timeout_parts = st.one_of(st.none(), _numbers)
_timeouts = st.one_of(
    _numbers,
    st.none(),
    st.builds(
        httpx.Timeout, _timeout_parts, connect=_timeout_parts, read=_timeout_parts, pool=_timeout_parts
    ),
    st.text(max_size=3),
    st.booleans(),
    st.lists(st.integers(), max_size=1),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(timeout=_timeouts)
def test_any_timeout_is_refused_at_construction_or_works(sandbox_session: Sandbox, timeout: Any) -> None:
    """Never a raw error at request time (it used to be OverflowError for inf, ValueError for
    -1 or nan on every request): either construction refuses it, naming ``timeout``, or a
    request gets its answer (or, for a timeout too short to connect, a typed error)."""
    sb = sandbox_session
    try:
        vf = Voucherify(
            app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, timeout=timeout, max_retries=0
        )
    except ConfigurationError as exc:
        assert "timeout" in str(exc)
        return
    try:
        vf.orders.create({"source_id": "timeout-probe", "amount": 1})
    except VoucherifyError:
        pass  # typed: a timeout of a microsecond may well expire
    finally:
        vf.close()


# -- proxies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://proxy.internal:21",
        "http://",
        "http://proxy.internal:port",
        "http://proxy.internal:99999",
        "://x",
    ],
)
def test_a_bad_https_proxy_is_refused_at_construction(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    for name in ("NO_PROXY", "no_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", bad)
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY"):
        Voucherify(**KEYS)


def test_a_bad_proxy_argument_is_refused_and_hides_its_password() -> None:
    with pytest.raises(ConfigurationError, match="proxy") as info:
        Voucherify(proxy="ftp://user:s3cr3t-pw@proxy.internal:21", trust_env=False, **KEYS)
    assert "s3cr3t-pw" not in str(info.value)
    with pytest.raises(ConfigurationError, match="proxy must be"):
        Voucherify(proxy=3128, trust_env=False, **KEYS)  # type: ignore[arg-type]


def test_a_proxy_without_scheme_is_http_as_curl_reads_it() -> None:
    env = {"HTTPS_PROXY": "proxy.internal:3128"}
    assert resolve_config(environ=env, **KEYS).proxy == "http://proxy.internal:3128"


def test_lowercase_proxy_variables_win_as_in_curl() -> None:
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}
    assert resolve_config(environ=env, **KEYS).proxy == "http://lower:2"
    env = {"https_proxy": "http://lower:2", "HTTPS_PROXY": "http://upper:1"}
    assert resolve_config(environ=env, **KEYS).proxy == "http://lower:2"


@pytest.mark.parametrize(
    ("no_proxy", "direct"),
    [
        ("api.voucherify.io:443", True),
        ("api.voucherify.io:8443", False),
        ("*.voucherify.io", True),
        (".voucherify.io", True),
        ("voucherify.io", True),
        ("example.com, *.voucherify.io", True),
        ("oucherify.io", False),  # a suffix is matched on label boundaries only
        ("*", True),
        ("", False),
    ],
)
def test_no_proxy_entries_as_curl_reads_them(no_proxy: str, direct: bool) -> None:
    env = {"HTTPS_PROXY": "http://proxy.internal:3128", "NO_PROXY": no_proxy}
    proxy = resolve_config(environ=env, **KEYS).proxy
    assert (proxy is None) is direct


@pytest.mark.parametrize(
    ("host", "entry", "direct"),
    [
        ("10.1.2.3", "10.0.0.0/8", True),
        ("11.1.2.3", "10.0.0.0/8", False),
        ("10.1.2.3", "10.1.2.3", True),
        ("2001:db8::5", "2001:db8::/32", True),
        ("2001:db8::5", "[2001:db8::5]:443", True),
        ("2001:db8::5", "[2001:db8::5]:80", False),
        ("api.voucherify.io", "10.0.0.0/8", False),
    ],
)
def test_no_proxy_ip_and_cidr_entries(host: str, entry: str, direct: bool) -> None:
    assert bypasses_proxy(host, 443, entry) is direct


_label = st.text("abcAB", min_size=1, max_size=2)
_name = st.lists(_label, min_size=1, max_size=3).map(".".join)
_port = st.sampled_from([80, 443, 8443])
_entry = st.tuples(st.sampled_from(["", ".", ".."]), _name, st.one_of(st.none(), _port)).map(
    lambda t: f"{t[0]}{t[1]}" + (f":{t[2]}" if t[2] is not None else "")
)


@settings(max_examples=400, deadline=None)
@given(host=_name, port=_port, entries=st.lists(_entry, max_size=4), spaces=st.booleans())
def test_no_proxy_matches_the_standard_library(
    host: str, port: int, entries: list[str], spaces: bool
) -> None:
    """Against urllib's reading (what requests builds on) for host names, ports and leading
    dots: the same answer for every host and list."""
    no_proxy = (", " if spaces else ",").join(entries)
    expected = urllib.request.proxy_bypass_environment(f"{host}:{port}", {"no": no_proxy})  # type: ignore[attr-defined]
    assert bypasses_proxy(host, port, no_proxy) == bool(expected)


@settings(max_examples=200, deadline=None)
@given(host=_name, port=_port, entries=st.lists(_entry, min_size=1, max_size=4))
def test_a_star_dot_entry_means_the_same_as_a_leading_dot(host: str, port: int, entries: list[str]) -> None:
    dotted = ",".join(entries)
    starred = ",".join("*." + entry.lstrip(".") for entry in entries)
    assert bypasses_proxy(host, port, starred) == bypasses_proxy(host, port, dotted)


# -- base URL --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "/V1"])
def test_a_base_url_ending_in_v1_is_the_host(suffix: str) -> None:
    config = resolve_config(base_url="https://api.voucherify.io" + suffix, environ={}, **KEYS)
    assert config.base_url == "https://api.voucherify.io"
    config = resolve_config(base_url="https://gw.example.com/voucherify" + suffix, environ={}, **KEYS)
    assert config.base_url == "https://gw.example.com/voucherify"


def test_a_base_url_ending_in_v1_reaches_the_api(sandbox: Sandbox) -> None:
    with Voucherify(app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url + "/v1/") as vf:
        created = vf.orders.create({"source_id": "v1-base", "amount": 5})
        assert vf.orders.get("v1-base").id == created.id
    assert sandbox.request_count("POST", "/v1/orders") == 1


def test_a_host_named_v1_is_left_alone() -> None:
    assert resolve_config(base_url="https://v1", environ={}, **KEYS).base_url == "https://v1"
    assert resolve_config(base_url="https://x.io/v10", environ={}, **KEYS).base_url == "https://x.io/v10"


# -- VOUCHERIFY_LOG --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["verbose", "warn", "1"])
def test_an_unknown_voucherify_log_value_is_warned_about(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("VOUCHERIFY_LOG", value)
    monkeypatch.setattr(logs_module, "_setup_done", False)
    with pytest.warns(UserWarning, match="VOUCHERIFY_LOG") as caught:
        Voucherify(**KEYS).close()
    text = str(caught[0].message)
    assert repr(value) in text and "debug" in text and "info" in text


@pytest.mark.parametrize("value", ["", "info", "DEBUG"])
def test_a_valid_voucherify_log_value_is_not_warned_about(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("VOUCHERIFY_LOG", value)
    monkeypatch.setattr(logs_module, "_setup_done", False)
    level, handlers = logs_module.logger.level, list(logs_module.logger.handlers)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            Voucherify(**KEYS).close()
    finally:
        logs_module.logger.setLevel(level)
        logs_module.logger.handlers[:] = handlers


# -- models with unknown keys ----------------------------------------------------------------------


def test_a_model_with_unknown_keys_is_refused_like_a_dict(sandbox: Sandbox) -> None:
    with Voucherify(app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url) as vf:
        as_dict = {"source_id": "m-1", "amout": 5}
        model = OrdersCreateRequestBody.from_dict(as_dict)
        assert model.additional_properties == {"amout": 5}
        with pytest.raises(ValidationError) as from_dict:
            vf.orders.create(as_dict)
        with pytest.raises(ValidationError) as from_model:
            vf.orders.create(model)
        assert str(from_model.value) == str(from_dict.value) and from_model.value.path == "amout"
        with pytest.raises(ValidationError, match="amout"):
            vf.orders.update("m-1", OrdersUpdateRequestBody.from_dict({"amout": 5}))
        assert sandbox.request_count("POST", "/v1/orders") == 0
        created = vf.orders.create(model, allow_unknown_fields=True)  # the opt-out still works
        assert created.source_id == "m-1"


def test_a_nested_unknown_key_in_a_model_is_refused() -> None:
    with Voucherify(**KEYS) as vf:
        model = OrdersCreateRequestBody.from_dict({"customer": {"emial": "a@b.c"}})
        with pytest.raises(ValidationError) as info:
            vf.orders.create(model)
        assert info.value.path == "customer.emial"
