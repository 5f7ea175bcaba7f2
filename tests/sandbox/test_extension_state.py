"""An extension's data like the sandbox's own: emptied by reset(), kept by save/load and restart
(also when the state file is loaded without the extension), and the command line's
``--extension module:attr``."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest

from voucherify_ext.sandbox import (
    ManualClock,
    Resource,
    SandboxConfig,
    SandboxError,
    SandboxExtension,
    SandboxState,
    create_app,
    load_extensions,
    serve,
)
from voucherify_ext.sandbox.__main__ import main as sandbox_main
from voucherify_ext.sandbox.process import run_process

from .test_extension import CUSTOMERS, EXTENSION


def test_reset_empties_the_resources_and_save_and_restart_keep_them(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    clock = ManualClock()
    with serve(extensions=[EXTENSION], clock=clock, import_speed=1) as sb:
        sb.seed_resource("customers", [{"source_id": "gone"}])
        sb.reset()
        assert sb.resource_items("customers") == []
        (kept,) = sb.seed_resource("customers", [{"source_id": "kept", "name": "K"}])
        action = sb.state.enqueue_action(
            "CUSTOMERS.BULK_UPDATE", [{"source_id": "a"}, {"source_id": "b"}], resource="customers"
        )
        clock.advance(1.5)  # one of the two items applied
        assert [c["source_id"] for c in sb.resource_items("customers")] == ["kept", "a"]
        sb.save(path)
        sb.seed_resource("customers", [{"source_id": "after-the-save"}])
        sb.restart(path)
        assert [c["source_id"] for c in sb.resource_items("customers")] == ["kept", "a"]
        assert sb.state.get_resource("customers", "kept")["id"] == kept
        clock.advance(1.0)  # the action goes on after the restart
        assert [c["source_id"] for c in sb.resource_items("customers")] == ["kept", "a", "b"]
        assert sb.state.get_async_action(action)["result"]["done_count"] == 2
        (new,) = sb.seed_resource("customers", [{"source_id": "new"}])
        assert new != kept and new.startswith("cust_")
    assert json.loads(path.read_text(encoding="utf-8"))["resources"]["customers"]["items"][0][0]["id"] == kept


def test_a_state_file_loaded_without_the_extension_keeps_its_data_for_it(tmp_path: Path) -> None:
    first, second = tmp_path / "with.json", tmp_path / "without.json"
    state = SandboxState(resources=[CUSTOMERS])
    state.seed_resource("customers", [{"source_id": "x"}])
    state.save(first)
    bare = SandboxState.from_file(first)
    assert bare.resource_counts() == {}
    bare.save(second)
    again = SandboxState.from_file(second, resources=[CUSTOMERS])
    assert [c["source_id"] for c in again.resource_items("customers")] == ["x"]


def test_a_given_state_must_keep_the_extensions_resources() -> None:
    with pytest.raises(ValueError, match="resources="):
        create_app(state=SandboxState(), extensions=[EXTENSION])
    create_app(state=SandboxState(resources=[CUSTOMERS]), extensions=[EXTENSION])
    with pytest.raises(ValueError, match="share a name"):
        SandboxState(resources=[CUSTOMERS, CUSTOMERS])
    with pytest.raises(ValueError, match="no resource 'vouchers'"):
        SandboxState(resources=[CUSTOMERS]).resource_items("vouchers")
    with pytest.raises(ValueError, match="no resource 'vouchers'"):
        SandboxState().enqueue_action("VOUCHERS.BULK_UPDATE", [{}], resource="vouchers")


def test_an_action_of_any_type_without_a_resource_walks_its_states() -> None:
    clock = ManualClock()
    state = SandboxState(SandboxConfig(import_speed=2), clock=clock)
    action_id = state.enqueue_action("VOUCHERS.METADATA_UPDATE", [{"a": 1}, {"b": 2}])
    assert state.get_async_action(action_id)["status"] == "IN_PROGRESS"
    clock.advance(1.0)
    done = state.get_async_action(action_id)
    assert done["type"] == "VOUCHERS.METADATA_UPDATE" and done["status"] == "DONE"
    assert done["result"]["done_count"] == 2 and state.count_orders() == 0
    assert state.import_carriers() == {}  # only order imports carry orders


def _team_package(tmp_path: Path) -> Path:
    (tmp_path / "team_sandbox.py").write_text(
        textwrap.dedent(
            """
            from voucherify_ext.sandbox import Resource, SandboxExtension

            EXTENSION = SandboxExtension(
                "team",
                resources=[
                    Resource(name="customers", path="/v1/customers", object="customer", id_prefix="cust_")
                ],
            )
            BOTH = [EXTENSION, SandboxExtension("empty")]
            NOT_ONE = 42
            """
        ),
        encoding="utf-8",
    )
    return tmp_path


def test_load_extensions_reads_module_attr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(_team_package(tmp_path)))
    (one,) = load_extensions("team_sandbox:EXTENSION")
    assert isinstance(one, SandboxExtension) and one.resources[0].name == "customers"
    assert [e.name for e in load_extensions("team_sandbox:BOTH")] == ["team", "empty"]
    for wrong in ("team_sandbox", "team_sandbox:NOT_ONE", "team_sandbox:MISSING"):
        with pytest.raises(ValueError, match="team_sandbox"):
            load_extensions(wrong)


def test_the_command_line_serves_an_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sandbox_main(["--extension", "no_such_module_here:X"]) == 2
    assert "no_such_module_here" in capsys.readouterr().err
    assert sandbox_main(["--extension", "json:dumps"]) == 2
    monkeypatch.setenv("PYTHONPATH", str(_team_package(tmp_path)))
    with (
        run_process("--extension", "team_sandbox:EXTENSION") as process,
        httpx.Client(base_url=process.url, timeout=5) as http,
    ):
        assert http.get("/v1/customers").status_code == 401
        keys = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
        created = http.post("/v1/customers", json={"source_id": "cli"}, headers=keys).json()
        assert http.get("/v1/customers/cli", headers=keys).json()["id"] == created["id"]
        assert http.get("/_sandbox/state").json()["resources"] == {"customers": 1}


def test_a_resource_check_refuses_an_object_with_its_reason() -> None:
    def check(body: Mapping[str, object]) -> str | None:
        email = body.get("email", "@")
        return None if isinstance(email, str) and "@" in email else "Property .email is invalid"

    people = Resource(name="people", path="/v1/people", object="person", id_prefix="per_", check=check)
    state = SandboxState(resources=[people])
    with pytest.raises(SandboxError) as refused:
        state.upsert_resource("people", {"email": "nope"})
    assert (refused.value.status, refused.value.details) == (400, "Property .email is invalid")
    assert state.upsert_resource("people", {"email": "a@b"})["id"].startswith("per_")
    assert state.resource_counts() == {"people": 1}
