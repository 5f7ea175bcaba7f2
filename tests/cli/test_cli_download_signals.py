"""The CLI's export download under trouble (issue 12, item 5): SIGTERM and SIGHUP during the
download end it as Ctrl-C does, leaving no hidden ``.part`` file, with exit code 128 + signum;
a download URL refused once is fetched afresh and the CLI says so; one refused again exits 1
(the API refused), not 3 with a hint about credentials that are fine.

The console script runs in a subprocess against an in-process sandbox, so the test can aim a
fault at the export's own download URL (its token) once the CLI has scheduled the export."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from voucherify_ext.sandbox import Sandbox, serve

from .conftest import CLI

EXPORT_DELAY = 1.0  # seconds before the export is DONE: time to aim a fault at its download


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve() as sb:
        yield sb


@pytest.fixture
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    delay = sandbox.state.export_delay
    sandbox.state.export_delay = EXPORT_DELAY
    yield sandbox
    sandbox.state.export_delay = delay
    sandbox.reset()


def _start_export(sb: Sandbox, folder: Path) -> subprocess.Popen[str]:
    assert CLI is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHERIFY_")}
    env.update(
        VOUCHERIFY_API_URL=sb.url,
        VOUCHERIFY_APP_ID=sb.app_id,
        VOUCHERIFY_APP_TOKEN=sb.app_token,
        COLUMNS="120",
        NO_COLOR="1",
    )
    return subprocess.Popen(
        [CLI, "orders", "export", "-o", str(folder / "orders.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=folder,
        env=env,
    )


def _aim_at_download(sb: Sandbox, proc: subprocess.Popen[str], kind: str, **options: object) -> None:
    """Once the CLI's export exists (not DONE yet), fault its download URL (by its token)."""
    deadline = time.monotonic() + 20
    while not sb.export_ids():
        assert proc.poll() is None and time.monotonic() < deadline, "the CLI scheduled no export"
        time.sleep(0.01)
    export_id, token = sb.export_ids()[0], sb.export_tokens()[0]
    sb.inject(kind, method="GET", path=f"/v1/exports/{export_id}", query={"token": token}, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_during_the_download_leaves_no_part_file(sb: Sandbox, tmp_path: Path, signum: int) -> None:
    sb.seed_orders(40)  # a few KB: minutes at 50 ms a byte
    proc = _start_export(sb, tmp_path)
    try:
        _aim_at_download(sb, proc, "trickle", delay_ms=50, times=3)
        deadline = time.monotonic() + 20
        while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, "the download never started"
            time.sleep(0.01)
        time.sleep(0.2)  # bytes are arriving
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signum, err
    assert list(tmp_path.iterdir()) == []  # neither the CSV nor a hidden .part file


def test_a_refused_download_url_is_fetched_afresh_and_said(sb: Sandbox, tmp_path: Path) -> None:
    sb.seed_orders(5)
    proc = _start_export(sb, tmp_path)
    _aim_at_download(sb, proc, "status", status=410)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "download URL expired; fetched a fresh one" in err
    assert (tmp_path / "orders.csv").read_text().count("\n") == 6
    assert [p.name for p in tmp_path.iterdir()] == ["orders.csv"]


def test_a_download_url_refused_again_is_not_a_credentials_problem(sb: Sandbox, tmp_path: Path) -> None:
    sb.seed_orders(5)
    proc = _start_export(sb, tmp_path)
    _aim_at_download(sb, proc, "status", status=401, times=5)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "fetched a fresh one from the export, refused again" in err
    assert "AuthenticationError" in err and "fetched afresh" in err
    assert "check the app id and token" not in err
    assert not any(token in err for token in sb.export_tokens())
    assert list(tmp_path.iterdir()) == []
