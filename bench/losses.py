"""Issue 12's loss reproductions, 100 random runs each: how many runs lost an order.

Status-filtered reads (a newer Pending order accepted and an older one set back to
Pending just before page 2, at random positions), the same with ``iter_orders``, and
unfiltered reads whose first page is answered last, after one order was added and a
random one deleted. Counts runs in which an order that matched for the whole read is
missing (the tests make one of each deterministic). Before issue 12: 100, 100, 45.

Run: python bench/losses.py [--runs 100]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import whmcs_frames as wf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _raw import raw_call


def ids_of(box: Any, status: str | None = None) -> list[int]:
    answer = raw_call(box, "GetOrders", limitnum=100000, status=status)
    return [int(o["id"]) for o in wf.frames.unwrap_list(answer.get("orders"), "order")]


def once(when: Callable[[str, dict], bool], change: Callable[[Any], None]) -> Callable:
    fired: list[bool] = []

    def hook(box: Any, action: str, params: dict) -> None:
        if not fired and when(action.lower(), params):
            fired.append(True)
            change(box)

    return hook


def status_run(seed: int, rng: random.Random, lazy: bool) -> bool:
    with wf.sandbox.serve(orders=40, seed=seed) as box, box.client() as client:
        every = ids_of(box)
        box.set_status(every[:35], "Pending")
        box.set_status(every[35:], "Active")
        pending = ids_of(box, "Pending")
        leave, enter = pending[rng.randrange(10)], every[35 + rng.randrange(5)]

        def swap(b: Any) -> None:
            b.set_status([leave], "Active")
            b.set_status([enter], "Pending")

        box.on_request(once(lambda a, p: a == "getorders" and int(p.get("limitstart", 0)),
                            swap))
        if lazy:
            got = {int(o["id"]) for o in client.iter_orders("Pending", page_size=10)}
        else:
            frame = client.orders("Pending", page_size=10, workers=1, progress=False)
            got = set(frame["id"].astype(int))
        return bool(set(pending) - {leave} - got)


def out_of_order_run(seed: int, rng: random.Random) -> bool:
    with wf.sandbox.serve(orders=60, seed=seed) as box, box.client() as client:
        before = ids_of(box)
        victim, pause = before[rng.randrange(20, 60)], rng.uniform(0, 0.05)

        def add_and_delete(b: Any) -> None:
            time.sleep(pause)  # the other first-round pages are answered meanwhile
            b.add_orders(1)
            b.delete_orders([victim])

        box.on_request(once(lambda a, p: a == "getorders" and p.get("limitstart") == "0",
                            add_and_delete))
        got = set(client.orders(page_size=10, workers=4, progress=False)["id"].astype(int))
        return bool(set(before) - {victim} - got)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(1)
    lost = {"orders('Pending')": 0, "iter_orders('Pending')": 0, "out-of-order pages": 0}
    for run in range(args.runs):
        lost["orders('Pending')"] += status_run(run, rng, lazy=False)
        lost["iter_orders('Pending')"] += status_run(run, rng, lazy=True)
        lost["out-of-order pages"] += out_of_order_run(run, rng)
    for name, count in lost.items():
        print(f"{name:24s}: {count} of {args.runs} runs lost an order")


if __name__ == "__main__":
    main()
