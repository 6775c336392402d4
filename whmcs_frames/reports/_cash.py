"""Cash: what came in and went out, how fast invoices are paid, what is still owed, and
a cross-check of paid invoices against the order-based revenue rule.

Money is per currency and never summed across currencies; a missing currency is grouped
as ``"(none)"`` rather than dropped.
"""

from __future__ import annotations

import pandas as pd

from ._grouping import as_labels, casefolded, is_revenue, money
from ._lifetimes import _require
from ._timeseries import _on_grid, _period_range, _periods

__all__ = ["AGEING_BUCKETS", "cash_by_month", "days_to_pay", "invoice_ageing",
           "invoices_vs_orders"]

#: Days past the due date of unpaid invoices, in the order the ageing table lists them.
AGEING_BUCKETS = ("not yet due", "0-30", "31-60", "61-90", "90+")


def cash_by_month(transactions: pd.DataFrame) -> pd.DataFrame:
    """Money in, gateway fees, refunds and net cash per month and currency.

    ``net = amount_in - fees - refunds``; refunds are the transactions' ``amountout``. A
    missing amount (``fees`` that a WHMCS version does not send) counts as 0.
    Every month from the first transaction to the last is present for each currency.

    Returns
    -------
    pandas.DataFrame
        ``period, currency, transactions, amount_in, fees, refunds, net``.

    Examples
    --------
    >>> cash_by_month(client.transactions())  # doctest: +SKIP
    """
    _require(transactions, "transactions", ("date", "currency", "amountin", "fees",
                                            "amountout"))
    dated = transactions[transactions["date"].notna()]
    keys = [_periods(dated["date"], "M").rename("period"),
            as_labels(dated["currency"]).rename("currency")]
    sums = dated[["amountin", "fees", "amountout"]].astype("float64").fillna(0.0)
    grouped = sums.groupby(keys).agg(
        transactions=("amountin", "size"), amount_in=("amountin", "sum"),
        fees=("fees", "sum"), refunds=("amountout", "sum"))
    table = _on_grid(grouped, _period_range(dated["date"], "M"), keys[1].unique().tolist(),
                     "currency")
    table["net"] = table["amount_in"] - table["fees"] - table["refunds"]
    for column in ("amount_in", "fees", "refunds", "net"):
        table[column] = money(table[column])
    return table.astype({"transactions": "int64"})


def _paid(invoices: pd.DataFrame) -> pd.DataFrame:
    paid = casefolded(invoices["status"]).eq("paid").fillna(False).to_numpy(dtype=bool)
    return invoices[paid]


def days_to_pay(invoices: pd.DataFrame) -> pd.DataFrame:
    """How long paid invoices took to be paid, per month the invoice was issued.

    Every month from the first invoice to the last is present (0 invoices where none was
    paid). Days run from the invoice ``date`` to ``datepaid``; ``paid_late`` counts invoices
    paid after their ``duedate``. Invoices paid without a recorded date are left out.

    Returns
    -------
    pandas.DataFrame
        ``period, invoices, mean_days, median_days, p90_days, paid_late``.

    Examples
    --------
    >>> days_to_pay(client.invoices())  # doctest: +SKIP
    """
    _require(invoices, "invoices", ("date", "duedate", "datepaid", "status"))
    paid = _paid(invoices)
    paid = paid[paid["date"].notna() & paid["datepaid"].notna()]
    days = (paid["datepaid"].dt.normalize() - paid["date"].dt.normalize()).dt.days
    late = (paid["datepaid"].dt.normalize() > paid["duedate"]).fillna(False)
    frame = pd.DataFrame({"period": _periods(paid["date"], "M"), "days": days,
                          "late": late.astype("int64")})
    table = frame.groupby("period").agg(
        invoices=("days", "size"), mean_days=("days", "mean"),
        median_days=("days", "median"), p90_days=("days", lambda d: d.quantile(0.9)),
        paid_late=("late", "sum"))
    table = table.reindex(_period_range(invoices["date"], "M"))
    table[["invoices", "paid_late"]] = table[["invoices", "paid_late"]].fillna(0)
    table = table.astype({"invoices": "int64", "paid_late": "int64",
                          "mean_days": "float64", "median_days": "float64",
                          "p90_days": "float64"})
    return table.round({"mean_days": 1, "median_days": 1, "p90_days": 1}).reset_index()


