"""The one table of WHMCS actions this toolkit speaks.

Retries (reads only), the audit log (writes only), parameter validation and the CLI all
read :data:`ACTIONS`; nothing else decides whether an action is a read or a write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .._exceptions import ValidationError

__all__ = ["ACTIONS", "SECRET_NAME_PARTS", "SECRET_PARAMS", "ActionSpec", "is_secret_param",
           "spec_for"]

#: Parameters whose values never appear in a repr, log, exception, audit entry or CSV.
SECRET_PARAMS = frozenset({
    "secret", "password", "accesskey", "servicepassword", "rootpw", "eppcode", "transfersecret",
})

_ADD_ORDER_PARAMS = (
    "clientid", "paymentmethod",
    # per product item, parallel arrays
    "pid", "qty", "domain", "billingcycle", "hostname", "ns1prefix", "ns2prefix", "rootpw",
    "priceoverride", "customfields", "configoptions", "addons", "addonsqty",
    # per domain item, parallel arrays
    "domaintype", "regperiod", "idnlanguage", "eppcode", "dnsmanagement", "emailforwarding",
    "idprotection", "domainfields", "domainpriceoverride", "domainrenewoverride",
    # order-wide
    "nameserver1", "nameserver2", "nameserver3", "nameserver4", "nameserver5", "promocode",
    "promooverride", "affid", "noinvoice", "noinvoiceemail", "noemail", "clientip", "contactid",
    # renewals and addon-only orders
    "domainrenewals", "servicerenewals", "addonrenewals", "addonid", "addonidqty", "serviceid",
    "addonids", "addonidsqty", "serviceids",
)


@dataclass(frozen=True)
class ActionSpec:
    """One WHMCS action: our name for it, WHMCS's, and how it may be treated.

    Attributes
    ----------
    name : str
        Our name (the Client method, the CLI verb's stem).
    whmcs : str
        The WHMCS ``action`` value.
    kind : {"read", "write"}
        Reads may be retried; writes never are once sent, and are audited.
    params : tuple of str
        Every parameter WHMCS documents for the action.
    required : tuple of str
        The parameters WHMCS refuses to work without.
    """

    name: str
    whmcs: str
    kind: Literal["read", "write"]
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    @property
    def is_read(self) -> bool:
        """Whether the action only reads (and so may be retried)."""
        return self.kind == "read"


ACTIONS: dict[str, ActionSpec] = {spec.name: spec for spec in (
    ActionSpec("orders", "GetOrders", "read",
               ("limitstart", "limitnum", "id", "userid", "requestor_id", "status")),
    ActionSpec("products", "GetProducts", "read", ("pid", "gid", "module")),
    ActionSpec("promotions", "GetPromotions", "read", ("code",)),
    ActionSpec("order_statuses", "GetOrderStatuses", "read"),
    ActionSpec("accept_order", "AcceptOrder", "write",
               ("orderid", "serverid", "serviceusername", "servicepassword", "registrar",
                "sendregistrar", "autosetup", "sendemail"), ("orderid",)),
    ActionSpec("cancel_order", "CancelOrder", "write", ("orderid", "cancelsub", "noemail"),
               ("orderid",)),
    ActionSpec("fraud_order", "FraudOrder", "write", ("orderid", "cancelsub"), ("orderid",)),
    ActionSpec("pending_order", "PendingOrder", "write", ("orderid",), ("orderid",)),
    ActionSpec("order_fraud_check", "OrderFraudCheck", "write", ("orderid", "ipaddress"),
               ("orderid",)),
    ActionSpec("delete_order", "DeleteOrder", "write", ("orderid",), ("orderid",)),
    ActionSpec("add_order", "AddOrder", "write", _ADD_ORDER_PARAMS,
               ("clientid", "paymentmethod")),
)}

_BY_WHMCS = {spec.whmcs.lower(): spec for spec in ACTIONS.values()}


def spec_for(action: str) -> ActionSpec:
    """Look an action up by WHMCS name (case-insensitive, as WHMCS is) or by our name.

    Actions outside the table get a spec too: a ``Get…`` action is a read, anything
    else is treated as a write, so an unknown action is never retried blindly.

    Examples
    --------
    >>> spec_for("getorders").kind
    'read'
    >>> spec_for("UpdateClient").kind
    'write'
    """
    if not isinstance(action, str):
        raise ValidationError("action", "a WHMCS action name such as 'GetOrders'", got=action)
    known = ACTIONS.get(action) or _BY_WHMCS.get(action.lower())
    if known is not None:
        return known
    kind: Literal["read", "write"] = "read" if action.lower().startswith("get") else "write"
    return ActionSpec(action, action, kind)


#: Parts of a parameter name that make it secret, whatever the action (``password2``,
#: ``cardnum``, ``cvv``, ``apikey``…): a false alarm only hides a value, a miss leaks one.
SECRET_NAME_PARTS = ("pass", "secret", "key", "cvv", "card", "epp", "token", "pw")


def is_secret_param(key: str) -> bool:
    """Whether a (possibly flattened, ``rootpw[0]``) parameter name holds a secret.

    Examples
    --------
    >>> [is_secret_param(k) for k in ("rootpw[0]", "password2", "cardnum", "orderid")]
    [True, True, True, False]
    """
    name = str(key).split("[", 1)[0].lower()
    return name in SECRET_PARAMS or any(part in name for part in SECRET_NAME_PARTS)
