"""Import N orders from a JSON Lines file into the sandbox, then export and download them;
at 20,000 and 200,000 orders; ours beside the official SDK's way.

    .venv/bin/python benchmarks/bench_import_export.py             # both sizes, both rows
    .venv/bin/python benchmarks/bench_import_export.py --sizes 20000

Rows:
  ours            ``import_orders(vf.client, "orders.jsonl")``: a validating scan of the whole
                  file (the spec's schema, every order), then streamed chunks of 2,000, each
                  POST reconciled if its response is lost, every async action polled; then
                  ``create_export(...)`` and ``.download(path)`` streamed to disk.
  official SDK    what ``voucherify`` (6.x) leaves to the user: load the whole file, split it
                  into lists of 2,000, ``OrdersApi.import_orders`` each, poll
                  ``AsyncActionsApi.get_async_action`` by hand (1 s) until DONE. No validation,
                  no download (the SDK has no streamed download). The SDK sends every unset
                  field as an explicit ``null``, which the spec-strict sandbox refuses; the
                  worker drops the nulls inside the SDK's ``to_dict``. Needs the ``voucherify``
                  package: it is run with ``.venv-bench/bin/python`` when that exists
                  (``benchmarks/requirements.txt``), else skipped with the reason.

The sandbox runs in its own process (``python -m voucherify_ext.sandbox``, import speed 10M
orders/s, no rate limit, no latency), so the time is the client's own plus the server's
request handling. Every measurement is a fresh worker process: peak RSS (``getrusage``
``ru_maxrss``) is that process's own and does not carry over. The goal: the client's peak RSS
at 200,000 orders at most 1.25x its peak at 20,000 (flat in memory). The validation share is
the time spent in schema validation over the import's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP_ID, APP_TOKEN = "bench-app-id", "bench-app-token"
SIZES = (20_000, 200_000)
CHUNK = 2000
FIELDS = ["id", "source_id", "status", "amount", "created_at", "metadata.channel"]


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


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


def work_ours(url: str, path: Path, count: int, out_dir: Path) -> dict[str, Any]:
    from voucherify_ext.client import Voucherify
    from voucherify_ext.exports import create_export
    from voucherify_ext.importing import import_orders
    from voucherify_ext.validation import OrderValidator

    OrderValidator()  # compile the schema before the clock starts, like any import would
    rss_before = _rss_mb()
    with Voucherify(app_id=APP_ID, app_token=APP_TOKEN, base_url=url) as vf:
        started = time.perf_counter()
        result = import_orders(vf.client, path, chunk_size=CHUNK)
        import_seconds = time.perf_counter() - started
        if result.done_count != count:
            raise SystemExit(f"imported {result.done_count} of {count}: {result.summary()}")
        started = time.perf_counter()
        export = create_export(vf.client, fields=FIELDS)
        target = export.download(out_dir / "export.csv")
        export_seconds = time.perf_counter() - started
        with open(target, "rb") as handle:
            rows = sum(1 for _ in handle) - 1
    return {
        "import_seconds": import_seconds,
        "validate_seconds": result.timings["validate"],
        "read_seconds": result.timings["read"],
        "export_seconds": export_seconds,
        "rows": rows,
        "chunks": len(result.chunks),
        "rss_before": rss_before,
        "rss_peak": _rss_mb(),
    }


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def work_sdk(url: str, path: Path, count: int) -> dict[str, Any]:
    import voucherify

    # The SDK serialises every unset field as an explicit null ("initial_amount": null, ...);
    # the sandbox follows the spec, where those fields are not nullable, and refuses them. The
    # real API is assumed to ignore them, so the nulls are dropped here, at the SDK's own
    # serialisation step (the cost stays on the SDK's side of the ledger).
    model = voucherify.OrdersImportCreateRequestBodyItem
    original_to_dict = model.to_dict
    model.to_dict = lambda self: _strip_nulls(original_to_dict(self))  # type: ignore[method-assign]

    rss_before = _rss_mb()
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
                time.sleep(1.0)
    seconds = time.perf_counter() - started
    if done != count:
        raise SystemExit(f"official SDK imported {done} of {count}")
    return {"import_seconds": seconds, "rss_before": rss_before, "rss_peak": _rss_mb()}


def worker(name: str, url: str, path: Path, count: int, out_dir: Path) -> None:
    import httpx  # noqa: F401 - imports happen before the baseline, as in any application

    if name == "ours":
        import voucherify_ext.client  # noqa: F401

        result = work_ours(url, path, count, out_dir)
    else:
        import voucherify  # noqa: F401

        result = work_sdk(url, path, count)
    print(json.dumps(result))


# -- orchestration ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def control(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    import httpx

    response = httpx.request(method, url + path, json=body, timeout=120)
    response.raise_for_status()
    return response.json() if response.content else None


def start_sandbox(python: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [python, "-m", "voucherify_ext.sandbox", "--port", str(port), "--import-speed", "10000000"]
    cmd += ["--app-id", APP_ID, "--app-token", APP_TOKEN]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            control(url, "GET", "/_sandbox/state")
            return proc, url
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("the sandbox did not start") from None
            time.sleep(0.1)


def _imports(python: str, module: str) -> str | None:
    """None when ``module`` imports under ``python``, else why not."""
    out = subprocess.run(
        [python, "-c", f"import {module}"], cwd=ROOT, capture_output=True, check=False, env=_env(), timeout=60
    )
    if out.returncode == 0:
        return None
    lines = out.stderr.decode().strip().splitlines()
    return lines[-1] if lines else f"exit {out.returncode}"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "generated")])}


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
    control(url, "POST", "/_sandbox/reset")
    out = subprocess.run(
        [
            *(python, __file__, "--worker", name, "--url", url),
            *("--file", str(path), "--count", str(count), "--out", str(out_dir)),
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        check=False,
        timeout=3600,
    )
    if out.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{out.stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    stored = control(url, "GET", "/_sandbox/orders")["count"]
    if stored != count:
        raise SystemExit(f"worker {name}: the sandbox holds {stored} orders, expected {count}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in SIZES), help="comma-separated order counts"
    )
    parser.add_argument("--no-sdk", action="store_true", help="skip the official SDK row")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, Path(args.file), args.count, Path(args.out))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    ours_python, sdk_python, skipped = pick_pythons()
    if args.no_sdk:
        sdk_python, skipped = None, "--no-sdk"
    proc, url = start_sandbox(ours_python)
    results: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
            tmp_dir = Path(tmp)
            print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
            print(f"ours: {ours_python}; official SDK: {sdk_python or 'skipped'}")
            print("sandbox: separate process, import speed 10M orders/s, no rate limit, no latency\n")
            for count in sizes:
                path = tmp_dir / f"orders-{count}.jsonl"
                write_orders(path, count)
                size_mb = path.stat().st_size / 1e6
                print(f"{count:,} orders ({size_mb:.1f} MB JSONL):", flush=True)
                ours = run_worker(ours_python, "ours", url, path, count, tmp_dir)
                results[("ours", count)] = ours
                share = ours["validate_seconds"] / ours["import_seconds"]
                rate = count / ours["import_seconds"]
                print(
                    f"  ours          import {ours['import_seconds']:7.2f} s ({rate:8,.0f}/s), "
                    f"validation {ours['validate_seconds']:.2f} s = {share:.1%} of import; "
                    f"export+download {ours['export_seconds']:6.2f} s ({ours['rows']:,} rows); "
                    f"peak RSS {ours['rss_peak']:6.1f} MB",
                    flush=True,
                )
                if ours["rows"] != count:
                    raise SystemExit(f"the export has {ours['rows']} rows, expected {count}")
                if sdk_python is not None:
                    sdk = run_worker(sdk_python, "sdk", url, path, count, tmp_dir)
                    results[("sdk", count)] = sdk
                    rate = count / sdk["import_seconds"]
                    print(
                        f"  official SDK  import {sdk['import_seconds']:7.2f} s ({rate:8,.0f}/s), "
                        f"no validation; no export/download;                           "
                        f"peak RSS {sdk['rss_peak']:6.1f} MB",
                        flush=True,
                    )
                path.unlink()
    finally:
        proc.terminate()
        proc.wait(10)

    if sdk_python is None:
        print(f"\nofficial SDK row skipped: {skipped}")
    print("\nside by side (import only)")
    print(f"  {'orders':>8}  {'ours s':>8} {'SDK s':>8}  {'ours RSS MB':>11} {'SDK RSS MB':>10}")
    for count in sizes:
        ours = results[("ours", count)]
        sdk = results.get(("sdk", count)) or {"import_seconds": float("nan"), "rss_peak": float("nan")}
        print(
            f"  {count:>8,}  {ours['import_seconds']:>8.2f} {sdk['import_seconds']:>8.2f}  "
            f"{ours['rss_peak']:>11.1f} {sdk['rss_peak']:>10.1f}"
        )
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        ratio = results[("ours", large)]["rss_peak"] / results[("ours", small)]["rss_peak"]
        verdict = "met" if ratio <= 1.25 else "NOT met"
        print(f"\ngoal: ours peak RSS at {large:,} <= 1.25x the peak at {small:,}: {ratio:.2f}x -> {verdict}")
        if ("sdk", large) in results:
            sdk_ratio = results[("sdk", large)]["rss_peak"] / results[("sdk", small)]["rss_peak"]
            print(f"      (official SDK way: {sdk_ratio:.2f}x)")


if __name__ == "__main__":
    main()
