"""The job-floor row of RESULTS.md (issue 16, point 8), from ``bench_jobs.py --json``.

Kept apart from ``report.py`` (the issue-8 rows); ``report.BUILDERS`` lists it with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from report import Row

TITLE = "8. Jobs that end when the server ends, on the fewest requests"


def row_jobs(data: dict[str, Any]) -> Row:
    from report import Bar, Row  # here, not at the top: report.py imports this module

    table, bars, goals = [], [], []
    for r in data["rows"]:
        table.append(
            [
                r["case"],
                f"{r['floor_s']:,.1f}",
                f"{r['elapsed_s']:,.1f}",
                f"{r['ratio']:.3f}x",
                str(r["requests"]),
                str(r["minimum_requests"]),
                str(r["polls"]),
                str(r["goals"]),
            ]
        )
        bars.append(
            Bar(r["case"], r["ratio"], note=f"{r['requests']} requests (minimum {r['minimum_requests']})")
        )
        goals.append((f"{r['case']}: ≤ 1.03x the floor", r["ratio"] <= 1.03))
        goals.append(
            (
                f"{r['case']}: requests within 10 % of the minimum",
                r["requests"] <= 1.1 * r["minimum_requests"],
            )
        )
        if "hour" in r["case"]:
            goals.append((f"{r['case']}: ends within the hour", r["elapsed_s"] < 3600))
    worst = max(data["rows"], key=lambda r: r["ratio"])
    return Row(
        key="jobs",
        title=TITLE,
        what=(
            "`benchmarks/bench_jobs.py`: each case against the sandbox on a loopback port in logical time "
            "(a `ManualClock` the client sleeps on), each request "
            f"{data['latency'] * 1000:.0f} ms of simulated round trip plus its upload at 20 MB/s; "
            "deterministic, one run. Floor: the server's own processing time. Minimum requests: an "
            "import one submit and one final read per chunk, an export the create and one final read. "
            "The job schedule is the default one (polling at the end the job's progress predicts)."
        ),
        columns=["case", "floor s", "elapsed s", "ratio", "requests", "minimum", "polls", "goals"],
        table=table,
        goals=goals,
        ahead=None,
        ahead_text="no official-SDK baseline (it has no job polling of its own)",
        bars=bars,
        chart_title="8. job end seen / server's end",
        chart_xlabel="× the floor (lower is better, goal ≤ 1.03)",
        goal_line=1.03,
        headline=f"jobs: worst case {worst['case']} at {worst['ratio']:.3f}x the floor",
        notes=[
            "Where a goal is missed: under 100/hour the first chunk's end cannot be predicted before "
            "any progress exists, so it takes a few polls beyond one final read (the chunks after it "
            "are read once each, at the end its pace predicts); an export reports no progress, so it "
            "is polled on the backoff, and no schedule meets both goals for an export of unknown "
            "length (two requests means one read exactly at its end). A fresh import reads no "
            'async-action list before its first send (docs/jobs.md, "Lost responses"): under '
            "100/min that read was the 101st request, which waited for the next minute."
        ],
    )
