"""The order writes against the sandbox over real HTTP: state changes and refusals.

The tests that take ``flavour`` run against every sandbox flavour (conftest.py).
"""

from __future__ import annotations

import pytest

import whmcs_frames as wf
from whmcs_frames import actions
from whmcs_frames._exceptions import OrderNotFound, PreconditionFailed
from whmcs_frames.actions._audit import read_audit_log


def new_order(box, status="Pending") -> int:
    (orderid,) = box.add_orders(1, status=status)
    return orderid


def status_of(box, orderid):
    row = box.order(orderid)
    return None if row is None else row["status"]


@pytest.mark.parametrize(("function", "start", "end", "action"), [
    (actions.accept_order, "Pending", "Active", "AcceptOrder"),
    (actions.cancel_order, "Pending", "Cancelled", "CancelOrder"),
    (actions.fraud_order, "Active", "Fraud", "FraudOrder"),
    (actions.pending_order, "Fraud", "Pending", "PendingOrder"),
])
def test_each_action_changes_the_status(flavour, client, box, function, start, end, action):
    orderid = new_order(box, start)
    result = function(client, orderid)
    assert result == actions.ActionResult(action, orderid, True, "")
    assert status_of(box, orderid) == end
    assert box.request_count(action) == 1


def test_delete_removes_a_cancelled_order(flavour, client, box):
    orderid = new_order(box, "Cancelled")
    result = actions.delete_order(client, orderid)
    assert result.action == "DeleteOrder" and result.orderid == orderid
    assert box.order(orderid) is None


def test_fraud_check_parses_the_modules_results(flavour, client, box):
    orderid = new_order(box)
    result = actions.order_fraud_check(client, orderid, ipaddress="203.0.113.9")
    assert isinstance(result, actions.FraudCheckResult)
    assert result.orderid == orderid and result.status in ("Pass", "Fail")
    assert result.module == "maxmind"
    assert isinstance(result.results, dict)
    assert box.requests[-1]["params"]["ipaddress"] == "203.0.113.9"


@pytest.mark.parametrize(("function", "status", "needed"), [
    (actions.accept_order, "Active", "Pending"),
    (actions.cancel_order, "Fraud", "Pending"),
    (actions.delete_order, "Pending", "Cancelled or Fraud"),
])
def test_precondition_refuses_before_sending(flavour, client, box, function, status, needed):
    orderid = new_order(box, status)
    with pytest.raises(PreconditionFailed) as err:
        function(client, orderid)
    message = str(err.value)
    assert f"order {orderid} is {status}" in message and needed in message
    assert err.value.orderid == orderid and err.value.status == status
    assert isinstance(err.value, wf.ValidationError)
    writes = [r for r in box.requests if r["action"] != "GetOrders"]
    assert writes == []
    assert status_of(box, orderid) == status


@pytest.mark.parametrize("function", [
    actions.accept_order, actions.cancel_order, actions.fraud_order, actions.pending_order,
    actions.order_fraud_check, actions.delete_order])
def test_a_missing_order_is_refused_clearly(flavour, client, box, function):
    with pytest.raises(OrderNotFound, match="order 999999 was not found"):
        function(client, 999999)
    assert {r["action"] for r in box.requests} == {"GetOrders"}


@pytest.mark.parametrize(("function", "status", "message"), [
    (actions.cancel_order, "Active", "Order ID not found or Status not Pending"),
    (actions.delete_order, "Pending",
     "The order status must be in Cancelled or Fraud to be deleted"),
])
def test_whmcs_stays_the_authority_without_the_check(flavour, client, box, function, status,
                                                     message):
    orderid = new_order(box, status)
    with pytest.raises(wf.ApiError) as err:
        function(client, orderid, check=False)
    assert err.value.message == message
    assert box.request_count("GetOrders") == 0
    log = read_audit_log(client.audit_log)
    assert log.loc[0, "outcome"] == "error" and log.loc[0, "sent"]
    assert log.loc[0, "message"] == message


def test_a_status_change_racing_the_check_is_refused_by_whmcs(flavour, client, box):
    orderid = new_order(box)

    def race(box, action, params):
        if action.lower() == "acceptorder":
            box.set_status([orderid], "Active")  # someone else got there first

    box.on_request(race)
    with pytest.raises(wf.ApiError, match="Status not Pending"):
        actions.accept_order(client, orderid)
    assert box.request_count("GetOrders") == 1 and box.request_count("AcceptOrder") == 1


