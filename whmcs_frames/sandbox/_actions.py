"""The action table and the response encodings (JSON, or XML for old integrations).

Action names are matched case-insensitively, as WHMCS matches them. Each handler
runs inside one database transaction; a :class:`~._common.Refusal` rolls it back and
becomes ``{"result": "error", "message": ...}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from ._addorder import add_order
from ._billing_reads import (
    get_cancelled_packages,
    get_clients,
    get_clients_products,
    get_invoices,
    get_transactions,
)
from ._clientdetails import get_clients_details
from ._common import Context, Refusal
from ._reads import get_order_statuses, get_orders, get_products, get_promotions
from ._store import Store
from ._writes import (
    accept_order,
    cancel_order,
    delete_order,
    fraud_order,
    order_fraud_check,
    pending_order,
)

Handler = Callable[[Store, dict[str, Any], Context], dict[str, Any]]

HANDLERS: dict[str, Handler] = {
    "getorders": get_orders,
    "getproducts": get_products,
    "getpromotions": get_promotions,
    "getorderstatuses": get_order_statuses,
    "getclients": get_clients,
    "getclientsdetails": get_clients_details,
    "getclientsproducts": get_clients_products,
    "getinvoices": get_invoices,
    "gettransactions": get_transactions,
    "getcancelledpackages": get_cancelled_packages,
    "acceptorder": accept_order,
    "cancelorder": cancel_order,
    "fraudorder": fraud_order,
    "pendingorder": pending_order,
    "deleteorder": delete_order,
    "orderfraudcheck": order_fraud_check,
    "addorder": add_order,
}


def error(message: str) -> dict[str, Any]:
    """A WHMCS error payload."""
    return {"result": "error", "message": message}


def dispatch(store: Store, action: str, params: dict[str, Any], ctx: Context
             ) -> dict[str, Any]:
    """Run ``action`` atomically and return its payload (success or error)."""
    handler = HANDLERS.get(action.lower())
    if handler is None:
        return error("Command Not Found")
    try:
        with store.transaction():
            return handler(store, params, ctx)
    except Refusal as refusal:
        return error(refusal.message)


def to_json(payload: dict[str, Any]) -> bytes:
    """The JSON body, with PHP ``json_encode``'s escaped slashes and ``\\u`` escapes."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode("ascii")


_TAG_RE = re.compile(r"^[A-Za-z_][\w.-]*$")
_NOT_TAG_CHAR = re.compile(r"[^\w.-]")


def _tag(key: Any) -> str:
    key = str(key)
    return key if _TAG_RE.match(key) else "item" + _NOT_TAG_CHAR.sub("_", key)


def _php_text(value: Any) -> str:
    """A scalar as PHP prints it: true is ``1``, false and null are empty."""
    if value is None or value is False:
        return ""
    return "1" if value is True else str(value)


def _xml_into(parts: list[str], key: str, value: Any) -> None:
    tag = _tag(key)
    if isinstance(value, list):
        for item in value:
            _xml_into(parts, key, item)
    elif isinstance(value, dict):
        parts.append(f"<{tag}>")
        for sub, item in value.items():
            _xml_into(parts, sub, item)
        parts.append(f"</{tag}>")
    else:
        parts.append(f"<{tag}>{escape(_php_text(value))}</{tag}>")


def to_xml(payload: dict[str, Any], action: str) -> bytes:
    """The XML document WHMCS answers when ``responsetype`` is not ``json``."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<whmcsapi version="8.10.1">',
             f"<action>{escape(action.lower())}</action>"]
    for key, value in payload.items():
        _xml_into(parts, key, value)
    parts.append("</whmcsapi>")
    return "\n".join(parts).encode("utf-8")
