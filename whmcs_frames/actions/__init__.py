"""Guarded order writes: validate, check the order's status, audit, send once.

Every function takes a connected client first. Arguments are validated before anything
is sent; a dry run audits and sends nothing at all; otherwise the attempt is audited
before sending (an unwritable log stops it), the one order is read fresh and the write
refused where WHMCS would refuse it (``check=False`` leaves that to WHMCS), and the write
is sent once — never retried — and its outcome audited. See
:mod:`whmcs_frames.actions._perform` for the details and
:mod:`whmcs_frames.actions._audit` for the log.

Example
-------
>>> client.accept_order(17, sendemail=False)  # doctest: +SKIP
ActionResult(action='AcceptOrder', orderid=17, ok=True, message='', dry_run=False)
>>> wf.bulk(client, "cancel", client.orders("Pending"))  # a dry run  # doctest: +SKIP
"""

from ._audit import read_audit_log
from ._bulk import bulk, iter_bulk
from ._items import Domain, Product
from ._orders import (
    ORDER_FUNCTIONS,
    STATUS_RULES,
    ActionResult,
    AddOrderResult,
    FraudCheckResult,
    accept_order,
    add_order,
    cancel_order,
    delete_order,
    fraud_order,
    order_fraud_check,
    pending_order,
)

__all__ = [
    "ORDER_FUNCTIONS",
    "STATUS_RULES",
    "ActionResult",
    "AddOrderResult",
    "Domain",
    "FraudCheckResult",
    "Product",
    "accept_order",
    "add_order",
    "bulk",
    "cancel_order",
    "delete_order",
    "fraud_order",
    "iter_bulk",
    "order_fraud_check",
    "pending_order",
    "read_audit_log",
]
