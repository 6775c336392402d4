"""Charts of orders, recurring revenue and cash for finance and management, drawn with
matplotlib.

Each chart takes a frame as the client returns it (orders, order lines for
:func:`product_mix`, services, clients, invoices or transactions for the recurring-revenue
and cash charts) and ``ax=None``: given an Axes it draws there, otherwise it makes a
figure with ``plt.subplots``. It returns the Axes and never calls ``plt.show()``, so it
works in notebooks, scripts and headless (Agg) alike. The numbers are those of the
matching :mod:`whmcs_frames.reports` aggregation, so a chart can always be exported as a
table. Money is never summed across currencies: one line per currency, or one currency
chosen with ``currency=``. Churn whose leaving date is only the ``nextduedate`` estimate
is drawn differently and labelled as such. :func:`risk_evaluation` draws
:func:`whmcs_frames.risk.evaluate`'s table.

Example
-------
>>> import whmcs_frames as wf
>>> ax = wf.plots.revenue_by_month(client.orders())  # doctest: +SKIP
>>> ax.figure.savefig("revenue.png")  # doctest: +SKIP
"""

from __future__ import annotations

from ._orders import (
    fraud_scores,
    orders_over_time,
    payment_methods,
    product_mix,
    product_revenue,
    promotion_usage,
    revenue_by_month,
    status_breakdown,
)
from ._recurring import cash_in_out, churn_rate, cohort_heatmap, invoice_ageing, mrr_over_time
from ._risk import risk_evaluation

__all__ = [
    "cash_in_out",
    "churn_rate",
    "cohort_heatmap",
    "fraud_scores",
    "invoice_ageing",
    "mrr_over_time",
    "orders_over_time",
    "payment_methods",
    "product_mix",
    "product_revenue",
    "promotion_usage",
    "revenue_by_month",
    "risk_evaluation",
    "status_breakdown",
]
