"""Decode one 100-order list page (the same bytes for everyone) into models, in one process.

    .venv-bench/bin/python benchmarks/bench_decode.py [--repeats 11] [--quick] [--json OUT]

Rows:
  json.loads            ``json.loads(body)``: bytes to dicts, nothing else (the floor)
  ours                  what ``vf.orders.iter()`` does with every page it receives: the
                        generated ``list_orders._build_response`` (``response.json()``, i.e.
                        ``json.loads``, then ``OrdersListResponseBody.from_dict``) followed by
                        ``voucherify_ext.responses.unwrap(response, OrdersListResponseBody)``,
                        which checks every field of every order against the generated
                        annotations
  official SDK          what ``voucherify`` 6.x does with every page: ``body.decode()`` then
                        ``ApiClient.deserialize(text, "OrdersListResponseBody",
                        "application/json")`` (``json.loads`` + the pydantic model's
                        ``from_dict``, which validates)

and, to show where our time goes, two parts of "ours" on their own:
  ours: from_dict only  ``OrdersListResponseBody.from_dict(json.loads(body))``, unchecked
  ours: check only      ``check_model(parsed)`` on an already parsed page

The generated ``from_dict`` is shaped by three of our generator templates
(``openapi/templates``): nested-model imports at module level instead of inside every call
(upstream runs about a thousand such statements per page), enum values looked up in the
value map before the ``Enum(value)`` call path, and pass-through unions (``null | string``)
read without a per-call closure.

The page comes from the sandbox: 100 orders created through ``POST /v1/orders``, each with two
items (one SKU, one amount-only), a customer and two metadata keys, read back with
``GET /v1/orders?limit=100`` (about 110 kB of JSON). The sandbox is stopped before timing.

Timing: every repeat runs each row for about ``--target`` seconds (the loop count is
calibrated once per row), rows interleaved so drift in machine load hits them alike, the
garbage collector on (both libraries allocate thousands of objects per page; collecting them
is part of the cost) and ``gc.collect()`` before each repeat. Reported: the median time per
page over the repeats, the spread (min-max of the repeats), and ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ORDERS = 100

ROWS = {
    "json": "json.loads",
    "ours": "ours (from_dict + type check)",
    "sdk": "official SDK (pydantic)",
    "ours_from_dict": "ours: from_dict only",
    "ours_check": "ours: check only",
}


def make_page() -> bytes:
    """A 100-order page as the sandbox serves it."""
    import httpx

    from voucherify_ext.sandbox import serve

    with serve() as sb, httpx.Client(base_url=sb.url, headers=sb.headers) as client:
        for i in range(ORDERS):
            order = {
                "source_id": f"decode-{i}",
                "status": ("PAID", "CREATED", "FULFILLED", "CANCELED")[i % 4],
                "customer": {"source_id": f"customer-{i % 17}"},
                "metadata": {"channel": "web" if i % 3 else "store", "batch": i // 10},
                "items": [
                    {
                        "source_id": f"sku-{i % 50}",
                        "related_object": "sku",
                        "quantity": 1 + i % 3,
                        "price": 500,
                    },
                    {"amount": 2000 + 7 * i},
                ],
            }
            client.post("/v1/orders", json=order).raise_for_status()
        response = client.get("/v1/orders", params={"limit": ORDERS, "order": "created_at"})
        response.raise_for_status()
        body = response.content
    if len(json.loads(body)["orders"]) != ORDERS:
        raise SystemExit("the sandbox did not return a full page")
    return body


def decoders(body: bytes) -> dict[str, Callable[[], Any]]:
    import httpx
    from voucherify_client.api.orders import list_orders
    from voucherify_client.client import AuthenticatedClient
    from voucherify_client.models import OrdersListResponseBody

    from voucherify_ext.responses import check_model, unwrap

    client = AuthenticatedClient(base_url="http://127.0.0.1", token="unused")
    headers = {"content-type": "application/json; charset=utf-8"}

    def ours() -> Any:
        # a fresh httpx.Response each time, as every page is one; building it is part of the cost
        response = httpx.Response(200, content=body, headers=headers)
        return unwrap(list_orders._build_response(client=client, response=response), OrdersListResponseBody)

    def ours_from_dict() -> Any:
        return OrdersListResponseBody.from_dict(json.loads(body))

    parsed = ours_from_dict()

    def ours_check() -> Any:
        check_model(parsed)
        return parsed

    fns: dict[str, Callable[[], Any]] = {
        "json": lambda: json.loads(body),
        "ours": ours,
        "ours_from_dict": ours_from_dict,
        "ours_check": ours_check,
    }
    try:
        import voucherify
    except ImportError:
        return fns
    api_client = voucherify.ApiClient(voucherify.Configuration(host="http://127.0.0.1"))

    def sdk() -> Any:
        return api_client.deserialize(body.decode("utf-8"), "OrdersListResponseBody", "application/json")

    fns["sdk"] = sdk
    return fns


def verify(fns: dict[str, Callable[[], Any]]) -> None:
    """Every decoder reads the whole page (a decoder that fails or drops orders is no row)."""
    assert len(fns["json"]()["orders"]) == ORDERS
    for name in ("ours", "ours_from_dict", "ours_check"):
        page = fns[name]()
        assert len(page.orders) == ORDERS, name
        assert page.orders[0].items[0].price == 500, name
    if "sdk" in fns:
        page = fns["sdk"]()
        assert len(page.orders) == ORDERS
        assert page.orders[0].items[0].price == 500


def calibrate(fn: Callable[[], Any], target: float) -> int:
    loops = 1
    while True:
        started = time.perf_counter()
        for _ in range(loops):
            fn()
        elapsed = time.perf_counter() - started
        if elapsed >= target / 4:
            return max(1, round(loops * target / elapsed))
        loops *= 2


def measure(fns: dict[str, Callable[[], Any]], repeats: int, target: float) -> dict[str, list[float]]:
    loops = {name: calibrate(fn, target) for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()
            n = loops[name]
            started = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - started) / n)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--target", type=float, default=0.2, help="seconds per row per repeat")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 repeats of 0.05 s")
    parser.add_argument("--json", metavar="OUT", help="also write the figures to OUT as JSON")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.target = 3, 0.05

    body = make_page()
    fns = decoders(body)
    verify(fns)
    load_before = os.getloadavg()
    samples = measure(fns, args.repeats, args.target)
    load_after = os.getloadavg()

    import voucherify_ext

    sdk_version = None
    if "sdk" in fns:
        import voucherify

        sdk_version = voucherify.__version__
    print(
        f"decode one {ORDERS}-order page ({len(body) / 1000:.1f} kB JSON), {args.repeats} repeats of "
        f"~{args.target:g} s per row, median [min-max] per page"
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load_before[0]:.2f} -> "
        f"{load_after[0]:.2f}; official SDK {sdk_version or 'not installed (row skipped)'}\n"
    )
    stats = {}
    for name, values in samples.items():
        stats[name] = {
            "label": ROWS[name],
            "median_s": statistics.median(values),
            "min_s": min(values),
            "max_s": max(values),
            "samples_s": values,
        }
    floor = stats["json"]["median_s"]
    header = f"{'row':<32}{'median ms':>10}{'spread ms':>16}{'x json.loads':>14}"
    print(header)
    print("-" * len(header))
    for name in ("json", "ours", "sdk", "ours_from_dict", "ours_check"):
        if name not in stats:
            continue
        s = stats[name]
        spread = f"{s['min_s'] * 1e3:.2f}-{s['max_s'] * 1e3:.2f}"
        print(f"{s['label']:<32}{s['median_s'] * 1e3:>10.2f}{spread:>16}{s['median_s'] / floor:>13.2f}x")
    ratios: dict[str, float] = {"ours/json.loads": stats["ours"]["median_s"] / floor}
    if "sdk" in stats:
        ratios["ours/official SDK"] = stats["ours"]["median_s"] / stats["sdk"]["median_s"]
        ratios["official SDK/json.loads"] = stats["sdk"]["median_s"] / floor
    # the parts of "ours", measured apart; shares of their sum (the whole adds httpx.Response)
    parts = {
        "json.loads": floor,
        "from_dict (without json.loads)": max(0.0, stats["ours_from_dict"]["median_s"] - floor),
        "type check": stats["ours_check"]["median_s"],
    }
    shares = {k: v / sum(parts.values()) for k, v in parts.items()}
    print()
    for label, value in ratios.items():
        print(f"{label + ':':<26} {value:.2f}x")
    print("where ours spends its time: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
    if "sdk" in stats:
        verdict = "met" if ratios["ours/official SDK"] < 1.0 else "NOT met"
        print(f"goal: ours faster than the official SDK: {ratios['ours/official SDK']:.2f}x -> {verdict}")

    if args.json:
        out = {
            "bench": "decode",
            "page_bytes": len(body),
            "orders": ORDERS,
            "repeats": args.repeats,
            "target_s": args.target,
            "sdk_version": sdk_version,
            "ext_version": getattr(voucherify_ext, "__version__", None),
            "load_before": load_before,
            "load_after": load_after,
            "rows": stats,
            "ratios": ratios,
            "shares_of_ours": shares,
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
