"""Jobs that end when the server ends, on the fewest requests (issue 16, point 8).

    .venv/bin/python benchmarks/bench_jobs.py              # every case, the default schedule
    .venv/bin/python benchmarks/bench_jobs.py --json out.json

The figures from before this change come from the same script run in a checkout of the commit
before it (``git archive <commit> | tar -x -C /tmp/before``, the script copied into its
``benchmarks/``, ``--label before``): there every job polls with the plain backoff
(``PollSchedule()``: 1 s, x1.5, at most 10 s) and the import reads the list before and after.

Each case runs against the sandbox on a loopback port, in logical time: the sandbox runs on a
:class:`~voucherify_ext.sandbox.ManualClock`, and the client's ``sleep``, ``clock`` and
``wall_clock`` are that clock too, so a sleep moves the server's time at once (imports advance,
rate windows roll) and the hourly case takes seconds, not an hour. Every request also moves
the clock by a simulated round trip (``--latency``, 20 ms: half before the server sees it, half
after) plus its body's upload at 20 MB/s, so requests are not free. The client's own CPU time
does not move the clock: what is measured is when the client learns that the job ended,
against when the server ended it.

Cases (orders are minimal valid ones, in chunks of 2,000):

  import 20,000 at 2,000/s              no rate limit; floor 10 s of server processing
  import 100,000 at 2,000/s, 100/min     client and sandbox at 100 requests/min; floor 50 s
  import 6,000 at 5/s, 100/hour          client and sandbox at 100 requests/hour; floor 1,200 s
  export taking 10 s                     sandbox export delay 5 s (SCHEDULED 5 s, IN_PROGRESS 5 s)

Printed per case: the floor (the server's own processing time), the elapsed time from the first
request to the call's return, their ratio, the requests the client sent (counted on the wire,
by a transport under ext's), the minimum (an import: one submit and one final read per chunk;
an export: the create and one final read), and the polls among them. Goals (issue 16): at most
1.03x the floor and requests within 10 % of the minimum; under 100/hour no job the server ends
within the hour waits for the next one (the elapsed time stays under 3,600 s).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voucherify_ext import Voucherify  # noqa: E402
from voucherify_ext.exports import create_export  # noqa: E402
from voucherify_ext.imports.drivers import import_orders  # noqa: E402
from voucherify_ext.polling import PollStrategy  # noqa: E402

try:  # the jobs' default schedule; a checkout from before it existed polls with the backoff
    from voucherify_ext.polling import DEFAULT_STRATEGY as DEFAULT
except ImportError:  # pragma: no cover - only when run from an older checkout (--label before)
    from voucherify_ext.polling import DEFAULT_SCHEDULE as DEFAULT  # type: ignore[assignment]
from voucherify_ext.sandbox import ManualClock  # noqa: E402
from voucherify_ext.sandbox.config import SandboxConfig, parse_rate_limit  # noqa: E402
from voucherify_ext.sandbox.server import serve  # noqa: E402

CHUNK = 2000
UPLOAD = 20e6  # bytes per second a request body is uploaded at (simulated)


class Wire(httpx.BaseTransport):
    """The real transport, with a simulated round trip on the manual clock and a count of what
    was sent (method and path kind)."""

    def __init__(self, clock: ManualClock, latency: float) -> None:
        self.inner = httpx.HTTPTransport()
        self.clock = clock
        self.latency = latency
        self.sent: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        polled = path.startswith(("/v1/async-actions/", "/v1/exports/"))
        if request.method == "GET" and polled:
            kind = "poll"
        elif request.method == "GET" and path == "/v1/async-actions":
            kind = "list"
        else:
            kind = "submit"
        self.sent[kind] += 1
        # a round trip, plus the body's upload at UPLOAD bytes/s (a 2,000-order chunk: ~6 ms)
        self.clock.advance(self.latency / 2 + int(request.headers.get("content-length", "0")) / UPLOAD)
        response = self.inner.handle_request(request)
        self.clock.advance(self.latency / 2)
        return response

    def close(self) -> None:
        self.inner.close()


def orders(count: int, prefix: str) -> Iterator[dict[str, Any]]:
    for i in range(count):
        yield {"source_id": f"{prefix}{i}", "status": "PAID", "amount": 1000 + i % 500}


def run_case(case: dict[str, Any], schedule: PollStrategy, latency: float) -> dict[str, Any]:
    clock = ManualClock()
    config = SandboxConfig(
        rate_limit=parse_rate_limit(case.get("rate_limit")),
        import_speed=case.get("speed", 2000.0),
        export_delay=case.get("export_seconds", 10.0) / 2,
    )
    with serve(config=config, clock=clock) as sb:
        wire = Wire(clock, latency)
        with Voucherify(
            app_id=sb.app_id,
            app_token=sb.app_token,
            base_url=sb.url,
            rate_limit=case.get("rate_limit"),
            sleep=clock.sleep,
            clock=clock,
            wall_clock=clock,
            http_transport=wire,
        ) as vf:
            started = clock()
            if case["kind"] == "import":
                count = case["orders"]
                result = import_orders(
                    vf.client,
                    orders(count, "bench-"),
                    sleep=clock.sleep,
                    clock=clock,
                    wall_clock=clock,
                    schedule=schedule,
                    timeout=None,
                )
                elapsed = clock() - started
                if result.done_count != count or not result.ok:
                    raise SystemExit(f"{case['name']}: {result.summary()}")
                chunks = -(-count // CHUNK)
                floor = count / case["speed"]
                minimum = 2 * chunks
            else:
                handle = create_export(
                    vf.client, fields=["id", "source_id"], sleep=clock.sleep, clock=clock, schedule=schedule
                )
                elapsed = clock() - started
                if str(handle.export.status) != "DONE":
                    raise SystemExit(f"{case['name']}: export ended {handle.export.status}")
                floor = case["export_seconds"]
                minimum = 2
    requests = sum(wire.sent.values())
    return {
        "case": case["name"],
        "floor_s": floor,
        "elapsed_s": elapsed,
        "ratio": elapsed / floor,
        "requests": requests,
        "minimum_requests": minimum,
        "requests_over_minimum": requests / minimum,
        "polls": wire.sent["poll"],
        "list_reads": wire.sent["list"],
    }


CASES: list[dict[str, Any]] = [
    {"name": "import 20,000 at 2,000/s", "kind": "import", "orders": 20_000, "speed": 2000.0},
    {
        "name": "import 100,000 at 2,000/s, 100/min",
        "kind": "import",
        "orders": 100_000,
        "speed": 2000.0,
        "rate_limit": "100/min",
    },
    {
        "name": "import 6,000 at 5/s, 100/hour",
        "kind": "import",
        "orders": 6_000,
        "speed": 5.0,
        "rate_limit": "100/hour",
    },
    {"name": "export taking 10 s", "kind": "export", "export_seconds": 10.0},
]


def verdict(row: dict[str, Any], case: dict[str, Any]) -> str:
    goals = [
        f"ratio<=1.03 {'yes' if row['ratio'] <= 1.03 else 'NO'}",
        f"requests<=1.1x min {'yes' if row['requests'] <= 1.1 * row['minimum_requests'] else 'NO'}",
    ]
    if case.get("rate_limit") == "100/hour":
        goals.append(f"within the hour {'yes' if row['elapsed_s'] < 3600 else 'NO'}")
    return ", ".join(goals)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.02, help="simulated round trip per request, s")
    parser.add_argument("--label", default="default", help="what the default schedule is called")
    parser.add_argument("--json", metavar="OUT", help="also write the figures to OUT as JSON")
    args = parser.parse_args()
    schedules: list[tuple[str, PollStrategy]] = [(args.label, DEFAULT)]
    rows = []
    header = (
        f"{'case':<36} {'schedule':<21} {'floor s':>8} {'elapsed s':>10} {'ratio':>7} "
        f"{'requests':>8} {'minimum':>7} {'polls':>5}  goals"
    )
    print(f"simulated round trip {args.latency * 1000:.0f} ms per request; logical time")
    print(header)
    for case in CASES:
        for label, schedule in schedules:
            row = run_case(case, schedule, args.latency)
            row["schedule"] = label
            row["goals"] = verdict(row, case)
            rows.append(row)
            print(
                f"{row['case']:<36} {label:<21} {row['floor_s']:>8.1f} {row['elapsed_s']:>10.1f} "
                f"{row['ratio']:>6.3f}x {row['requests']:>8} {row['minimum_requests']:>7} "
                f"{row['polls']:>5}  {row['goals']}",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"bench": "jobs", "latency": args.latency, "rows": rows}, indent=2) + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
