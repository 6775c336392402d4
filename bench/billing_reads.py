"""Benchmark: the reads beyond orders against the serial loops other clients use.

The sandbox runs in its own process with a latency per request (a remote WHMCS).
Best of ``--repeat``, in one process:

* ``clients(details=True)``: GetClients (proven pages) and one GetClientsDetails per
  client, ``--workers`` at a time, against a serial GetClientsDetails loop over the
  same ids (the baseline); then the same call again with the details kept in the
  store (``connect(store=...)``): no request per client at all.
* ``services()``: GetClientsProducts by whole passes, pages concurrently, against a
  serial offset loop.

The ratio is baseline / ours: above 1.0 means ours is faster.

Run: ``python bench/billing_reads.py [--orders 2000] [--latency-ms 25] [--workers 4]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _sandbox_process import sandbox_process  # bench/ is on sys.path when run as a script

import whmcs_frames as wf
from whmcs_frames._fetch.billing import SERVICES


def _best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=25.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with sandbox_process(args.orders, latency_ms=args.latency_ms) as box, \
            tempfile.TemporaryDirectory() as folder:
        def client(**kwargs: object) -> wf.Client:
            return wf.connect(box.url, identifier=box.identifier, secret=box.secret,
                              workers=args.workers, **kwargs)  # type: ignore[arg-type]

        with client() as plain:
            ids = plain.clients(progress=False)["id"].astype(int).tolist()

            def serial_details() -> None:
                for cid in ids:
                    plain.call("GetClientsDetails", clientid=cid)

            def serial_services() -> None:
                offset, total = 0, 1
                while offset < total:
                    answer = plain.call("GetClientsProducts", limitstart=offset, limitnum=250)
                    total, offset = int(answer["totalresults"]), offset + 250

            baseline_details = _best(args.repeat, serial_details)
            ours_details = _best(args.repeat, lambda: client().clients(
                details=True, progress=False))
            baseline_services = _best(args.repeat, serial_services)
            ours_services = _best(args.repeat, lambda: plain._unordered(  # the read alone
                SERVICES, {}, page_size=250, workers=None,
                progress=False, refresh=True))
        store = Path(folder) / "orders.sqlite"
        with client(store=store) as first:
            first.clients(details=True, progress=False)
        with client(store=store) as again:
            kept = _best(args.repeat, lambda: again.clients(details=True, progress=False,
                                                            refresh=True))
    print(f"{len(ids):,} clients, latency {args.latency_ms:g} ms, workers {args.workers}")
    print(f"details  serial {baseline_details:6.2f} s  ours {ours_details:6.2f} s  "
          f"ratio {baseline_details / ours_details:.2f}x")
    print(f"details  kept in the store: {kept:6.2f} s  ratio {baseline_details / kept:.1f}x")
    print(f"services serial {baseline_services:6.2f} s  ours {ours_services:6.2f} s  "
          f"ratio {baseline_services / ours_services:.2f}x")


if __name__ == "__main__":
    main()
