"""A live-order sync in its own process, for the kill-and-rerun test (test_kill_and_rerun.py):
``python child.py URL FILE CHECKPOINT sync|async``. Exits 0 when the run ends."""

from __future__ import annotations

import asyncio
import sys

from voucherify_ext import AsyncVoucherify, Voucherify


def main(url: str, path: str, checkpoint: str, mode: str) -> int:
    credentials = {"app_id": "sandbox-app-id", "app_token": "sandbox-app-token", "base_url": url}
    if mode == "sync":
        with Voucherify(**credentials) as vf:
            run = vf.orders.upsert_many(path, checkpoint=checkpoint, max_in_flight=6)
            for result in run:
                assert result.status != "failed", result
        return 0

    async def go() -> None:
        async with AsyncVoucherify(**credentials) as vf:
            run = vf.orders.upsert_many(path, checkpoint=checkpoint, max_in_flight=6)
            async for result in run:
                assert result.status != "failed", result

    asyncio.run(go())
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