def invoice_ageing(invoices: pd.DataFrame, *,
                   at: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Unpaid invoices by how far past their due date they are, per currency.

    Parameters
    ----------
    invoices : pandas.DataFrame
        An invoices frame; only status Unpaid counts (with a due date: WHMCS always
        sets one).
    at : date-like, optional
        The day to age at; today by default.

    Returns
    -------
    pandas.DataFrame
        ``currency, bucket`` (:data:`AGEING_BUCKETS`, all present), ``invoices, amount``
        (the invoices' ``total``).

    Examples
    --------
    >>> invoice_ageing(client.invoices(), at="2024-06-30")  # doctest: +SKIP
    """
    _require(invoices, "invoices", ("duedate", "status", "total", "currency"))
    day = (pd.Timestamp.now() if at is None else pd.Timestamp(at)).normalize()
    unpaid = invoices[(casefolded(invoices["status"]).eq("unpaid").fillna(False)
                       & invoices["duedate"].notna()).to_numpy(dtype=bool)]
    overdue = (day - unpaid["duedate"].dt.normalize()).dt.days
    bucket = pd.cut(overdue, [-float("inf"), -1, 30, 60, 90, float("inf")],
                    labels=list(AGEING_BUCKETS)).astype(object)
    frame = pd.DataFrame({"currency": as_labels(unpaid["currency"]), "bucket": bucket,
                          "total": unpaid["total"].astype("float64")})
    grouped = frame.groupby(["currency", "bucket"])["total"].agg(invoices="size",
                                                                 amount="sum")
    full = pd.MultiIndex.from_product([sorted(frame["currency"].unique()), AGEING_BUCKETS],
                                      names=["currency", "bucket"])
    table = grouped.reindex(full, fill_value=0).reset_index()
    table["amount"] = money(table["amount"])
    return table.astype({"invoices": "int64"})


def invoices_vs_orders(invoices: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Paid invoices against the order revenue rule, per month and currency.

    ``orders_revenue`` is the orders' revenue (:data:`REVENUE_DEFINITION`) by order
    date; ``order_invoices_paid`` the paid invoices that belong to an order (its
    ``invoiceid``), by invoice date; ``other_invoices_paid`` every other paid invoice
    (renewals, manual invoices), which orders cannot see. ``difference =
    order_invoices_paid - orders_revenue``: non-zero where the two rules disagree (an
    order cancelled after its invoice was paid, an invoice paid in another month…).

    Returns
    -------
    pandas.DataFrame
        ``period, currency, orders_revenue, order_invoices_paid, other_invoices_paid,
        difference``.

    Examples
    --------
    >>> invoices_vs_orders(client.invoices(), client.orders()).query("difference != 0")
    ... # doctest: +SKIP
    """
    _require(invoices, "invoices", ("id", "date", "status", "total", "currency"))
    _require(orders, "orders", ("date", "amount", "currency", "invoiceid", "status",
                                "paymentstatus"))
    paid = _paid(invoices)
    paid = paid[paid["date"].notna()]
    of_orders = paid["id"].isin(orders["invoiceid"].dropna()).to_numpy(dtype=bool)
    revenue = orders[is_revenue(orders).to_numpy() & orders["date"].notna().to_numpy()]
    parts = [
        _monthly(revenue, "amount", "orders_revenue"),
        _monthly(paid[of_orders], "total", "order_invoices_paid"),
        _monthly(paid[~of_orders], "total", "other_invoices_paid"),
    ]
    table = pd.concat(parts, axis=1).fillna(0.0)
    table = table.reindex(columns=["orders_revenue", "order_invoices_paid",
                                   "other_invoices_paid"], fill_value=0.0)
    table["difference"] = table["order_invoices_paid"] - table["orders_revenue"]
    table = table.sort_index().reset_index()
    for column in table.columns[2:]:
        table[column] = money(table[column])
    return table


def _monthly(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    keys = [_periods(frame["date"], "M").rename("period"),
            as_labels(frame["currency"]).rename("currency")]
    return frame[column].astype("float64").groupby(keys).sum().rename(name)
