"""Paginated reads over real HTTP: boundaries, shifting pages, memo, filters, retries.

The tests that take ``flavour`` run against every sandbox flavour (conftest.py).
"""

from __future__ import annotations

import pandas as pd
import pytest
import responses
from _raw import tidy_call

import whmcs_frames as wf
from whmcs_frames._fetch import pages as wf_pages


def server_ids(box, status=None) -> set[int]:
    """The ids the sandbox holds now, read in one plain request."""
    answer = tidy_call(box, "GetOrders", limitnum=100000, status=status)
    return {int(o["id"]) for o in wf.frames.unwrap_list(answer.get("orders"), "order")}


@pytest.mark.parametrize("n", [0, 1, 9, 10, 11, 25])
def test_every_order_exactly_once_at_page_boundaries(flavour, n):
    # with page_size 10, 9/10/11 and 25 straddle every kind of page edge
    with wf.sandbox.serve(orders=n, seed=3, flavour=flavour) as box, box.client() as client:
        frame = client.orders(page_size=10, progress=False)
        assert len(frame) == n
        assert frame["id"].is_unique
        assert set(frame["id"].astype(int)) == server_ids(box)


@pytest.mark.parametrize("n", [0, 1, 10, 23])
def test_iter_orders_yields_each_order_once_and_lazily(flavour, n):
    with wf.sandbox.serve(orders=n, seed=3, flavour=flavour) as box, box.client() as client:
        iterator = client.iter_orders(page_size=10)
        assert box.request_count("GetOrders") == 0  # nothing is read until iterated
        ids = [int(o["id"]) for o in iterator]
        assert len(ids) == len(set(ids)) == n
        assert set(ids) == server_ids(box)


def _mutate_once(box, when_offset, change):
    done = []

    def hook(_box, action, params):
        if action.lower() == "getorders" and not done and \
                int(params.get("limitstart", 0)) >= when_offset:
            done.append(True)
            change()

    box.on_request(hook)
    return done


def test_orders_added_at_the_top_while_paging_are_not_lost_or_doubled(flavour, box, client):
    before = server_ids(box)
    added: list[int] = []
    done = _mutate_once(box, 20, lambda: added.extend(box.add_orders(3)))
    frame = client.orders(page_size=10, workers=2, progress=False)
    ids = set(frame["id"].astype(int))
    assert done and frame["id"].is_unique
    assert before <= ids <= before | set(added)  # new ones may or may not be there
    # additions only push rows down: no boundary re-read, at most one page more at the end
    assert frame.attrs["requests"] in (6, 7) and frame.attrs["reread_boundaries"] == []


def test_orders_deleted_in_the_middle_while_paging_are_not_needed(flavour, box, client):
    before = server_ids(box)
    victims = sorted(before)[20:23]
    done = _mutate_once(box, 30, lambda: box.delete_orders(victims))
    frame = client.orders(page_size=10, workers=2, progress=False)
    ids = set(frame["id"].astype(int))
    assert done and frame["id"].is_unique
    assert before - set(victims) <= ids <= before


def test_status_changes_under_a_status_filter_lose_nothing(flavour, box, client):
    box.set_status(sorted(server_ids(box))[-20:], "Pending")
    pending = sorted(server_ids(box, "Pending"))
    moved = pending[-3:]  # newest first: these sit on the first page, read first
    # after the first concurrent round (offsets 0 and 4), so page 0 saw them as Pending
    done = _mutate_once(box, 12, lambda: box.set_status(moved, "Active"))
    frame = client.orders("Pending", page_size=6, workers=2, progress=False)
    assert done
    ids = set(frame["id"].astype(int))
    assert set(pending) - set(moved) <= ids <= set(pending)
    assert frame.attrs["reread_boundaries"]  # three left above a 1-order overlap


def test_a_server_that_never_settles_raises_naming_the_boundary(flavour, box, client):
    box.on_request(lambda b, action, params: b.add_orders(40)
                   if action.lower() == "getorders" and int(params.get("limitstart", 0)) else None)
    with pytest.raises(wf.InconsistentReadError, match="could not prove the page boundary"):
        client.orders(page_size=10, progress=False)


def test_iter_orders_loses_nothing_when_orders_arrive(flavour, box, client):
    before = server_ids(box)
    added: list[int] = []
    _mutate_once(box, 15, lambda: added.extend(box.add_orders(2)))
    ids = [int(o["id"]) for o in client.iter_orders(page_size=10)]
    assert len(ids) == len(set(ids))
    assert before <= set(ids) <= before | set(added)


def test_orders_then_order_lines_read_once_and_refresh_reads_again(flavour, box, client):
    orders = client.orders(progress=False)
    lines = client.order_lines(progress=False)
    # unfiltered and never read before: the first round guesses 4 pages of 250
    assert box.request_count("GetOrders") == 4
    assert set(lines["orderid"]) <= set(orders["id"])
    client.orders(progress=False, refresh=True)
    # now the last total (60) is known: one page is asked for, no guesses
    assert box.request_count("GetOrders") == 5


