"""Benchmark: the recurring-revenue reports against ``json.loads`` of the services payload.

Generates synthetic GetClientsProducts items (numbers as strings, six billing cycles plus
one-time and free, a quarter Cancelled/Terminated with a ``nextduedate``, a ``password``
on each), a cancellation request for most of the services that left, and times, in one
process, best of ``--repeat``:

* baseline: ``json.loads(payload)`` of the services;
* frames: ``services_frame`` + ``cancellations_frame``;
* each report: ``mrr``, ``mrr_movements``, ``churn``, ``retention_by_cohort``.

The ratio is baseline / ours: 1.0 or more means the step is no slower than parsing the
JSON it came from.

Run: ``python bench/recurring.py [--services 100000] [--repeat 3] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

from frames import _best_of  # bench/ is on sys.path when run as a script

from whmcs_frames import frames, reports

__all__ = ["main", "synthetic_services"]

_CYCLES = [("Monthly", 1), ("Quarterly", 3), ("Semi-Annually", 6), ("Annually", 12),
           ("Biennially", 24), ("Triennially", 36), ("One Time", 0), ("Free Account", 0)]
_STATUSES = ["Active"] * 6 + ["Cancelled", "Terminated", "Suspended", "Pending"]


def _service(rng: random.Random, sid: int, clients: int) -> dict[str, Any]:
    cycle, months = rng.choice(_CYCLES)
    start = 365 * 3 * rng.random()
    year, day = 2022 + int(start // 365), int(start % 365)
    month, mday = 1 + min(day // 31, 11), 1 + day % 28
    due_month = month + rng.randint(1, 14)
    return {
        "id": str(sid), "clientid": str(rng.randint(1, clients)), "orderid": str(sid),
        "pid": str(rng.randint(1, 40)), "regdate": f"{year}-{month:02d}-{mday:02d}",
        "name": "Shared Hosting &amp; Mail", "groupname": "Hosting",
        "domain": f"site{sid}.example.com", "billingcycle": cycle,
        "nextduedate": f"{year + (due_month - 1) // 12}-{(due_month - 1) % 12 + 1:02d}-{mday:02d}",
        "status": rng.choice(_STATUSES), "firstpaymentamount": f"{10 * max(months, 1):.2f}",
        "recurringamount": f"{rng.choice([5, 10, 20]) * max(months, 1):.2f}",
        "paymentmethod": "stripe", "username": f"user{sid}", "password": f"pw-{sid}",
    }


def synthetic_services(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` raw GetClientsProducts items, reproducible from ``seed``.

    Examples
    --------
    >>> len(synthetic_services(3)), "password" in synthetic_services(1)[0]
    (3, True)
    """
    rng = random.Random(seed)
    return [_service(rng, sid, max(n // 3, 1)) for sid in range(1, n + 1)]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    raw = synthetic_services(args.services, args.seed)
    rng = random.Random(args.seed)
    requests = [{"id": i, "relid": s["id"], "date": s["nextduedate"], "type": "Immediate",
                 "reason": "moving"} for i, s in enumerate(raw)
                if s["status"] in ("Cancelled", "Terminated") and rng.random() < 0.8]
    payload = json.dumps({"products": {"product": raw}})
    services = frames.services_frame(raw)
    cancellations = frames.cancellations_frame(requests)
    clients = frames.clients_frame([{"id": i, "datecreated": "2022-01-01"}
                                    for i in range(1, args.services // 3 + 1)])

    baseline = _best_of(args.repeat, lambda: json.loads(payload))
    steps = {
        "services_frame + cancellations_frame": lambda: (
            frames.services_frame(raw), frames.cancellations_frame(requests)),
        "mrr": lambda: reports.mrr(services, cancellations=cancellations),
        "mrr_movements": lambda: reports.mrr_movements(services, cancellations=cancellations),
        "churn": lambda: reports.churn(services, cancellations=cancellations),
        "retention_by_cohort": lambda: reports.retention_by_cohort(
            clients, services, cancellations=cancellations),
    }
    print(f"services: {args.services:,}  cancellation requests: {len(requests):,}  "
          f"payload: {len(payload) / 1024 / 1024:.1f} MiB")
    print(f"{'json.loads(payload)':40}: {baseline:.3f} s (best of {args.repeat})")
    for name, step in steps.items():
        took = _best_of(args.repeat, step)
        print(f"{name:40}: {took:.3f} s  ratio baseline / ours {baseline / took:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
