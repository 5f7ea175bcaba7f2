"""Sandbox benchmark: is the sandbox ever the bottleneck of our client benchmarks?

Starts ``python -m voucherify_ext.sandbox`` in its own process (so its memory is measured apart
from the client's), then over loopback HTTP with plain httpx:

1. seeds 200,000 orders through the control plane and times it;
2. times 100-order list pages (pages 1..100, three sort orders) and prints the median;
3. resets, imports 200,000 orders in 100 chunks of 2,000 and waits for the last async action;
4. exports them (4 fields), waits for DONE and streams the CSV download;
5. prints the sandbox process's peak RSS (VmHWM, else the highest psutil sample).

Run: ``.venv/bin/python benchmarks/sandbox_bench.py [--orders 200000] [--import-speed 100000]``.
Not part of the test suite.

Last run (2 cores shared with other work, Python 3.11.7, uvicorn 0.54 with h11, 2026-11-28):
seed 2.34 s; list page median 2.51 ms, p95 7.43 ms; import of 200,000 orders in 100 chunks
8.57 s (``--import-speed 100000``); export + streamed download 1.42 s (200,000 rows);
sandbox peak RSS 456 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from voucherify_ext.sandbox.process import run_process

HEADERS = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}


class PeakRss:
    """Samples a process's RSS every 20 ms; prefers the kernel's high-water mark when present."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.02)

    def high_water_mark(self) -> int:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return self.peak

    def stop(self) -> int:
        value = max(self.peak, self.high_water_mark())
        self._stop.set()
        self._thread.join()
        return value


def wait_action(client: httpx.Client, action_id: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        action: dict[str, Any] = client.get(f"/v1/async-actions/{action_id}").json()
        if action["status"] in ("DONE", "FAILED") or time.monotonic() > deadline:
            return action
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--import-speed", type=float, default=100_000.0, help="sandbox --import-speed")
    parser.add_argument("--page-requests", type=int, default=300)
    args = parser.parse_args()

    results: dict[str, Any] = {"orders": args.orders}
    with run_process("--import-speed", str(args.import_speed)) as sandbox:
        url = sandbox.url
        rss = PeakRss(sandbox.proc.pid)
        with httpx.Client(base_url=url, headers=HEADERS, timeout=120) as client:
            start = time.perf_counter()
            client.post("/_sandbox/seed", json={"count": args.orders}).raise_for_status()
            results["seed_s"] = round(time.perf_counter() - start, 2)

            orders = ("created_at", "-created_at", "-updated_at")
            times = []
            for i in range(args.page_requests):
                params: dict[str, str | int] = {"limit": 100, "page": i % 100 + 1, "order": orders[i % 3]}
                t = time.perf_counter()
                response = client.get("/v1/orders", params=params)
                response.json()
                times.append(time.perf_counter() - t)
                assert response.status_code == 200 and len(response.json()["orders"]) == 100
            times.sort()
            results["page_median_ms"] = round(statistics.median(times) * 1000, 2)
            results["page_p95_ms"] = round(times[int(len(times) * 0.95)] * 1000, 2)
            results["rss_after_seed_mb"] = round(psutil.Process(sandbox.proc.pid).memory_info().rss / 1e6, 1)

            client.post("/_sandbox/reset").raise_for_status()
            per_chunk = args.orders // args.chunks
            start = time.perf_counter()
            action_ids = []
            for chunk in range(args.chunks):
                body = [
                    {
                        "source_id": f"bench-{chunk}-{i}",
                        "status": "PAID",
                        "items": [{"source_id": "sku-1", "price": 1250, "quantity": 2}],
                        "metadata": {"chunk": chunk},
                    }
                    for i in range(per_chunk)
                ]
                response = client.post("/v1/orders/import", content=json.dumps(body).encode(),
                                       headers={"Content-Type": "application/json"})  # fmt: skip
                response.raise_for_status()
                action_ids.append(response.json()["async_action_id"])
            results["import_submit_s"] = round(time.perf_counter() - start, 2)
            last = wait_action(client, action_ids[-1], timeout=600)
            results["import_total_s"] = round(time.perf_counter() - start, 2)
            assert last["status"] == "DONE", last
            total = client.get("/_sandbox/orders").json()["count"]
            assert total == per_chunk * args.chunks, total

            start = time.perf_counter()
            export = client.post(
                "/v1/orders/export", json={"parameters": {"fields": ["id", "source_id", "status", "amount"]}}
            ).json()
            while export["status"] != "DONE":
                time.sleep(0.1)
                export = client.get(f"/v1/exports/{export['id']}").json()
            rows = 0
            with client.stream("GET", export["result"]["url"]) as download:
                for line in download.iter_lines():
                    rows += bool(line)
            results["export_s"] = round(time.perf_counter() - start, 2)
            results["export_rows"] = rows - 1
        results["peak_rss_mb"] = round(rss.stop() / 1e6, 1)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