def test_a_filtered_first_read_guesses_nothing(box, client):
    client.orders("Active", progress=False)
    assert box.request_count("GetOrders") == 1


@pytest.mark.parametrize(("filters", "expected", "guesses"), [
    ({}, None, 4), ({"status": "Active"}, None, 1), ({"userid": 3}, None, 1),
    ({}, 0, 1), ({}, 600, 3), ({"status": "Active"}, 5000, 4)])
def test_first_round_size(filters, expected, guesses):
    from whmcs_frames._fetch.pages import first_round_size

    assert first_round_size(filters, 250, 4, expected) == guesses


def test_a_write_clears_the_memo(flavour, box, client):
    client.orders(progress=False)
    orderid = box.add_orders(1)[0]
    assert orderid not in set(client.orders(progress=False)["id"].astype(int))  # memoised
    client.call("PendingOrder", orderid=orderid)
    assert orderid in set(client.orders(progress=False)["id"].astype(int))


def test_filters_reach_the_server(flavour, box, client):
    frame = client.orders("Pending", progress=False)
    assert set(frame["status"].astype(str)) == {"Pending"}
    assert set(frame["id"].astype(int)) == server_ids(box, "Pending")
    one = int(frame["id"].iloc[0])
    assert client.orders(id=one, progress=False)["id"].tolist() == [one]


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"userid": "7"}, "userid"), ({"id": 0}, "id"), ({"id": True}, "id"),
    ({"status": ""}, "status"), ({"status": 3}, "status"), ({"page_size": 0}, "page_size"),
    ({"workers": 0}, "workers"), ({"workers": 9}, "workers"), ({"since": "yesterday"}, "since"),
    ({"until": "2026-13-01"}, "until"), ({"since": "2026-02-01", "until": "2026-01-01"}, "until")])
def test_bad_filters_are_refused_before_any_request(box, client, kwargs, parameter):
    with pytest.raises(wf.ValidationError, match=f"^{parameter}:"):
        client.orders(progress=False, **kwargs)
    assert box.request_count() == 0


def test_a_misspelt_filter_is_refused_not_ignored(client, box):
    with pytest.raises(TypeError):
        client.orders(stauts="Pending")  # a typo is an error, never "every order"
    with pytest.raises(wf.ValidationError, match="^stauts: expected one of the GetOrders"):
        wf_pages.order_filters(stauts="Pending")


def test_a_page_answered_503_is_retried(flavour, box, client):
    box.faults.queue("503", count=1, action="GetOrders")
    assert len(client.orders(page_size=10, progress=False)) == 60


def test_products_pricing_promotions_and_statuses(flavour, box, client):
    products = client.products()
    pricing = client.product_pricing()
    assert box.request_count("GetProducts") == 1  # shared memo
    assert set(pricing["pid"]) <= set(products["pid"])
    assert (pricing["price"] >= 0).all()
    assert list(pricing.columns) == ["pid", "currency", "cycle", "price", "setup_fee"]
    one = int(products["pid"].iloc[0])
    assert client.products(one)["pid"].tolist() == [one]
    promos = client.promotions()
    code = str(promos["code"].iloc[0])
    assert client.promotions(code)["code"].tolist() == [code]
    statuses = client.order_statuses()
    assert statuses["count"].sum() == box.count_orders()
    assert {"Pending", "Active", "Fraud", "Cancelled"} <= set(statuses["title"].astype(str))


@pytest.mark.parametrize(("method", "kwargs", "parameter"), [
    ("products", {"pid": "3"}, "pid"), ("products", {"gid": -1}, "gid"),
    ("products", {"module": ""}, "module"), ("promotions", {"code": 5}, "code")])
def test_catalogue_filters_are_validated(client, box, method, kwargs, parameter):
    with pytest.raises(wf.ValidationError, match=f"^{parameter}:"):
        getattr(client, method)(**kwargs)
    assert box.request_count() == 0


URL = "https://billing.example.com/includes/api.php"


def test_products_request_on_the_wire_uses_a_comma_list():
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.post(URL, json={"result": "success", "totalresults": 0, "products": ""})
        frame = client.products([3, 5], module="cpanel")
        assert "pid=3%2C5" in mocked.calls[0].request.body
        assert "module=cpanel" in mocked.calls[0].request.body
    assert frame.empty and "pid" in frame.columns


def test_empty_results_in_every_shape_give_full_empty_frames():
    shapes = ["", [], {"order": []}, None]
    for shape in shapes:
        with responses.RequestsMock() as mocked, \
                wf.connect(URL, identifier="i", secret="s") as client:
            body = {"result": "success", "totalresults": "0", "numreturned": 0}
            if shape is not None:
                body["orders"] = shape
            mocked.post(URL, json=body)
            frame = client.orders(progress=False)
        assert frame.empty
        assert list(frame.columns) == list(wf.frames.SCHEMAS["orders"])
        assert isinstance(frame, pd.DataFrame)
