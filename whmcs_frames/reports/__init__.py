"""Aggregations of order frames for finance and management.

Every function here is a pure function of DataFrames read by the client (no network):
the numbers behind each chart in :mod:`whmcs_frames.plots`, ready to export.
:func:`whmcs_frames.export_reports` writes them all, with the frames themselves, as a
bundle.

Money is never summed across currencies: every money column has a ``currency`` column
beside it, and :func:`convert` turns it into one currency only at rates the analyst
gives. Time series carry a ``partial`` flag on periods the data covers only in part (the
current month, say), so a short month does not read as a collapse. **Revenue** is the
``amount`` of the orders :func:`is_revenue` selects — paid (``paymentstatus`` Paid) and
not since Cancelled or marked Fraud; see :data:`REVENUE_DEFINITION`;
:func:`product_revenue` applies the same rule to line items. Grouping labels are plain
text; a missing value is shown as ``"(none)"`` so no order silently drops out of a total
(orders with no date are the one exception: they cannot be placed in a period).

**Time to accept** is not derivable: GetOrders gives when an order was placed but not
when it was accepted (WHMCS keeps no acceptance timestamp there), so no such figure is
offered rather than a made-up one. :func:`conversion_by_cohort` shows what is honest:
how the orders placed in each period have ended up.

**Recurring revenue, churn and cash** come from services, invoices and transactions:
:func:`mrr` (ARR = 12 x MRR), :func:`mrr_movements`, :func:`churn`,
:func:`retention_by_cohort`, :func:`cash_by_month`, :func:`days_to_pay`,
:func:`invoice_ageing` and the cross-check :func:`invoices_vs_orders`. WHMCS records no
date a service left; :func:`lifetimes` says which date each service uses and where it
comes from (``left_source``: ``request``, ``history`` or ``estimate``).

Example
-------
>>> from whmcs_frames import frames, reports
>>> orders = frames.orders_frame([
...     {"id": 1, "date": "2024-01-05 10:00:00", "amount": "10.00", "currencysuffix": "USD",
...      "status": "Active", "paymentstatus": "Paid"},
...     {"id": 2, "date": "2024-01-20 10:00:00", "amount": "5.00", "currencysuffix": "EUR",
...      "status": "Pending", "paymentstatus": "Unpaid"}])
>>> reports.revenue_by_currency(orders).values.tolist()
[['EUR', 1, 5.0, 0, 0.0], ['USD', 1, 10.0, 1, 10.0]]
"""

from __future__ import annotations

from ._aggregations import (
    fraud_score_distribution,
    paid_vs_unpaid,
    payment_methods,
    product_mix,
    promotion_usage,
    revenue_by_currency,
    status_summary,
)
from ._cash import (
    AGEING_BUCKETS,
    cash_by_month,
    days_to_pay,
    invoice_ageing,
    invoices_vs_orders,
)
from ._convert import MONEY_COLUMNS, convert
from ._grouping import NONE_LABEL, REVENUE_DEFINITION, TIME_TO_ACCEPT, is_revenue
from ._lifetimes import CYCLE_MONTHS, LEFT_SOURCES, lifetimes, monthly_amount
from ._products import product_revenue
from ._recurring import churn, mrr, mrr_movements, retention_by_cohort
from ._timeseries import (
    conversion_by_cohort,
    orders_by_period,
    partial_periods,
    revenue_by_month,
    revenue_by_period,
)

__all__ = [
    "AGEING_BUCKETS",
    "CYCLE_MONTHS",
    "LEFT_SOURCES",
    "MONEY_COLUMNS",
    "NONE_LABEL",
    "REVENUE_DEFINITION",
    "TIME_TO_ACCEPT",
    "cash_by_month",
    "churn",
    "conversion_by_cohort",
    "convert",
    "days_to_pay",
    "fraud_score_distribution",
    "invoice_ageing",
    "invoices_vs_orders",
    "is_revenue",
    "lifetimes",
    "monthly_amount",
    "mrr",
    "mrr_movements",
    "orders_by_period",
    "paid_vs_unpaid",
    "partial_periods",
    "payment_methods",
    "product_mix",
    "product_revenue",
    "promotion_usage",
    "retention_by_cohort",
    "revenue_by_currency",
    "revenue_by_month",
    "revenue_by_period",
    "status_summary",
]
