"""The writes as Client methods and as top-level names (the public surface)."""

from __future__ import annotations

import inspect

import whmcs_frames as wf
from whmcs_frames import actions

WRITES = ("accept_order", "cancel_order", "fraud_order", "pending_order",
          "order_fraud_check", "delete_order", "add_order")


def test_client_methods_are_the_action_functions():
    for name in WRITES:
        method = getattr(wf.Client, name)
        assert method is getattr(actions, name)
        params = list(inspect.signature(method).parameters)
        assert params[0] == "client" and "dry_run" in params


def test_client_methods_work_end_to_end(client, box):
    def status(orderid):
        return box.order(orderid)["status"]

    (orderid,) = box.add_orders(1)
    client.accept_order(orderid, sendemail=False)
    assert status(orderid) == "Active"
    assert client.fraud_order(orderid).action == "FraudOrder" and status(orderid) == "Fraud"
    client.delete_order(orderid)
    assert box.order(orderid) is None
    added = client.add_order(1, "mailin", items=[wf.Product(1, "monthly"),
                                                 wf.Domain("client-test.com")])
    assert status(added.orderid) == "Pending"
    assert client.order_fraud_check(added.orderid).module == "maxmind"
    client.cancel_order(added.orderid)
    assert status(added.orderid) == "Cancelled"
    client.pending_order(added.orderid)
    assert status(added.orderid) == "Pending"
    assert len(wf.read_audit_log(client.audit_log)) == 7


def test_top_level_names():
    assert wf.bulk is actions.bulk and wf.actions is actions
    assert wf.Product is actions.Product and wf.Domain is actions.Domain
    assert wf.ActionResult is actions.ActionResult
    assert wf.AddOrderResult is actions.AddOrderResult
    assert wf.FraudCheckResult is actions.FraudCheckResult
    assert callable(wf.read_audit_log)
