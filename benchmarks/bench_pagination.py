"""Iterate 10,000 orders from the sandbox with 50 ms of latency per request, four ways, in one run.

    .venv-bench/bin/python benchmarks/bench_pagination.py          # all four rows
    .venv/bin/python benchmarks/bench_pagination.py --runs 5       # the official SDK row is skipped
    .venv-bench/bin/python benchmarks/bench_pagination.py --quick --json out.json   # smoke run

Rows:
  plain httpx loop     sequential ``httpx.Client.get`` + ``json.loads``, page 1..100 (the floor)
  ours, prefetch=1     ``iter_orders(vf.client)``: the full client (retrying, rate-limit-aware
                       transport, typed errors, every field type-checked), one request ahead
  ours, prefetch=4     ``iter_orders(vf.client, prefetch=4)``
  official SDK loop    ``voucherify.OrdersApi.list_orders(limit=100, page=p)`` by hand, the
                       loop users write today (needs the ``voucherify`` package: .venv-bench)

The sandbox runs in its own process (``python -m voucherify_ext.sandbox --latency-ms 50``),
with rate limiting off. Every run is a fresh worker process, so the time excludes interpreter
start and imports, and peak RSS is that process's own. Memory is reported for 1,000 orders
(the untimed warm-up run) and 10,000 (the highest peak of the timed runs): a lazy iterator
should not grow with the number of orders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from _shared import control, rss_mb

from voucherify_ext.sandbox.process import run_process

ROOT = Path(__file__).resolve().parent.parent
APP_ID, APP_TOKEN = "bench-app-id", "bench-app-token"
ORDERS = 10_000
PAGE = 100

CONTENDERS = {
    "plain": "plain httpx loop",
    "ours1": "ours, prefetch=1",
    "ours4": "ours, prefetch=4",
    "sdk": "official SDK loop",
}


# -- workers (one per run, in a fresh process) ---------------------------------------------------


def work_plain(url: str, items: int) -> int:
    import httpx

    count = 0
    headers = {"X-App-Id": APP_ID, "X-App-Token": APP_TOKEN}
    with httpx.Client(base_url=url, headers=headers) as client:
        for page in range(1, 101):
            response = client.get("/v1/orders", params={"limit": PAGE, "page": page, "order": "created_at"})
            response.raise_for_status()
            orders = json.loads(response.content)["orders"]
            count += len(orders)
            if len(orders) < PAGE or count >= items:
                break
    return min(count, items)


def work_ours(url: str, items: int, prefetch: int) -> int:
    from voucherify_ext.client import Voucherify
    from voucherify_ext.orders.pages import iter_orders

    count = 0
    with (
        Voucherify(app_id=APP_ID, app_token=APP_TOKEN, base_url=url) as vf,
        iter_orders(vf.client, max_items=items, prefetch=prefetch) as orders,
    ):
        for _ in orders:
            count += 1
    return count


def work_sdk(url: str, items: int) -> int:
    import voucherify

    config = voucherify.Configuration(host=url, api_key={"X-App-Id": APP_ID, "X-App-Token": APP_TOKEN})
    count = 0
    with voucherify.ApiClient(config) as api_client:
        api = voucherify.OrdersApi(api_client)
        order = voucherify.ParameterOrderListOrders("created_at")
        page = 1
        while True:
            body = api.list_orders(limit=PAGE, page=page, order=order)
            count += len(body.orders or [])
            if len(body.orders or []) < PAGE or count >= items or page == 100:  # page 101 fails validation
                break
            page += 1
    return min(count, items)


def worker(name: str, url: str, items: int) -> None:
    fns: dict[str, Callable[[], int]] = {
        "plain": lambda: work_plain(url, items),
        "ours1": lambda: work_ours(url, items, 1),
        "ours4": lambda: work_ours(url, items, 4),
        "sdk": lambda: work_sdk(url, items),
    }
    # import everything before the clock starts (and before the baseline RSS)
    import httpx  # noqa: F401

    if name.startswith("ours"):
        import voucherify_ext.client
        import voucherify_ext.orders.pages  # noqa: F401
    if name == "sdk":
        import voucherify  # noqa: F401
    rss_before = rss_mb()
    started = time.perf_counter()
    count = fns[name]()
    seconds = time.perf_counter() - started
    print(json.dumps({"count": count, "seconds": seconds, "rss_before": rss_before, "rss_peak": rss_mb()}))


# -- orchestration -----------------------------------------------------------------------------


def sandbox_options(latency_ms: float) -> list[str]:
    return ["--latency-ms", str(latency_ms), "--app-id", APP_ID, "--app-token", APP_TOKEN]


def sdk_available() -> str | None:
    """None when the official SDK imports in this interpreter, else why not (checked in a
    child process, so this process stays small)."""
    probe = "import voucherify; print(voucherify.__version__); voucherify.OrdersApi"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=False, timeout=120)
    if out.returncode == 0:
        return None
    reason = (out.stderr.decode().strip().splitlines() or ["unknown error"])[-1]
    return (
        f"the official SDK is not importable in {sys.executable} ({reason}); run this script with "
        ".venv-bench/bin/python (see benchmarks/requirements.txt)"
    )


def run_worker(name: str, url: str, items: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "generated")])}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", name, "--url", url, "--items", str(items)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{out.stderr.decode()[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    if result["count"] != items:
        raise SystemExit(f"worker {name} read {result['count']} orders, expected {items}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per row (median reported)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 orders, 1 run")
    parser.add_argument("--json", metavar="OUT", help="also write the figures to OUT as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--items", type=int, default=ORDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.items)
        return
    total, small = (2_000, 500) if args.quick else (ORDERS, 1_000)
    if args.quick:
        args.runs = 1

    skipped = sdk_available()
    names = [n for n in CONTENDERS if n != "sdk" or skipped is None]
    load_before = os.getloadavg()
    with run_process(*sandbox_options(args.latency_ms)) as sandbox:
        url = sandbox.url
        control(url, "POST", "/_sandbox/seed", {"count": total})
        state = control(url, "GET", "/_sandbox/state")
        load = ", ".join(f"{x:.2f}" for x in load_before)
        print(
            f"python {sys.version.split()[0]} ({sys.executable}), {os.cpu_count()} CPUs, load average {load}"
        )
        print(
            f"sandbox: separate process, {state['orders']:,} orders, {state['latency_ms']:g} ms latency per "
            f"request, rate limit {state['rate_limit'] or 'OFF'}"
        )
        print(
            "NOTE: rate limiting is off here to measure the client. On a real plan the rate limit, not "
            "latency, bounds throughput (Business: 100 req/min = 10,000 orders/min at page_size=100; "
            "prefetch cannot beat it, and the client's limiter keeps prefetch inside it)."
        )
        print(f"{total:,} orders, page_size={PAGE}, {args.runs} runs per row, median [min-max]\n")
        times: dict[str, list[float]] = {n: [] for n in names}
        memory: dict[str, dict[int, dict[str, float]]] = {n: {} for n in names}
        # one warm-up per row (connection setup, sandbox caches), not timed; its worker's peak RSS
        # is the row's memory at `small` orders (the client's memory does not depend on the
        # server's caches)
        for name in names:
            memory[name][small] = run_worker(name, url, small)
        rss_total: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(args.runs):  # interleaved, so drift in the machine hits every row alike
            for name in names:
                result = run_worker(name, url, total)
                times[name].append(result["seconds"])
                rss_total[name].append(result["rss_peak"])
        for name in names:  # the highest peak of the timed runs: the pessimistic figure
            memory[name][total] = {"rss_peak": max(rss_total[name])}

    median = {n: statistics.median(t) for n, t in times.items()}
    plain = median["plain"]
    header = f"{'row':<20} {'median s':>9} {'spread s':>15} {'orders/s':>9} {'t/plain':>9}"
    header += f" {f'peak RSS MB @{small:,} / @{total:,} (growth)':>36}"
    print(header)
    for name in names:
        low, high = min(times[name]), max(times[name])
        m1, m10 = memory[name][small], memory[name][total]
        growth = m10["rss_peak"] - m1["rss_peak"]
        print(
            f"{CONTENDERS[name]:<20} {median[name]:>9.2f} {f'{low:.2f}-{high:.2f}':>15} "
            f"{total / median[name]:>9,.0f} {median[name] / plain:>8.2f}x "
            f"{m1['rss_peak']:>19.1f} / {m10['rss_peak']:>5.1f} ({growth:+.1f})"
        )
    if skipped is not None:
        print(f"{CONTENDERS['sdk']:<20} skipped: {skipped}")

    load_after = os.getloadavg()
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in load_after)}")
    print("goals")
    ratios: dict[str, float] = {}
    goals: dict[str, bool] = {}
    ratio1 = median["ours1"] / plain
    ratios["prefetch=1 / plain loop (time)"] = ratio1
    goals["prefetch=1 within 1.1x of the plain loop"] = ratio1 <= 1.1
    print(f"  prefetch=1 within 1.1x of the plain loop: {ratio1:.2f}x -> {_verdict(ratio1 <= 1.1)}")
    speedup = plain / median["ours4"]
    ratios["plain loop / prefetch=4 (speed-up)"] = speedup
    goals["prefetch=4 >= 2.5x faster than the plain loop"] = speedup >= 2.5
    print(f"  prefetch=4 >= 2.5x faster than the plain loop: {speedup:.2f}x -> {_verdict(speedup >= 2.5)}")
    if "sdk" in median:
        vs_sdk = median["sdk"] / median["ours4"]
        ratios["official SDK / prefetch=4 (speed-up)"] = vs_sdk
        ratios["official SDK / prefetch=1 (speed-up)"] = median["sdk"] / median["ours1"]
        goals["prefetch=4 >= 2.5x faster than the official SDK"] = vs_sdk >= 2.5
        print(
            f"  prefetch=4 >= 2.5x faster than the official SDK: {vs_sdk:.2f}x -> {_verdict(vs_sdk >= 2.5)}"
        )
    else:
        print("  prefetch=4 vs the official SDK: not measured (row skipped)")
    growth = max(memory[n][total]["rss_peak"] - memory[n][small]["rss_peak"] for n in ("ours1", "ours4"))
    print(f"  peak memory flat in the number of orders (ours, {small:,} -> {total:,}): {growth:+.1f} MB")

    if args.json:
        rows = {
            name: {
                "label": CONTENDERS[name],
                "seconds": {"median": median[name], "min": min(times[name]), "max": max(times[name])},
                "samples_s": times[name],
                "orders_per_s": total / median[name],
                "rss_peak_mb": {str(k): v["rss_peak"] for k, v in memory[name].items()},
            }
            for name in names
        }
        out = {
            "bench": "pagination",
            "orders": total,
            "small": small,
            "page_size": PAGE,
            "latency_ms": args.latency_ms,
            "runs": args.runs,
            "skipped": skipped,
            "load_before": load_before,
            "load_after": load_after,
            "rows": rows,
            "ratios": ratios,
            "goals": goals,
            "rss_growth_mb_ours": growth,
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
