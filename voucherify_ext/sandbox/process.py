"""Run the sandbox as its own process (``python -m voucherify_ext.sandbox``) on a free loopback
port, for the demo, CLI tests and benchmarks that need a server outside their own process.

:func:`serve` is the in-process way; this one gives the sandbox its own interpreter, so it
shares no CPU time, memory or GIL with the client being measured or tested.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["SandboxProcess", "free_port", "run_process"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class SandboxProcess:
    """A running ``python -m voucherify_ext.sandbox``: its ``url``, ``port`` and ``proc``."""

    def __init__(self, proc: subprocess.Popen[bytes], host: str, port: int, log: Path | None) -> None:
        self.proc = proc
        self.host = host
        self.port = port
        self.url = f"http://{host}:{port}"
        self.log = log

    def __repr__(self) -> str:
        return f"SandboxProcess(url={self.url!r}, pid={self.proc.pid})"


def _wait_listening(process: SandboxProcess, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.proc.poll() is not None:
            output = process.log.read_text(errors="replace") if process.log else ""
            raise RuntimeError(
                f"the sandbox exited with {process.proc.returncode} before it was ready\n{output}"
            )
        try:
            socket.create_connection((process.host, process.port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the sandbox did not listen on {process.url} within {seconds:g} s"
                ) from None
            time.sleep(0.05)


@contextlib.contextmanager
def run_process(
    *options: str,
    host: str = "127.0.0.1",
    port: int | None = None,
    log: Path | None = None,
    python: str = sys.executable,
    ready_timeout: float = 30.0,
) -> Iterator[SandboxProcess]:
    """Start the sandbox with the CLI ``options`` (``"--import-speed", "2500"``, ...), wait until
    it listens, and stop it when the block ends (SIGTERM, so ``--state`` is saved; SIGKILL if
    it does not exit within 10 s). Its output goes to ``log`` (else nowhere)."""
    chosen = port if port is not None else free_port(host)
    output: IO[bytes] | int = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen(
            [python, "-m", "voucherify_ext.sandbox", "--host", host, "--port", str(chosen), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        process = SandboxProcess(proc, host, chosen, log)
        try:
            _wait_listening(process, ready_timeout)
            yield process
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    finally:
        if not isinstance(output, int):
            output.close()
