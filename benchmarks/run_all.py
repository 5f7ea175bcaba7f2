"""Run every benchmark of issue 8 and write ``benchmarks/RESULTS.md`` and ``benchmarks/results.png``.

    make bench                                         # = .venv-bench/bin/python benchmarks/run_all.py
    .venv-bench/bin/python benchmarks/run_all.py --quick --out-dir /tmp/bench   # smoke run
    .venv-bench/bin/python benchmarks/run_all.py --only decode,throughput
    .venv-bench/bin/python benchmarks/run_all.py --only decode --merge   # keep the other rows

Each row is its own script, run here as a subprocess of this interpreter (the benchmark
environment, which holds the official ``voucherify`` SDK as the baseline); the scripts start
the sandbox in its own process and, where memory or a cold client matters, each measurement in
a fresh worker process. Each script writes its figures as JSON (``--json``), except
``bench_get.py``, whose printed table is parsed. Before each row this waits (up to
``--wait-load-max`` seconds) for the 1-minute load average to drop under ``--max-load``, since
the machine is shared; the load at the start of each row is recorded in RESULTS.md.

Rows (issue 8):
  1 get          bench_get.py           per-request overhead of ``vf.orders.get``
  2 decode       bench_decode.py        a 100-order page into models
  3 pagination   bench_pagination.py    10,000 orders at 50 ms latency
  4 throughput   bench_throughput.py    under a 20 req/s sandbox rate limit
  5+6 import_export  bench_import_export.py  200,000 orders from JSONL; export + download
  7 sync         bench_sync.py          live-order sync: 2,000 upserts under a 20/s budget
  8 jobs         bench_jobs.py          imports and exports against the server's own time
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

ROWS = ("get", "decode", "pagination", "throughput", "import_export", "sync", "jobs")

# full runs; --quick replaces them with the quick ones
ARGS: dict[str, list[str]] = {
    "get": [],
    "decode": [],
    "pagination": [],
    "throughput": [],
    "import_export": [],
    "sync": [],
    "jobs": [],
}
QUICK_ARGS: dict[str, list[str]] = {
    "get": ["--n", "300", "--rounds", "2", "--warmup", "50"],
    "decode": ["--quick"],
    "pagination": ["--quick"],
    "throughput": ["--quick"],
    "import_export": ["--quick"],
    "sync": ["--quick"],
    "jobs": [],
}
SCRIPTS = {
    "get": "bench_get.py",
    "decode": "bench_decode.py",
    "pagination": "bench_pagination.py",
    "throughput": "bench_throughput.py",
    "import_export": "bench_import_export.py",
    "sync": "bench_sync.py",
    "jobs": "bench_jobs.py",
}
GET_CLIENTS = {
    "plain": "plain httpx + json.loads",
    "ours": "voucherify-orders",
    "sdk": "official SDK",
}


# -- running ------------------------------------------------------------------------------------------


def wait_for_quiet(max_load: float, max_wait: float) -> float:
    """Wait until the 1-minute load average is under ``max_load`` (at most ``max_wait`` s)."""
    deadline = time.monotonic() + max_wait
    load = os.getloadavg()[0]
    while load >= max_load and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def run_row(row: str, quick: bool, json_path: Path, log_path: Path) -> tuple[int, str, float]:
    """Run one benchmark script, echoing its output; (exit code, output, seconds)."""
    args = (QUICK_ARGS if quick else ARGS)[row]
    cmd = [sys.executable, str(HERE / SCRIPTS[row]), *args]
    if row != "get":
        cmd += ["--json", str(json_path)]
    print(f"\n=== row {row}: {shlex.join(display_cmd(cmd))}", flush=True)
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "generated")])}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    code = proc.wait()
    output = "".join(lines)
    log_path.write_text(output, encoding="utf-8")
    return code, output, time.monotonic() - started


def display_cmd(cmd: list[str]) -> list[str]:
    """The command as a reader would type it from the repository root."""
    out = []
    for part in cmd:
        if part == sys.executable:
            part = ".venv-bench/bin/python" if ".venv-bench" in part else "python"
        elif part.startswith(str(ROOT) + os.sep):
            part = os.path.relpath(part, ROOT)
        out.append(part)
    if "--json" in out:
        i = out.index("--json")
        out[i + 1] = "OUT.json"
    return out


_GET_LINE = re.compile(
    r"^(?P<name>.+?)\s+(?P<median>\d+)us\s+(?P<p10>\d+)us\s+(?P<p90>\d+)us\s+"
    r"(?P<lo>\d+)-(?P<hi>\d+)us\s+(?P<cpu>\d+)us\s*$"
)


def parse_get(output: str) -> dict[str, Any]:
    """bench_get.py prints a table (it has no --json): one line per client."""
    rows: dict[str, dict[str, Any]] = {}
    for line in output.splitlines():
        match = _GET_LINE.match(line.strip())
        if not match:
            continue
        name = match.group("name").strip()
        key = next((k for k, label in GET_CLIENTS.items() if label == name), None)
        if key is None:
            continue
        rows[key] = {
            "label": name,
            "median_us": float(match.group("median")),
            "p10_us": float(match.group("p10")),
            "p90_us": float(match.group("p90")),
            "round_medians_us": {"min": float(match.group("lo")), "max": float(match.group("hi"))},
            "cpu_us": float(match.group("cpu")),
        }
    missing = [k for k in GET_CLIENTS if k not in rows]
    if missing:
        raise ValueError(f"bench_get.py output has no line for {', '.join(GET_CLIENTS[k] for k in missing)}")
    header = next((line for line in output.splitlines() if line.startswith("GET /v1/orders")), "")
    return {"bench": "get", "header": header, "rows": rows}


# -- machine ------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as info:
            mem_kb = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "?"
    versions = {}
    for package in ("voucherify_orders", "voucherify", "httpx", "pydantic", "attrs", "uvicorn", "matplotlib"):
        try:
            from importlib.metadata import version

            versions[package.replace("_", "-")] = version(package.replace("_", "-"))
        except Exception:
            versions[package] = "not installed"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            "voucherify_ext",
            "generated",
            "benchmarks",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    return {
        "dirty": sorted(line[3:] for line in dirty if line.strip()),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_impl": platform.python_implementation(),
        "versions": versions,
        "commit": commit or "?",
    }


def merge_into_previous(
    path: Path, meta: dict[str, Any], results: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The previous run's figures with the rows just run replacing theirs, each marked as
    re-run alone (when, at which commit), so RESULTS.md never passes a mix off as one run."""
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"--merge needs the previous {path.name}: {exc}") from None
    merged_meta, merged = previous["meta"], previous["results"]
    machine_now = meta["machine"]
    state = "clean" if not machine_now.get("dirty") else "with uncommitted changes"
    for row, info in meta["rows"].items():
        info["rerun"] = f"re-run alone at {meta['started_at']} (commit {machine_now.get('commit')}, {state})"
        merged_meta["rows"][row] = info
        if row in results:
            merged[row] = results[row]
        else:
            merged.pop(row, None)
    return merged_meta, merged


