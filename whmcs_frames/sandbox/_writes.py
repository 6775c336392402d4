"""The order write actions other than AddOrder, with WHMCS's status rules.

=============  ==============  =================================================
action         allowed from    effect
=============  ==============  =================================================
AcceptOrder    Pending         order, pending services/addons/domains → Active
CancelOrder    Pending         order and its items → Cancelled; unpaid invoice too
FraudOrder     any             order and its items → Fraud; unpaid invoice cancelled
PendingOrder   any             order and its items → Pending; cancelled invoice unpaid
DeleteOrder    Cancelled/Fraud order, invoice, services, addons, domains removed
=============  ==============  =================================================

``cancelsub=1`` on an order marked with ``box.fail_subscription_cancel(ids)``
imitates a gateway that refuses to cancel the subscription, so that documented error
can be exercised (nothing changes then); it never happens by chance.

OrderFraudCheck is deterministic: its verdict depends only on the order id and the
IP address checked.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from .._api.php import php_serialize
from ._common import Context, Refusal, flag, order_id, text
from ._people import FRAUD_COUNTRIES
from ._store import Store

NOT_PENDING = "Order ID not found or Status not Pending"
NOT_FOUND = "Order ID Not Found"
SUBSCRIPTION_FAILED = ("Subscription Cancellation Failed - Please check the gateway log for "
                       "further information")
_ITEM_TABLES = ("hosting", "hostingaddons", "domains")


def _status_of(db: sqlite3.Connection, oid: int | None) -> str | None:
    if oid is None:
        return None
    row = db.execute("SELECT status FROM orders WHERE id = ?", (oid,)).fetchone()
    return row[0] if row else None


def _set(db: sqlite3.Connection, oid: int, status: str, items_from: tuple[str, ...] = ()
         ) -> None:
    db.execute("UPDATE orders SET status = ? WHERE id = ?", (status, oid))
    only = f" AND status IN ({','.join('?' * len(items_from))})" if items_from else ""
    for table in _ITEM_TABLES:
        db.execute(f"UPDATE {table} SET status = ? WHERE orderid = ?{only}",
                   (status, oid, *items_from))


def _invoice(db: sqlite3.Connection, oid: int, old: str, new: str) -> None:
    db.execute("UPDATE invoices SET status = ? WHERE status = ? AND id = "
               "(SELECT invoiceid FROM orders WHERE id = ?)", (new, old, oid))


def _check_subscription(store: Store, oid: int, params: dict[str, Any]) -> None:
    if flag(params, "cancelsub") and oid in store.failing_subscriptions:
        raise Refusal(SUBSCRIPTION_FAILED)


def accept_order(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """AcceptOrder: Pending → Active, and its pending items go live."""
    oid = order_id(params)
    if _status_of(store.db, oid) != "Pending":
        raise Refusal(NOT_PENDING)
    assert oid is not None
    _set(store.db, oid, "Active", ("Pending",))
    return {"result": "success"}


def cancel_order(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """CancelOrder: Pending → Cancelled, with its items and unpaid invoice."""
    oid = order_id(params)
    if _status_of(store.db, oid) != "Pending":
        raise Refusal(NOT_PENDING)
    assert oid is not None
    _check_subscription(store, oid, params)
    _set(store.db, oid, "Cancelled")
    _invoice(store.db, oid, "Unpaid", "Cancelled")
    return {"result": "success"}


def fraud_order(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """FraudOrder: any status → Fraud; an unpaid invoice is cancelled."""
    oid = order_id(params)
    if _status_of(store.db, oid) is None:
        raise Refusal(NOT_FOUND)
    assert oid is not None
    _check_subscription(store, oid, params)
    _set(store.db, oid, "Fraud")
    _invoice(store.db, oid, "Unpaid", "Cancelled")
    return {"result": "success"}


def pending_order(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """PendingOrder: any status → Pending; a cancelled invoice is reopened."""
    oid = order_id(params)
    if _status_of(store.db, oid) is None:
        raise Refusal(NOT_FOUND)
    assert oid is not None
    _set(store.db, oid, "Pending")
    _invoice(store.db, oid, "Cancelled", "Unpaid")
    return {"result": "success"}


def delete_order(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """DeleteOrder: only Cancelled or Fraud orders, removed with everything tied to them."""
    oid = order_id(params)
    status = _status_of(store.db, oid)
    if status is None:
        raise Refusal("Order ID not found")
    if status not in ("Cancelled", "Fraud"):
        raise Refusal("The order status must be in Cancelled or Fraud to be deleted")
    assert oid is not None
    store.delete_orders(store.db, [oid])
    return {"result": "success"}


def order_fraud_check(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """OrderFraudCheck: a deterministic verdict, recorded on the order."""
    oid = order_id(params)
    row = None if oid is None else store.db.execute(
        "SELECT o.ipaddress, COALESCE(c.country, 'US') FROM orders o LEFT JOIN clients c "
        "ON c.id = o.userid WHERE o.id = ?", (oid,)).fetchone()
    if row is None:
        raise Refusal(NOT_FOUND)
    if not ctx.fraud_module:
        raise Refusal("No Active Fraud Module")
    ip = text(params, "ipaddress").strip() or row[0]
    failed, details = fraud_verdict(ctx.fraud_module, oid or 0, ip, row[1])
    store.db.execute("UPDATE orders SET fraudmodule = ?, fraudoutput = ? WHERE id = ?",
                     (ctx.fraud_module, json.dumps(details), oid))
    return {"result": "success", "status": "Fail" if failed else "Pass",
            "module": ctx.fraud_module, "results": php_serialize(details)}


def fraud_verdict(module: str, oid: int, ip: str, country: str) -> tuple[bool, dict[str, str]]:
    """(failed, details) for an order and IP: the same inputs always give the same answer.

    Examples
    --------
    >>> failed, details = fraud_verdict("maxmind", 7, "203.0.113.9", "US")
    >>> (failed, details) == fraud_verdict("maxmind", 7, "203.0.113.9", "US")
    True
    """
    digest = hashlib.sha256(f"{oid}|{ip}".encode()).digest()
    score = int.from_bytes(digest[:4], "big") % 10000 / 100
    seen = FRAUD_COUNTRIES[digest[4] % len(FRAUD_COUNTRIES)] if score >= 75 else country
    if module == "fraudlabs":
        points = round(score)
        verdict = "APPROVE" if points < 40 else ("REVIEW" if points < 75 else "REJECT")
        return verdict == "REJECT", {
            "fraudlabspro_id": digest[5:11].hex().upper(), "fraudlabspro_score": str(points),
            "fraudlabspro_status": verdict, "ip_country": seen,
            "is_proxy_ip_address": "Y" if points > 85 else "N"}
    return score >= 75, {"riskScore": f"{score:.2f}", "ip_address": ip, "ip_country": seen,
                         "country_match": "Yes" if seen == country else "No"}
