"""A spec change reaches the sandbox with no change to its code (issue 14, point 3).

The spec is patched in a temporary copy: a new optional order field (``channel_note``, on the
request's ``OrderBase`` and the response's ``OrderCalculated``) and a new order status
(``ON_HOLD``). The real generator regenerates the client from it into a temporary folder
(``scripts/generate.py --spec --output``), a sandbox process starts on loopback from the same
patched spec (``python -m voucherify_ext.sandbox --spec``), and the regenerated client round-trips
an order carrying both: create, get, list, two partial updates, and an import. The regenerated
package is also called ``voucherify_client``, so the client side runs in its own interpreter with
the temporary folder first on ``sys.path``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from voucherify_ext.sandbox import DEFAULT_APP_ID, DEFAULT_APP_TOKEN
from voucherify_ext.sandbox.process import run_process
from voucherify_ext.sandbox.spec_model import load_model

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "voucherify-orders.yaml"
NEW_FIELD = "channel_note"
NEW_STATUS = "ON_HOLD"


def patched_spec(target: Path) -> Path:
    """The repository's spec plus ``channel_note`` (request and response) and ``ON_HOLD``."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schemas["OrderStatus"]["enum"].append(NEW_STATUS)
    note = {"type": "string", "description": "A note from the sales channel."}
    schemas["OrderBase"]["properties"][NEW_FIELD] = note
    schemas["OrderCalculated"]["properties"][NEW_FIELD] = note
    target.write_text(json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


CLIENT = r"""
import json, sys, time
out_dir, base_url, app_id, app_token = sys.argv[1:5]
sys.path.insert(0, out_dir)
import voucherify_client
assert voucherify_client.__file__.startswith(out_dir), voucherify_client.__file__
from voucherify_client import AuthenticatedClient
from voucherify_client.api.async_actions import get_async_action
from voucherify_client.api.orders import create_order, get_order, import_orders, list_orders, update_order
from voucherify_client.models import (
    OrdersCreateRequestBody, OrdersImportCreateRequestBodyItem, OrdersUpdateRequestBody, OrderStatus,
)

client = AuthenticatedClient(
    base_url=base_url, token=app_token, prefix="", auth_header_name="X-App-Token",
    headers={"X-App-Id": app_id},
)
seen = {"status_member": OrderStatus("ON_HOLD").value}


def check(response):
    assert response.status_code == 200, (response.status_code, response.content)
    return response.parsed


body = OrdersCreateRequestBody.from_dict(
    {"source_id": "patched-1", "status": "ON_HOLD", "channel_note": "leave at the door",
     "items": [{"price": 250, "quantity": 2}]}
)
assert body.to_dict()["channel_note"] == "leave at the door"
created = check(create_order.sync_detailed(client=client, body=body))
seen["created"] = [created.status, created.channel_note, created.amount]
got = check(get_order.sync_detailed(created.id, client=client))
seen["got"] = [got.status, got.channel_note]
page = check(list_orders.sync_detailed(client=client, limit=100))
listed = [o for o in page.orders if o.id == created.id]
seen["listed"] = [(o.status, o.channel_note) for o in listed]
kept = check(update_order.sync_detailed(
    created.id, client=client, body=OrdersUpdateRequestBody.from_dict({"channel_note": "ring twice"})))
seen["note_updated"] = [kept.status, kept.channel_note]
paid = check(update_order.sync_detailed(
    created.id, client=client, body=OrdersUpdateRequestBody.from_dict({"status": "PAID"})))
seen["status_updated"] = [paid.status, paid.channel_note]
item = OrdersImportCreateRequestBodyItem.from_dict(
    {"source_id": "patched-2", "status": "ON_HOLD", "channel_note": "imported", "amount": 900})
action = check(import_orders.sync_detailed(client=client, body=[item]))
for _ in range(200):
    state = check(get_async_action.sync_detailed(action.async_action_id, client=client))
    if state.status == "DONE":
        break
    time.sleep(0.02)
seen["import"] = [state.status, state.result.to_dict()]
imported = check(get_order.sync_detailed("patched-2", client=client))
seen["imported"] = [imported.status, imported.channel_note]
print(json.dumps(seen))
"""


def test_a_patched_spec_reaches_a_regenerated_client_through_the_sandbox(tmp_path: Path) -> None:
    started = time.perf_counter()
    spec = patched_spec(tmp_path / "patched.json")
    generation = subprocess.run(
        [sys.executable, "scripts/generate.py", "--spec", str(spec), "--output", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert generation.returncode == 0, generation.stdout + generation.stderr
    generated = time.perf_counter()
    with run_process("--spec", str(spec), log=tmp_path / "sandbox.log") as sandbox:
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                CLIENT,
                str(tmp_path / "out"),
                sandbox.url,
                DEFAULT_APP_ID,
                DEFAULT_APP_TOKEN,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    seen: dict[str, Any] = json.loads(run.stdout)
    assert seen["status_member"] == NEW_STATUS
    assert seen["created"] == [NEW_STATUS, "leave at the door", 500]
    assert seen["got"] == [NEW_STATUS, "leave at the door"]
    assert seen["listed"] == [[NEW_STATUS, "leave at the door"]]
    assert seen["note_updated"] == [NEW_STATUS, "ring twice"]  # the status stays as it was
    assert seen["status_updated"] == ["PAID", "ring twice"]  # the note stays as it was
    assert seen["import"][0] == "DONE" and seen["import"][1]["done_count"] == 1
    assert seen["imported"] == [NEW_STATUS, "imported"]
    print(f"spec patch: generate {generated - started:.1f} s, total {time.perf_counter() - started:.1f} s")


def test_the_bundled_spec_knows_neither_patch(tmp_path: Path) -> None:
    """The patch is new: the sandbox's own spec has neither the field nor the status, so the test
    above proves that they came from the patched spec."""
    bundled = load_model()
    assert NEW_STATUS not in bundled.order_statuses and NEW_FIELD not in bundled.order_request_fields
    patched = load_model(patched_spec(tmp_path / "patched.json"))
    assert NEW_STATUS in patched.order_statuses
    assert NEW_FIELD in patched.order_request_fields and NEW_FIELD in patched.order_response_fields


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_the_sandbox_reads_the_spec_as_yaml_or_json(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / f"spec{suffix}"
    if suffix == ".yaml":
        source.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        patched_spec(source)
    assert load_model(source).max_items == 500


def test_the_pytest_plugin_serves_the_spec_its_ini_names(tmp_path: Path) -> None:
    """``voucherify_sandbox_spec`` in a suite's ini makes the plugin's sandbox follow that spec."""
    patched_spec(tmp_path / "patched.json")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nvoucherify_sandbox_spec = patched.json\n", encoding="utf-8"
    )
    (tmp_path / "test_team.py").write_text(
        "import httpx\n\n"
        "def test_on_hold(voucherify_sandbox):\n"
        "    body = {'status': 'ON_HOLD', 'channel_note': 'n'}\n"
        "    sb = voucherify_sandbox\n"
        "    r = httpx.post(sb.url + '/v1/orders', json=body, headers=sb.headers)\n"
        "    assert r.status_code == 200 and r.json()['channel_note'] == 'n', r.text\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_team.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
