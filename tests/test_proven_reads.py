"""The loss reproductions of issue 12, made deterministic with sandbox hooks.

Each one lost an order silently with whole-pass checking; each must lose none now:
every order that matched for the whole read comes back exactly once.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
import responses
from _raw import raw_call

import whmcs_frames as wf


def ids_of(box, status=None) -> list[int]:
    """The sandbox's ids now, newest first, in one plain request."""
    answer = raw_call(box, "GetOrders", limitnum=100000, status=status)
    return [int(o["id"]) for o in wf.frames.unwrap_list(answer.get("orders"), "order")]


def _review_queue(box) -> tuple[list[int], list[int]]:
    everything = ids_of(box)  # 40, newest first
    box.set_status(everything[:35], "Pending")
    box.set_status(everything[35:], "Active")
    return ids_of(box, "Pending"), everything[35:]


def _before_page_two(box, change):
    """Run ``change`` once, just before the first request that is not for page 1."""
    done = []

    def hook(_box, action, params):
        if action.lower() == "getorders" and not done and int(params.get("limitstart", 0)):
            done.append(True)
            change()

    box.on_request(hook)
    return done


@pytest.mark.parametrize("leaving", [0, 3, 9])
def test_status_filtered_read_keeps_the_order_at_the_boundary(leaving):
    # Issue 12: a newer Pending order is accepted (leaves the filter above the
    # boundary) and an older one set back to Pending (enters below) just before page 2:
    # totalresults stays 35, no id repeats, every page has its length — and the order
    # that was Pending all along at the top of page 2 used to be missing.
    with wf.sandbox.serve(orders=40, seed=21) as box, box.client() as client:
        pending, others = _review_queue(box)
        accepted, entering = pending[leaving], others[-1]
        done = _before_page_two(box, lambda: (box.set_status([accepted], "Active"),
                                              box.set_status([entering], "Pending")))
        frame = client.orders("Pending", page_size=10, workers=1, progress=False)
        ids = list(frame["id"].astype(int))
        assert done and len(ids) == len(set(ids))
        assert pending[10] in ids  # the order at the top of page 2
        assert set(pending) - {accepted} <= set(ids) <= set(pending) | {entering}
        assert frame.attrs["reread_boundaries"] == []  # the overlap absorbed a shift of 1


@pytest.mark.parametrize("leaving", [0, 5])
def test_iter_orders_keeps_the_order_at_the_boundary(leaving):
    with wf.sandbox.serve(orders=40, seed=21) as box, box.client() as client:
        pending, others = _review_queue(box)
        accepted, entering = pending[leaving], others[-1]
        _before_page_two(box, lambda: (box.set_status([accepted], "Active"),
                                       box.set_status([entering], "Pending")))
        ids = [int(o["id"]) for o in client.iter_orders("Pending", page_size=10)]
        assert len(ids) == len(set(ids))
        assert set(pending) - {accepted} <= set(ids) <= set(pending) | {entering}


def test_a_shift_wider_than_the_overlap_rereads_only_that_boundary():
    with wf.sandbox.serve(orders=40, seed=21) as box, box.client() as client:
        pending, _ = _review_queue(box)
        gone = pending[:6]  # six leave above the boundary: more than the overlap of 2
        raw = box.request_count("GetOrders")
        _before_page_two(box, lambda: box.set_status(gone, "Active"))
        frame = client.orders("Pending", page_size=10, workers=1, progress=False)
        ids = set(frame["id"].astype(int))
        assert set(pending) - set(gone) <= ids <= set(pending)
        assert len(frame.attrs["reread_boundaries"]) == 1
        assert frame.attrs["reread_boundaries"] == [f"below id {pending[9]} (re-read 1x)"]
        # pages 1-4 plus one re-read of the boundary that moved, no whole pass
        assert frame.attrs["requests"] == box.request_count("GetOrders") - raw == 5
        walked = [int(o["id"]) for o in client.iter_orders("Pending", page_size=10)]
        assert set(walked) == set(pending) - set(gone)


