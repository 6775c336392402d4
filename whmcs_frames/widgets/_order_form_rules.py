"""The add-order form's pure parts: what may be ordered, what it costs, what is sent.

Functions of DataFrames (``client.products()``, ``client.product_pricing()``,
``client.promotions()``, ``client.orders()``), so the form widget
(:mod:`whmcs_frames.widgets`) only wires them to inputs; a product's custom fields and
configurable options are read in :mod:`whmcs_frames._product_options`. The request
itself is built by the actions layer (:func:`whmcs_frames._writes.add_order_params`
over :class:`whmcs_frames.Product`), exactly as ``client.add_order`` builds it.

Example
-------
>>> import pandas as pd
>>> pricing = pd.DataFrame({"pid": [1, 1, 1], "currency": ["USD", "USD", "EUR"],
...     "cycle": ["annually", "monthly", "monthly"], "price": [48.0, 5.0, 4.6],
...     "setup_fee": [0.0, 0.0, 0.0]})
>>> cycles_offered(pricing, 1, "USD")
['monthly', 'annually']
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .._api.php import flatten_params
from ..actions._audit import masked_params
from ..actions._items import BILLING_CYCLES, Domain, Product
from ..actions._perform import add_order_params
from ..frames._dtypes import text_value

__all__ = [
    "CYCLE_LABELS",
    "build_product",
    "client_defaults",
    "cycle_choices",
    "cycles_offered",
    "preview_text",
    "price_preview",
    "product_choices",
    "promotion_label",
    "promotions_valid_now",
    "request_pairs",
]

#: API billing cycle → how WHMCS names it (in promotions' ``cycles`` too).
CYCLE_LABELS = {"free": "Free Account", "onetime": "One Time", "monthly": "Monthly",
                "quarterly": "Quarterly", "semiannually": "Semi-Annually",
                "annually": "Annually", "biennially": "Biennially",
                "triennially": "Triennially"}


def client_defaults(orders: pd.DataFrame) -> dict[str, Any]:
    """The currency and payment method of a client's most recent order.

    WHMCS keeps a client's currency on the client record, which this toolkit does not
    read (``GetClientsDetails`` is outside its action table); every order is in the
    client's currency, so the latest order tells it.

    Returns
    -------
    dict
        ``currency`` and ``paymentmethod`` (None when the client has no orders) and
        ``orders`` (how many).

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 2], "date": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...                    "currency": ["USD", "EUR"], "paymentmethod": ["paypal", "stripe"]})
    >>> client_defaults(df)
    {'currency': 'EUR', 'paymentmethod': 'stripe', 'orders': 2}
    """
    if orders.empty:
        return {"currency": None, "paymentmethod": None, "orders": 0}
    latest = orders.sort_values(["date", "id"], na_position="first").iloc[-1]
    return {"currency": text_value(latest["currency"]),
            "paymentmethod": text_value(latest["paymentmethod"]), "orders": len(orders)}


# -- products and cycles ----------------------------------------------------------------------

def cycles_offered(pricing: pd.DataFrame, pid: int, currency: str) -> list[str]:
    """The billing cycles product ``pid`` offers in ``currency``, shortest first."""
    rows = pricing[(pricing["pid"] == pid) & (pricing["currency"].astype(str) == currency)]
    offered = set(rows["cycle"].astype(str))
    return [cycle for cycle in BILLING_CYCLES if cycle in offered]


def _price_of(pricing: pd.DataFrame, pid: int, currency: str, cycle: str) -> tuple[float, float]:
    rows = pricing[(pricing["pid"] == pid) & (pricing["currency"].astype(str) == currency)
                   & (pricing["cycle"].astype(str) == cycle)]
    if rows.empty:
        return math.nan, math.nan
    setup = float(rows["setup_fee"].iloc[0])
    return float(rows["price"].iloc[0]), 0.0 if math.isnan(setup) else setup


def cycle_choices(pricing: pd.DataFrame, pid: int, currency: str) -> list[tuple[str, str]]:
    """``(label, cycle)`` for each cycle offered in ``currency``, priced in the label.

    Examples
    --------
    >>> pricing = pd.DataFrame({"pid": [4], "currency": ["EUR"], "cycle": ["monthly"],
    ...                         "price": [17.48], "setup_fee": [9.2]})
    >>> cycle_choices(pricing, 4, "EUR")
    [('Monthly · 17.48 EUR + 9.20 setup', 'monthly')]
    """
    choices = []
    for cycle in cycles_offered(pricing, pid, currency):
        price, setup = _price_of(pricing, pid, currency, cycle)
        fee = f" + {setup:.2f} setup" if setup else ""
        choices.append((f"{CYCLE_LABELS[cycle]} · {price:.2f} {currency}{fee}", cycle))
    return choices


def product_choices(products: pd.DataFrame, pricing: pd.DataFrame,
                    currency: str) -> list[tuple[str, int]]:
    """``(label, pid)`` of the products offered in ``currency``, grouped by product group.

    GetProducts gives a group's id but not its name, so labels say ``group <gid>``.

    Examples
    --------
    >>> products = pd.DataFrame({"pid": [2, 1], "gid": [2, 1], "name": ["VPS", "Web"]})
    >>> pricing = pd.DataFrame({"pid": [1, 2], "currency": ["USD", "EUR"]})
    >>> product_choices(products, pricing, "USD")
    [('group 1 · Web', 1)]
    """
    offered = set(pricing.loc[pricing["currency"].astype(str) == currency, "pid"].tolist())
    rows = products[products["pid"].isin(list(offered))].sort_values(["gid", "name", "pid"])
    return [(f"group {row.gid} · {row.name}", int(row.pid)) for row in rows.itertuples()]


# -- promotions ---------------------------------------------------------------------------------

def promotions_valid_now(promotions: pd.DataFrame, pid: int, *, now: dt.datetime | dt.date,
                         cycle: str | None = None) -> pd.DataFrame:
    """The promotions that apply to product ``pid`` (and ``cycle``) and are live on ``now``.

    Live: started (or no start date), not expired (or no expiry date) and not used up
    (``maxuses`` 0 means unlimited). Conditions about the client (new signups, existing
    products) are left to WHMCS, which knows the client.

    Examples
    --------
    >>> promos = pd.DataFrame({"code": ["A", "B"], "appliesto": [[1], [1]],
    ...     "startdate": pd.to_datetime(["2024-01-01", None]),
    ...     "expirationdate": pd.to_datetime(["2024-02-01", None]),
    ...     "maxuses": [0, 0], "uses": [0, 0], "cycles": ["", "Monthly"]})
    >>> promotions_valid_now(promos, 1, now=dt.date(2024, 6, 1))["code"].tolist()
    ['B']
    >>> promotions_valid_now(promos, 1, now=dt.date(2024, 6, 1), cycle="annually").empty
    True
    """
    day = pd.Timestamp(now).normalize()
    applies = promotions["appliesto"].map(lambda pids: pid in (pids or []))
    started = promotions["startdate"].isna() | (promotions["startdate"] <= day)
    live = promotions["expirationdate"].isna() | (promotions["expirationdate"] >= day)
    maxuses = promotions["maxuses"].fillna(0)
    left = (maxuses == 0) | (promotions["uses"].fillna(0) < maxuses)
    keep = applies & started & live & left
    if cycle is not None:
        label = CYCLE_LABELS.get(cycle, cycle)
        keep &= promotions["cycles"].fillna("").map(
            lambda c: not str(c).strip() or label in [x.strip() for x in str(c).split(",")])
    return promotions[keep.astype(bool)]


def promotion_label(promo: Mapping[str, Any]) -> str:
    """How a promotion reads in the picker, e.g. ``WELCOME10 · 10% off``.

    Examples
    --------
    >>> promotion_label({"code": "VPSDEAL", "type": "Price Override", "value": 14.0})
    'VPSDEAL · price 14.00'
    """
    kind, value = str(promo.get("type")), float(promo.get("value") or 0)
    what = {"Percentage": f"{value:g}% off", "Fixed Amount": f"{value:.2f} off",
            "Price Override": f"price {value:.2f}", "Free Setup": "free setup"}.get(kind, kind)
    return f"{promo.get('code')} · {what}"


def _discounted(price: float, setup: float, promo: Mapping[str, Any]) -> tuple[float, float]:
    kind, value = str(promo.get("type")), float(promo.get("value") or 0)
    if kind == "Percentage":
        return round(price * (100 - value) / 100, 2), setup
    if kind == "Fixed Amount":
        return max(price - value, 0.0), setup
    if kind == "Price Override":
        return value, setup
    if kind == "Free Setup":
        return price, 0.0
    return price, setup


# -- price and request previews -----------------------------------------------------------------

def price_preview(pricing: pd.DataFrame, pid: int, currency: str, cycle: str, *,
                  qty: int = 1, promotion: Mapping[str, Any] | None = None,
                  options: tuple[float, float] = (0.0, 0.0)) -> dict[str, Any]:
    """An estimate of what the order costs: WHMCS's invoice is the authority.

    Parameters
    ----------
    pricing : pandas.DataFrame
        ``client.product_pricing()``.
    pid, currency, cycle : int, str, str
        The product, the client's currency, the billing cycle.
    qty : int
        Units of the product.
    promotion : mapping, optional
        A promotions row (``type``, ``value``, ``recurring``, ``code``).
    options : (float, float)
        Price and setup fee the configurable options add (:func:`config_price`).

    Returns
    -------
    dict
        ``price, setup`` (per unit, before the promotion), ``due_today`` and
        ``renewal`` (None for one-time and free products), ``currency``, ``cycle``,
        ``qty`` and ``promocode``.

    Examples
    --------
    >>> pricing = pd.DataFrame({"pid": [1], "currency": ["USD"], "cycle": ["monthly"],
    ...                         "price": [10.0], "setup_fee": [2.0]})
    >>> p = price_preview(pricing, 1, "USD", "monthly", qty=2,
    ...                   promotion={"code": "X", "type": "Percentage", "value": 10})
    >>> p["due_today"], p["renewal"]
    (22.0, 20.0)
    """
    price, setup = _price_of(pricing, pid, currency, cycle)
    price, setup = price + options[0], setup + options[1]
    paid, fee = (price, setup) if promotion is None else _discounted(price, setup, promotion)
    recurring_promo = promotion is not None and bool(promotion.get("recurring"))
    renewal = None if cycle in ("onetime", "free") else qty * (paid if recurring_promo
                                                             else price)
    return {"price": price, "setup": setup, "due_today": round(qty * (paid + fee), 2),
            "renewal": None if renewal is None else round(renewal, 2), "currency": currency,
            "cycle": cycle, "qty": qty,
            "promocode": None if promotion is None else promotion.get("code")}


def preview_text(preview: Mapping[str, Any]) -> str:
    """:func:`price_preview` in one line.

    Examples
    --------
    >>> preview_text({"price": 10.0, "setup": 2.0, "due_today": 22.0, "renewal": 20.0,
    ...     "currency": "USD", "cycle": "monthly", "qty": 2, "promocode": "X"})
    'about 22.00 USD due today (2 x 10.00 + 2.00 setup, with X); renews at 20.00 USD monthly'
    """
    if math.isnan(preview["price"]):
        return "no price: the cycle is not offered in this currency"
    cur = preview["currency"]
    promo = f", with {preview['promocode']}" if preview.get("promocode") else ""
    text = (f"about {preview['due_today']:.2f} {cur} due today ({preview['qty']} x "
            f"{preview['price']:.2f} + {preview['setup']:.2f} setup{promo})")
    if preview.get("renewal") is not None:
        text += f"; renews at {preview['renewal']:.2f} {cur} {preview['cycle']}"
    return text


def build_product(pid: int, cycle: str, *, qty: int | None = None, domain: str | None = None,
                  customfields: Mapping[int, Any] | None = None,
                  configoptions: Mapping[int, Any] | None = None) -> Product:
    """The :class:`~whmcs_frames.Product` item for the form's values; blanks are left out.

    Raises
    ------
    ValidationError
        From :class:`~whmcs_frames.Product`, for a bad value.

    Examples
    --------
    >>> build_product(4, "monthly", domain=" ", customfields={4: "web1", 5: ""}).customfields
    {4: 'web1'}
    """
    fields: dict[int | str, Any] = {
        k: v for k, v in (customfields or {}).items() if str(v).strip()}
    options: dict[int | str, Any] = {
        k: v for k, v in (configoptions or {}).items() if v not in (None, 0, False)}
    return Product(pid, cycle, qty=qty, domain=(domain or "").strip() or None,
                   customfields=fields, configoptions=options)


def request_pairs(clientid: Any, paymentmethod: Any, items: Iterable[Product | Domain], *,
                  promocode: str | None = None) -> list[tuple[str, str]]:
    """The AddOrder request as the form fields sent, secrets as ``***``.

    Built by the same function ``client.add_order`` uses, so what is previewed is what
    is sent (credentials and ``responsetype`` aside, which the transport adds).

    Raises
    ------
    ValidationError
        When the order is not complete or a value is wrong.

    Examples
    --------
    >>> request_pairs(3, "mailin", [Product(1, "monthly")])
    [('action', 'AddOrder'), ('clientid', '3'), ('paymentmethod', 'mailin'), ('pid[0]', '1'), ('billingcycle[0]', 'monthly')]
    """  # noqa: E501
    params = add_order_params(clientid, paymentmethod, list(items), {"promocode": promocode})
    return [("action", "AddOrder"), *flatten_params(masked_params(params))]
