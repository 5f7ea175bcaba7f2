"""The real ``voucherify-orders`` console script, run in subprocesses against a sandbox that
runs in its own process (``python -m voucherify_ext.sandbox``), as a user would run both.

One sandbox for the package; every test starts from an empty one (reset through its control plane).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from voucherify_ext.sandbox import DEFAULT_APP_ID, DEFAULT_APP_TOKEN
from voucherify_ext.sandbox.process import run_process

BIN = Path(sys.executable).parent
CLI = shutil.which("voucherify-orders", path=str(BIN))


class Cli:
    """Runs the console script with the sandbox's URL and credentials in the environment."""

    def __init__(self, url: str, cwd: Path) -> None:
        self.url = url
        self.cwd = cwd
        self.control = httpx.Client(base_url=url, timeout=10)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHERIFY_")}
        self.env.update(
            VOUCHERIFY_API_URL=url,
            VOUCHERIFY_APP_ID=DEFAULT_APP_ID,
            VOUCHERIFY_APP_TOKEN=DEFAULT_APP_TOKEN,
            COLUMNS="120",
            NO_COLOR="1",
        )

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        assert CLI is not None, f"voucherify-orders is not installed next to {sys.executable}"
        return subprocess.run(
            [CLI, *args],
            input=input,
            capture_output=True,
            text=True,
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            timeout=timeout,
        )

    # the sandbox's control plane (outside the spec, no auth)
    def reset(self) -> None:
        self.control.post("/_sandbox/reset").raise_for_status()
        self.control.delete("/_sandbox/faults").raise_for_status()

    def seed(self, count: int, **options: Any) -> None:
        self.control.post("/_sandbox/seed", json={"count": count, **options}).raise_for_status()

    def inject(self, kind: str, **options: Any) -> None:
        self.control.post("/_sandbox/faults", json={"kind": kind, **options}).raise_for_status()

    def orders(self) -> list[dict[str, Any]]:
        response = self.control.get("/_sandbox/orders", params={"include": "orders"})
        response.raise_for_status()
        orders: list[dict[str, Any]] = response.json()["orders"]
        return orders

    def requests(self, method: str, path: str) -> int:
        response = self.control.get("/_sandbox/requests", params={"method": method, "path": path})
        count: int = response.json()["count"]
        return count


@pytest.fixture(scope="package")
def sandbox_url() -> Iterator[str]:
    with run_process("--import-speed", "1000000") as sandbox:
        yield sandbox.url


@pytest.fixture
def cli(sandbox_url: str, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(sandbox_url, tmp_path)
    runner.reset()
    yield runner
    runner.control.close()


def write_jsonl(path: Path, records: list[dict[str, Any]], extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(r) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def jsonl(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]