def test_pages_answered_out_of_order_with_an_add_and_a_delete_lose_nothing():
    # Issue 12: page 2 answered before page 1 (PHP-FPM workers; page cost grows with
    # OFFSET), one order added at the top and one deleted below in between. Page 1
    # then starts one later and page 2 one earlier than planned: the order between
    # them was on neither page, with every count still matching.
    with wf.sandbox.serve(orders=20, seed=4) as box, box.client() as client:
        before = ids_of(box)
        victim = before[15]
        added: list[int] = []

        def hook(_box, action, params):
            if action.lower() != "getorders" or params.get("limitstart") != "0":
                return
            deadline = time.monotonic() + 5
            while not any(r["params"].get("limitstart") not in (None, "0") and r["status"]
                          for r in box.requests) and time.monotonic() < deadline:
                time.sleep(0.01)
            added.extend(box.add_orders(1))
            box.delete_orders([victim])

        box.on_request(hook)
        frame = client.orders(page_size=10, workers=2, progress=False)
        ids = list(frame["id"].astype(int))
        assert added and len(ids) == len(set(ids))
        assert before[9] in ids  # the one that fell between the two pages
        assert set(before) - {victim} <= set(ids) <= set(before) | set(added)


def test_a_write_during_a_read_never_leaves_a_stale_memo(box, client):
    newest = ids_of(box)[0]
    assert box.order(newest)["status"] != "Fraud"
    written = []

    def hook(_box, action, params):
        # page 1 (with the newest order) is already read; a write lands before page 2
        if action.lower() == "getorders" and int(params.get("limitstart", 0)) and not written:
            written.append(client.call("FraudOrder", orderid=newest))

    box.on_request(hook)
    during = client.orders(page_size=10, workers=1, progress=False)
    box.on_request(None)
    assert written and str(during.set_index("id").loc[newest, "status"]) != "Fraud"
    after = client.orders(page_size=10, workers=1, progress=False)
    assert str(after.set_index("id").loc[newest, "status"]) == "Fraud"


def test_a_busy_shop_reads_complete_and_none_raises():
    # Issue 12: 5,000 orders and a new one every 0.2-0.6 s made 49 of 50 reads raise.
    with wf.sandbox.serve(orders=5000, seed=5) as box, box.client() as client:
        stop = threading.Event()
        rng = random.Random(12)

        def shop():
            while not stop.wait(rng.uniform(0.2, 0.6)):
                box.add_orders(1)

        writer = threading.Thread(target=shop, daemon=True)
        writer.start()
        try:
            for _ in range(4):
                before = set(ids_of(box))
                frame = client.orders(progress=False, refresh=True)
                ids = set(frame["id"].astype(int))
                assert frame["id"].is_unique and before <= ids
                assert frame.attrs["requests"] <= 22  # 20 pages quiet; growth adds at most 2
        finally:
            stop.set()
            writer.join()
        assert box.count_orders() > 5000  # the writer did write


def test_the_frame_says_when_and_how_it_was_read(box, client):
    frame = client.orders(page_size=25, progress=False)
    assert set(frame.attrs) >= {"started", "finished", "requests", "reread_boundaries"}
    assert frame.attrs["started"] <= frame.attrs["finished"]
    assert frame.attrs["requests"] == box.request_count("GetOrders")
    assert client.order_lines(page_size=25, progress=False).attrs == frame.attrs


def test_a_quiet_read_costs_no_more_requests_than_plain_paging(box, client):
    client.orders(page_size=10, workers=1, progress=False)  # 60 orders
    assert box.request_count("GetOrders") == 6
    wire = [(r["params"]["limitstart"], r["params"]["limitnum"]) for r in box.requests]
    assert wire[:2] == [("0", "10"), ("8", "12")]  # the overlap rides inside each request


URL = "https://billing.example.com/includes/api.php"


def test_a_server_that_does_not_sort_gets_whole_passes_and_a_warning():
    rows = [{"id": str(i), "date": "2024-01-01 00:00:00"} for i in range(1, 8)]  # ascending

    def page(request):
        params = dict(p.split("=") for p in request.body.split("&"))
        start, num = int(params["limitstart"]), int(params["limitnum"])
        body = {"result": "success", "totalresults": 7,
                "orders": {"order": rows[start:start + num]}}
        return 200, {}, __import__("json").dumps(body)

    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.add_callback(responses.POST, URL, callback=page)
        with pytest.warns(wf.PaginationShiftWarning, match="not sorted newest first"):
            frame = client.orders(page_size=3, workers=1, progress=False)
    assert sorted(frame["id"].astype(int)) == list(range(1, 8))
    assert frame.attrs["proof"] == "whole pass"
