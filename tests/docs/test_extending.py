"""docs/extending.md, proven: the page's YAML is added to a copy of the spec, the real generator
(pinned openapi-python-client, our config and template) writes a fresh package from it, and the
page's Python blocks run against a sandbox that serves the new route.

The fresh package is generated under another name (``voucherify_client_ext_demo``) so it can
sit next to the installed ``voucherify_client``; the blocks' ``voucherify_client`` imports are
pointed at it. The sandbox does not implement ``GET /v1/exports``, so the test mounts a small
Starlette route on it that lists the sandbox's own exports with Voucherify's envelope.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import voucherify_client.models.error
import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from voucherify_ext.sandbox import Sandbox

from .conftest import ROOT, blocks, run_blocks

PAGE = ROOT / "docs" / "extending.md"
PACKAGE = "voucherify_client_ext_demo"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec plus the page's YAML, generated into a fresh package; returns its parent."""
    work = tmp_path_factory.mktemp("extending")
    (addition,) = [yaml.safe_load(b.code) for b in blocks(PAGE, "yaml")]
    spec = yaml.safe_load((ROOT / "openapi" / "voucherify-orders.yaml").read_text(encoding="utf-8"))
    assert not set(addition["paths"]) & set(spec["paths"]), "the page must add a path the spec lacks"
    schemas = addition["components"]["schemas"]
    assert not set(schemas) & set(spec["components"]["schemas"])
    spec["paths"].update(addition["paths"])
    spec["components"]["schemas"].update(schemas)
    spec_path = work / "voucherify-orders.yaml"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")

    config = yaml.safe_load((ROOT / "openapi" / "config.yaml").read_text(encoding="utf-8"))
    config.update(package_name_override=PACKAGE, project_name_override=PACKAGE.replace("_", "-"))
    config_path = work / "config.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")

    out = work / "src" / PACKAGE
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec_path),
            "--config",
            str(config_path),
            "--custom-template-path",
            str(ROOT / "openapi" / "templates"),
            "--meta",
            "none",
            "--output-path",
            str(out),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out.parent


def test_generation_writes_what_the_page_says(generated: Path) -> None:
    package = generated / PACKAGE
    for name in (
        "api/exports/list_exports.py",
        "models/exports_list_response_body.py",
        "models/parameter_order_list_exports.py",
    ):
        assert (package / name).is_file(), name
    assert "def sync_detailed(" in (package / "api/exports/list_exports.py").read_text(encoding="utf-8")


@pytest.fixture
def exports_route(sandbox_env: Sandbox) -> Iterator[list[dict[str, str]]]:
    """GET /v1/exports on the sandbox: its exports, paged and sorted as Voucherify would."""
    seen: list[dict[str, str]] = []
    state = sandbox_env.state

    async def list_exports(request: Request) -> JSONResponse:
        query = dict(request.query_params)
        seen.append(query)
        if (request.headers.get("x-app-id"), request.headers.get("x-app-token")) != (
            state.app_id,
            state.app_token,
        ):
            return JSONResponse({"code": 401, "message": "Unauthorized", "key": "unauthorized"}, 401)
        limit, page = int(query.get("limit", 10)), int(query.get("page", 1))
        order = query.get("order", "-created_at")
        views: list[dict[str, Any]] = [
            state.get_export(export_id, sandbox_env.url) for export_id in state.export_ids()
        ]
        views.sort(key=lambda v: (v[order.lstrip("-")], v["id"]), reverse=order.startswith("-"))
        body = {
            "object": "list",
            "data_ref": "exports",
            "exports": views[(page - 1) * limit : page * limit],
            "total": len(views),
        }
        return JSONResponse(body)

    route = Route("/v1/exports", list_exports, methods=["GET"])
    routes = sandbox_env.app.router.routes
    routes.insert(0, route)
    try:
        yield seen
    finally:
        routes.remove(route)


def test_every_python_block_of_the_page_runs(
    generated: Path,
    exports_route: list[dict[str, str]],
    sandbox_env: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.syspath_prepend(str(generated))
    importlib.invalidate_caches()
    # After `make generate` the new operation's Error is voucherify_client's own Error, the class
    # ext maps to typed errors; the renamed copy would define a twin, so it shares the real one.
    monkeypatch.setitem(sys.modules, f"{PACKAGE}.models.error", voucherify_client.models.error)
    found = blocks(PAGE)
    assert len(found) >= 3 and not any(b.skipped for b in found)
    for block in found:
        block.code = block.code.replace("from voucherify_client.", f"from {PACKAGE}.")
    try:
        namespace = run_blocks(found)
    finally:
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]

    listed = namespace["listed"]
    assert len(listed) == 3  # the three exports the block scheduled
    assert [q["page"] for q in exports_route[:2]] == ["1", "2"]  # page_size=2: two pages
    assert all(q["order"] == "-created_at" and q["limit"] in ("2", "1") for q in exports_route)
    out = capsys.readouterr().out
    assert "DONE" in out and "aa_" in out  # the waiter saw the import's async action finish
    assert sandbox_env.count_orders() == 5
