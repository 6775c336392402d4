"""The widget builders behind :mod:`whmcs_frames.widgets`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._add_order_form import AddOrderForm
from ._review_queue import ReviewQueue

if TYPE_CHECKING:
    from .._client.facade import Client

__all__ = ["add_order_form", "review"]


def review(client: Client, orders: Any = None, *, status: str | None = "Pending",
           max_detail: int = 10, sort: str = "risk", history: bool = True,
           risk_rules: Mapping[str, Any] | None = None) -> ReviewQueue:
    """The order review queue: filter, select, inspect, act — with a confirmation step.

    The queue is an itables ``ITable`` (``select=True``) of the orders' key columns,
    riskiest first: by ``risk_rank`` from :func:`whmcs_frames.risk.signals`, computed
    over every order read, with a "why" column naming the signals that fired (heaviest
    first; the full words are in the detail pane). The Sort control (or ``sort="score"``)
    orders by the fraud module's score instead (unscored last, then oldest first). The
    detail pane lists, for the first selected order, each signal in full with its
    related orders (the other clients on the IP, the client's burst, the promo code's
    other users, the Fraud orders it repeats) as buttons that select them, and "Select
    all sharing this IP" / "Select all of this client" (:meth:`ReviewQueue.select_sharing`)
    so a ring is reviewed and acted on together. Filters:
    status (custom statuses included), a text search over client name, IP and order
    number, a minimum fraud score and a date range; Refresh reads again. Selecting orders
    shows their line items, fraud module output and notes. The action bar's buttons
    (Accept, Cancel, Mark fraud, Set pending, Fraud check, Delete) and their options open
    a confirmation showing exactly what will be sent for which orders; Delete also wants
    the number of orders typed. Confirm runs one :func:`whmcs_frames.bulk` (dry run if
    the Dry run toggle is on; it is off when the widget opens), re-reads the orders it
    touched and adds the outcome rows to :attr:`ReviewQueue.outcomes`. Buttons are
    disabled while a request is in flight, and errors are shown in the widget.

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    orders : DataFrame, Series or list of int, optional
        Review just these orders: a whole ``client.orders()`` frame is shown as given,
        other frames and ids are read by id; Refresh re-reads them. By default the
        queue reads ``client.orders(status=...)`` and reads again when the status
        filter changes.
    status : str or None
        The status filter to open with (``None``: any status).
    max_detail : int
        At most this many selected orders are shown in the detail pane.
    sort : {"risk", "score"}
        The order the queue opens in: risk rank (default) or fraud score.
    history : bool
        Compute the risk signals over every order (``client.orders()`` and its lines:
        one memoised read) so earlier Fraud orders, first orders and bursts are seen;
        False: over the queue's own orders only (and their lines).
    risk_rules : dict, optional
        Thresholds and weights for :func:`whmcs_frames.risk.signals`
        (see :data:`whmcs_frames.risk.DEFAULT_RULES`).

    Returns
    -------
    ReviewQueue
        An ``ipywidgets.VBox``. Script it with ``rv.selected = [ids]``,
        ``rv.dry_run = True``, ``rv.buttons["accept"|"cancel"|"fraud"|"pending"|
        "fraud_check"|"delete"].click()``, ``rv.confirm()``, ``rv.back()``,
        ``rv.select_sharing("ip"|"client")``, ``rv.sort = "risk"|"score"``; read
        ``rv.outcomes``, ``rv.queue``, ``rv.risk``, ``rv.status`` and ``rv.error``.

    Examples
    --------
    >>> with wf.sandbox.serve(orders=60) as box, box.client() as client:  # doctest: +SKIP
    ...     rv = wf.review(client)
    ...     rv.selected = rv.queue["id"].head(2).tolist()
    ...     rv.buttons["cancel"].click()   # shows the confirmation; nothing sent yet
    ...     rv.confirm()                   # sends CancelOrder for the two orders
    """
    return ReviewQueue(client, orders=orders, status=status, max_detail=max_detail, sort=sort,
                       history=history, risk_rules=risk_rules)


def add_order_form(client: Client, *, now: dt.datetime | dt.date | None = None
                   ) -> AddOrderForm:
    """A form that places one product order (AddOrder) for a client, after confirmation.

    Inputs: client id, payment method, currency (defaults to the currency of the
    client's latest order: see below), product (from GetProducts, by group), the billing
    cycles that product offers in that currency, quantity (where the product allows it),
    domain, the product's custom fields (required ones enforced before anything is
    sent) and configurable options, and a promotion picker listing only promotions live
    on ``now`` that apply to the product and cycle. A price estimate and the exact
    request (secrets masked) update as you type. ``form.submit`` opens a confirmation;
    Confirm sends ``client.add_order`` once (audited, never retried) and shows the new
    order and invoice ids.

    The client's currency: WHMCS keeps it on the client record (``GetClientsDetails``),
    which is outside this toolkit's action table, so the form reads the client's orders
    (``client.orders(userid=...)``) and preselects the latest one's currency, in a
    dropdown the analyst can change (a client with no orders needs a choice).

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    now : datetime or date, optional
        The day promotions must be live on (default: today). The sandbox's calendar
        ends in its synthetic history, so demos pass a day from it.

    Returns
    -------
    AddOrderForm
        An ``ipywidgets.VBox`` with ``clientid``, ``paymentmethod``, ``currency``,
        ``product``, ``cycle``, ``qty``, ``domain``, ``customfields`` and
        ``configoptions`` (by id), ``promotion``, ``submit``, ``confirm()``, ``back()``,
        ``result``, ``status`` and ``error``.

    Examples
    --------
    >>> form = wf.add_order_form(client)  # doctest: +SKIP
    >>> form.clientid.value = 3; form.product.value = 1  # doctest: +SKIP
    >>> form.submit.click(); form.confirm(); form.result.orderid  # doctest: +SKIP
    62
    """
    return AddOrderForm(client, now=now)
