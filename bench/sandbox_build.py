"""What the billing history (services, renewals, payments, churn) adds to a sandbox build.

Builds the same ``(orders, seed)`` database twice per round, interleaved in one
process, timing CPU seconds so the machine's noise cancels out: once with the orders alone (billing
history switched off) and once complete. Prints the best time of each, the rows
the billing history adds, and the ratio orders-only / complete (1.00 = free).

Run: python bench/sandbox_build.py [--orders 100000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from whmcs_frames.sandbox import _schema


def build(path: Path, orders: int, *, billing: bool) -> float:
    real = _schema.build_billing
    if not billing:
        _schema.build_billing = lambda conn, seed, end: None  # type: ignore[assignment]
    try:
        # CPU time of this process (SQLite runs in it too): the machine is shared, and
        # wall-clock time would mostly measure the neighbours.
        started = time.process_time()
        _schema.build_database(path, orders, 7)
        return time.process_time() - started
    finally:
        _schema.build_billing = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    bare, full = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for round_no in range(args.rounds):
            bare_path = Path(tmp) / f"bare{round_no}.db"
            bare.append(build(bare_path, args.orders, billing=False))
            bare_path.unlink()
            path = Path(tmp) / f"full{round_no}.db"
            full.append(build(path, args.orders, billing=True))
            conn = sqlite3.connect(path)
            counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                      for table in ("orders", "hosting", "invoices", "accounts",
                                    "cancelrequests")}
            conn.close()
            path.unlink()
    print(f"build_database({args.orders} orders), best of {args.rounds} rounds")
    print(f"orders only      : {min(bare):6.2f} s CPU")
    print(f"with billing     : {min(full):6.2f} s CPU   rows: {counts}")
    print(f"ratio bare/full  : {min(bare) / min(full):.2f}  (1.00 = billing costs nothing)")


if __name__ == "__main__":
    main()
