"""Small helpers the benchmark scripts share: the sandbox control plane, a worker's peak RSS,
the environment a worker runs in, and a median with its spread.

Imported as ``_shared`` (the scripts run from this folder, which Python puts on ``sys.path``).
"""

from __future__ import annotations

import os
import resource
import statistics
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
