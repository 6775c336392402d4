"""Sandbox order writes: WHMCS's status rules, error messages, deletes and fraud checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _raw import tidy_call as call

from whmcs_frames import sandbox
from whmcs_frames._api.php import php_unserialize

NOT_PENDING = "Order ID not found or Status not Pending"


def fetch(box: sandbox.Sandbox, orderid: int) -> dict[str, Any] | None:
    orders = call(box, "GetOrders", id=orderid)["orders"]["order"]
    return orders[0] if orders else None


def item_statuses(order: dict[str, Any]) -> set[str]:
    return {line["status"] for line in order["lineitems"]["lineitem"]}


@pytest.fixture(params=sandbox.FLAVOURS)
def wbox(request):
    """Every write test runs against each flavour; ``call`` reads them alike (tidy_call)."""
    with sandbox.serve(orders=60, seed=11, flavour=request.param) as box:
        yield box


@pytest.fixture
def pending(wbox):
    return wbox.add_orders(1)[0]


def error(message: str) -> dict[str, str]:
    return {"result": "error", "message": message}


def test_accept_order(wbox, pending):
    assert call(wbox, "AcceptOrder", orderid=pending, autosetup=1, sendemail=0) == \
        {"result": "success"}
    order = fetch(wbox, pending)
    assert order["status"] == "Active"
    assert item_statuses(order) == {"Active"}
    assert call(wbox, "AcceptOrder", orderid=pending) == error(NOT_PENDING)


@pytest.mark.parametrize("orderid", [999999, "abc", "", "-3"])
def test_accept_and_cancel_unknown_order(wbox, orderid):
    assert call(wbox, "AcceptOrder", orderid=orderid) == error(NOT_PENDING)
    assert call(wbox, "CancelOrder", orderid=orderid) == error(NOT_PENDING)


def test_accept_without_orderid(wbox):
    assert call(wbox, "AcceptOrder") == error(NOT_PENDING)


def test_cancel_order(wbox, pending):
    assert call(wbox, "CancelOrder", orderid=pending, noemail=1) == {"result": "success"}
    order = fetch(wbox, pending)
    assert order["status"] == "Cancelled"
    assert item_statuses(order) == {"Cancelled"}
    if order["invoiceid"] != "0":
        assert order["paymentstatus"] == "Cancelled"
    assert call(wbox, "CancelOrder", orderid=pending) == error(NOT_PENDING)


def test_cancel_refuses_active_orders(wbox):
    active = wbox.add_orders(1, status="Active")[0]
    assert call(wbox, "CancelOrder", orderid=active) == error(NOT_PENDING)
    assert wbox.order(active)["status"] == "Active"


def test_cancelsub_failure_changes_nothing(wbox):
    orderid, other = wbox.add_orders(2)
    wbox.fail_subscription_cancel([orderid])
    assert call(wbox, "CancelOrder", orderid=other, cancelsub=1) == {"result": "success"}
    message = ("Subscription Cancellation Failed - Please check the gateway log for further "
               "information")
    assert call(wbox, "CancelOrder", orderid=orderid, cancelsub=1) == error(message)
    assert call(wbox, "FraudOrder", orderid=orderid, cancelsub="true") == error(message)
    assert wbox.order(orderid)["status"] == "Pending"
    assert call(wbox, "CancelOrder", orderid=orderid)["result"] == "success"


@pytest.mark.parametrize("start", ["Pending", "Active", "Cancelled", "In Review"])
def test_fraud_order_from_any_status(wbox, start):
    orderid = wbox.add_orders(1, status=start)[0]
    assert call(wbox, "FraudOrder", orderid=orderid) == {"result": "success"}
    order = fetch(wbox, orderid)
    assert order["status"] == "Fraud" and item_statuses(order) == {"Fraud"}


@pytest.mark.parametrize("action", ["FraudOrder", "PendingOrder", "OrderFraudCheck"])
@pytest.mark.parametrize("orderid", [999999, "x"])
def test_order_id_not_found(wbox, action, orderid):
    assert call(wbox, action, orderid=orderid) == error("Order ID Not Found")


@pytest.mark.parametrize("start", ["Active", "Cancelled", "Fraud", "In Review"])
def test_pending_order_from_any_status(wbox, start):
    orderid = wbox.add_orders(1, status=start)[0]
    assert call(wbox, "PendingOrder", orderid=orderid) == {"result": "success"}
    order = fetch(wbox, orderid)
    assert order["status"] == "Pending" and item_statuses(order) == {"Pending"}


def test_pending_reopens_a_cancelled_invoice(wbox, pending):
    call(wbox, "CancelOrder", orderid=pending)
    call(wbox, "PendingOrder", orderid=pending)
    order = fetch(wbox, pending)
    if order["invoiceid"] != "0":
        assert order["paymentstatus"] == "Unpaid"
    assert call(wbox, "AcceptOrder", orderid=pending) == {"result": "success"}


def test_delete_order_rules(wbox, pending):
    assert call(wbox, "DeleteOrder", orderid=999999) == error("Order ID not found")
    assert call(wbox, "DeleteOrder", orderid="abc") == error("Order ID not found")
    assert call(wbox, "DeleteOrder", orderid=pending) == \
        error("The order status must be in Cancelled or Fraud to be deleted")
    active = wbox.add_orders(1, status="Active")[0]
    assert call(wbox, "DeleteOrder", orderid=active)["result"] == "error"


@pytest.mark.parametrize("via", ["CancelOrder", "FraudOrder"])
def test_delete_removes_order_invoice_and_services(wbox, via):
    added = call(wbox, "AddOrder", clientid=1, paymentmethod="stripe", pid=[1, 2],
                 billingcycle=["monthly", "annually"], domain=["a.example.com", "b.de"],
                 domaintype={"1": "register"}, addons=["1", ""])
    orderid = int(added["orderid"])
    before = wbox.count_orders()
    assert call(wbox, via, orderid=orderid)["result"] == "success"
    assert call(wbox, "DeleteOrder", orderid=orderid) == {"result": "success"}
    assert wbox.order(orderid) is None and fetch(wbox, orderid) is None
    assert wbox.count_orders() == before - 1
    db = wbox.store.db
    assert db.execute("SELECT COUNT(*) FROM invoices WHERE id = ?",
                      (int(added["invoiceid"]),)).fetchone()[0] == 0
    for table in ("hosting", "domains", "hostingaddons"):
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE orderid = ?",
                          (orderid,)).fetchone()[0] == 0
    assert call(wbox, "DeleteOrder", orderid=orderid) == error("Order ID not found")


def test_status_counts_follow_writes(wbox, pending):
    def counts():
        statuses = call(wbox, "GetOrderStatuses")["statuses"]["status"]
        return {s["title"]: int(s["count"]) for s in statuses}

    before = counts()
    call(wbox, "FraudOrder", orderid=pending)
    after = counts()
    assert after["Pending"] == before["Pending"] - 1
    assert after["Fraud"] == before["Fraud"] + 1


def test_fraud_check_is_deterministic_and_recorded(wbox, pending):
    first = call(wbox, "OrderFraudCheck", orderid=pending)
    assert first["result"] == "success" and first["module"] == "maxmind"
    assert first["status"] in ("Pass", "Fail")
    details = php_unserialize(first["results"])
    assert "riskScore" in details
    assert call(wbox, "OrderFraudCheck", orderid=pending) == first
    order = fetch(wbox, pending)
    assert order["fraudmodule"] == "maxmind"
    assert json.loads(order["fraudoutput"])["riskScore"] == details["riskScore"]
    assert order["status"] == "Pending"  # a check records, it does not decide
    other_ip = call(wbox, "OrderFraudCheck", orderid=pending, ipaddress="203.0.113.77")
    assert php_unserialize(other_ip["results"])["ip_address"] == "203.0.113.77"
    verdicts = {call(wbox, "OrderFraudCheck", orderid=pending,
                     ipaddress=f"198.51.100.{n}")["status"] for n in range(1, 30)}
    assert verdicts == {"Pass", "Fail"}


def test_fraud_check_same_on_another_box_with_the_same_seed():
    with sandbox.serve(orders=30, seed=4) as one, sandbox.serve(orders=30, seed=4) as two:
        assert call(one, "OrderFraudCheck", orderid=10) == \
            call(two, "OrderFraudCheck", orderid=10)


def test_fraud_check_without_module():
    with sandbox.serve(orders=20, seed=3, fraud_module=None) as box:
        assert call(box, "OrderFraudCheck", orderid=5) == error("No Active Fraud Module")
        assert call(box, "OrderFraudCheck", orderid=99999) == error("Order ID Not Found")


def test_fraudlabs_module():
    with sandbox.serve(orders=20, seed=3, fraud_module="fraudlabs") as box:
        answer = call(box, "OrderFraudCheck", orderid=5)
        assert answer["module"] == "fraudlabs"
        details = php_unserialize(answer["results"])
        assert details["fraudlabspro_status"] in ("APPROVE", "REVIEW", "REJECT")
        assert json.loads(fetch(box, 5)["fraudoutput"])["fraudlabspro_score"] == \
            details["fraudlabspro_score"]
