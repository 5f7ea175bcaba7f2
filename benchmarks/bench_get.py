"""Per-request overhead of ``vf.orders.get`` against plain httpx + json.loads and against the
official Voucherify SDK (``voucherify`` on PyPI), on the same sandbox, in one run.

    python benchmarks/bench_get.py [--n 2000] [--rounds 5] [--through-proxy]

The sandbox runs in a separate process (so it does not share the client's GIL) and is reached
directly on uvicorn's port unless ``--through-proxy`` (the fault proxy adds latency to every
client alike, which only dilutes the ratios). Rounds interleave the three clients so drift in
machine load hits them equally. Reported per client: median wall time per request with its
spread (p10-p90 over all requests), client CPU per request (psutil, this process only), and
the ratios against plain httpx. Goal: ours at most 1.25x plain httpx, and faster than the SDK.
A bare urllib3 row (the SDK's HTTP stack) shows how much of the SDK's lead is its HTTP stack
rather than its own code: ours must stay on httpx (DESIGN).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable

import httpx
import psutil

SERVER = textwrap.dedent(
    """
    import json, sys
    from voucherify_ext.sandbox import serve
    with serve() as sb:
        print(json.dumps({"url": sb.url, "direct_url": sb.direct_url,
                          "app_id": sb.app_id, "app_token": sb.app_token}), flush=True)
        sys.stdin.read()
    """
)


def start_sandbox() -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise SystemExit("the sandbox did not start")
    return proc, json.loads(line)


Client = tuple[Callable[[str], object], Callable[[], None]]


def plain_client(base: str, app_id: str, app_token: str) -> Client:
    client = httpx.Client(base_url=base, headers={"X-App-Id": app_id, "X-App-Token": app_token})

    def get(order_id: str) -> object:
        response = client.get(f"/v1/orders/{order_id}")
        response.raise_for_status()
        return json.loads(response.content)

    return get, client.close


def plain_urllib3(base: str, app_id: str, app_token: str) -> Client:
    """The HTTP stack under the official SDK, bare: says how much of the SDK's lead is urllib3's."""
    import urllib3

    pool = urllib3.PoolManager(headers={"X-App-Id": app_id, "X-App-Token": app_token})

    def get(order_id: str) -> object:
        response = pool.request("GET", f"{base}/v1/orders/{order_id}")
        if response.status >= 400:
            raise RuntimeError(response.status)
        return json.loads(response.data)

    return get, pool.clear


def ours(base: str, app_id: str, app_token: str) -> Client:
    from voucherify_ext import Voucherify

    vf = Voucherify(app_id=app_id, app_token=app_token, base_url=base)
    return vf.orders.get, vf.close


def official_sdk(base: str, app_id: str, app_token: str) -> Client:
    import voucherify

    config = voucherify.Configuration(host=base, api_key={"X-App-Id": app_id, "X-App-Token": app_token})
    api_client = voucherify.ApiClient(config)
    api = voucherify.OrdersApi(api_client)
    return api.get_order, lambda: api_client.__exit__(None, None, None)


CLIENTS = {
    "plain httpx + json.loads": plain_client,
    "voucherify-orders": ours,
    "official SDK": official_sdk,
    "plain urllib3 + json.loads": plain_urllib3,
}


def measure(get: Callable[[str], object], order_id: str, n: int) -> tuple[list[float], float]:
    process = psutil.Process()
    samples = []
    cpu0 = process.cpu_times()
    for _ in range(n):
        t0 = time.perf_counter()
        get(order_id)
        samples.append(time.perf_counter() - t0)
    cpu1 = process.cpu_times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return samples, cpu / n


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="requests per client per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--through-proxy", action="store_true", help="use the sandbox's fault proxy URL")
    args = parser.parse_args()

    proc, info = start_sandbox()
    try:
        base = info["url"] if args.through_proxy else info["direct_url"]
        with httpx.Client(
            base_url=base, headers={"X-App-Id": info["app_id"], "X-App-Token": info["app_token"]}
        ) as c:
            created = c.post(
                "/v1/orders",
                json={
                    "source_id": "bench-1",
                    "amount": 4200,
                    "status": "PAID",
                    "items": [{"quantity": 2, "price": 2100}],
                },
            )
            created.raise_for_status()
            order_id = created.json()["id"]
        clients = {name: make(base, info["app_id"], info["app_token"]) for name, make in CLIENTS.items()}
        for get, _ in clients.values():
            for _ in range(args.warmup):
                get(order_id)
        samples: dict[str, list[float]] = {name: [] for name in clients}
        round_medians: dict[str, list[float]] = {name: [] for name in clients}
        cpu: dict[str, list[float]] = {name: [] for name in clients}
        for _ in range(args.rounds):
            for name, (get, _) in clients.items():
                s, c = measure(get, order_id, args.n)
                samples[name].extend(s)
                round_medians[name].append(statistics.median(s))
                cpu[name].append(c)
        for _, close in clients.values():
            close()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)

    print(
        f"GET /v1/orders/{{id}}: {args.rounds} rounds x {args.n} requests per client, "
        f"sandbox in a separate process via {'fault proxy' if args.through_proxy else 'uvicorn directly'}"
    )
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}\n")
    header = f"{'client':<26}{'median':>9}{'p10':>9}{'p90':>9}{'round medians':>19}{'cpu/req':>10}"
    print(header)
    print("-" * len(header))
    stats = {}
    for name in samples:
        us = [x * 1e6 for x in samples[name]]
        med = statistics.median(us)
        rounds = [x * 1e6 for x in round_medians[name]]
        cpu_us = statistics.median(cpu[name]) * 1e6
        stats[name] = (med, cpu_us)
        spread = f"{min(rounds):.0f}-{max(rounds):.0f}us"
        print(
            f"{name:<26}{med:>7.0f}us{pct(us, 0.1):>7.0f}us{pct(us, 0.9):>7.0f}us{spread:>19}{cpu_us:>8.0f}us"
        )
    plain = stats["plain httpx + json.loads"]
    mine = stats["voucherify-orders"]
    sdk = stats["official SDK"]
    urllib3_ = stats["plain urllib3 + json.loads"]
    print()
    for label, (a, b), goal in (
        ("voucherify-orders / plain httpx: ", (mine, plain), "(goal <= 1.25x)"),
        ("voucherify-orders / official SDK:", (mine, sdk), "(goal < 1.00x)"),
        ("official SDK / plain httpx:      ", (sdk, plain), ""),
        ("plain urllib3 / plain httpx:     ", (urllib3_, plain), "(the HTTP stacks alone)"),
    ):
        print(f"{label} {a[0] / b[0]:.2f}x wall, {a[1] / b[1]:.2f}x client CPU  {goal}")
    print(
        f"overhead of voucherify-orders over plain httpx: {mine[0] - plain[0]:+.0f} us/request (median wall)"
    )


if __name__ == "__main__":
    main()
