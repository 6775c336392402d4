"""The seven order writes and their result types; :mod:`whmcs_frames.actions` is their
public face and says what every write does before it is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._api.registry import ACTIONS, ORDER_ACTIONS
from .._api.secrets import Secret, secret_text
from .._validate import flag
from ._audit import masked_params
from ._items import Domain, Product
from ._perform import (
    STATUS_RULES,
    add_order_params,
    first_id,
    fraud_results,
    ids,
    order_params,
    perform,
)
from ._protocol import Client

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
    "cancel_order",
    "delete_order",
    "fraud_order",
    "order_fraud_check",
    "pending_order",
]

@dataclass(frozen=True)
class ActionResult:
    """What an order action did.

    Attributes
    ----------
    action : str
        The WHMCS action (``"AcceptOrder"``…).
    orderid : int
    ok : bool
        True: WHMCS answered success (or, for a dry run, nothing stood in the way).
    message : str
        WHMCS's message, if it gave one.
    dry_run : bool
        Nothing was sent.
    params : dict
        What was (or would be) sent, secrets as ``***``.
    """

    action: str
    orderid: int
    ok: bool
    message: str
    dry_run: bool = False
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class AddOrderResult:
    """The records AddOrder created (all empty/None for a dry run).

    Attributes
    ----------
    orderid, invoiceid : int or None
        ``invoiceid`` is None when no invoice was made (``noinvoice``).
    serviceids, addonids, domainids : list of int
        Parsed from WHMCS's comma-separated strings (``productids`` on older WHMCS).
    """

    orderid: int | None
    invoiceid: int | None
    serviceids: list[int] = field(default_factory=list, hash=False)
    addonids: list[int] = field(default_factory=list, hash=False)
    domainids: list[int] = field(default_factory=list, hash=False)
    dry_run: bool = False
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class FraudCheckResult:
    """OrderFraudCheck's answer.

    Attributes
    ----------
    orderid : int
    status : str or None
        The fraud module's verdict, e.g. ``"Pass"`` or ``"Fail"``.
    module : str or None
    results : dict, list, str or None
        The module's details: PHP-unserialized or JSON-decoded when they are, else the
        raw text; None when absent.
    """

    orderid: int
    status: str | None
    module: str | None
    results: Any = field(default=None, hash=False)
    dry_run: bool = False
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


# -- results from answers ----------------------------------------------------------------

def _order_result(name: str, params: dict[str, Any], answer: Mapping[str, Any] | None
                  ) -> Any:
    common: dict[str, Any] = {"dry_run": answer is None, "params": masked_params(params)}
    if name == "order_fraud_check":
        answer = answer or {}
        return FraudCheckResult(params["orderid"], _text_or_none(answer.get("status")),
                                _text_or_none(answer.get("module")),
                                fraud_results(answer.get("results")), **common)
    message = "dry run: nothing sent" if answer is None else str(answer.get("message") or "")
    return ActionResult(ACTIONS[name].whmcs, params["orderid"], True, message, **common)


def _text_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _order_action(client: Client, name: str, orderid: int, dry_run: bool, check: bool,
                  **options: Any) -> Any:
    params = order_params(name, orderid, options)
    dry_run, check = flag("dry_run", dry_run), flag("check", check)
    answer = perform(client, name, params, orderid=params["orderid"], dry_run=dry_run,
                     check=check)
    return _order_result(name, params, answer)


# -- the seven writes --------------------------------------------------------------------
# Each takes the client first; dry_run=True audits and sends nothing; check=False skips
# the fresh status read and leaves the judgement to WHMCS.

def accept_order(client: Client, orderid: int, *, serverid: int | None = None,
                 serviceusername: str | None = None,
                 servicepassword: str | Secret | None = None,
                 registrar: str | None = None, sendregistrar: bool | None = None,
                 autosetup: bool | None = None, sendemail: bool | None = None,
                 dry_run: bool = False, check: bool = True, **unknown: Any) -> ActionResult:
    """Accept a Pending order (AcceptOrder): its services and domains are set up.

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    orderid : int
        The order's id.
    serverid : int, optional
        Server to put the order's services on.
    serviceusername, servicepassword : str, optional
        Login for the services (the password is a secret: never logged).
    registrar : str, optional
        Registrar module for the order's domains.
    sendregistrar, autosetup, sendemail : bool, optional
        Send domains to the registrar; run the product modules; send welcome e-mails.
    dry_run : bool
        Audit as a dry run and send nothing.
    check : bool
        Read the order first and refuse unless it is Pending.
    **unknown
        Refused with a :class:`ValidationError` listing the allowed parameters.

    Returns
    -------
    ActionResult

    Raises
    ------
    ValidationError
        A bad or unknown argument (the message lists the allowed ones).
    PreconditionFailed, OrderNotFound
        The order is not Pending, or does not exist; nothing was sent.
    ApiError
        WHMCS refused (``Order ID not found or Status not Pending``, a module error).
    OutcomeUnknown
        No answer came back; it was not retried. Look the order up.
    AuditLogError
        The audit log cannot be written; nothing was sent.

    Examples
    --------
    >>> client.accept_order(17, autosetup=True, sendemail=False)  # doctest: +SKIP
    """
    # Held masked from here on, so no traceback with locals shows it.
    servicepassword = None if servicepassword is None else secret_text(
        "servicepassword", servicepassword)
    return _order_action(client, "accept_order", orderid, dry_run, check, serverid=serverid,
                         serviceusername=serviceusername, servicepassword=servicepassword,
                         registrar=registrar, sendregistrar=sendregistrar,
                         autosetup=autosetup, sendemail=sendemail, **unknown)


def cancel_order(client: Client, orderid: int, *, cancelsub: bool | None = None,
                 noemail: bool | None = None, dry_run: bool = False, check: bool = True,
                 **unknown: Any) -> ActionResult:
    """Cancel a Pending order (CancelOrder).

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    orderid : int
        The order's id.
    cancelsub : bool, optional
        Also cancel the payment gateway subscription.
    noemail : bool, optional
        Do not send the invoice-paid e-mail.
    dry_run, check : bool
        As for :func:`accept_order`.
    **unknown
        Refused with a :class:`ValidationError` listing the allowed parameters.

    Returns
    -------
    ActionResult

    Raises
    ------
    ValidationError, PreconditionFailed, OrderNotFound, ApiError, OutcomeUnknown, AuditLogError
        As for :func:`accept_order`.

    Examples
    --------
    >>> client.cancel_order(17, cancelsub=True)  # doctest: +SKIP
    """
    return _order_action(client, "cancel_order", orderid, dry_run, check,
                         cancelsub=cancelsub, noemail=noemail, **unknown)


def fraud_order(client: Client, orderid: int, *, cancelsub: bool | None = None,
                dry_run: bool = False, check: bool = True, **unknown: Any) -> ActionResult:
    """Mark an order as Fraud (FraudOrder), from any status.

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    orderid : int
        The order's id.
    cancelsub : bool, optional
        Also cancel the payment gateway subscription.
    dry_run, check : bool
        As for :func:`accept_order` (the check only makes sure the order exists).
    **unknown
        Refused with a :class:`ValidationError` listing the allowed parameters.

    Returns
    -------
    ActionResult

    Raises
    ------
    ValidationError, OrderNotFound, ApiError, OutcomeUnknown, AuditLogError
        As for :func:`accept_order`.

    Examples
    --------
    >>> client.fraud_order(17)  # doctest: +SKIP
    """
    return _order_action(client, "fraud_order", orderid, dry_run, check,
                         cancelsub=cancelsub, **unknown)


def pending_order(client: Client, orderid: int, *, dry_run: bool = False,
                  check: bool = True, **unknown: Any) -> ActionResult:
    """Set an order and its items back to Pending (PendingOrder), from any status.

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    orderid : int
        The order's id.
    dry_run, check : bool
        As for :func:`accept_order` (the check only makes sure the order exists).
    **unknown
        Refused with a :class:`ValidationError` listing the allowed parameters.

    Returns
    -------
    ActionResult

    Raises
    ------
    ValidationError, OrderNotFound, ApiError, OutcomeUnknown, AuditLogError
        As for :func:`accept_order`.

    Examples
    --------
    >>> client.pending_order(17)  # doctest: +SKIP
    """
    return _order_action(client, "pending_order", orderid, dry_run, check, **unknown)


def order_fraud_check(client: Client, orderid: int, *, ipaddress: str | None = None,
                      dry_run: bool = False, check: bool = True,
                      **unknown: Any) -> FraudCheckResult:
    """Run the active fraud module on an order (OrderFraudCheck; a paid call).

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    orderid : int
        The order's id.
    ipaddress : str, optional
        Check this IP address instead of the order's.
    dry_run, check : bool
        As for :func:`accept_order` (the check only makes sure the order exists).
    **unknown
        Refused with a :class:`ValidationError` listing the allowed parameters.

    Returns
    -------
    FraudCheckResult

    Raises
    ------
    ValidationError, OrderNotFound, ApiError, OutcomeUnknown, AuditLogError
        As for :func:`accept_order`; ``No Active Fraud Module`` is an ApiError.

    Examples
    --------
    >>> client.order_fraud_check(17).status  # doctest: +SKIP
    'Pass'
    """
    return _order_action(client, "order_fraud_check", orderid, dry_run, check,
                         ipaddress=ipaddress, **unknown)


def delete_order(client: Client, orderid: int, *, dry_run: bool = False,
                 check: bool = True, **unknown: Any) -> ActionResult:
    """Delete a Cancelled or Fraud order and everything tied to it (DeleteOrder).

    Irreversible: its services, addons, domains and invoices go too.

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    orderid : int
        The order's id.
    dry_run, check : bool
        As for :func:`accept_order`; the check refuses unless Cancelled or Fraud.
    **unknown
        Refused with a :class:`ValidationError` listing the allowed parameters.

    Returns
    -------
    ActionResult

    Raises
    ------
    ValidationError, PreconditionFailed, OrderNotFound, ApiError, OutcomeUnknown, AuditLogError
        As for :func:`accept_order`.

    Examples
    --------
    >>> client.delete_order(17, dry_run=True)  # doctest: +SKIP
    """
    return _order_action(client, "delete_order", orderid, dry_run, check, **unknown)


def add_order(client: Client, clientid: int, paymentmethod: str, *,
              items: Iterable[Product | Domain] = (), promocode: str | None = None,
              dry_run: bool = False, **other: Any) -> AddOrderResult:
    """Create an order for a client (AddOrder): a new Pending order and its invoice.

    Not idempotent: sending it twice makes two orders, so it is never retried.

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    clientid : int
        The WHMCS client the order is for.
    paymentmethod : str
        The gateway's system name, e.g. ``"stripe"``, ``"mailin"``.
    items : list of Product and Domain
        Become WHMCS's parallel arrays with aligned indexes (see
        :mod:`whmcs_frames._items`).
    promocode : str, optional
        A promotion code to apply.
    dry_run : bool
        Audit as a dry run and send nothing.
    **other
        AddOrder's order-wide parameters: ``nameserver1``…``nameserver5``,
        ``promooverride``, ``affid``, ``noinvoice``, ``noinvoiceemail``, ``noemail``,
        ``clientip``, ``contactid``; renewals ``domainrenewals`` ({domain: years}),
        ``servicerenewals``, ``addonrenewals`` (lists of ids); addon-only orders
        ``addonid`` + ``serviceid`` (+ ``addonidqty``) or ``addonids`` + ``serviceids``
        (+ ``addonidsqty``).

    Returns
    -------
    AddOrderResult

    Raises
    ------
    ValidationError
        A bad or unknown parameter, an array parameter given outside ``items``, or an
        order with nothing in it.
    ApiError, OutcomeUnknown, AuditLogError
        As for :func:`accept_order`.

    Examples
    --------
    >>> client.add_order(3, "mailin", items=[
    ...     wf.Product(1, "monthly", domain="example.com", customfields={5: "abc"}),
    ...     wf.Domain("example.com", regperiod=2)])  # doctest: +SKIP
    """
    dry_run = flag("dry_run", dry_run)
    params = add_order_params(clientid, paymentmethod, items,
                              {"promocode": promocode, **other})
    answer = perform(client, "add_order", params, orderid=None, dry_run=dry_run,
                     check=False, created=lambda a: first_id(a.get("orderid")))
    common: dict[str, Any] = {"dry_run": answer is None, "params": masked_params(params)}
    if answer is None:
        return AddOrderResult(None, None, **common)
    return AddOrderResult(
        first_id(answer.get("orderid")), first_id(answer.get("invoiceid")),
        ids(answer.get("serviceids")) or ids(answer.get("productids")),
        ids(answer.get("addonids")), ids(answer.get("domainids")), **common)


_FUNCTIONS = {function.__name__: function for function in (
    accept_order, cancel_order, fraud_order, pending_order, order_fraud_check, delete_order)}
#: Our action name → the function, for the registry's single-order writes (an order
#: action in the registry without a function here fails at import, not at use).
ORDER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    spec.name: _FUNCTIONS[spec.name] for spec in ORDER_ACTIONS.values()}
