"""since/until without a store: newest-first paging stops early, and only when the
dates on the pages read fall with the ids; the bundle and the CLI use it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from _raw import raw_call

import whmcs_frames as wf


def newest_first(box) -> list[dict]:
    answer = raw_call(box, "GetOrders", limitnum=100000)
    return wf.frames.unwrap_list(answer.get("orders"), "order")


def test_since_stops_paging_once_a_whole_page_is_older(box, client):
    orders = newest_first(box)  # 60
    since = datetime.fromisoformat(orders[14]["date"])
    start = box.request_count("GetOrders")
    frame = client.orders(since=since, page_size=10, workers=1, progress=False)
    expected = {int(o["id"]) for o in orders if datetime.fromisoformat(o["date"]) >= since}
    assert set(frame["id"].astype(int)) == expected and 15 <= len(expected) < 60
    assert (frame["date"] >= pd.Timestamp(since)).all()
    # pages 0-9, 8-19 and 18-29: the third is all older; a full read would take 6
    assert box.request_count("GetOrders") - start == 3 == frame.attrs["requests"]


def test_until_includes_the_whole_day_and_iter_orders_agrees(box, client):
    orders = newest_first(box)
    day = datetime.fromisoformat(orders[30]["date"]).date()
    since = day - timedelta(days=20)
    frame = client.orders(since=since.isoformat(), until=day, page_size=10, progress=False)
    expected = {int(o["id"]) for o in orders
                if since <= datetime.fromisoformat(o["date"]).date() <= day}
    assert set(frame["id"].astype(int)) == expected and expected
    walked = {int(o["id"]) for o in client.iter_orders(since=since, until=day, page_size=10)}
    assert walked == expected
    lines = client.order_lines(since=since, until=day, page_size=10, progress=False)
    assert set(lines["orderid"]) <= expected


def test_dates_out_of_order_on_a_page_read_mean_reading_to_the_end(box, client):
    orders = newest_first(box)
    since = datetime.fromisoformat(orders[14]["date"])
    late = (since + timedelta(days=400)).isoformat(sep=" ")
    with box.store.transaction() as conn:
        # one order on page 2 dated after the newest: dates no longer fall with ids
        conn.execute("UPDATE orders SET date = ? WHERE id = ?", (late, int(orders[12]["id"])))
        # and an old order, far below where the read would have stopped, dated recent
        conn.execute("UPDATE orders SET date = ? WHERE id = ?", (late, int(orders[55]["id"])))
    frame = client.orders(since=since, page_size=10, workers=1, progress=False)
    assert int(orders[55]["id"]) in set(frame["id"].astype(int))
    walked = {int(o["id"]) for o in client.iter_orders(since=since, page_size=10)}
    assert walked == set(frame["id"].astype(int))


def test_the_bundle_reads_only_back_to_since(box, client, tmp_path):
    orders = newest_first(box)
    since = datetime.fromisoformat(orders[40]["date"]).date() + timedelta(days=1)
    start = box.request_count("GetOrders")
    # billing=False: the billing part is the whole book (services take their currency from
    # every order), see test_export_billing
    wf.export_reports(client, tmp_path / "out", since=since, charts=False, progress=False,
                      billing=False)
    assert box.request_count("GetOrders") - start == 1  # one page of 250 holds them all
    kept = pd.read_csv(tmp_path / "out" / "orders.csv", parse_dates=["date"])
    assert len(kept) and (kept["date"] >= pd.Timestamp(since)).all()
    assert set(kept["id"].astype(int)) == {
        int(o["id"]) for o in orders if datetime.fromisoformat(o["date"]).date() >= since}