# -- main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: every row small and once")
    parser.add_argument("--only", help=f"comma-separated rows to run, from {', '.join(ROWS)}")
    parser.add_argument(
        "--out-dir", default=str(HERE), help="where RESULTS.md, results.png and results.json go"
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: keep the other rows of the existing results.json, marking the re-run ones",
    )
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for a 1-min load under this")
    parser.add_argument("--wait-load-max", type=float, default=20.0, help="seconds to wait for it per row")
    args = parser.parse_args()
    rows = [r.strip() for r in args.only.split(",")] if args.only else list(ROWS)
    if args.merge and not args.only:
        raise SystemExit("--merge goes with --only (a full run replaces every row)")
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        raise SystemExit(f"unknown rows: {', '.join(unknown)} (rows: {', '.join(ROWS)})")
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    from report import write_chart, write_results  # benchmarks/report.py

    started = time.monotonic()
    started_at = datetime.datetime.now(datetime.UTC)
    results: dict[str, Any] = {}
    meta: dict[str, Any] = {
        "started_at": started_at.strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": machine(),
        "rows": {},
    }
    failures = []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        for row in rows:
            load = wait_for_quiet(args.max_load, 0 if args.quick else args.wait_load_max)
            json_path = Path(tmp) / f"{row}.json"
            code, output, seconds = run_row(row, args.quick, json_path, Path(tmp) / f"{row}.log")
            cmd = [sys.executable, str(HERE / SCRIPTS[row]), *(QUICK_ARGS if args.quick else ARGS)[row]]
            meta["rows"][row] = {
                "command": shlex.join(display_cmd(cmd)),
                "seconds": seconds,
                "load_at_start": load,
                "exit_code": code,
            }
            if code != 0:
                failures.append(row)
                meta["rows"][row]["error"] = output[-2000:]
                continue
            try:
                results[row] = parse_get(output) if row == "get" else json.loads(json_path.read_text())
            except (OSError, ValueError) as exc:
                failures.append(row)
                meta["rows"][row]["error"] = f"{type(exc).__name__}: {exc}"
    meta["total_seconds"] = time.monotonic() - started
    meta["finished_load"] = os.getloadavg()
    if args.merge:
        meta, results = merge_into_previous(out_dir / "results.json", meta, results)

    (out_dir / "results.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n", encoding="utf-8"
    )
    write_chart(results, meta, out_dir / "results.png")
    write_results(results, meta, out_dir / "RESULTS.md", chart_name="results.png")
    print(f"\nwrote {out_dir / 'RESULTS.md'}, {out_dir / 'results.png'}, {out_dir / 'results.json'}")
    print(f"total {meta['total_seconds'] / 60:.1f} min")
    if failures:
        raise SystemExit(f"rows that failed: {', '.join(failures)} (see RESULTS.md)")


if __name__ == "__main__":
    main()
