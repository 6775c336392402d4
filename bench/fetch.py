"""Proven concurrent GetOrders against the serial offset loop other clients use, on a
production-like server, and the busy-shop read that used to fail.

The sandbox runs in its own process (as a real WHMCS would: its JSON encoding must not
compete with the client for the GIL), serving pages concurrently, with a fixed latency
per request plus a cost per order on the page (``--per-order-ms``, 1.2 ms by default:
a page of 250 takes 300 ms, as measured on real installations). Both readers use the
same client, page size and server in one run; the best of each is kept.

Printed: serial / ours beside the ideal (pages / rounds of ``workers`` requests), then
the busy shop — a new order every 0.2-0.6 s (AddOrder from a writer thread) during
``--busy-reads`` reads: how many completed, how many raised, extra requests over a
quiet read.

Run: python bench/fetch.py [--orders 5000] [--per-order-ms 1.2] [--latency-ms 5]
                           [--workers 4] [--busy-reads 50]
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from _sandbox_process import sandbox_process  # bench/ is on sys.path when run as a script

import whmcs_frames as wf
from whmcs_frames._fetch.pages import fetch_orders
from whmcs_frames.frames import unwrap_list


def serial_offset_loop(client: wf.Client, page_size: int) -> list[dict]:
    """What other clients do: ask page after page until a short one comes back."""
    orders: list[dict] = []
    offset = 0
    while True:
        answer = client.call("GetOrders", limitstart=offset, limitnum=page_size)
        page = unwrap_list(answer.get("orders"), "order")
        orders.extend(page)
        if len(page) < page_size:
            return orders
        offset += page_size


def best_of(rounds: int, read: Callable[[], list]) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        count = len(read())
        times.append(time.perf_counter() - started)
    return min(times), count


def memory_copies(client: wf.Client) -> tuple[float, float]:
    """Peak memory of ``client.orders()`` and the size of the raw records, in MiB."""
    tracemalloc.start()
    records = fetch_orders(client.call, {}, progress=False).records
    raw = tracemalloc.get_traced_memory()[0]
    del records
    tracemalloc.stop()
    tracemalloc.start()
    client.orders(progress=False, refresh=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20, raw / 2**20


def busy_shop(client: wf.Client, writer: wf.Client, reads: int, quiet: int) -> None:
    stop = threading.Event()
    rng = random.Random(12)
    added = [0]

    def shop() -> None:
        while not stop.wait(rng.uniform(0.2, 0.6)):
            writer.add_order(1, "stripe", items=[wf.Product(pid=1, billingcycle="monthly")],
                             noemail=True)
            added[0] += 1

    thread = threading.Thread(target=shop, daemon=True)
    thread.start()
    done, raised, requests, rereads = 0, 0, [], 0
    try:
        for _ in range(reads):
            try:
                frame = client.orders(progress=False, refresh=True)
            except wf.InconsistentReadError:
                raised += 1
                continue
            done += 1
            requests.append(frame.attrs["requests"])
            rereads += len(frame.attrs["reread_boundaries"])
    finally:
        stop.set()
        thread.join()
    extra = (sum(requests) / len(requests) / quiet - 1) * 100 if requests else float("nan")
    print(f"busy shop: {reads} reads while {added[0]} orders arrived: {done} complete, "
          f"{raised} raised; {sum(requests) / max(1, len(requests)):.1f} requests per read "
          f"vs {quiet} quiet (+{extra:.1f}%), {rereads} boundary re-reads in all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument("--per-order-ms", type=float, default=1.2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--page-size", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--busy-reads", type=int, default=50)
    args = parser.parse_args()
    audit = Path(tempfile.mkdtemp()) / "audit.jsonl"
    with sandbox_process(args.orders, latency_ms=args.latency_ms,
                         per_order_ms=args.per_order_ms) as box, \
            wf.connect(box.url, identifier=box.identifier, secret=box.secret,
                       workers=args.workers) as client, \
            wf.connect(box.url, identifier=box.identifier, secret=box.secret,
                       audit_log=audit) as writer:
        def ours() -> list[dict]:
            return fetch_orders(client.call, {}, page_size=args.page_size,
                                workers=args.workers, progress=False).records

        ours(), serial_offset_loop(client, args.page_size)  # warm up
        serial_s, serial_n = best_of(args.rounds, lambda: serial_offset_loop(
            client, args.page_size))
        ours_s, ours_n = best_of(args.rounds, ours)
        quiet = fetch_orders(client.call, {}, page_size=args.page_size, workers=args.workers,
                             progress=False).requests
        pages = math.ceil(args.orders / args.page_size)
        ideal = pages / math.ceil(pages / args.workers)
        print(f"{args.orders} orders, {args.latency_ms:g} ms per request + "
              f"{args.per_order_ms:g} ms per order on the page (served concurrently), page "
              f"size {args.page_size}, {args.workers} workers, best of {args.rounds}")
        print(f"serial offset loop : {serial_s:6.3f} s ({serial_n} orders)")
        print(f"fetch_orders       : {ours_s:6.3f} s ({ours_n} orders, {quiet} requests; "
              f"plain paging needs {pages + (args.orders % args.page_size == 0)})")
        print(f"ratio serial/ours  : {serial_s / ours_s:.2f}x  (ideal pages/rounds = "
              f"{pages}/{math.ceil(pages / args.workers)} = {ideal:.2f}x)")
        peak, raw = memory_copies(client)
        print(f"client.orders() peak memory: {peak:.1f} MiB = {peak / raw:.2f} x the raw "
              f"records ({raw:.1f} MiB)")
        if args.busy_reads:
            busy_shop(client, writer, args.busy_reads, quiet)


if __name__ == "__main__":
    main()
