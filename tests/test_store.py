"""The local order store and client.sync(): what changes on WHMCS reaches the store,
cheaply, and nothing a crash or a second process does can corrupt it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from _raw import raw_call

import whmcs_frames as wf
from whmcs_frames._store.orders import SCHEMA_VERSION, OrderStore


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "cache" / "orders.sqlite"


@pytest.fixture
def synced(box, store_path, tmp_path):
    """A client with a store holding every order of ``box`` (a full read done)."""
    with box.client(store=store_path, audit_log=tmp_path / "audit.jsonl") as client:
        report = client.sync()
        assert report.full and report.new == box.count_orders()
        yield client


def server_orders(box, **filters) -> dict[int, dict]:
    answer = raw_call(box, "GetOrders", limitnum=100000, **filters)
    return {int(o["id"]): o for o in wf.frames.unwrap_list(answer.get("orders"), "order")}


def held(client) -> dict[int, dict]:
    return {int(r["id"]): r for r in client._order_store.records()}


def gets(box, since: int) -> tuple[int, int]:
    """(GetOrders, GetOrderStatuses) requests since the ``since``-th request."""
    later = box.requests[since:]
    return (sum(r["action"] == "GetOrders" for r in later),
            sum(r["action"] == "GetOrderStatuses" for r in later))


def test_the_store_file_is_private_and_says_what_it_holds(synced, store_path, box):
    assert os.stat(store_path).st_mode & 0o777 == 0o600
    assert os.stat(store_path.parent).st_mode & 0o777 == 0o700
    info = synced.store
    assert info.path == store_path and info.orders == box.count_orders()
    assert info.last_sync and info.last_full and info.toolkit_version == wf.__version__


def test_new_orders_cost_one_page_statuses_and_the_pending_reread(synced, box):
    added = box.add_orders(5, status="Active")
    start = len(box.requests)
    report = synced.sync(recheck_days=0)
    assert (report.new, report.changed, report.deleted, report.full) == (5, 0, 0, False)
    pending_pages = max(1, -(-box.count_orders("Pending") // 250))
    assert gets(box, start) == (1 + pending_pages, 1)
    assert report.requests == 2 + pending_pages
    assert set(added) <= set(held(synced))
    assert held(synced) == server_orders(box)


def test_a_status_change_is_found_through_the_counts(synced, box):
    active = sorted(server_orders(box, status="Active"))[:2]
    box.set_status(active, "Cancelled")
    report = synced.sync(recheck_days=0)
    assert (report.new, report.changed, report.deleted) == (0, 2, 0)
    assert {held(synced)[i]["status"] for i in active} == {"Cancelled"}
    assert set(active) <= set(synced.orders("Cancelled", progress=False)["id"].astype(int))


def test_pending_is_always_reread(synced, box):
    pending = sorted(server_orders(box, status="Pending"))
    with box.store.transaction() as conn:  # a change no status count shows
        conn.execute("UPDATE orders SET notes = 'call back' WHERE id = ?", (pending[0],))
    report = synced.sync(recheck_days=0)
    assert report.changed == 1 and held(synced)[pending[0]]["notes"] == "call back"


def _unpaid_active_order(box, position: int) -> int:
    """The order ``position`` places below the newest, made Active with an Unpaid invoice."""
    answer = raw_call(box, "GetOrders", limitstart=position, limitnum=50)
    orders = {int(o["id"]): o for o in answer["orders"]["order"]}
    for orderid in sorted(orders, reverse=True):
        if int(orders[orderid]["invoiceid"]):
            box.set_status([orderid], "Active")
            with box.store.transaction() as conn:
                conn.execute("UPDATE invoices SET status = 'Unpaid' WHERE id = ?",
                             (int(orders[orderid]["invoiceid"]),))
            return orderid
    raise AssertionError("no invoiced order there")


def test_a_payment_change_in_the_recheck_window_is_caught(tmp_path):
    # 8,000 orders over two years: ~330 a month, so the window reaches past the first page
    with wf.sandbox.serve(orders=8000, seed=3) as box, \
            box.client(store=tmp_path / "s.sqlite") as client:
        orderid = _unpaid_active_order(box, 300)  # below the first page of 250
        top = raw_call(box, "GetOrders", limitnum=1)["orders"]["order"][0]
        assert (pd.Timestamp(top["date"]) - pd.Timestamp(box.order(orderid)["date"])).days < 30
        client.sync(progress=False)
        invoice = int(held(client)[orderid]["invoiceid"])
        with box.store.transaction() as conn:  # paid: no order status moves
            conn.execute("UPDATE invoices SET status = 'Paid' WHERE id = ?", (invoice,))
        assert client.sync(recheck_days=0).changed == 0  # the window off: not seen
        assert held(client)[orderid]["paymentstatus"] == "Unpaid"
        report = client.sync()  # 30 days by default
        assert report.changed == 1 and held(client)[orderid]["paymentstatus"] == "Paid"
        frame = client.orders(progress=False, refresh=True)
        assert frame.set_index("id").loc[orderid, "paymentstatus"] == "Paid"


def test_deletions_are_found_even_when_a_count_hides_them(synced, box):
    cancelled = sorted(server_orders(box, status="Cancelled"))
    fraud = sorted(server_orders(box, status="Fraud"))
    # Cancelled loses one and gains one: its count does not move
    box.delete_orders([cancelled[0]])
    box.set_status([fraud[0]], "Cancelled")
    report = synced.sync(recheck_days=0)
    assert (report.new, report.changed, report.deleted) == (0, 1, 1)
    assert held(synced) == server_orders(box)


def test_full_reconcile_on_demand_and_by_age(box, store_path):
    with box.client(store=store_path, full_sync_days=0) as client:
        assert client.sync().full
        assert client.sync().full  # the last full read is always "older" than 0 days
    with box.client(store=store_path) as client:
        assert not client.sync().full
        victim = sorted(server_orders(box, status="Cancelled"))[0]
        with box.store.transaction() as conn:  # a deletion WHMCS's counts cannot show
            conn.execute("UPDATE orders SET status = 'Cancelled' WHERE id = ?", (victim,))
        report = client.sync(full=True)
        assert report.full and held(client) == server_orders(box)


def test_reads_sync_once_then_answer_locally_and_writes_resync(synced, box):
    synced._synced = False  # as a fresh client would be
    start = len(box.requests)
    frame = synced.orders(progress=False)
    assert frame.attrs["proof"] == "store" and frame.attrs["requests"] > 0
    lines = synced.order_lines(progress=False)
    synced.orders("Pending", progress=False)
    used = len(box.requests) - start
    synced.orders(progress=False)
    assert len(box.requests) - start == used  # no second sync in this process
    assert set(lines["orderid"]) <= set(frame["id"])
    pending = int(synced.orders("Pending", progress=False)["id"].iloc[0])
    synced.accept_order(pending, sendemail=False)
    assert synced.orders(progress=False).set_index("id").loc[pending, "status"] == "Active"


def test_since_and_until_with_a_store(synced, box):
    everything = synced.orders(progress=False)
    day = everything["date"].iloc[len(everything) // 2].date()
    bounded = synced.orders(since=day, until=day.isoformat(), progress=False)
    expected = everything[everything["date"].dt.date == day]
    assert sorted(bounded["id"]) == sorted(expected["id"]) and len(bounded)
    lines = synced.order_lines(since=day, until=day, progress=False)
    assert set(lines["orderid"]) == set(bounded["id"])


def test_an_older_store_layout_is_rebuilt(store_path, box):
    with box.client(store=store_path) as client:
        client.sync()
    conn = sqlite3.connect(store_path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                 (str(SCHEMA_VERSION + 99),))
    conn.commit()
    conn.close()
    store = OrderStore(store_path)
    assert store.rebuilt and store.count() == 0 and store.meta("last_full") is None
    assert store.meta("toolkit_version") == wf.__version__
    store.close()
    with box.client(store=store_path) as client:
        assert client.sync().full and client.store.orders == box.count_orders()


def test_store_settings(box, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("WHMCS_FRAMES_STORE", str(tmp_path / "env.sqlite"))
    with box.client() as client:
        assert client.store.path == tmp_path / "env.sqlite"
    monkeypatch.setenv("WHMCS_FRAMES_STORE", "1")
    with box.client() as client:
        assert str(client.store.path).startswith(str(tmp_path / "xdg"))
        assert client.store.path.name.startswith("orders-")
    monkeypatch.setenv("WHMCS_FRAMES_STORE", "0")
    with box.client() as client:
        assert client.store is None
        with pytest.raises(wf.ConfigError, match="no order store"):
            client.sync()
    with pytest.raises(wf.ConfigError, match="^store: expected"):
        box.client(store=3)
    with box.client(store=tmp_path / "s.sqlite") as client, \
            pytest.raises(wf.ValidationError, match="^recheck_days"):
        client.sync(recheck_days=-1)


def test_connect_or_sandbox_keeps_a_sandbox_store_temporary(monkeypatch):
    monkeypatch.delenv("WHMCS_API_URL", raising=False)
    client = wf.connect_or_sandbox(orders=30, seed=2, store=True)
    try:
        assert client.store.path.parent.name.startswith("whmcs-frames-store-")
        assert len(client.orders(progress=False)) == 30
    finally:
        client.close()
        client.sandbox.close()


# -- other processes ----------------------------------------------------------------

_SYNC_SCRIPT = """
import json, sys
import whmcs_frames as wf
url, ident, secret, path = sys.argv[1:5]
with wf.connect(url, identifier=ident, secret=secret, store=path) as client:
    print("started", flush=True)
    report = client.sync(recheck_days=0, progress=False)
    frame = client.orders(progress=False)
    print(json.dumps({"new": report.new, "full": report.full, "requests": report.requests,
                      "rows": len(frame), "seconds": report.seconds}), flush=True)
