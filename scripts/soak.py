"""``make soak``: the fault soak at full size (issue 8). See docs/reliability.md.

    .venv/bin/python scripts/soak.py --orders 20000 --creates 500 --creates-without-id 200 \
        --updates 500 --fault-rate 0.2 --seed 1

The routine itself lives in ``tests/soak/soak_run.py`` so that ``make test`` runs the same code
at a bounded size. Exits 1 when any invariant fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.soak.soak_run import SoakConfig, run_soak


def main(argv: list[str] | None = None) -> int:
    defaults = SoakConfig()
    parser = argparse.ArgumentParser(description="Fault soak against the sandbox.")
    parser.add_argument("--orders", type=int, default=defaults.orders, help="orders to import")
    parser.add_argument("--creates", type=int, default=defaults.creates, help="creates with source_id")
    parser.add_argument(
        "--creates-without-id", type=int, default=defaults.creates_without_id, help="creates without"
    )
    parser.add_argument("--updates", type=int, default=defaults.updates, help="orders to update")
    parser.add_argument("--fault-rate", type=float, default=defaults.fault_rate, help="0..1")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of the fault plan")
    parser.add_argument("--chunk-size", type=int, default=defaults.chunk_size, help="import chunk size")
    parser.add_argument(
        "--max-retries", type=int, default=defaults.max_retries, help="client retries per request"
    )
    args = parser.parse_args(argv)
    config = SoakConfig(
        orders=args.orders,
        creates=args.creates,
        creates_without_id=args.creates_without_id,
        updates=args.updates,
        fault_rate=args.fault_rate,
        seed=args.seed,
        chunk_size=args.chunk_size,
        max_retries=args.max_retries,
    )
    report = run_soak(config)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
