"""Import N orders from a JSON Lines file into the sandbox, then export and download them;
at 20,000 and 200,000 orders; ours beside the official SDK's way. Issue 8, rows 5 and 6.

    .venv-bench/bin/python benchmarks/bench_import_export.py       # 3 runs at 200,000, 1 at 20,000
    .venv-bench/bin/python benchmarks/bench_import_export.py --sizes 20000 --runs 1
    .venv-bench/bin/python benchmarks/bench_import_export.py --quick --json out.json

Import rows (row 5):
  ours            ``import_orders(vf.client, "orders.jsonl")``: a validating scan of the whole
                  file (the spec's schema, every order), then streamed chunks of 2,000, each
                  POST reconciled if its response is lost, every async action polled.
  official SDK    what ``voucherify`` (6.x) leaves to the user: load the whole file, split it
                  into lists of 2,000, ``OrdersApi.import_orders`` each, poll
                  ``AsyncActionsApi.get_async_action`` by hand (1 s) until DONE. No validation.
                  The SDK sends every unset field as an explicit ``null``, which the spec-strict
                  sandbox refuses; the worker drops the nulls inside the SDK's ``to_dict``.

Export rows (row 6), on the orders just imported (fields ``id, source_id, status, amount,
created_at, metadata``, the SDK's enum refuses ``metadata.<key>``):
  ours            ``create_export(vf.client, fields=...)`` (polled) and ``.download(path)``,
                  streamed to disk.
  official SDK    ``OrdersApi.create_order_export``, ``ExportsApi.get_export`` polled by hand
                  (1 s), ``ExportsApi.download_export(id, token=...)``, which returns the whole
                  CSV as one ``str``, written to disk.

The sandbox runs in its own process (``python -m voucherify_ext.sandbox``, import speed 10M
orders/s, no rate limit, no latency), so the time is the client's own plus the server's
request handling. Every measurement is a fresh worker process; its peak RSS is the kernel's
high-water mark for that process (``VmHWM``; ``ru_maxrss`` would carry the parent's peak over
fork+exec on Linux). Runs are interleaved (size after size, row after row); reported are the
median and min-max over ``--runs`` at the largest size (``--small-runs``, default 3, at the
smaller ones, which serve only the memory-flatness check). The goal printed at the end: the
client's peak RSS at 200,000 orders at most 1.25x its peak at 20,000 (flat in memory). The
validation share is the time spent in schema validation over the import's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _shared import control, rss_mb, run_json_worker, strip_nulls, summary, worker_env

from voucherify_ext.sandbox.process import run_process

ROOT = Path(__file__).resolve().parent.parent
APP_ID, APP_TOKEN = "bench-app-id", "bench-app-token"
SIZES = (20_000, 200_000)
CHUNK = 2000
FIELDS = ["id", "source_id", "status", "amount", "created_at", "metadata"]
POLL = 1.0  # seconds between the official SDK way's polls, as a user would write it


def write_orders(path: Path, count: int) -> None:
    statuses = ("PAID", "CREATED", "FULFILLED", "CANCELED")
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(count):
            order = {
                "source_id": f"bench-{i}",
                "status": statuses[i % 4],
                "amount": 2000 + i % 5000,
                "customer": {"source_id": f"customer-{i % 5000}"},
                "metadata": {"channel": "web" if i % 3 else "store", "batch": i // 10_000},
                "items": [
                    {
                        "source_id": f"sku-{i % 50}",
                        "related_object": "sku",
                        "quantity": 1 + i % 3,
                        "price": 500,
                    },
                    {"amount": 2000 + i % 5000 - 500 * (1 + i % 3)},
                ],
            }
            handle.write(json.dumps(order, separators=(",", ":")) + "\n")


# -- workers (one per measurement, in a fresh process) --------------------------------------------


def work_ours_import(url: str, path: Path, count: int) -> dict[str, Any]:
    from voucherify_ext.client import Voucherify
    from voucherify_ext.imports.drivers import import_orders
    from voucherify_ext.validation import OrderValidator

    OrderValidator()  # compile the schema before the clock starts, like any import would
    rss_before = rss_mb()
    with Voucherify(app_id=APP_ID, app_token=APP_TOKEN, base_url=url) as vf:
        started = time.perf_counter()
        result = import_orders(vf.client, path, chunk_size=CHUNK)
        seconds = time.perf_counter() - started
    if result.done_count != count:
        raise SystemExit(f"imported {result.done_count} of {count}: {result.summary()}")
    return {
        "seconds": seconds,
        "validate_seconds": result.timings["validate"],
        "read_seconds": result.timings["read"],
        "chunks": len(result.chunks),
        "rss_before": rss_before,
        "rss_peak": rss_mb(),
    }


def work_ours_export(url: str, out_dir: Path) -> dict[str, Any]:
    from voucherify_ext.client import Voucherify
    from voucherify_ext.exports import create_export

    rss_before = rss_mb()
    with Voucherify(app_id=APP_ID, app_token=APP_TOKEN, base_url=url) as vf:
        started = time.perf_counter()
        export = create_export(vf.client, fields=FIELDS)
        target = export.download(out_dir / "export-ours.csv")
        seconds = time.perf_counter() - started
    rss_peak = rss_mb()
    rows = _count_rows(Path(target))
    return {"seconds": seconds, "rows": rows, "rss_before": rss_before, "rss_peak": rss_peak}


def _count_rows(path: Path) -> int:
    with open(path, "rb") as handle:
        rows = sum(1 for _ in handle) - 1
    path.unlink()
    return rows


def work_sdk_import(url: str, path: Path, count: int) -> dict[str, Any]:
    import voucherify

    # The SDK serialises every unset field as an explicit null ("initial_amount": null, ...);
    # the sandbox follows the spec, where those fields are not nullable, and refuses them. The
    # real API is assumed to ignore them, so the nulls are dropped here, at the SDK's own
    # serialisation step (the cost stays on the SDK's side of the ledger).
    model = voucherify.OrdersImportCreateRequestBodyItem
    original_to_dict = model.to_dict
    model.to_dict = lambda self: strip_nulls(original_to_dict(self))  # type: ignore[method-assign]

    rss_before = rss_mb()
    config = voucherify.Configuration(host=url, api_key={"X-App-Id": APP_ID, "X-App-Token": APP_TOKEN})
    started = time.perf_counter()
    with open(path, encoding="utf-8") as handle:  # load the whole file
        records = [json.loads(line) for line in handle if line.strip()]
    done = 0
    with voucherify.ApiClient(config) as api_client:
        orders_api = voucherify.OrdersApi(api_client)
        actions_api = voucherify.AsyncActionsApi(api_client)
        action_ids = []
        for start in range(0, len(records), CHUNK):  # split, call
            body = [
                voucherify.OrdersImportCreateRequestBodyItem.from_dict(r)
                for r in records[start : start + CHUNK]
            ]
            action_ids.append(
                orders_api.import_orders(orders_import_create_request_body_item=body).async_action_id
            )
        for action_id in action_ids:  # poll by hand
            while True:
                action = actions_api.get_async_action(action_id)
                if action.status in ("DONE", "FAILED"):
                    result = action.result if isinstance(action.result, dict) else {}
                    if action.result is not None and hasattr(action.result, "to_dict"):
                        result = action.result.to_dict()
                    done += int(result.get("done_count") or 0)
                    break
                time.sleep(POLL)
    seconds = time.perf_counter() - started
    if done != count:
        raise SystemExit(f"official SDK imported {done} of {count}")
    return {"seconds": seconds, "rss_before": rss_before, "rss_peak": rss_mb()}


def work_sdk_export(url: str, out_dir: Path) -> dict[str, Any]:
    from urllib.parse import parse_qs, urlparse

    import voucherify

    rss_before = rss_mb()
    config = voucherify.Configuration(host=url, api_key={"X-App-Id": APP_ID, "X-App-Token": APP_TOKEN})
    target = out_dir / "export-sdk.csv"
    started = time.perf_counter()
    with voucherify.ApiClient(config) as api_client:
        orders_api = voucherify.OrdersApi(api_client)
        exports_api = voucherify.ExportsApi(api_client)
        body = voucherify.OrdersExportCreateRequestBody(
            parameters=voucherify.OrdersExportCreateRequestBodyParameters(fields=FIELDS)
        )
        export = orders_api.create_order_export(body)
        while True:
            export = exports_api.get_export(export.id)
            if export.status == "DONE":
                break
            time.sleep(POLL)
        # the download URL's token, as the SDK's docs say: from the export's result
        token = parse_qs(urlparse(export.result.url).query)["token"][0]
        text = exports_api.download_export(export.id, token=token)  # the whole CSV, one str
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        del text
    seconds = time.perf_counter() - started
    rss_peak = rss_mb()
    return {"seconds": seconds, "rows": _count_rows(target), "rss_before": rss_before, "rss_peak": rss_peak}


WORKERS = ("ours_import", "sdk_import", "ours_export", "sdk_export")


def worker(name: str, url: str, path: Path, count: int, out_dir: Path) -> None:
    import httpx  # noqa: F401 - imports happen before the baseline, as in any application

    if name.startswith("ours"):
        import voucherify_ext.client  # noqa: F401
    else:
        import voucherify  # noqa: F401
    if name == "ours_import":
        result = work_ours_import(url, path, count)
    elif name == "sdk_import":
        result = work_sdk_import(url, path, count)
    elif name == "ours_export":
        result = work_ours_export(url, out_dir)
    else:
        result = work_sdk_export(url, out_dir)
    print(json.dumps(result))


# -- orchestration ----------------------------------------------------------------------------------


def _imports(python: str, module: str) -> str | None:
    """None when ``module`` imports under ``python``, else why not."""
    out = subprocess.run(
        [python, "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        env=worker_env(),
        timeout=60,
    )
    if out.returncode == 0:
        return None
    lines = out.stderr.decode().strip().splitlines()
    return lines[-1] if lines else f"exit {out.returncode}"


def pick_pythons() -> tuple[str, str | None, str]:
    """(python for ours, python for the SDK or None, why the SDK row is skipped)."""
    ours = sys.executable
    if _imports(ours, "jsonschema_rs") is not None and (ROOT / ".venv/bin/python").exists():
        ours = str(ROOT / ".venv/bin/python")
    candidates = [sys.executable, str(ROOT / ".venv-bench/bin/python")]
    reasons = []
    for python in candidates:
        if not Path(python).exists():
            reasons.append(f"{python} does not exist")
            continue
        why = _imports(python, "voucherify")
        if why is None:
            return ours, python, ""
        reasons.append(f"{python}: {why}")
    return ours, None, "the official SDK is not importable (" + "; ".join(reasons) + ")"


def run_worker(python: str, name: str, url: str, path: Path, count: int, out_dir: Path) -> dict[str, Any]:
    if name.endswith("_import"):
        control(url, "POST", "/_sandbox/reset")
    argv = [python, __file__, "--worker", name, "--url", url, "--file", str(path), "--count", str(count)]
    result = run_json_worker(name, [*argv, "--out", str(out_dir)])
    if name.endswith("_import"):
        stored = control(url, "GET", "/_sandbox/orders")["count"]
        if stored != count:
            raise SystemExit(f"worker {name}: the sandbox holds {stored} orders, expected {count}")
    elif result["rows"] != count:
        raise SystemExit(f"worker {name}: the export has {result['rows']} rows, expected {count}")
    return result


def _fmt(summary: dict[str, float], digits: int = 2) -> str:
    return f"{summary['median']:.{digits}f} [{summary['min']:.{digits}f}-{summary['max']:.{digits}f}]"


LABELS = {
    "ours_import": "ours import",
    "sdk_import": "official SDK import",
    "ours_export": "ours export+download",
    "sdk_export": "official SDK export+download",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in SIZES), help="comma-separated order counts"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per row at the largest size (median reported)"
    )
    parser.add_argument(
        "--small-runs", type=int, default=3, help="runs per row at the smaller sizes (memory flatness)"
    )
    parser.add_argument("--no-sdk", action="store_true", help="skip the official SDK rows")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 and 20,000 orders, 1 run")
    parser.add_argument("--json", metavar="OUT", help="also write the figures to OUT as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, Path(args.file), args.count, Path(args.out))
        return
    if args.quick:
        args.sizes, args.runs = "2000,20000", 1

    sizes = [int(s) for s in args.sizes.split(",")]
    ours_python, sdk_python, skipped = pick_pythons()
    if args.no_sdk:
        sdk_python, skipped = None, "--no-sdk"
    names = [n for n in WORKERS if n.startswith("ours") or sdk_python is not None]
    results: dict[tuple[str, int], list[dict[str, Any]]] = {(n, c): [] for n in names for c in sizes}
    load_before = os.getloadavg()
    options = ["--import-speed", "10000000", "--app-id", APP_ID, "--app-token", APP_TOKEN]
    with run_process(*options, python=ours_python) as sandbox:
        url = sandbox.url
        with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
            tmp_dir = Path(tmp)
            print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load_before[0]:.2f}")
            print(f"ours: {ours_python}; official SDK: {sdk_python or 'skipped'}")
            print("sandbox: separate process, import speed 10M orders/s, no rate limit, no latency")
            print(
                f"{args.runs} runs per row at {max(sizes):,}, {min(args.small_runs, args.runs)} at smaller "
                "sizes; median [min-max]\n"
            )
            paths = {}
            for count in sizes:
                paths[count] = tmp_dir / f"orders-{count}.jsonl"
                write_orders(paths[count], count)
            for run in range(1, args.runs + 1):
                for count in sizes:
                    if count != max(sizes) and run > args.small_runs:
                        continue
                    size_mb = paths[count].stat().st_size / 1e6
                    print(f"run {run}, {count:,} orders ({size_mb:.1f} MB JSONL):", flush=True)
                    # ours imports, both export what it imported; then the SDK way imports
                    for name in ("ours_import", "ours_export", "sdk_export", "sdk_import"):
                        if name not in names:
                            continue
                        python = ours_python if name.startswith("ours") else sdk_python
                        assert python is not None
                        r = run_worker(python, name, url, paths[count], count, tmp_dir)
                        results[(name, count)].append(r)
                        extra = ""
                        if name == "ours_import":
                            extra = f", validation {r['validate_seconds']:.2f} s"
                        line = f"  {LABELS[name]:<30} {r['seconds']:7.2f} s{extra}, "
                        line += f"peak RSS {r['rss_peak']:7.1f} MB (after imports {r['rss_before']:.1f})"
                        print(line, flush=True)
    load_after = os.getloadavg()

    if sdk_python is None:
        print(f"\nofficial SDK rows skipped: {skipped}")
    stats: dict[str, dict[str, Any]] = {}
    print(
        f"\n{'row':<30} {'orders':>8}  {'seconds':>22}  {'peak RSS MB':>22}  "
        f"{'growth MB':>9}  {'orders/s':>9}"
    )
    for name in names:
        for count in sizes:
            rs = results[(name, count)]
            entry = {
                "label": LABELS[name],
                "orders": count,
                "seconds": summary([r["seconds"] for r in rs]),
                "rss_peak_mb": summary([r["rss_peak"] for r in rs]),
                "rss_growth_mb": summary([r["rss_peak"] - r["rss_before"] for r in rs]),
                "runs": rs,
            }
            if name == "ours_import":
                entry["validate_share"] = summary([r["validate_seconds"] / r["seconds"] for r in rs])
            stats[f"{name}@{count}"] = entry
            print(
                f"{LABELS[name]:<30} {count:>8,}  {_fmt(entry['seconds']):>22}  "
                f"{_fmt(entry['rss_peak_mb'], 1):>22}  {entry['rss_growth_mb']['median']:>9.1f}  "
                f"{count / entry['seconds']['median']:>9,.0f}"
            )
    large, small = max(sizes), min(sizes)
    ratios: dict[str, float] = {}
    if sdk_python is not None:
        for what, key in (("import", "import"), ("export+download", "export")):
            ours, sdk = stats[f"ours_{key}@{large}"], stats[f"sdk_{key}@{large}"]
            ratios[f"{what} time, ours/official SDK @{large}"] = (
                ours["seconds"]["median"] / sdk["seconds"]["median"]
            )
            ratios[f"{what} peak RSS, ours/official SDK @{large}"] = (
                ours["rss_peak_mb"]["median"] / sdk["rss_peak_mb"]["median"]
            )
    if large != small:
        for name in names:
            ratios[f"{LABELS[name]} peak RSS @{large} / @{small}"] = (
                stats[f"{name}@{large}"]["rss_peak_mb"]["median"]
                / stats[f"{name}@{small}"]["rss_peak_mb"]["median"]
            )
    print()
    for label, value in ratios.items():
        print(f"{label}: {value:.2f}x")
    if large != small:
        flat = ratios[f"{LABELS['ours_import']} peak RSS @{large} / @{small}"]
        verdict = "met" if flat <= 1.25 else "NOT met"
        print(
            f"goal: ours import peak RSS at {large:,} <= 1.25x the peak at {small:,}: "
            f"{flat:.2f}x -> {verdict}"
        )

    if args.json:
        out = {
            "bench": "import_export",
            "sizes": sizes,
            "runs": args.runs,
            "fields": FIELDS,
            "chunk": CHUNK,
            "ours_python": ours_python,
            "sdk_python": sdk_python,
            "skipped": skipped if sdk_python is None else None,
            "load_before": load_before,
            "load_after": load_after,
            "rows": stats,
            "ratios": ratios,
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
