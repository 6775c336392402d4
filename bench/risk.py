"""Benchmark: ``wf.risk.signals`` against the conversion that reads the same orders.

Uses ``bench/frames.py``'s synthetic GetOrders records — a hard case for the signals:
every order's IP is one of 254 addresses and its name one of 8, so the windowed counts
and the earlier-Fraud matches work on large groups — and in one process times:

* baseline: ``orders_frame(records)`` + ``order_lines_frame(records)`` (what every read
  already pays);
* ours: ``wf.risk.signals(orders, lines)`` on those frames;

each best of ``--repeat`` runs. The ratio is baseline / ours: 1.0 or more means finding
every signal costs no more than turning the records into frames did.

Run: ``python bench/risk.py [--orders 100000] [--repeat 3] [--seed 7]``.
"""

from __future__ import annotations

import argparse

from frames import _best_of, synthetic_orders  # bench/ is on sys.path when run as a script

from whmcs_frames import risk
from whmcs_frames.frames import order_lines_frame, orders_frame

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print times and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    records = synthetic_orders(args.orders, args.seed)
    orders, lines = orders_frame(records), order_lines_frame(records)
    baseline = _best_of(args.repeat, lambda: (orders_frame(records), order_lines_frame(records)))
    ours = _best_of(args.repeat, lambda: risk.signals(orders, lines))
    flagged = int(risk.signals(orders, lines)["risk_flagged"].sum())
    print(f"orders: {len(orders):,}  line items: {len(lines):,}  flagged: {flagged:,}")
    print(f"orders_frame + order_lines_frame         : {baseline:.3f} s (best of {args.repeat})")
    print(f"risk.signals(orders, lines)              : {ours:.3f} s (best of {args.repeat})")
    print(f"ratio baseline / ours (>= 1.0 is the goal): {baseline / ours:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
