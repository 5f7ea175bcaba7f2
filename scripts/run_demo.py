"""``make demo``: start the bundled sandbox on a free loopback port, run the walk-through
against it, stop the sandbox. No account needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from voucherify_ext.sandbox import DEFAULT_APP_ID, DEFAULT_APP_TOKEN
from voucherify_ext.sandbox.process import run_process

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with run_process("--import-speed", "2500") as sandbox:
        env = {
            **os.environ,
            "VOUCHERIFY_API_URL": sandbox.url,
            "VOUCHERIFY_APP_ID": DEFAULT_APP_ID,
            "VOUCHERIFY_APP_TOKEN": DEFAULT_APP_TOKEN,
        }
        env.pop("VOUCHERIFY_CLUSTER", None)
        print(f"sandbox running on {sandbox.url}\n", flush=True)
        return subprocess.run([sys.executable, str(ROOT / "examples" / "walkthrough.py")], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
