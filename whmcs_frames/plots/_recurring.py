"""The recurring-revenue and cash charts: MRR with its movements, churn rate, cohort
retention, cash in and out, and unpaid-invoice ageing.

Leaving dates that are only the ``nextduedate`` estimate are drawn differently (hatched
bars, hollow markers) and said so in the legend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import reports
from ..reports._timeseries import FREQ_WORDS, Freq, freq_code
from ._style import _PALETTE, _axes, _date_axis, _legend, _no_data

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["cash_in_out", "churn_rate", "cohort_heatmap", "invoice_ageing", "mrr_over_time"]

_UP, _DOWN, _ESTIMATE = "#2ca02c", "#d62728", "#f4a3a3"
_BAR_DAYS = 18  # a monthly bar's width on a date axis


def _one_currency(table: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    if currency is None:
        return table
    return table[table["currency"].str.casefold() == currency.strip().casefold()]


def _money_axis(ax: Axes) -> None:
    from matplotlib.ticker import StrMethodFormatter

    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _units(currencies: list[str], currency: str | None) -> str:
    return ", ".join(currencies) or (currency or "")


def _movement_bars(ax: Axes, part: pd.DataFrame) -> None:
    """Gains stacked up, losses stacked down; estimated churn hatched."""
    x = part["period"].to_numpy()
    width = pd.Timedelta(days=_BAR_DAYS)
    bottom = np.zeros(len(part))
    for column, colour in (("new", _UP), ("reactivated", "#98df8a"), ("expansion", "#1f77b4")):
        values = part[column].to_numpy(dtype=float)
        if values.any():
            ax.bar(x, values, width=width, bottom=bottom, color=colour, label=column)
            bottom += values
    known = (part["churned"] - part["churned_estimated"]).to_numpy(dtype=float)
    losses = [("contraction", part["contraction"].to_numpy(dtype=float), "#ff9896", None),
              ("churned", known, _DOWN, None),
              ("churned (estimated leaving date)",
               part["churned_estimated"].to_numpy(dtype=float), _ESTIMATE, "//")]
    bottom = np.zeros(len(part))
    for label, values, colour, hatch in losses:
        if values.any():
            ax.bar(x, -values, width=width, bottom=-bottom, color=colour, label=label,
                   hatch=hatch, edgecolor="#7f0000" if hatch else None, linewidth=0)
            bottom += values
    ax.axhline(0, color="#555555", linewidth=0.8)


def mrr_over_time(services: pd.DataFrame, *, currency: str | None = None,
                  cancellations: pd.DataFrame | None = None,
                  history: pd.DataFrame | None = None, ax: Axes | None = None) -> Axes:
    """MRR at the end of each month, one line per currency; with one currency (or
    ``currency=``) the month's movements are drawn as bars: gains up, losses down,
    churn whose leaving date is only an estimate hatched.

    Examples
    --------
    >>> ax = mrr_over_time(client.services(orders=client.orders()), currency="USD")
    ... # doctest: +SKIP
    """
    ax = _axes(ax)
    table = _one_currency(reports.mrr_movements(services, cancellations=cancellations,
                                                history=history), currency)
    currencies = sorted(table["currency"].unique())
    if len(currencies) == 1:
        _movement_bars(ax, table)
    for i, code in enumerate(currencies):
        part = table[table["currency"] == code]
        ax.plot(part["period"].to_numpy() + pd.Timedelta(days=_BAR_DAYS // 2),
                part["mrr_end"].to_numpy(), marker="o", markersize=3, linewidth=1.8,
                color="black" if len(currencies) == 1 else _PALETTE[i % len(_PALETTE)],
                label=f"MRR {code}")
    if currencies:
        _legend(ax, "MRR and movements" if len(currencies) == 1 else "currency")
        _date_axis(ax)
    else:
        _no_data(ax, "recurring services" + (f" in {currency}" if currency else ""))
    units = _units(currencies, currency)
    ax.set_title("Monthly recurring revenue" + (f" in {units} with its movements"
                                                if len(currencies) == 1
                                                else " by currency (not converted)"))
    ax.set_xlabel("month")
    ax.set_ylabel(f"MRR at month end ({units})")
    _money_axis(ax)
    return ax


def churn_rate(services: pd.DataFrame, *, freq: Freq = "month",
               cancellations: pd.DataFrame | None = None,
               history: pd.DataFrame | None = None, ax: Axes | None = None) -> Axes:
    """Share of recurring services that left in each period; periods whose churn rests
    on estimated leaving dates (``nextduedate``) are hollow markers.

    Examples
    --------
    >>> ax = churn_rate(client.services(), cancellations=client.cancellations())
    ... # doctest: +SKIP
    """
    from matplotlib.ticker import PercentFormatter

    ax = _axes(ax)
    table = reports.churn(services, freq=freq, cancellations=cancellations, history=history)
    table = table[table["churn_rate"].notna()]
    x, y = table["period"].to_numpy(), table["churn_rate"].to_numpy(dtype=float)
    estimated = (table["estimated"] > 0).to_numpy()
    ax.plot(x, y, color=_PALETTE[0], linewidth=1.6)
    ax.plot(x[~estimated], y[~estimated], "o", color=_PALETTE[0], markersize=5,
            label="leaving dates known")
    if estimated.any():
        ax.plot(x[estimated], y[estimated], "o", markerfacecolor="white",
                markeredgecolor=_PALETTE[0], markersize=6,
                label="includes estimated leaving dates")
    if len(table):
        _legend(ax, "churn")
        _date_axis(ax)
    else:
        _no_data(ax, "recurring services")
    word = FREQ_WORDS[freq_code(freq)]
    ax.set_title(f"Churn rate per {word} (services that left / live at its start)")
    ax.set_xlabel(word)
    ax.set_ylabel("churn rate")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return ax


def cohort_heatmap(clients: pd.DataFrame, services: pd.DataFrame, *,
                   at: str | pd.Timestamp | None = None,
                   cancellations: pd.DataFrame | None = None,
                   history: pd.DataFrame | None = None, ax: Axes | None = None) -> Axes:
    """Retention by signup month: each cell the share of the cohort's clients with a
    live recurring service N months on (blank where the month is not over yet).

    Examples
    --------
    >>> ax = cohort_heatmap(client.clients(), client.services())  # doctest: +SKIP
    """
    ax = _axes(ax)
    table = reports.retention_by_cohort(clients, services, at=at,
                                        cancellations=cancellations, history=history)
    shares = table.drop(columns="clients").to_numpy(dtype=float)
    if shares.size:
        image = ax.imshow(np.ma.masked_invalid(shares), cmap="Greens", vmin=0, vmax=1,
                          aspect="auto", interpolation="nearest")
        ax.figure.colorbar(image, ax=ax, label="share of the cohort retained",
                           format="{x:.0%}")
        if shares.size <= 400:  # small enough to read each cell
            for (row, col), value in np.ndenumerate(shares):
                if np.isfinite(value):
                    ax.text(col, row, f"{value:.0%}", ha="center", va="center", fontsize=7,
                            color="white" if value > 0.6 else "black")
        ax.set_xticks(range(shares.shape[1]))
        ax.set_yticks(range(len(table)), [f"{c:%Y-%m} ({n:,})" for c, n in
                                          zip(table.index, table["clients"], strict=True)])
    else:
        _no_data(ax, "clients with a signup date")
    ax.set_title("Retention by signup month (clients with a live recurring service)")
    ax.set_xlabel("months after signup")
    ax.set_ylabel("signup month (clients)")
    return ax


def cash_in_out(transactions: pd.DataFrame, *, currency: str | None = None,
                ax: Axes | None = None) -> Axes:
    """Cash per month: with one currency (or ``currency=``) money in as bars up, fees
    and refunds as bars down and the net as a line; otherwise one net line per currency.

    Examples
    --------
    >>> ax = cash_in_out(client.transactions(), currency="EUR")  # doctest: +SKIP
    """
    ax = _axes(ax)
    table = _one_currency(reports.cash_by_month(transactions), currency)
    currencies = sorted(table["currency"].unique())
    width = pd.Timedelta(days=_BAR_DAYS)
    if len(currencies) == 1:
        x = table["period"].to_numpy()
        ax.bar(x, table["amount_in"], width=width, color=_UP, label="money in")
        ax.bar(x, -table["fees"], width=width, color="#ff9896", label="gateway fees")
        ax.bar(x, -table["refunds"], width=width, bottom=-table["fees"], color=_DOWN,
               label="refunds")
        ax.axhline(0, color="#555555", linewidth=0.8)
    for i, code in enumerate(currencies):
        part = table[table["currency"] == code]
        ax.plot(part["period"].to_numpy(), part["net"].to_numpy(), marker="o",
                markersize=3, linewidth=1.8, label=f"net {code}",
                color="black" if len(currencies) == 1 else _PALETTE[i % len(_PALETTE)])
    if currencies:
        _legend(ax, "cash" if len(currencies) == 1 else "currency")
        _date_axis(ax)
    else:
        _no_data(ax, "transactions" + (f" in {currency}" if currency else ""))
    units = _units(currencies, currency)
    ax.set_title("Cash in and out per month" + (f" in {units}" if len(currencies) == 1
                                                else " by currency (not converted)"))
    ax.set_xlabel("month")
    ax.set_ylabel(f"amount ({units})")
    _money_axis(ax)
    return ax


def invoice_ageing(invoices: pd.DataFrame, *, at: str | pd.Timestamp | None = None,
                   ax: Axes | None = None) -> Axes:
    """Unpaid invoices by days past due: one bar per bucket and currency side by side
    (never stacked: amounts in different currencies do not add), labelled with counts.

    Examples
    --------
    >>> ax = invoice_ageing(client.invoices())  # doctest: +SKIP
    """
    ax = _axes(ax)
    table = reports.invoice_ageing(invoices, at=at)
    currencies = sorted(table["currency"].unique())
    buckets = list(reports.AGEING_BUCKETS)
    x = np.arange(len(buckets))
    width = 0.8 / max(len(currencies), 1)
    for i, code in enumerate(currencies):
        part = table[table["currency"] == code].set_index("bucket").reindex(buckets)
        bars = ax.bar(x + (i - (len(currencies) - 1) / 2) * width, part["amount"],
                      width=width, label=code, color=_PALETTE[i % len(_PALETTE)])
        ax.bar_label(bars, labels=[f"{n:,}" if n else "" for n in part["invoices"]],
                     padding=2, fontsize=8)
    ax.set_xticks(x, [b if b == "not yet due" else f"{b} days" for b in buckets])
    if currencies:
        _legend(ax, "currency")
    else:
        _no_data(ax, "unpaid invoices")
    owed = int(table["invoices"].sum())
    ax.set_title(f"Unpaid invoices by days past due ({owed:,} invoices; bar labels count)")
    ax.set_xlabel("days past the due date")
    ax.set_ylabel(f"amount owed ({_units(currencies, None)}; not converted)")
    ax.set_ylim(bottom=0)
    _money_axis(ax)
    return ax
