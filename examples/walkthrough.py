"""A walk through voucherify-orders, end to end.

Run it with ``make demo`` (which starts the bundled sandbox and points this script at it), or
against your own project::

    VOUCHERIFY_APP_ID=... VOUCHERIFY_APP_TOKEN=... VOUCHERIFY_CLUSTER=eu python examples/walkthrough.py

Every step is one call; the comments say what the library does for you underneath.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from voucherify_ext import Voucherify
from voucherify_ext.imports.drivers import ImportProgress

console = Console()

# The create body from Voucherify's published SDK page (shared/seed/OrdersApi.md), plus a
# source_id: with one, a create is an upsert, which also makes it safe to retry.
SAMPLE_ORDER: dict[str, Any] = {
    "source_id": "walkthrough-order-1",
    "amount": 20000,
    "customer": {"source_id": "sample_customer"},
    "status": "PAID",
    "items": [
        {
            "quantity": 1,
            "price": 20000,
            "source_id": "sample product1",
            "related_object": "product",
            "product": {"metadata": {"key": "value"}},
        }
    ],
}

# The export field list from the same page.
EXPORT_FIELDS = [
    "id", "source_id", "status", "created_at", "updated_at", "amount", "discount_amount",
    "items_discount_amount", "total_discount_amount", "total_amount", "customer_id", "referrer_id",
    "metadata.payment_mean",
]  # fmt: skip


def historical_orders(count: int) -> Iterator[dict[str, Any]]:
    """Generated history: any iterable works, and only a chunk is held in memory at a time."""
    rng = random.Random(7)
    for n in range(count):
        quantity, price = rng.randint(1, 4), rng.choice([900, 1600, 2500, 7000])
        yield {
            "source_id": f"history-{n:05d}",
            "status": rng.choice(["PAID", "FULFILLED", "CANCELED"]),
            "customer": {"source_id": f"customer-{n % 400}"},
            "items": [
                {"source_id": f"sku-{price}", "related_object": "sku", "quantity": quantity, "price": price}
            ],
            "metadata": {"payment_mean": rng.choice(["card", "paypal", "wire-transfer"])},
        }


def main() -> int:
    started = time.monotonic()
    with Voucherify() as vf:  # credentials and URL from VOUCHERIFY_* environment variables
        console.rule("1. Create the sample order")
        order = vf.orders.create(SAMPLE_ORDER)
        console.print(
            f"created {order.id} (source_id {order.source_id}), amount {order.amount}, {order.status}"
        )

        console.rule("2. Create it again: an upsert by source_id, not a duplicate")
        again = vf.orders.create({**SAMPLE_ORDER, "metadata": {"channel": "walkthrough"}})
        assert again.id == order.id
        metadata = again.metadata.to_dict() if again.metadata else {}
        console.print(f"same order {again.id}, metadata now {metadata}")

        console.rule("3. Cancel it (the seed's update body)")
        cancelled = vf.orders.update(SAMPLE_ORDER["source_id"], {"status": "CANCELED"})  # id or source_id
        console.print(f"{cancelled.id} is now {cancelled.status}")

        console.rule("4. List with the iterator (lazy, every page, oldest first)")
        with vf.orders.iter(page_size=100) as orders:
            listed = [o.id for o in orders]
        console.print(f"{len(listed)} order(s) listed")

        console.rule("5. Import 5,000 historical orders")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            sent = progress.add_task("submitted", total=5000)
            done = progress.add_task("chunks done", total=3)

            def on_progress(p: ImportProgress) -> None:
                progress.update(sent, completed=p.orders_submitted)
                progress.update(done, completed=p.chunks_done, total=max(p.chunks_submitted, 1))

            result = vf.orders.import_orders(
                historical_orders(5000), chunk_size=2000, on_progress=on_progress
            )
            progress.update(done, completed=len(result.chunks), total=len(result.chunks))
        console.print(result.summary())

        console.rule("6. Export them to CSV (scheduled, polled, streamed to disk)")
        out = Path(tempfile.mkdtemp(prefix="voucherify-demo-")) / "orders.csv"
        export = vf.orders.export(fields=EXPORT_FIELDS, order="created_at")
        export.download(out)
        with out.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        console.print(f"{len(rows)} rows, {out.stat().st_size:,} bytes in {out}")

    table = Table("status", "orders", "amount", title="Summary of the export")
    by_status = Counter(r["status"] for r in rows)
    amounts: Counter[str] = Counter()
    for row in rows:
        amounts[row["status"]] += int(row["amount"] or 0)
    for status, count in sorted(by_status.items()):
        table.add_row(status, f"{count:,}", f"{amounts[status] / 100:,.2f}")
    console.print(table)
    console.print(f"walk-through finished in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
