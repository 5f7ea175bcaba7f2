"""``make demo``: start the bundled sandbox on a free loopback port, run the walk-through
against it, stop the sandbox. No account needed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(port: int, proc: subprocess.Popen[bytes], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the sandbox exited with {proc.returncode} before it was ready")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the sandbox did not listen on port {port} within {seconds:.0f} s")


def main() -> int:
    port = free_port()
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "voucherify_ext.sandbox", "--port", str(port), "--import-speed", "2500"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, sandbox)
        env = {
            **os.environ,
            "VOUCHERIFY_API_URL": f"http://127.0.0.1:{port}",
            "VOUCHERIFY_APP_ID": "sandbox-app-id",
            "VOUCHERIFY_APP_TOKEN": "sandbox-app-token",
        }
        env.pop("VOUCHERIFY_CLUSTER", None)
        print(f"sandbox running on http://127.0.0.1:{port}\n", flush=True)
        return subprocess.run([sys.executable, str(ROOT / "examples" / "walkthrough.py")], env=env).returncode
    finally:
        sandbox.terminate()
        try:
            sandbox.wait(10)
        except subprocess.TimeoutExpired:
            sandbox.kill()


if __name__ == "__main__":
    sys.exit(main())
