"""Small helpers the benchmark scripts share: the sandbox control plane, a worker's peak RSS,
the environment a worker runs in, and a median with its spread.

Imported as ``_shared`` (the scripts run from this folder, which Python puts on ``sys.path``).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def control(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the sandbox's control plane (``/_sandbox/...``); the JSON answer, if any."""
    import httpx

    response = httpx.request(method, url + path, json=body, timeout=120)
    response.raise_for_status()
    return response.json() if response.content else None


def rss_mb() -> float:
    """This process's peak RSS. VmHWM on Linux: ``ru_maxrss`` survives fork+exec there, so a
    child would report its parent's peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def worker_env() -> dict[str, str]:
    """The environment of a worker process: the checkout's packages importable."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "generated")])}


def summary(values: list[float]) -> dict[str, float]:
    """The median of repeated measurements with their spread."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def strip_nulls(value: Any) -> Any:
    """``value`` without its ``None`` entries, at any depth: the official SDK serialises every
    unset field as an explicit null, which the sandbox (following the spec) refuses."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def run_json_worker(name: str, argv: list[str]) -> dict[str, Any]:
    """Run a worker process (``argv``, from the checkout) and return the JSON object its last
    line of output holds; a failed worker ends the benchmark with its stderr."""
    out = subprocess.run(argv, cwd=ROOT, env=worker_env(), capture_output=True, check=False, timeout=3600)
    if out.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{out.stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return result
