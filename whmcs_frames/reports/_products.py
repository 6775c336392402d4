"""Revenue per product: line items under the same revenue rule as orders."""

from __future__ import annotations

import pandas as pd

from ._grouping import as_labels, money, require_columns, revenue_mask
from ._timeseries import Freq, _periods, freq_code, with_partial

__all__ = ["product_revenue"]

_LINE_COLUMNS = ("date", "orderstatus", "paymentstatus", "type", "pid", "product", "amount",
                 "currency")


def product_revenue(lines: pd.DataFrame, *, freq: Freq = "month") -> pd.DataFrame:
    """Revenue per product, period and currency, by the revenue rule.

    A line counts when its *order* is revenue (:data:`REVENUE_DEFINITION`: invoice Paid,
    order not Cancelled or Fraud), so unlike :func:`product_mix`, which counts every line
    ordered, unpaid, cancelled and fraudulent orders add nothing here. The line's own
    ``status`` (its service's) does not matter: a paid service cancelled later was still
    revenue. Never summed across currencies.

    Parameters
    ----------
    lines : pandas.DataFrame
        Order lines from :meth:`Client.order_lines` (with the order's ``date``,
        ``orderstatus``, ``paymentstatus``, and ``pid``).
    freq : {"day", "week", "month", "quarter", "year"}
        Period length.

    Returns
    -------
    pandas.DataFrame
        ``period, partial, type, pid, product, currency, lines, revenue``: one row per
        period, product and currency with revenue, largest first within a period.

    Examples
    --------
    >>> product_revenue(client.order_lines()).query("currency == 'EUR'")  # doctest: +SKIP
    """
    require_columns(lines, _LINE_COLUMNS, name="lines",
                    what="an order-lines frame (client.order_lines())")
    code = freq_code(freq)
    dated = lines[lines["date"].notna()]
    paid = dated[revenue_mask(dated["paymentstatus"], dated["orderstatus"])]
    keys = [_periods(paid["date"], code).rename("period"),
            as_labels(paid["type"]).rename("type"), paid["pid"].rename("pid"),
            as_labels(paid["product"]).rename("product"),
            as_labels(paid["currency"]).rename("currency")]
    table = (paid.groupby(keys, dropna=False, observed=True)["amount"]
             .agg(lines="size", revenue="sum").reset_index())
    table["revenue"] = money(table["revenue"])
    table["pid"] = table["pid"].astype("Int64")
    table = table.sort_values(["period", "currency", "revenue", "product"],
                              ascending=[True, True, False, True], kind="stable")
    return with_partial(table.reset_index(drop=True), "period", code, dated["date"])
