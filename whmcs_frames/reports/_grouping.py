"""Shared ground of the report aggregations: what revenue is, and grouping labels.

Kept apart from :mod:`whmcs_frames.reports` so the time-series and breakdown
aggregations build on one definition of revenue and one way of labelling groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from .._exceptions import ValidationError

__all__ = [
    "NONE_LABEL",
    "REVENUE_DEFINITION",
    "TIME_TO_ACCEPT",
    "as_labels",
    "casefolded",
    "is_revenue",
    "money",
    "money_table",
    "require_columns",
    "revenue_mask",
]

#: What counts as revenue, in words (also written to every bundle's manifest).
REVENUE_DEFINITION = (
    "Revenue is the order amount of orders whose invoice is Paid (paymentstatus 'Paid') and "
    "whose status is not Cancelled or Fraud, summed per currency and never across currencies. "
    "Unpaid, refunded and invoice-less orders are not revenue.")
#: Why there is no time-to-accept figure (also written to the manifest).
TIME_TO_ACCEPT = (
    "Not derivable: GetOrders has the date an order was placed but no acceptance timestamp. "
    "conversion_by_month.csv shows how each month's orders have ended up instead.")
#: The label of a missing grouping value (no payment method, no invoice…).
NONE_LABEL = "(none)"

_NOT_REVENUE_STATUSES = frozenset({"cancelled", "fraud"})


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, name: str = "orders",
                    what: str = "an orders frame (client.orders())") -> None:
    """Raise :class:`ValidationError` naming the columns ``frame`` lacks, if any.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"date": []}), ["date"])  # all there: no error
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(name, what, got_text=f"a {type(frame).__name__}")
    if name == "orders" and "orderid" in frame.columns and "id" not in frame.columns:
        raise ValidationError(name, f"{what}, one row per order", got_text="order lines "
                              "(for money per product, use reports.product_revenue(lines))")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        listed = ", ".join(map(repr, missing))
        plural = "s" if len(missing) > 1 else ""
        raise ValidationError(name, f"{what} with column{plural} {listed}",
                              got_text="a frame without " + ("them" if plural else "it"))


def casefolded(column: pd.Series) -> pd.Series:
    """Text for comparing: stripped and case-folded, statuses spelt any way match."""
    return column.astype("string").str.strip().str.casefold()


def is_revenue(orders: pd.DataFrame) -> pd.Series:
    """Which orders count as revenue (see :data:`REVENUE_DEFINITION`).

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame (:func:`whmcs_frames.frames.orders_frame`).

    Returns
    -------
    pandas.Series of bool
        True for paid orders that are not Cancelled or Fraud.

    Examples
    --------
    >>> from whmcs_frames import frames
    >>> df = frames.orders_frame([{"id": 1, "status": "Active", "paymentstatus": "Paid"},
    ...                           {"id": 2, "status": "Fraud", "paymentstatus": "Paid"}])
    >>> is_revenue(df).tolist()
    [True, False]
    """
    return revenue_mask(orders["paymentstatus"], orders["status"])


def revenue_mask(paymentstatus: pd.Series, status: pd.Series) -> pd.Series:
    """:func:`is_revenue` from the two columns it reads (an order's, or a line's order's)."""
    paid = casefolded(paymentstatus).eq("paid").fillna(False)
    standing = ~casefolded(status).isin(_NOT_REVENUE_STATUSES).fillna(False)
    return (paid & standing).astype(bool).rename("is_revenue")


def as_labels(column: pd.Series) -> pd.Series:
    """A grouping column as plain text, missing or blank values as :data:`NONE_LABEL`."""
    text = column.astype("string").str.strip()
    return text.mask(text.isna() | text.eq(""), NONE_LABEL).astype(object)


def money(values: pd.Series) -> pd.Series:
    """Money rounded to its two places."""
    # Sums of floats pick up binary noise (0.30000000000000004); money has two places.
    return values.astype("float64").round(2)


def money_table(orders: pd.DataFrame, keys: Sequence[str], *,
                revenue: bool) -> pd.DataFrame:
    """Orders and amounts per ``keys`` (always with currency), labels as text."""
    labels = [as_labels(orders[k]).rename(k) for k in keys]
    counted = orders.assign(_revenue=orders["amount"].where(is_revenue(orders), 0.0))
    table = counted.groupby(labels).agg(orders=("amount", "size"), amount=("amount", "sum"),
                                        revenue=("_revenue", "sum")).reset_index()
    table["amount"] = money(table["amount"])
    table["revenue"] = money(table["revenue"])
    return table if revenue else table.drop(columns="revenue")
