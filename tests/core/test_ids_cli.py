"""``voucherify-orders orders get .`` addresses the order whose id or source_id is ``.``: it
printed the order list (``GET /v1/orders``) and exited 0."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voucherify_ext.sandbox import Sandbox

CLI = shutil.which("voucherify-orders", path=str(Path(sys.executable).parent))


def run(sandbox: Sandbox, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    assert CLI is not None, f"voucherify-orders is not installed next to {sys.executable}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHERIFY_")}
    env.update(
        VOUCHERIFY_API_URL=sandbox.url,
        VOUCHERIFY_APP_ID=sandbox.app_id,
        VOUCHERIFY_APP_TOKEN=sandbox.app_token,
        NO_COLOR="1",
    )
    return subprocess.run([CLI, *args], input=input, capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("dots", [".", ".."])
def test_cli_get_dots_is_that_order_or_not_found_never_the_list(sandbox: Sandbox, dots: str) -> None:
    sandbox.seed_orders(3)
    missing = run(sandbox, "orders", "get", dots)
    assert (missing.returncode, missing.stdout) == (1, ""), missing.stdout
    assert "NotFoundError" in missing.stderr
    assert sandbox.request_count("GET", "/v1/orders") == 0, "the list was fetched"

    created = run(sandbox, "orders", "create", "-", input=json.dumps({"source_id": dots, "amount": 42}))
    assert created.returncode == 0, created.stderr
    got = run(sandbox, "orders", "get", dots)
    assert got.returncode == 0, got.stderr
    order = json.loads(got.stdout)
    expected = ("order", json.loads(created.stdout)["id"], dots)
    assert (order["object"], order["id"], order["source_id"]) == expected
