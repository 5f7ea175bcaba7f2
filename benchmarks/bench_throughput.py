"""Throughput under the sandbox's 20 requests/s rate limit while asking for far more.

    .venv-bench/bin/python benchmarks/bench_throughput.py [--seconds 15] [--runs 3] [--quick] [--json OUT]

The sandbox runs in its own process with ``--rate-limit 20/s`` (a fixed window per app id,
Voucherify's 429 body and headers past the budget). Each row is a fresh worker process whose
``--threads`` threads (default 8) call ``GET /v1/orders/{id}`` back to back, as fast as they
can, for ``--seconds``; then the threads finish the call they are in and the worker reports.

Rows:
  ours, rate_limit=20/s   ``Voucherify(rate_limit="20/s")`` with its defaults (2 retries): the
                          client keeps within the budget, learns from ``X-Rate-Limit-*`` and
                          retries a 429 after ``Retry-After``
  official SDK            ``voucherify.OrdersApi.get_order`` (6.x) with its defaults, shared by
                          the threads; it has no rate limiting and does not retry a 429
  ours, limiter off       the control: ``Voucherify(max_retries=0)`` without ``rate_limit``. It
                          must see 429s, and surfaces each one as ``RateLimitError``. (Even
                          without a configured limit our transport still learns from the
                          server's ``X-Rate-Limit-Remaining``/``X-Rate-Limit-Retry`` and pauses
                          until the window ends, so it does not hammer.)
  ours, header learning   a diagnostic, not a product setting: ``Voucherify(rate_limit="20/s")``
    off                   with ``RateLimiter.observe`` replaced by a no-op in the worker, so the
                          client keeps to its own rolling window only and ignores the server's
                          ``X-Rate-Limit-*`` headers. It separates the cost of the local window
                          from the cost of what the client learns from the headers.
  demand                  what the same threads ask for: ``Voucherify()`` with the sandbox's
                          limit lifted for the run (``PUT /_sandbox/rate-limit``), at most 5 s.
                          Must be at least 3x the limit.

The official SDK is not defenceless: it sends through urllib3, whose default ``Retry(3)``
retries a 429 that carries ``Retry-After`` for idempotent methods (GET here), after sleeping
``Retry-After``. It has no client-side budget, so it keeps drawing 429s.

Counted per run: calls made and calls that succeeded (200), their rate over the run's wall
time; 429s received, from the server's own count of requests (``GET /_sandbox/state``) minus
the successes (nothing else is answered here), and for ours also on the wire (a counting
``httpx.HTTPTransport`` under ext's retrying transport, so retried 429s count too); and 429s
surfaced as exceptions to the caller. Runs are interleaved (row after row), with a pause of
1.5 s between them so every run starts in a fresh rate-limit window. Median and min-max over
the runs.

Goals (issue 8, row 4): ours reaches at least 90 % of the limit (18 req/s) with no 429 surfaced.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _shared import control, summary, worker_env

from voucherify_ext.sandbox.process import run_process

ROOT = Path(__file__).resolve().parent.parent
APP_ID, APP_TOKEN = "bench-app-id", "bench-app-token"
LIMIT = 20  # requests per second, the sandbox's budget

CONTENDERS = {
    "ours": "ours, rate_limit=20/s",
    "sdk": "official SDK",
    "control": "ours, limiter off (control)",
    "nolearn": "ours, 20/s, header learning off",
    "demand": "demand (sandbox limit lifted)",
}


# -- worker (one per run, in a fresh process) ----------------------------------------------------------


def _run_threads(call: Any, classify: Any, threads: int, seconds: float) -> dict[str, Any]:
    """``threads`` threads call ``call()`` back to back until ``seconds`` have passed."""
    lock = threading.Lock()
    totals: Counter[str] = Counter()
    first_error: list[str] = []
    barrier = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def loop() -> None:
        mine: Counter[str] = Counter()
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            mine["calls"] += 1
            try:
                call()
                mine["ok"] += 1
            except Exception as exc:
                kind = classify(exc)
                mine[kind] += 1
                if kind != "surfaced_429" and not first_error:
                    first_error.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        with lock:
            totals.update(mine)

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    barrier.wait()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {
        "calls": totals["calls"],
        "ok": totals["ok"],
        "surfaced_429": totals["surfaced_429"],
        "surfaced_other": totals["surfaced_other"],
        "seconds": elapsed,
        "first_error": first_error[0] if first_error else None,
    }


def work_ours(url: str, order_id: str, threads: int, seconds: float, limited: str) -> dict[str, Any]:
    import httpx

    from voucherify_ext import Voucherify
    from voucherify_ext.config import DEFAULT_LIMITS
    from voucherify_ext.errors import APIError

    wire: Counter[int] = Counter()
    wire_lock = threading.Lock()

    class CountingTransport(httpx.BaseTransport):
        """Counts every response on the wire, including those ext's transport retries."""

        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport(limits=DEFAULT_LIMITS)

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = self.inner.handle_request(request)
            with wire_lock:
                wire[response.status_code] += 1
            return response

        def close(self) -> None:
            self.inner.close()

    if limited == "nolearn":
        from voucherify_ext.ratelimit import RateLimiter

        def ignore(self: RateLimiter, headers: Any, status: Any = None, **kwargs: Any) -> None:
            return None

        RateLimiter.observe = ignore  # type: ignore[method-assign]
    options: dict[str, Any] = {"rate_limit": f"{LIMIT}/s"} if limited in ("ours", "nolearn") else {}
    if limited == "control":
        options["max_retries"] = 0
    vf = Voucherify(
        app_id=APP_ID, app_token=APP_TOKEN, base_url=url, http_transport=CountingTransport(), **options
    )

    def classify(exc: Exception) -> str:
        return "surfaced_429" if isinstance(exc, APIError) and exc.status_code == 429 else "surfaced_other"

    with vf:
        result = _run_threads(lambda: vf.orders.get(order_id), classify, threads, seconds)
    result["wire"] = {str(k): v for k, v in sorted(wire.items())}
    result["wire_429"] = wire[429]
    return result


