"""Refreshing a big local order store after a few new orders, against a full read.

A 100,000-order sandbox runs in its own process with a production-like page cost
(5 ms per request + 1.2 ms per order on the page, pages served concurrently). The
store is filled by one full read (the baseline), 100 orders arrive through AddOrder,
and ``client.sync(recheck_days=0)`` brings the store up to date. Then 100 more arrive
and a new Python process opens the same store and syncs it (no cold re-read).

Goal (issue 12): each refresh costs at most 2 GetOrders plus 1 GetOrderStatuses plus
the Pending re-read, in well under a second.

Run: python bench/store.py [--orders 100000] [--new 100] [--per-order-ms 1.2]
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _sandbox_process import sandbox_process  # bench/ is on sys.path when run as a script

import whmcs_frames as wf

_CHILD = """
import collections, json, sys, time
started = time.perf_counter()
import whmcs_frames as wf
url, ident, secret, path = sys.argv[1:5]
client = wf.connect(url, identifier=ident, secret=secret, store=path)
counts = collections.Counter()
call = client.call
def counted(action, /, **params):
    counts[action] += 1
    return call(action, **params)
client.call = counted
report = client.sync(recheck_days=0, progress=False)
print(json.dumps({"report": str(report), "seconds": report.seconds, "actions": counts,
                  "process_seconds": time.perf_counter() - started}))
"""


def counting(client: wf.Client) -> collections.Counter[str]:
    """Count the requests ``client`` sends, per action."""
    counts: collections.Counter[str] = collections.Counter()
    call = client.call

    def counted(action: str, /, **params: Any) -> dict[str, Any]:
        counts[action] += 1
        return call(action, **params)

    client.call = counted  # type: ignore[method-assign]
    return counts


def add_orders(writer: wf.Client, n: int) -> None:
    for _ in range(n):
        writer.add_order(1, "stripe", items=[wf.Product(pid=1, billingcycle="monthly")],
                         noemail=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument("--per-order-ms", type=float, default=1.2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="whmcs-frames-bench-"))
    path = folder / "orders.sqlite"
    started = time.perf_counter()
    with sandbox_process(args.orders, latency_ms=args.latency_ms,
                         per_order_ms=args.per_order_ms) as box, \
            wf.connect(box.url, identifier=box.identifier, secret=box.secret,
                       store=path) as client, \
            wf.connect(box.url, identifier=box.identifier, secret=box.secret,
                       audit_log=folder / "audit.jsonl") as writer:
        print(f"sandbox of {args.orders} orders up in {time.perf_counter() - started:.1f} s; "
              f"{args.latency_ms:g} ms per request + {args.per_order_ms:g} ms per order")
        counts = counting(client)
        full = client.sync(progress=False)
        print(f"baseline, full read into the store : {full}")
        add_orders(writer, args.new)
        counts.clear()
        report = client.sync(recheck_days=0)
        counts = collections.Counter(counts)  # a copy: what the sync alone sent
        pending = int(writer.order_statuses().set_index("title").loc["Pending", "count"])
        pending_pages = math.ceil(pending / 250)
        print(f"refresh after {args.new} new orders  : {report}")
        met = counts["GetOrders"] <= 2 + pending_pages and counts["GetOrderStatuses"] == 1
        print(f"  requests by action: {dict(counts)}; Pending holds {pending} "
              f"({pending_pages} page(s)); goal <= {2 + pending_pages} GetOrders + 1 "
              f"GetOrderStatuses: {'met' if met else 'MISSED'}")
        print(f"  full read / refresh: {full.seconds / report.seconds:.1f}x faster, "
              f"{full.requests / report.requests:.1f}x fewer requests")
        started = time.perf_counter()
        frame = client.orders(progress=False)
        print(f"  client.orders() from the store: {len(frame)} rows in "
              f"{time.perf_counter() - started:.2f} s")
        add_orders(writer, args.new)
        client.close()
        child = subprocess.run([sys.executable, "-c", _CHILD, box.url, box.identifier,
                                box.secret, str(path)], capture_output=True, text=True,
                               check=True)
        result = json.loads(child.stdout.splitlines()[-1])
        print(f"a new process on the same store    : {result['report']}")
        print(f"  requests by action: {result['actions']}; the whole process (import "
              f"included) took {result['process_seconds']:.2f} s")


if __name__ == "__main__":
    main()
