"""The converters behind :mod:`whmcs_frames.frames`: one per WHMCS list, each
collecting its columns in one pass and typing them through :func:`~._dtypes.build_frame`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from .._api.shapes import unwrap_list
from .._exceptions import ProductMatchWarning, ResponseFormatError, ValidationError, warn
from ._dtypes import build_frame, text_value, to_category, to_datetime, to_int
from ._fields import (
    FRAUD_FLAG_COLUMNS,
    currency_codes,
    fraud_columns,
    int_list,
    pricing_rows,
    unserialized_or_none,
)
from ._lines import cycle_keys, resolve_pids

__all__ = [
    "SCHEMAS",
    "order_lines_frame",
    "order_statuses_frame",
    "orders_frame",
    "product_pricing_frame",
    "products_frame",
    "promotions_frame",
    "warn_unmatched_products",
]

_ID, _MONEY, _DATE, _TEXT, _CAT, _FLAG, _LIST = (
    "Int64", "float64", "datetime64[ns]", "string", "category", "boolean", "object")
_UTC = "datetime64[ns, UTC]"  # our own timestamps carry their zone; WHMCS's do not

#: Frame name → ordered ``{column: dtype}``; every converter's output matches exactly.
SCHEMAS: dict[str, dict[str, str]] = {
    "orders": {
        "id": _ID, "ordernum": _ID, "userid": _ID, "contactid": _ID, "requestor_id": _ID,
        "admin_requestor_id": _ID, "date": _DATE, "nameservers": _TEXT, "renewals": _TEXT,
        "promocode": _TEXT, "promotype": _TEXT, "promovalue": _MONEY, "amount": _MONEY,
        "currency": _CAT, "paymentmethod": _CAT, "paymentmethodname": _TEXT,
        "paymentstatus": _CAT, "invoiceid": _ID, "status": _CAT, "ipaddress": _TEXT,
        "fraudmodule": _TEXT, "fraud_score": _MONEY, "fraud_status": _TEXT,
        "fraud_country": _TEXT, "fraud_proxy": _FLAG, "fraud_free_email": _FLAG,
        "fraud_country_match": _FLAG, "fraud_distance_km": _MONEY, "notes": _TEXT,
        "name": _TEXT, "currencyprefix": _TEXT, "currencysuffix": _TEXT, "n_items": _ID,
    },
    "order_lines": {
        "orderid": _ID, "date": _DATE, "orderstatus": _CAT, "paymentstatus": _CAT,
        "type": _TEXT, "relid": _ID, "pid": _ID, "producttype": _TEXT, "product": _TEXT,
        "domain": _TEXT, "billingcycle": _TEXT, "cycle": _TEXT, "amount": _MONEY,
        "currency": _CAT, "status": _CAT,
    },
    "products": {
        "pid": _ID, "gid": _ID, "type": _TEXT, "name": _TEXT, "slug": _TEXT,
        "product_url": _TEXT, "description": _TEXT, "module": _TEXT, "paytype": _TEXT,
        "allowqty": _FLAG, "quantity_available": _ID, "n_customfields": _ID,
        "customfield_names": _LIST, "n_configoptions": _ID, "configoption_names": _LIST,
    },
    "product_pricing": {
        "pid": _ID, "currency": _CAT, "cycle": _TEXT, "price": _MONEY, "setup_fee": _MONEY,
    },
    "promotions": {
        "id": _ID, "code": _TEXT, "type": _TEXT, "recurring": _FLAG, "value": _MONEY,
        "cycles": _TEXT, "appliesto": _LIST, "requires": _LIST, "requiresexisting": _FLAG,
        "startdate": _DATE, "expirationdate": _DATE, "maxuses": _ID, "uses": _ID,
        "lifetimepromo": _FLAG, "applyonce": _FLAG, "newsignups": _FLAG,
        "existingclient": _FLAG, "onceperclient": _FLAG, "recurfor": _ID, "upgrades": _FLAG,
        "upgradeconfig": _LIST, "notes": _TEXT,
    },
    "order_statuses": {"title": _TEXT, "count": _ID},
    # The toolkit's own records (built in _records): wf.read_audit_log(), wf.bulk().
    "audit_log": {
        "attempt": _TEXT, "time": _UTC, "finished": _UTC, "user": _TEXT, "analyst": _TEXT,
        "host": _TEXT, "action": _CAT, "orderid": _ID, "outcome": _CAT, "sent": _FLAG,
        "message": _TEXT, "duration_ms": _MONEY, "error": _TEXT, "params": _LIST,
    },
    "bulk_outcomes": {
        "orderid": _ID, "action": _TEXT, "outcome": _CAT, "ok": _FLAG, "message": _TEXT,
        "error": _TEXT, "params": _LIST,
    },
}

_ORDER_DERIVED = frozenset({"currency", "n_items", "fraud_score", "fraud_status",
                            "fraud_country", *FRAUD_FLAG_COLUMNS})
_ORDER_FIELDS = tuple(c for c in SCHEMAS["orders"] if c not in _ORDER_DERIVED)
# From the order, not the line item: its id, date, status, payment status and currency.
_LINE_ORDER_FIELDS = {"orderid": "id", "date": "date", "orderstatus": "status",
                      "paymentstatus": "paymentstatus"}
_LINE_DERIVED = {*_LINE_ORDER_FIELDS, "currency", "pid", "cycle"}
_LINE_TYPERS = {_ID: to_int, _DATE: to_datetime, _CAT: to_category}
_LINE_FIELDS = tuple(c for c in SCHEMAS["order_lines"] if c not in _LINE_DERIVED)
_PRODUCT_FIELDS = ("pid", "gid", "type", "name", "slug", "description", "module", "paytype",
                   "allowqty", "quantity_available")
_PROMO_PARSED = frozenset({"appliesto", "requires", "upgradeconfig"})
_PROMO_FIELDS = tuple(c for c in SCHEMAS["promotions"] if c not in _PROMO_PARSED)


def _records(records: Any, key: str) -> list[Mapping[str, Any]]:
    """The caller's records as a list, accepting the wrapped forms too; loud on junk."""
    if records is None or isinstance(records, str | Mapping):
        records = unwrap_list(records, key)
    recs = records if isinstance(records, list) else list(records)
    if not set(map(type, recs)) <= {dict}:
        for r in recs:
            if not isinstance(r, Mapping):
                raise ValidationError("records", f"WHMCS {key} records (mappings)",
                                      got_text=f"a {type(r).__name__}")
    return recs