def test_add_order_shows_up_in_the_next_refreshed_read(flavour, client, box):
    before = client.orders(progress=False)
    result = actions.add_order(client, 1, "mailin", items=[
        actions.Product(1, "monthly", domain="new-shop.com"),
        actions.Domain("new-shop.com"), actions.Domain("second.net", regperiod=2)])
    assert result.orderid is not None and result.orderid not in set(before["id"])
    assert result.invoiceid and len(result.serviceids) == 1 and len(result.domainids) == 2
    after = client.orders(refresh=True, progress=False)
    row = after[after["id"] == result.orderid]
    assert len(row) == 1 and row["status"].iloc[0] == "Pending"
    assert box.order(result.orderid)["invoiceid"] == result.invoiceid
    log = read_audit_log(client.audit_log)
    assert log.loc[0, "orderid"] == result.orderid and log.loc[0, "outcome"] == "success"


def test_add_order_refusal_from_whmcs_is_an_api_error(flavour, client, box):
    with pytest.raises(wf.ApiError, match="Client ID Not Found"):
        actions.add_order(client, 987654, "mailin", items=[actions.Product(1, "monthly")])


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"orderid": 0}, "orderid"), ({"orderid": -3}, "orderid"), ({"orderid": True}, "orderid"),
    ({"orderid": "5"}, "orderid"), ({"orderid": 2.5}, "orderid"),
    ({"sendemail": 1}, "sendemail"), ({"autosetup": "yes"}, "autosetup"),
    ({"serverid": 0}, "serverid"), ({"servicepassword": ""}, "servicepassword"),
    ({"send_email": True}, "send_email"),
])
def test_bad_arguments_are_refused_before_anything_is_sent(client, box, kwargs, parameter):
    kwargs = {"orderid": 5, **kwargs}
    with pytest.raises(wf.ValidationError, match=f"^{parameter}:"):
        actions.accept_order(client, **kwargs)
    assert box.request_count() == 0
    assert not client.audit_log.exists()


def test_an_unknown_parameter_lists_the_allowed_ones(client):
    with pytest.raises(wf.ValidationError) as err:
        actions.cancel_order(client, 5, cancel_sub=True)
    assert "cancel_sub" in str(err.value) and "cancelsub, noemail" in str(err.value)


def test_a_bad_ip_address_is_refused(client, box):
    with pytest.raises(wf.ValidationError, match="ipaddress: expected an IP address"):
        actions.order_fraud_check(client, 5, ipaddress="not-an-ip")
    assert box.request_count() == 0


@pytest.mark.parametrize("kind", ["503", "drop", "drop_after"])
def test_a_write_is_never_retried(client, box, kind):
    orderid = new_order(box)
    box.faults.queue(kind, count=3, action="AcceptOrder")
    with pytest.raises(wf.OutcomeUnknown):
        actions.accept_order(client, orderid)
    assert box.request_count("AcceptOrder") == 1
    log = read_audit_log(client.audit_log)
    assert list(log["outcome"]) == ["unknown"] and log.loc[0, "error"] == "OutcomeUnknown"
    expected = "Active" if kind == "drop_after" else "Pending"
    assert status_of(box, orderid) == expected


def test_a_read_timeout_on_a_write_is_an_unknown_outcome_not_a_retry(box, tmp_path):
    orderid = new_order(box)
    box.faults.queue("delay", action="AcceptOrder", seconds=1.5)
    with box.client(timeout=0.5, retries=2, backoff_factor=0,
                    audit_log=tmp_path / "audit.jsonl") as quick:
        with pytest.raises(wf.OutcomeUnknown, match="not retried"):
            actions.accept_order(quick, orderid)
        log = read_audit_log(quick.audit_log)
    assert box.request_count("AcceptOrder") == 1
    assert log.loc[0, "outcome"] == "unknown" and log.loc[0, "duration_ms"] >= 400
    assert status_of(box, orderid) == "Active"  # it did happen: only the answer was lost


def test_dry_run_sends_no_write_only_the_status_read(client, box):
    result = actions.delete_order(client, 12, dry_run=True)
    assert result.dry_run and result.params == {"orderid": 12}
    added = actions.add_order(client, 1, "mailin", items=[actions.Product(1, "monthly")],
                              dry_run=True)
    assert added.dry_run and added.orderid is None and added.params["pid"] == {0: 1}
    assert box.request_count() == box.request_count("GetOrders") == 1  # the prediction
    assert list(read_audit_log(client.audit_log)["outcome"]) == ["dry-run", "dry-run"]
