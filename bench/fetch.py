"""Concurrent, reconciled GetOrders against the serial offset loop other clients use.

The sandbox runs in its own process (as a real WHMCS would: its JSON encoding must not
compete with the client for the GIL) with a per-request latency. Both readers use the
same client, page size and server, interleaved in one run; the best of each is kept.
Prints the time of each, the ratio serial / ours, and a page-size sweep.

Run: python bench/fetch.py [--orders 5000] [--latency-ms 25] [--workers 4]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=25.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--page-size", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with sandbox_process(args.orders, latency_ms=args.latency_ms) as box, \
            wf.connect(box.url, identifier=box.identifier, secret=box.secret,
                       workers=args.workers) as client:
        def ours(size: int = args.page_size) -> list[dict]:
            return fetch_orders(client.call, {}, page_size=size, workers=args.workers,
                                progress=False).records

        ours(), serial_offset_loop(client, args.page_size)  # warm up
        serial_s, serial_n = best_of(args.rounds, lambda: serial_offset_loop(
            client, args.page_size))
        ours_s, ours_n = best_of(args.rounds, ours)
        print(f"{args.orders} orders, {args.latency_ms:g} ms latency per request, "
              f"page size {args.page_size}, {args.workers} workers, best of {args.rounds}")
        print(f"serial offset loop : {serial_s:6.3f} s ({serial_n} orders)")
        print(f"fetch_orders       : {ours_s:6.3f} s ({ours_n} orders)")
        print(f"ratio serial/ours  : {serial_s / ours_s:.2f}x")
        print("page-size sweep (fetch_orders, same workers):")
        for size in (100, 250, 500, 1000):
            seconds, _ = best_of(args.rounds, lambda s=size: ours(s))
            print(f"  page_size {size:5d}: {seconds:6.3f} s  {args.orders / seconds:8.0f} orders/s")
        peak, raw = memory_copies(client)
        print(f"client.orders() peak memory: {peak:.1f} MiB = {peak / raw:.2f} x the raw "
              f"records ({raw:.1f} MiB)")


if __name__ == "__main__":
    main()