def _columns(recs: list[Mapping[str, Any]], fields: Iterable[str]) -> dict[str, np.ndarray]:
    """Field name → an object array of the records' values; missing keys give NaN."""
    fields = list(fields)
    # pandas walks the dicts row by row in compiled code into one object block: twice as
    # fast as a Python pass per column over 100k scattered dicts, and it allocates no
    # per-row tuples for the cyclic garbage collector to chase.
    frame = pd.DataFrame(recs, columns=fields, dtype=object)
    return {f: frame[f].to_numpy() for f in fields}


def _line_items(wrapped: Any) -> list[Any]:
    """An order's ``lineitems`` value as a list of line items."""
    if type(wrapped) is dict:  # the usual shape, without the general unwrap's checks
        items = wrapped.get("lineitem")
        if type(items) is list:
            return items
    return unwrap_list(wrapped, "lineitem")


def orders_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per order, typed, from the items of ``GetOrders``' ``orders.order[]``.

    Columns are ``SCHEMAS["orders"]``: WHMCS's own fields plus ``currency`` (ISO code from
    the prefix/suffix), ``n_items`` (line items) and ``fraud_score``/``fraud_status``/
    ``fraud_country`` parsed from ``fraudoutput`` (FraudLabs Pro or MaxMind; NaN/NA for
    other modules or unreadable output), with the module's flags where it reports them:
    ``fraud_proxy``, ``fraud_free_email``, ``fraud_country_match`` (IP country = billing
    country) as nullable booleans and ``fraud_distance_km`` (IP to billing address).
    ``transfersecret`` and raw blobs are dropped.

    Parameters
    ----------
    records : iterable of mapping
        Raw order dicts; ``{"order": [...]}`` as WHMCS wraps them is accepted too.

    Returns
    -------
    pandas.DataFrame
        Ids ``Int64``, money ``float64`` beside ``currency``, ``date`` ``datetime64[ns]``,
        ``status``/``paymentmethod``/``paymentstatus``/``currency`` categorical, text
        ``string`` with HTML entities unescaped.

    Examples
    --------
    >>> df = orders_frame([{"id": 1, "date": "0000-00-00 00:00:00", "status": "Pending"}])
    >>> df.at[0, "date"], df.at[0, "status"], str(df["id"].dtype)
    (NaT, 'Pending', 'Int64')
    """
    recs = _records(records, "order")
    raw: dict[str, Any] = _columns(recs, (*_ORDER_FIELDS, "lineitems", "fraudoutput"))
    counts = np.fromiter(map(len, map(_line_items, raw["lineitems"])), dtype=np.int64,
                         count=len(recs))
    raw["n_items"] = pd.array(counts, dtype="Int64")
    raw["currency"] = currency_codes(raw["currencyprefix"], raw["currencysuffix"])
    scores, raw["fraud_status"], raw["fraud_country"], *flags = fraud_columns(
        raw["fraudmodule"], raw["fraudoutput"])
    raw["fraud_score"] = np.array(scores, dtype=np.float64)
    raw.update(zip(FRAUD_FLAG_COLUMNS, flags, strict=True))
    return build_frame(SCHEMAS["orders"], raw, len(recs))


def order_lines_frame(records: Iterable[Mapping[str, Any]], *,
                      products: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per line item of the given ORDER records, each with its ``orderid``.

    Each line carries its order's ``date``, ``orderstatus``, ``paymentstatus`` and
    ``currency`` (beside ``amount``); ``status`` is the line's own (its service's or
    domain's). ``cycle`` is the billing cycle as ``product_pricing`` spells it
    (``semiannually``, ``onetime``; a domain's years as ``annually``…), and ``pid`` the
    product's id when ``products`` is given (:func:`resolve_pids`), so lines merge with
    the pricing frame on ``pid, currency, cycle``.

    Parameters
    ----------
    records : iterable of mapping
        The same raw order dicts :func:`orders_frame` takes.
    products : pandas.DataFrame, optional
        A products frame to find each product line's ``pid`` in; without it ``pid`` is
        ``<NA>``. Names matching no product, or several, warn once per call.

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["order_lines"]``.

    Raises
    ------
    ResponseFormatError
        When a line item is not an object.

    Examples
    --------
    >>> order = {"id": "3", "currencyprefix": "€", "lineitems": {"lineitem": {
    ...     "type": "product", "product": "VPS", "amount": "5.00"}}}
    >>> lines = order_lines_frame([order])
    >>> lines.loc[0, ["orderid", "product", "amount", "currency"]].astype(str).tolist()
    ['3', 'VPS', '5.0', 'EUR']
    """
    recs = _records(records, "order")
    orders = _columns(recs, ("id", "date", "status", "paymentstatus", "currencyprefix",
                             "currencysuffix", "lineitems"))
    per_order = [_line_items(wrapped) for wrapped in orders["lineitems"]]
    items = list(chain.from_iterable(per_order))
    if not set(map(type, items)) <= {dict}:
        for it in items:
            if not isinstance(it, Mapping):
                raise ResponseFormatError(f"a line item is {type(it).__name__}, not an object")
    owner = np.repeat(np.arange(len(recs)), [len(p) for p in per_order])
    raw: dict[str, Any] = _columns(items, _LINE_FIELDS)
    # Typed once per order, then repeated per line: an order's date is parsed once, not
    # once for each of its lines.
    for column, field in _LINE_ORDER_FIELDS.items():
        typed = _LINE_TYPERS[SCHEMAS["order_lines"][column]](orders[field])
        raw[column] = typed.take(owner)
    order_currency = currency_codes(orders["currencyprefix"], orders["currencysuffix"])
    raw["currency"] = order_currency.take(owner)
    raw["cycle"] = cycle_keys(raw["billingcycle"], raw["type"])
    n = len(items)
    raw["pid"] = pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    lines = build_frame(SCHEMAS["order_lines"], raw, n)
    if products is not None:
        lines["pid"], problems = resolve_pids(lines, products)
        if problems:
            warn_unmatched_products(problems)
    return lines


