"""``uv pip ARGS`` with .venv's uv and the package index pip is configured with here: how
``make venv`` installs the lock (uv fetches and installs in parallel, several times faster than
pip on a fresh machine; its version is pinned in the lock, and pip installs that one first).
``make venv`` passes ``--compile-bytecode``, as pip does by default: where
``PYTHONDONTWRITEBYTECODE`` is set, every process of the suite (hundreds of CLI runs) would
otherwise compile typer, rich, httpx and the rest again.

    .venv/bin/python scripts/uv_pip.py install -r requirements/dev.txt --python .venv/bin/python
"""

from __future__ import annotations

import subprocess
import sys

from range_env import UV, index_env


def main(argv: list[str]) -> int:
    if not UV.exists():
        raise SystemExit(f"{UV} is missing: pip installs it first (make venv)")
    return subprocess.run([str(UV), "pip", *argv], env=index_env(), check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
