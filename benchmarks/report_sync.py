"""The live-order sync row of RESULTS.md (issue 16, point 1), from ``bench_sync.py --json``.

Kept apart from ``report.py`` (the issue-8 rows); ``report.BUILDERS`` lists it with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from report import Row

TITLE = "7. Live-order sync: 2,000 upserts at 50 ms under a 20/s budget"


def row_sync(data: dict[str, Any]) -> Row:
    from report import Bar, Row, _r  # here, not at the top: report.py imports this module

    limit = data["limit"]
    labels = {
        "ours": "ours, `upsert_many` (`rate_limit='20/s'`)",
        "sdk": "official SDK, one at a time",
        "pool": "plain thread pool, no budget (16 threads)",
    }
    table, bars = [], []
    for key, label in labels.items():
        r = data["rows"].get(key)
        if r is None:
            continue
        table.append(
            [
                label,
                f"{r['seconds']:.1f}",
                f"{r['per_second']:.2f}",
                f"{r['budget_share']:.1%}",
                str(r["requests"]),
                str(r["received_429"]),
                str(r["confirmed_twice"]),
                str(r["stored"]),
            ]
        )
        bars.append(Bar(label.replace("`", ""), r["budget_share"], note=f"{r['received_429']} 429s received"))
    ours, sdk = data["rows"]["ours"], data["rows"].get("sdk")
    memory = data["memory"]
    counts = sorted(memory, key=int)
    memory_table = ", ".join(
        f"{int(n):,} orders: peak RSS {memory[n]['rss_peak_mb']:.1f} MB "
        f"(traced {memory[n]['traced_peak_mb']:.2f} MB)"
        for n in counts
    )
    goals = list(data["goals"].items())
    ahead: bool | None = None
    ahead_text = "the official SDK was not measured"
    if sdk is not None:
        speed = ours["per_second"] / sdk["per_second"]
        ahead = speed >= 1.0 and ours["received_429"] <= sdk["received_429"]
        ahead_text = (
            f"orders per second ours / official SDK = {_r(speed)}; 429s received {ours['received_429']} vs "
            f"{sdk['received_429']}"
        )
    pool = data["rows"].get("pool")
    headline = (
        f"live sync: ours {ours['budget_share']:.1%} of the 20/s budget with {ours['received_429']} 429s "
        f"and {ours['confirmed_twice']} keys confirmed twice"
        + (f"; a plain thread pool drew {pool['received_429']} 429s" if pool else "")
        + f"; peak RSS {int(counts[-1]):,} / {int(counts[0]):,} orders = {data['rss_growth']:.3f}x"
    )
    return Row(
        key="sync",
        title=TITLE,
        what=(
            f"{data['orders']:,} orders (JSONL, each with a `source_id`) upserted with `createOrder`, "
            f"sandbox in its own process with `--rate-limit {limit}/s --latency-ms {data['latency_ms']}` "
            "and its request journal on; each row a fresh worker process after a reset. 429s received and "
            '"confirmed twice" (keys answered 2xx more than once) come from the sandbox\'s journal. '
            f"Memory: `upsert_many` with the limit lifted and no latency — {memory_table}."
        ),
        columns=[
            "row",
            "seconds",
            "orders per second",
            "of the budget",
            "requests received",
            "429s received",
            "keys confirmed twice",
            "orders stored",
        ],
        table=table,
        goals=goals,
        ahead=ahead,
        ahead_text=ahead_text,
        bars=bars,
        chart_title=f"7. live sync, share of a {limit}/s budget",
        chart_xlabel="× the budget (higher is better, goal ≥ 0.9 with 0 429s)",
        goal_line=0.9,
        headline=headline,
    )
