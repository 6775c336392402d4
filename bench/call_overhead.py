"""Per-call overhead of ``client.call`` against a bare ``requests`` POST.

Both talk to the same sandbox process, interleaved, in one run, so the machine's noise
cancels out. Prints the time per call of each and the ratio baseline / ours (1.0 means
our layer — validation, PHP flattening, retry policy, error mapping — costs nothing).

Run: python bench/call_overhead.py [--calls 400]
"""

from __future__ import annotations

import argparse
import time

import requests
from _sandbox_process import sandbox_process  # bench/ is on sys.path when run as a script

import whmcs_frames as wf

PARAMS = {"limitnum": 25, "status": "Pending"}


def per_call(fn, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    with sandbox_process(orders=2000) as box, requests.Session() as session, \
            wf.connect(box.url, identifier=box.identifier, secret=box.secret) as client:
        form = {"action": "GetOrders", "responsetype": "json", "identifier": box.identifier,
                "secret": box.secret, **PARAMS}

        def baseline() -> None:
            session.post(box.url, data=form, timeout=30).json()

        def ours() -> None:
            client.call("GetOrders", **PARAMS)

        baseline(), ours()  # warm both connection pools
        base_t, ours_t = [], []
        for _ in range(3):  # interleave rounds, keep the best of each
            base_t.append(per_call(baseline, args.calls))
            ours_t.append(per_call(ours, args.calls))
    base, mine = min(base_t), min(ours_t)
    print(f"GetOrders limitnum=25, {args.calls} calls x 3 rounds, sandbox in its own process")
    print(f"bare requests.post : {base * 1000:7.2f} ms/call")
    print(f"client.call        : {mine * 1000:7.2f} ms/call")
    print(f"ratio baseline/ours: {base / mine:.2f}  (1.00 = no overhead)")


if __name__ == "__main__":
    main()
