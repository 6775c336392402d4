"""The one table of WHMCS actions this toolkit speaks, keyed by our name for each.

Retries (reads only), the audit log (writes only), parameter validation, the status
check before an order write, :func:`whmcs_frames.bulk`, the CLI and the review widget all
read :data:`ACTIONS`: every fact about an action (read or write, its parameters, the
statuses WHMCS acts from, its short name, its button label and options, whether it can
be undone) is written here once. :data:`ORDER_ACTIONS` is the same specs of the six
single-order writes, keyed by their short name.

Examples
--------
>>> ORDER_ACTIONS["delete"].allowed_from, ORDER_ACTIONS["delete"].irreversible
(('Cancelled', 'Fraud'), True)
>>> [spec.label for spec in ORDER_ACTIONS.values()][:3]
['Accept', 'Cancel', 'Mark fraud']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._exceptions import ValidationError

__all__ = [
    "ACTIONS",
    "ORDER_ACTIONS",
    "SECRET_NAME_PARTS",
    "SECRET_PARAMS",
    "ActionSpec",
    "is_secret_param",
    "spec_for",
    "without_secrets",
]

#: Parameters whose values never appear in a repr, log, exception, audit entry or CSV.
#: The same names are the response fields that hold credentials: GetClientsProducts
#: sends each service's ``password`` in clear, GetOrders the ``transfersecret``, and
#: AddClient/UpdateClient take a client's login password as ``password2``.
SECRET_PARAMS = frozenset({
    "secret", "password", "password2", "accesskey", "servicepassword", "rootpw", "eppcode",
    "transfersecret",
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
    bulk_name : str or None
        The short name of a single-order write: ``bulk()``'s action, the CLI verb (with
        ``-`` for ``_``) and the review widget's button key. None for other actions.
    label : str or None
        The order write's button label in the review widget.
    allowed_from : tuple of str or None
        The order statuses WHMCS performs the write from; ``()`` any status (the order
        must still exist). The write is refused before sending otherwise. None for
        actions that are not status-checked.
    options : tuple of str
        The parameters the review widget offers as switches for the write.
    irreversible : bool
        Nothing undoes it: the CLI and the widget ask for more than a yes.
    """

    name: str
    whmcs: str
    kind: Literal["read", "write"]
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    bulk_name: str | None = None
    label: str | None = None
    allowed_from: tuple[str, ...] | None = None
    options: tuple[str, ...] = ()
    irreversible: bool = False

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
    # Beyond orders (docs/whmcs-api-notes.md, "The billing reads").
    ActionSpec("clients", "GetClients", "read",
               ("limitstart", "limitnum", "sorting", "status", "search", "orderby")),
    ActionSpec("client_details", "GetClientsDetails", "read", ("clientid", "email", "stats")),
    ActionSpec("services", "GetClientsProducts", "read",
               ("limitstart", "limitnum", "clientid", "serviceid", "pid", "domain",
                "username2")),
    ActionSpec("invoices", "GetInvoices", "read",
               ("limitstart", "limitnum", "userid", "status", "orderby", "order")),
    # Not paginated: every match in one answer.
    ActionSpec("transactions", "GetTransactions", "read", ("invoiceid", "clientid", "transid")),
    ActionSpec("cancellations", "GetCancelledPackages", "read", ("limitstart", "limitnum")),
    ActionSpec("accept_order", "AcceptOrder", "write",
               ("orderid", "serverid", "serviceusername", "servicepassword", "registrar",
                "sendregistrar", "autosetup", "sendemail"), ("orderid",),
               bulk_name="accept", label="Accept", allowed_from=("Pending",),
               options=("sendemail", "autosetup")),
    ActionSpec("cancel_order", "CancelOrder", "write", ("orderid", "cancelsub", "noemail"),
               ("orderid",), bulk_name="cancel", label="Cancel", allowed_from=("Pending",),
               options=("cancelsub", "noemail")),
    ActionSpec("fraud_order", "FraudOrder", "write", ("orderid", "cancelsub"), ("orderid",),
               bulk_name="fraud", label="Mark fraud", allowed_from=(),
               options=("cancelsub",)),
    ActionSpec("pending_order", "PendingOrder", "write", ("orderid",), ("orderid",),
               bulk_name="pending", label="Set pending", allowed_from=()),
    ActionSpec("order_fraud_check", "OrderFraudCheck", "write", ("orderid", "ipaddress"),
               ("orderid",), bulk_name="fraud_check", label="Fraud check", allowed_from=()),
    # Its services, addons, domains and invoices go with it.
    ActionSpec("delete_order", "DeleteOrder", "write", ("orderid",), ("orderid",),
               bulk_name="delete", label="Delete", allowed_from=("Cancelled", "Fraud"),
               irreversible=True),
    ActionSpec("add_order", "AddOrder", "write", _ADD_ORDER_PARAMS,
               ("clientid", "paymentmethod")),
)}

#: The single-order writes by :attr:`ActionSpec.bulk_name`, in the order buttons show.
ORDER_ACTIONS: dict[str, ActionSpec] = {
    spec.bulk_name: spec for spec in ACTIONS.values() if spec.bulk_name is not None}

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


def without_secrets(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of one response record without its secret fields, for storing or logging.

    Examples
    --------
    >>> without_secrets({"id": "9", "password": "hunter2", "Password": "x"})
    {'id': '9'}
    """
    return {k: v for k, v in record.items() if not is_secret_param(str(k))}
