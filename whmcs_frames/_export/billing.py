"""The bundle's part beyond orders: clients, services, invoices, transactions,
cancellation requests and the service history as CSV, the recurring-revenue and cash
tables computed from them, and their charts.

Nothing secret is in these frames: the converters read only the fields they name, so a
service's ``password`` and login never reach a frame, and a client's e-mail address is
kept as its domain only (``email_domain``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from .. import plots, reports

__all__ = ["BILLING_FRAMES", "as_of", "billing_charts", "billing_tables", "read_billing"]

BILLING_FRAMES = ("clients", "services", "invoices", "transactions", "cancellations",
                  "service_history")
BILLING_SCOPE = ("clients, services, invoices, transactions, cancellations, service_history "
                 "and the recurring-revenue and cash tables are the whole book; "
                 "invoices_vs_orders uses the orders kept by the filters")


def read_billing(client: Any, progress: bool | None) -> dict[str, pd.DataFrame]:
    """Every billing frame read through ``client`` (GetClientsDetails is not asked)."""
    return {
        "clients": client.clients(progress=progress),
        "services": client.services(progress=progress),
        "invoices": client.invoices(progress=progress),
        "transactions": client.transactions(),
        "cancellations": client.cancellations(progress=progress),
        "service_history": client.service_history(),
    }


def as_of(frames: Mapping[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The day of the newest invoice or order: when the book was last active.

    Ageing and cohorts are measured at it, so a bundle of an old or synthetic book is
    not aged against today's date. On a live installation it is today or yesterday.
    """
    dates = [frame[column].max() for name, column in (("invoices", "date"),
                                                      ("orders", "date"))
             if (frame := frames.get(name)) is not None and len(frame)]
    dates = [d for d in dates if pd.notna(d)]
    return max(dates).normalize() if dates else None


def _sources(frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    return {"cancellations": frames.get("cancellations"),
            "history": frames.get("service_history")}


def billing_tables(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every recurring-revenue and cash table the frames allow, by file stem."""
    tables: dict[str, pd.DataFrame] = {}
    at = as_of(frames)
    services, clients = frames.get("services"), frames.get("clients")
    if services is not None:
        tables["mrr"] = reports.mrr(services, **_sources(frames))
        tables["mrr_movements"] = reports.mrr_movements(services, **_sources(frames))
        tables["churn"] = reports.churn(services, **_sources(frames))
        tables["service_lifetimes"] = reports.lifetimes(services, **_sources(frames))
        if clients is not None:
            tables["retention_by_cohort"] = reports.retention_by_cohort(
                clients, services, at=at, **_sources(frames)).reset_index()
    if (transactions := frames.get("transactions")) is not None:
        tables["cash_by_month"] = reports.cash_by_month(transactions)
    if (invoices := frames.get("invoices")) is not None:
        tables["days_to_pay"] = reports.days_to_pay(invoices)
        tables["invoice_ageing"] = reports.invoice_ageing(invoices, at=at)
        tables["invoices_vs_orders"] = reports.invoices_vs_orders(invoices, frames["orders"])
    return tables


def billing_charts(frames: Mapping[str, pd.DataFrame]
                   ) -> list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]]:
    """``(name, draw, args, kwargs)`` of each chart the frames allow."""
    at = as_of(frames)
    charts: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
    services, clients = frames.get("services"), frames.get("clients")
    if services is not None:
        charts.append(("mrr_over_time", plots.mrr_over_time, (services,), _sources(frames)))
        charts.append(("churn_rate", plots.churn_rate, (services,), _sources(frames)))
        if clients is not None:
            charts.append(("cohort_heatmap", plots.cohort_heatmap, (clients, services),
                           {"at": at, **_sources(frames)}))
    if (transactions := frames.get("transactions")) is not None:
        charts.append(("cash_in_out", plots.cash_in_out, (transactions,), {}))
    if (invoices := frames.get("invoices")) is not None:
        charts.append(("invoice_ageing", plots.invoice_ageing, (invoices,), {"at": at}))
    return charts
