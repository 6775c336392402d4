"""The aggregations behind :mod:`whmcs_frames.reports` that are not time series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._exceptions import ValidationError
from ._grouping import (
    NONE_LABEL,
    as_labels,
    casefolded,
    is_revenue,
    money,
    money_table,
    require_columns,
)

__all__ = [
    "fraud_score_distribution",
    "paid_vs_unpaid",
    "payment_methods",
    "product_mix",
    "promotion_usage",
    "revenue_by_currency",
    "status_summary",
]


def revenue_by_currency(orders: pd.DataFrame) -> pd.DataFrame:
    """All orders and revenue per currency: the headline numbers.

    Returns
    -------
    pandas.DataFrame
        ``currency, orders, amount`` (all orders, any status), ``revenue_orders,
        revenue`` (see :data:`REVENUE_DEFINITION`).

    Examples
    --------
    >>> revenue_by_currency(client.orders())  # doctest: +SKIP
    """
    require_columns(orders, ("currency", "amount", "status", "paymentstatus"))
    flagged = orders.assign(_is_revenue=is_revenue(orders))
    labels = as_labels(orders["currency"]).rename("currency")
    table = money_table(flagged, ["currency"], revenue=True)
    counts = flagged.groupby(labels)["_is_revenue"].sum().astype("int64")
    table.insert(3, "revenue_orders", table["currency"].map(counts).to_numpy())
    return table


def status_summary(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders and their total amount per status and currency.

    Returns
    -------
    pandas.DataFrame
        ``status, currency, orders, amount``.

    Examples
    --------
    >>> status_summary(client.orders())  # doctest: +SKIP
    """
    require_columns(orders, ("status", "currency", "amount"))
    return money_table(orders, ["status", "currency"], revenue=False)


def paid_vs_unpaid(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders and amounts per currency and payment status (Paid, Unpaid, Refunded…).

    Orders without an invoice have payment status :data:`NONE_LABEL`.

    Returns
    -------
    pandas.DataFrame
        ``currency, paymentstatus, orders, amount``.

    Examples
    --------
    >>> paid_vs_unpaid(client.orders()).query("paymentstatus == 'Unpaid'")  # doctest: +SKIP
    """
    require_columns(orders, ("currency", "paymentstatus", "amount"))
    return money_table(orders, ["currency", "paymentstatus"], revenue=False)


def payment_methods(orders: pd.DataFrame) -> pd.DataFrame:
    """The payment-method mix: orders, amounts and revenue per method and currency.

    Returns
    -------
    pandas.DataFrame
        ``paymentmethod`` (system name), ``paymentmethodname`` (display name),
        ``currency, orders, amount, revenue``.

    Examples
    --------
    >>> payment_methods(client.orders())  # doctest: +SKIP
    """
    require_columns(orders, ("paymentmethod", "paymentmethodname", "currency", "amount",
                             "status", "paymentstatus"))
    table = money_table(orders, ["paymentmethod", "currency"], revenue=True)
    # The first display name seen per method; the system name where WHMCS sent none.
    names: dict[str, str] = {}
    for method, name in zip(as_labels(orders["paymentmethod"]),
                            as_labels(orders["paymentmethodname"]), strict=True):
        if name != NONE_LABEL:
            names.setdefault(method, name)
    table.insert(1, "paymentmethodname", [names.get(m, m) for m in table["paymentmethod"]])
    return table


def product_mix(lines: pd.DataFrame) -> pd.DataFrame:
    """What was ordered: line items and their amounts per type, product and currency.

    Every line of the given orders counts, whatever its status; filter first for
    another view (e.g. the lines of revenue orders only).

    Parameters
    ----------
    lines : pandas.DataFrame
        An order-lines frame (:func:`whmcs_frames.frames.order_lines_frame`).

    Returns
    -------
    pandas.DataFrame
        ``type, product, currency, lines, amount``, most-ordered first within a type.

    Examples
    --------
    >>> product_mix(client.order_lines()).head()  # doctest: +SKIP
    """
    require_columns(lines, ("type", "product", "currency", "amount"), name="lines",
                    what="an order-lines frame (client.order_lines())")
    labels = [as_labels(lines[k]).rename(k) for k in ("type", "product", "currency")]
    table = lines.groupby(labels)["amount"].agg(lines="size", amount="sum").reset_index()
    table["amount"] = money(table["amount"])
    total = table.groupby(["type", "product"])["lines"].transform("sum")
    order = table.assign(_total=total).sort_values(
        ["type", "_total", "product", "currency"], ascending=[True, False, True, True])
    return order.drop(columns="_total").reset_index(drop=True)


def promotion_usage(orders: pd.DataFrame,
                    promotions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Orders placed with each promotion code, per currency, with their amounts.

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame; orders without a code are not counted.
    promotions : pandas.DataFrame, optional
        The promotions frame: adds each code's ``type``, ``value``, ``uses`` and
        ``maxuses`` as WHMCS counts them, and lists unused codes with 0 orders (and no
        currency).

    Returns
    -------
    pandas.DataFrame
        ``promocode, currency, orders, amount, revenue`` (+ the promotion columns).

    Examples
    --------
    >>> promotion_usage(client.orders(), client.promotions())  # doctest: +SKIP
    """
    require_columns(orders, ("promocode", "currency", "amount", "status", "paymentstatus"))
    used = orders[as_labels(orders["promocode"]) != NONE_LABEL]
    table = money_table(used, ["promocode", "currency"], revenue=True)
    if promotions is None:
        return table
    catalogue = pd.DataFrame({
        "promocode": as_labels(promotions["code"]), "type": promotions["type"].to_numpy(),
        "value": promotions["value"].to_numpy(), "uses": promotions["uses"].to_numpy(),
        "maxuses": promotions["maxuses"].to_numpy()}).drop_duplicates("promocode")
    merged = table.merge(catalogue, on="promocode", how="outer", sort=True)
    merged["currency"] = merged["currency"].astype("string")
    for column in ("orders", "amount", "revenue"):
        merged[column] = merged[column].fillna(0).astype(table[column].dtype)
    return merged


def fraud_score_distribution(orders: pd.DataFrame, *, bin_width: float = 10.0
                             ) -> pd.DataFrame:
    """How many orders fall in each fraud-score band, and how many were marked Fraud.

    Scores are 0-100 (FraudLabs Pro score, MaxMind risk score). Orders without a score
    (no fraud check, or another module) are not counted.

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame.
    bin_width : float
        Width of each band; the last band includes 100.

    Returns
    -------
    pandas.DataFrame
        ``bin_start, bin_end, orders, marked_fraud``.

    Examples
    --------
    >>> fraud_score_distribution(client.orders(), bin_width=20)  # doctest: +SKIP
    """
    if not bin_width > 0:
        raise ValidationError("bin_width", "a positive number", got=bin_width)
    require_columns(orders, ("fraud_score", "status"))
    edges = np.arange(0.0, 100.0 + bin_width, bin_width)
    edges[-1] = max(edges[-1], 100.0)
    scored = orders[orders["fraud_score"].notna()]
    scores = scored["fraud_score"].clip(0, 100).to_numpy()
    fraud = casefolded(scored["status"]).eq("fraud").fillna(False).to_numpy(dtype=bool)
    counts, _ = np.histogram(scores, bins=edges)
    marked, _ = np.histogram(scores[fraud], bins=edges)
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:],
                         "orders": counts.astype("int64"),
                         "marked_fraud": marked.astype("int64")})
