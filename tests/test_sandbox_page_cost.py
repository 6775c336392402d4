"""The sandbox's production-like page cost (``box.faults.per_record``) for benchmarks."""

from __future__ import annotations

import time

from _raw import raw_call

import whmcs_frames as wf


def test_page_cost_grows_with_the_records_answered():
    with wf.sandbox.serve(orders=30, seed=2) as box:
        box.faults.per_record = 0.01
        started = time.perf_counter()
        assert len(raw_call(box, "GetOrders", limitnum=25)["orders"]["order"]) == 25
        assert time.perf_counter() - started >= 0.25
        started = time.perf_counter()
        raw_call(box, "GetOrders", limitstart=40, limitnum=25)  # empty: no page cost
        assert time.perf_counter() - started < 0.25
