"""``orders list --since / --updated-since`` through the real console script: changed-since
reads, each order once, and the watermark for the next run on stderr."""

from __future__ import annotations

import json

from .conftest import Cli, jsonl


def test_updated_since_then_from_the_watermark(cli: Cli) -> None:
    cli.seed(7)
    first = cli("orders", "list", "--updated-since", "2000-01-01", "--page-size", "3")
    assert first.returncode == 0, first.stderr
    ids = [o["id"] for o in jsonl(first.stdout)]
    assert len(ids) == len(set(ids)) == 7
    watermark = first.stderr.strip().rsplit("watermark: ", 1)[1]

    created = cli("orders", "create", "-", input=json.dumps({"source_id": "late", "amount": 1}))
    assert created.returncode == 0, created.stderr
    updated = cli("orders", "update", ids[-1], "-", input='{"status": "CANCELED"}')
    assert updated.returncode == 0, updated.stderr

    second = cli("orders", "list", "--updated-since", watermark)
    assert second.returncode == 0, second.stderr
    again = [o["id"] for o in jsonl(second.stdout)]
    assert len(again) == len(set(again))
    assert {json.loads(created.stdout)["id"], ids[-1]} <= set(again)

    by_created = cli("orders", "list", "--since", watermark)
    assert json.loads(created.stdout)["id"] in [o["id"] for o in jsonl(by_created.stdout)]


def test_bad_dates_and_both_flags_are_usage_errors(cli: Cli) -> None:
    assert cli("orders", "list", "--updated-since", "yesterday").returncode == 2
    both = cli("orders", "list", "--since", "2026-01-01", "--updated-since", "2026-01-01")
    assert both.returncode == 2 and "exclude each other" in both.stderr
    assert cli.requests("GET", "/v1/orders") == 0
