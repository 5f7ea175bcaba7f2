"""Concurrent CLI commands on one ``--sandbox-state`` file (issue 12, minor finding): each one
loads the file, works, and saves it back, so without a lock the last to save drops what the
others confirmed. The command now holds ``FILE.lock`` from load to save; commands on one file
run one after the other, and one that waits too long stops with a one-line error."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from voucherify_ext.cli.state import hold_state_file
from voucherify_ext.errors import ConfigurationError

from .conftest import CLI, Cli

COMMANDS = 6


def test_concurrent_commands_on_one_state_file_lose_no_confirmed_create(cli: Cli, tmp_path: Path) -> None:
    assert CLI is not None
    state = str(tmp_path / "demo.json")
    no_account = {"VOUCHERIFY_API_URL": "", "VOUCHERIFY_APP_ID": "", "VOUCHERIFY_APP_TOKEN": ""}
    env = {**cli.env, **no_account}
    children = []
    for n in range(COMMANDS):
        child = subprocess.Popen(
            [CLI, "--sandbox", "--sandbox-state", state, "orders", "create", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=env,
        )
        children.append((n, child))
    for n, child in children:  # all started before any is fed: they load the file together
        assert child.stdin is not None
        child.stdin.write(json.dumps({"source_id": f"c{n}", "amount": 100 + n, "status": "PAID"}))
        child.stdin.close()
    confirmed = []
    for n, child in children:
        assert child.stdout is not None and child.stderr is not None
        out, err = child.stdout.read(), child.stderr.read()
        child.wait(timeout=120)
        assert child.returncode == 0, err
        confirmed.append((f"c{n}", json.loads(out)["id"]))
    listed = cli("--sandbox", "--sandbox-state", state, "orders", "list", "--all", env=no_account)
    assert listed.returncode == 0, listed.stderr
    kept = {(o["source_id"], o["id"]) for o in map(json.loads, listed.stdout.splitlines())}
    assert kept == set(confirmed)  # every create a command confirmed is in the file


HOLD = textwrap.dedent(
    """
    import sys
    from voucherify_ext.cli.state import hold_state_file
    lock = hold_state_file(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.read()
    """
)


def test_a_command_that_waits_too_long_gets_a_one_line_error_naming_the_holder(tmp_path: Path) -> None:
    state = tmp_path / "demo.json"
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with pytest.raises(ConfigurationError) as caught:
            hold_state_file(str(state), wait=0.3)
        assert 0.3 <= time.monotonic() - started < 5
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
    message = str(caught.value)
    assert "\n" not in message and f"--sandbox-state {state} is in use" in message
    assert f"pid {child.pid} on host" in message
    hold_state_file(str(state), wait=0).release()  # free again once the holder has gone