"""


def _sync_process(box, store_path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _SYNC_SCRIPT, box.url, box.identifier, box.secret,
         str(store_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_new_process_syncs_the_same_store_without_a_cold_reread(synced, box, store_path):
    box.add_orders(3)
    start = len(box.requests)
    proc = _sync_process(box, store_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    result = json.loads(out.splitlines()[-1])
    assert not result["full"] and result["new"] == 3 and result["rows"] == box.count_orders()
    pending_pages = max(1, -(-box.count_orders("Pending") // 250))
    assert gets(box, start) == (1 + pending_pages, 1)


def test_a_sync_killed_half_way_leaves_the_previous_state(synced, box, store_path):
    before = held(synced)
    box.add_orders(4)
    victim: list[subprocess.Popen] = []

    def kill_during_the_pending_reread(_box, action, params):
        # by now the new orders are written inside the sync's open transaction
        if action == "GetOrders" and params.get("status") == "Pending" and victim:
            victim[0].send_signal(signal.SIGKILL)
            victim[0].wait(timeout=10)

    box.on_request(kill_during_the_pending_reread)
    victim.append(_sync_process(box, store_path))
    victim[0].communicate(timeout=60)
    box.on_request(None)
    assert victim[0].returncode == -signal.SIGKILL
    assert held(synced) == before  # nothing of the half-done sync is visible
    check = sqlite3.connect(store_path)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    assert synced.sync(recheck_days=0).new == 4 and held(synced) == server_orders(box)


def test_two_processes_syncing_one_store_do_not_corrupt_it(synced, box, store_path):
    box.add_orders(30)
    box.on_request(lambda b, action, params: time.sleep(0.02))  # make them overlap
    procs = [_sync_process(box, store_path) for _ in range(2)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1]))
    box.on_request(None)
    assert sorted(r["new"] for r in results) == [0, 30]  # one waited, then had nothing to do
    assert held(synced) == server_orders(box)
    check = sqlite3.connect(store_path)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