def warn_unmatched_products(problems: list[str]) -> None:
    """One :class:`~whmcs_frames.ProductMatchWarning` listing the names left without a pid."""
    warn(f"{len(problems)} product name(s) in the order lines could not be tied to one "
         f"product of GetProducts, so their pid is <NA>: {', '.join(problems)}",
         ProductMatchWarning)


def _names(items: list[Any]) -> list[str | None]:
    return [text_value(i.get("name")) for i in items if isinstance(i, Mapping)]


def products_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per product, from the items of ``GetProducts``' ``products.product[]``.

    ``product-url`` becomes ``product_url``; custom fields and configurable options are
    summarised as counts and lists of their (unescaped) names. Prices are in
    :func:`product_pricing_frame`.

    Parameters
    ----------
    records : iterable of mapping
        Raw product dicts.

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["products"]``.

    Examples
    --------
    >>> row = products_frame([{"pid": "2", "name": "Web &amp; Mail", "allowqty": "0",
    ...                  "customfields": {"customfield": [{"id": 1, "name": "Host"}]}}]
    ...                ).loc[0, ["pid", "name", "allowqty", "customfield_names"]]
    >>> row.astype(str).tolist()
    ['2', 'Web & Mail', 'False', "['Host']"]
    """
    recs = _records(records, "product")
    raw: dict[str, Any] = _columns(recs, _PRODUCT_FIELDS)
    raw["product_url"] = [r.get("product-url", r.get("product_url")) for r in recs]
    for plural, singular in (("customfields", "customfield"), ("configoptions", "configoption")):
        names = [_names(unwrap_list(r.get(plural), singular)) for r in recs]
        raw[f"n_{plural}"] = [len(n) for n in names]
        raw[f"{singular}_names"] = names
    return build_frame(SCHEMAS["products"], raw, len(recs))


def product_pricing_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Long pricing table: one row per product, currency and billing cycle offered.

    Cycles priced ``-1.00`` (not offered) or with no price are absent. One-time products
    give one ``onetime`` row from the monthly slot (setup fee ``msetupfee``); free products
    one ``free`` row at 0.00 per currency; recurring products one row per offered cycle
    with its setup fee (``msetupfee`` … ``tsetupfee``).

    Parameters
    ----------
    records : iterable of mapping
        Raw product dicts, each with its ``pricing`` block.

    Returns
    -------
    pandas.DataFrame
        Columns ``pid, currency, cycle, price, setup_fee``.

    Examples
    --------
    >>> p = {"pid": 1, "paytype": "recurring", "pricing": {"USD": {
    ...     "monthly": "5.00", "msetupfee": "1.00", "annually": "-1.00"}}}
    >>> product_pricing_frame([p]).values.tolist()
    [[1, 'USD', 'monthly', 5.0, 1.0]]
    """
    recs = _records(records, "product")
    rows = list(chain.from_iterable(pricing_rows(r) for r in recs))
    names = list(SCHEMAS["product_pricing"])
    raw = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    return build_frame(SCHEMAS["product_pricing"], raw, len(rows))