def work_sdk(url: str, order_id: str, threads: int, seconds: float) -> dict[str, Any]:
    import voucherify

    config = voucherify.Configuration(host=url, api_key={"X-App-Id": APP_ID, "X-App-Token": APP_TOKEN})
    with voucherify.ApiClient(config) as api_client:
        api = voucherify.OrdersApi(api_client)

        def classify(exc: Exception) -> str:
            status = getattr(exc, "status", None)
            return "surfaced_429" if status == 429 else "surfaced_other"

        result = _run_threads(lambda: api.get_order(order_id), classify, threads, seconds)
    # urllib3 retries 429s inside the SDK: the orchestrator counts them on the server's side
    result["wire"] = None
    result["wire_429"] = None
    return result


def worker(name: str, url: str, order_id: str, threads: int, seconds: float) -> None:
    import httpx  # noqa: F401 - imports before the clock, as in any application

    if name == "sdk":
        result = work_sdk(url, order_id, threads, seconds)
    else:
        result = work_ours(url, order_id, threads, seconds, limited=name)
    print(json.dumps(result))


# -- orchestration -------------------------------------------------------------------------------------


def sdk_missing() -> str | None:
    out = subprocess.run(
        [sys.executable, "-c", "import voucherify; voucherify.OrdersApi"],
        capture_output=True,
        check=False,
        timeout=120,
        env=worker_env(),
    )
    if out.returncode == 0:
        return None
    reason = (out.stderr.decode().strip().splitlines() or ["unknown error"])[-1]
    return f"the official SDK is not importable in {sys.executable} ({reason}); use .venv-bench/bin/python"


def run_worker(name: str, url: str, order_id: str, threads: int, seconds: float) -> dict[str, Any]:
    if name == "demand":
        control(url, "PUT", "/_sandbox/rate-limit", {"rate_limit": None})
        seconds = min(seconds, 5.0)
    try:
        return _run_worker(name, url, order_id, threads, seconds)
    finally:
        if name == "demand":
            control(url, "PUT", "/_sandbox/rate-limit", {"rate_limit": f"{LIMIT}/s"})