def promotions_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per promotion code, from ``GetPromotions``' ``promotions.promotion[]``.

    ``appliesto``/``requires`` become lists of product ids (``""`` → ``[]``),
    ``upgradeconfig`` is PHP-unserialised (malformed → None), flags are booleans and
    ``0000-00-00`` dates NaT. ``maxuses`` is ``<NA>`` for "unlimited" (WHMCS's 0), so a
    missing limit never sorts as the smallest one. ``recurfor`` is kept as the number of
    times the discount recurs (0 = unlimited), not a flag, so no information is lost.

    Parameters
    ----------
    records : iterable of mapping
        Raw promotion dicts.

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["promotions"]``.

    Examples
    --------
    >>> row = promotions_frame([{"id": 1, "code": "SAVE10", "appliesto": "1,3",
    ...                          "expirationdate": "0000-00-00", "recurring": "on"}]).iloc[0]
    >>> row["appliesto"], row["expirationdate"], bool(row["recurring"])
    ([1, 3], NaT, True)
    """
    recs = _records(records, "promotion")
    raw: dict[str, Any] = _columns(recs, _PROMO_FIELDS)
    raw["appliesto"] = [int_list(r.get("appliesto")) for r in recs]
    raw["requires"] = [int_list(r.get("requires")) for r in recs]
    raw["upgradeconfig"] = [unserialized_or_none(r.get("upgradeconfig")) for r in recs]
    frame = build_frame(SCHEMAS["promotions"], raw, len(recs))
    # WHMCS's 0 means "no limit": as a number it would sort as the tightest limit.
    frame["maxuses"] = frame["maxuses"].mask(frame["maxuses"].eq(0))
    return frame


def order_statuses_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Order statuses and how many orders each has, custom statuses included.

    Parameters
    ----------
    records : iterable of mapping
        The items of ``GetOrderStatuses``' ``statuses.status[]``.

    Returns
    -------
    pandas.DataFrame
        Columns ``title`` (string) and ``count`` (Int64).

    Examples
    --------
    >>> order_statuses_frame({"status": [{"title": "Pending", "count": "4"}]}).values.tolist()
    [['Pending', 4]]
    """
    recs = _records(records, "status")
    return build_frame(SCHEMAS["order_statuses"], _columns(recs, ("title", "count")), len(recs))