def _run_worker(name: str, url: str, order_id: str, threads: int, seconds: float) -> dict[str, Any]:
    time.sleep(1.5)  # a fresh rate-limit window for every run
    before = control(url, "GET", "/_sandbox/state")["requests"]
    out = subprocess.run(
        [
            *(sys.executable, __file__, "--worker", name, "--url", url, "--order-id", order_id),
            *("--threads", str(threads), "--seconds", str(seconds)),
        ],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        check=False,
        timeout=seconds + 120,
    )
    if out.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{out.stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    server = control(url, "GET", "/_sandbox/state")["requests"] - before
    result["server_requests"] = server
    result["server_non_200"] = server - result["ok"]  # 429s: nothing else is answered here
    if result["wire_429"] is None:
        result["wire_429"] = result["server_non_200"]
    result["ok_per_s"] = result["ok"] / result["seconds"]
    result["offered_per_s"] = server / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="length of one run")
    parser.add_argument("--runs", type=int, default=3, help="runs per row (median reported)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 run of 4 s per row")
    parser.add_argument("--json", metavar="OUT", help="also write the figures to OUT as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--order-id", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.order_id, args.threads, args.seconds)
        return
    if args.quick:
        args.seconds, args.runs = 4.0, 1

    skipped = sdk_missing()
    names = [n for n in CONTENDERS if n != "sdk" or skipped is None]
    load_before = os.getloadavg()
    options = ["--rate-limit", f"{LIMIT}/s", "--app-id", APP_ID, "--app-token", APP_TOKEN]
    with run_process(*options) as sandbox:
        url = sandbox.url
        import httpx

        with httpx.Client(base_url=url, headers={"X-App-Id": APP_ID, "X-App-Token": APP_TOKEN}) as client:
            created = client.post(
                "/v1/orders",
                json={
                    "source_id": "throughput-1",
                    "status": "PAID",
                    "items": [{"quantity": 2, "price": 2100}],
                },
            )
            created.raise_for_status()
            order_id = created.json()["id"]
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        for _ in range(args.runs):
            for name in names:
                runs[name].append(run_worker(name, url, order_id, args.threads, args.seconds))
    load_after = os.getloadavg()

    print(
        f"GET /v1/orders/{{id}} under a sandbox limit of {LIMIT} req/s (fixed window per app id), "
        f"{args.threads} threads as fast as they can, {args.runs} x {args.seconds:g} s per row, "
        "median [min-max]"
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load_before[0]:.2f} -> "
        f"{load_after[0]:.2f}; sandbox in its own process\n"
    )
    header = (
        f"{'row':<32}{'200s/s':>8}{'spread':>16}{'% of limit':>11}{'429s recv':>10}"
        f"{'server 429s':>12}{'429 surfaced':>13}{'other err':>10}{'asked/s':>9}"
    )
    print(header)
    print("-" * len(header))
    stats: dict[str, dict[str, Any]] = {}
    for name in names:
        rs = runs[name]
        rate = summary([r["ok_per_s"] for r in rs])
        s = {
            "label": CONTENDERS[name],
            "ok_per_s": rate,
            "pct_of_limit": summary([100 * r["ok_per_s"] / LIMIT for r in rs]),
            "wire_429": summary([r["wire_429"] for r in rs]),
            "server_non_200": summary([r["server_non_200"] for r in rs]),
            "surfaced_429": summary([r["surfaced_429"] for r in rs]),
            "surfaced_other": summary([r["surfaced_other"] for r in rs]),
            "offered_per_s": summary([r["offered_per_s"] for r in rs]),
            "runs": rs,
        }
        stats[name] = s
        spread = f"{rate['min']:.2f}-{rate['max']:.2f}"
        print(
            f"{s['label']:<32}{rate['median']:>8.2f}{spread:>16}"
            f"{s['pct_of_limit']['median']:>10.1f}%{s['wire_429']['median']:>10.0f}"
            f"{s['server_non_200']['median']:>12.0f}{s['surfaced_429']['median']:>13.0f}"
            f"{s['surfaced_other']['median']:>10.0f}{s['offered_per_s']['median']:>9.1f}"
        )
        errors = [r["first_error"] for r in rs if r.get("first_error")]
        if errors:
            print(f"    first other error: {errors[0]}")
    if skipped:
        print(f"{CONTENDERS['sdk']:<30} skipped: {skipped}")
    broken = [n for n in names if stats[n]["surfaced_other"]["max"] > 0]
    if broken:
        # only 429s are expected here: a row whose calls fail otherwise measures nothing
        raise SystemExit(
            f"calls failed for reasons other than 429 in: {', '.join(broken)} (first errors above)"
        )

    ours = stats["ours"]
    ratios: dict[str, float] = {}  # rates, ours over the others; 429s are compared as counts
    if "sdk" in stats:
        ratios["ours/official SDK, 200s per second"] = (
            ours["ok_per_s"]["median"] / stats["sdk"]["ok_per_s"]["median"]
        )
    ratios["ours/control, 200s per second"] = (
        ours["ok_per_s"]["median"] / stats["control"]["ok_per_s"]["median"]
    )
    offered = stats["demand"]["offered_per_s"]["median"]
    ratios["demand/limit"] = offered / LIMIT
    goals = {
        "at least 90 % of the limit": ours["pct_of_limit"]["median"] >= 90.0,
        "no 429 surfaced (every run)": ours["surfaced_429"]["max"] == 0,
        "asking at least 3x the limit (demand row)": offered >= 3 * LIMIT,
        "the control sees 429s": stats["control"]["wire_429"]["min"] > 0,
    }
    print()
    for label, value in ratios.items():
        print(f"{label}: {value:.2f}x")
    for label, ok in goals.items():
        print(f"goal: {label}: {'met' if ok else 'NOT met'}")

    if args.json:
        out = {
            "bench": "throughput",
            "limit_per_s": LIMIT,
            "threads": args.threads,
            "seconds": args.seconds,
            "runs": args.runs,
            "load_before": load_before,
            "load_after": load_after,
            "skipped": skipped,
            "rows": stats,
            "ratios": ratios,
            "goals": goals,
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
