"""The order charts: orders over time, revenue, statuses, payment methods, product mix,
promotions and fraud scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import reports
from .._exceptions import ValidationError
from .._validate import positive_int
from ..reports._grouping import as_labels, casefolded
from ..reports._timeseries import FREQ_WORDS, Freq, freq_code
from ._style import (
    _PALETTE,
    _axes,
    _colour,
    _count_axis,
    _date_axis,
    _legend,
    _no_data,
    _present_currency,
    _shade_partial,
    _stacked_barh,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "fraud_scores",
    "orders_over_time",
    "payment_methods",
    "product_mix",
    "product_revenue",
    "promotion_usage",
    "revenue_by_month",
    "status_breakdown",
]


def orders_over_time(orders: pd.DataFrame, *, freq: Freq = "week",
                     by: str | None = "status", ax: Axes | None = None) -> Axes:
    """Orders placed per day, week or month: one line per status (or other column).

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame.
    freq : {"day", "week", "month", "quarter", "year"}
        Period length; periods the data covers only in part are hatched.
    by : str or None
        Column giving one line per value, or None for a single line.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = orders_over_time(client.orders(), freq="month")  # doctest: +SKIP
    """
    ax = _axes(ax)
    table = reports.orders_by_period(orders, freq=freq, by=by)
    code = freq_code(freq)
    word = FREQ_WORDS[code]
    _shade_partial(ax, table, code)
    if table.empty:
        _no_data(ax, "orders")
    elif by is None:
        ax.plot(table["period"].to_numpy(), table["orders"].to_numpy(), label="all orders",
                color=_PALETTE[0])
        _legend(ax, "orders")
    else:
        totals = table.groupby(by)["orders"].sum().sort_values(ascending=False)
        for i, label in enumerate(totals.index):
            part = table[table[by] == label]
            ax.plot(part["period"].to_numpy(), part["orders"].to_numpy(), label=str(label),
                    color=_colour(str(label), i, by_status=by == "status"), linewidth=1.6)
        _legend(ax, by)
    ax.set_title(f"Orders per {word}" + (f" by {by}" if by else ""))
    ax.set_xlabel(f"{word} the order was placed")
    ax.set_ylabel(f"orders per {word}")
    ax.set_ylim(bottom=0)
    _count_axis(ax.yaxis)
    if not table.empty:
        _date_axis(ax)
    return ax


def revenue_by_month(orders: pd.DataFrame, *, currency: str | None = None,
                     freq: Freq = "month", ax: Axes | None = None) -> Axes:
    """Revenue per month (or other period), one line per currency (never summed across
    currencies); partial periods are hatched.

    Revenue as :data:`whmcs_frames.reports.REVENUE_DEFINITION` defines it.

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame.
    currency : str, optional
        Draw this currency only (ISO code, e.g. ``"EUR"``); one the orders do not have
        raises, naming those they have.
    freq : {"day", "week", "month", "quarter", "year"}
        Period length.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = revenue_by_month(client.orders(), currency="EUR")  # doctest: +SKIP
    """
    code = freq_code(freq)
    word = FREQ_WORDS[code]
    table = reports.revenue_by_period(orders, freq=freq)
    if currency is not None:
        currency = _present_currency(orders, currency)
        table = table[table["currency"] == currency]
    ax = _axes(ax)
    _shade_partial(ax, table, code)
    currencies = sorted(table["currency"].unique())
    for i, code in enumerate(currencies):
        part = table[table["currency"] == code]
        ax.plot(part["period"].to_numpy(), part["revenue"].to_numpy(), marker="o",
                markersize=3, label=code, color=_PALETTE[i % len(_PALETTE)], linewidth=1.6)
    if currencies:
        _legend(ax, "currency")
        _date_axis(ax)
    else:
        _no_data(ax, "revenue" + (f" in {currency}" if currency else ""))
    units = ", ".join(currencies) or (currency or "")
    ax.set_title(f"Revenue per {word}" + (f" in {units}" if len(currencies) == 1
                                          else " by currency (not converted)")
                 + "\npaid orders, not Cancelled or Fraud")
    ax.set_xlabel(word)
    ax.set_ylabel(f"revenue per {word} ({units})" if len(currencies) < 2
                  else f"revenue per {word} ({units}; one line each)")
    if table.empty or table["revenue"].min() >= 0:
        ax.set_ylim(bottom=0)
    from matplotlib.ticker import StrMethodFormatter

    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    return ax


def status_breakdown(orders: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Orders per status (custom statuses included): one bar each, with its share.

    Examples
    --------
    >>> ax = status_breakdown(client.orders())  # doctest: +SKIP
    """
    ax = _axes(ax)
    counts = as_labels(orders["status"]).value_counts()
    total = int(counts.sum())
    y = np.arange(len(counts))
    colours = [_colour(str(s), i) for i, s in enumerate(counts.index)]
    bars = ax.barh(y, counts.to_numpy(), color=colours)
    ax.bar_label(bars, labels=[f"{n:,} ({n / total:.0%})" for n in counts], padding=3)
    ax.set_yticks(y, [str(s) for s in counts.index])
    ax.invert_yaxis()
    ax.set_xlim(0, max(counts.to_numpy().max(initial=0) * 1.2, 1))
    if not total:
        _no_data(ax, "orders")
    ax.set_title(f"Orders by status ({total:,} orders)")
    ax.set_xlabel("orders")
    ax.set_ylabel("status")
    _count_axis(ax.xaxis)
    return ax


def _orders_per_currency(ax: Axes, table: pd.DataFrame, category: str, what: str) -> None:
    """Horizontal bars of ``orders`` per ``category``, one segment per currency, largest first."""
    counts = table.pivot_table(index=category, columns="currency", values="orders",
                               aggfunc="sum", fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]
    _stacked_barh(ax, counts, legend="currency")
    if counts.empty:
        _no_data(ax, what)


def payment_methods(orders: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The payment-method mix: orders per method, one bar segment per currency.

    Examples
    --------
    >>> ax = payment_methods(client.orders())  # doctest: +SKIP
    """
    ax = _axes(ax)
    _orders_per_currency(ax, reports.payment_methods(orders), "paymentmethodname", "orders")
    ax.set_title("Payment methods (orders, by currency)")
    ax.set_xlabel("orders")
    ax.set_ylabel("payment method")
    return ax


def product_mix(lines: pd.DataFrame, *, top: int = 12, ax: Axes | None = None) -> Axes:
    """The most-ordered products, addons and domains: one bar each, coloured by type.

    Parameters
    ----------
    lines : pandas.DataFrame
        An order-lines frame.
    top : int
        How many products to show (most line items first).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = product_mix(client.order_lines(), top=8)  # doctest: +SKIP
    """
    positive_int("top", top)
    ax = _axes(ax)
    mix = reports.product_mix(lines).groupby(["type", "product"])["lines"].sum()
    shown = mix.sort_values(ascending=False, kind="stable").head(top)
    types = sorted(shown.index.get_level_values("type").unique())
    y = np.arange(len(shown))
    for i, kind in enumerate(types):
        mask = shown.index.get_level_values("type") == kind
        ax.barh(y[mask], shown.to_numpy()[mask], label=kind, color=_PALETTE[i])
    # "Register"/"Transfer" alone would not say they are domains.
    ax.set_yticks(y, [p if t in ("product", "addon") else f"{t.capitalize()}: {p}"
                      for t, p in shown.index])
    ax.invert_yaxis()
    if shown.empty:
        _no_data(ax, "line items")
    else:
        _legend(ax, "type")
    ax.set_title(f"Product mix: top {len(shown)} of {len(mix)} by line items\n"
                 "every line ordered, any status or payment (not revenue)")
    ax.set_xlabel("line items ordered")
    ax.set_ylabel("product")
    _count_axis(ax.xaxis)
    return ax


def product_revenue(lines: pd.DataFrame, *, currency: str | None = None, top: int = 12,
                    ax: Axes | None = None) -> Axes:
    """Revenue per product in one currency, by the revenue rule (the title says which).

    Parameters
    ----------
    lines : pandas.DataFrame
        Order lines from ``client.order_lines()``.
    currency : str, optional
        The currency to show; by default the one with the most revenue. Currencies are
        never added together.
    top : int
        How many products (most revenue first).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = product_revenue(client.order_lines(), currency="EUR")  # doctest: +SKIP
    """
    positive_int("top", top)
    table = reports.product_revenue(lines)
    if currency is not None:
        currency = _present_currency(lines, currency)
    elif len(table):
        currency = str(table.groupby("currency")["revenue"].sum().idxmax())
    ax = _axes(ax)
    mine = table[table["currency"] == currency]
    totals = mine.groupby(["type", "product"])["revenue"].sum().sort_values(
        ascending=False, kind="stable")
    shown = totals.head(top)
    y = np.arange(len(shown))
    types = sorted(shown.index.get_level_values("type").unique())
    for i, kind in enumerate(types):
        mask = shown.index.get_level_values("type") == kind
        ax.barh(y[mask], shown.to_numpy()[mask], label=kind, color=_PALETTE[i])
    ax.set_yticks(y, [p if t in ("product", "addon") else f"{t.capitalize()}: {p}"
                      for t, p in shown.index])
    ax.invert_yaxis()
    if shown.empty:
        _no_data(ax, "revenue")
    else:
        _legend(ax, "type")
    ax.set_title(f"Revenue by product in {currency or '-'}: top {len(shown)} of "
                 f"{len(totals)}\npaid orders, not Cancelled or Fraud (the revenue rule)")
    ax.set_xlabel(f"revenue ({currency or '-'})")
    ax.set_ylabel("product")
    from matplotlib.ticker import StrMethodFormatter

    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    return ax


def promotion_usage(orders: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Orders placed with each promotion code, one bar segment per currency.

    Examples
    --------
    >>> ax = promotion_usage(client.orders())  # doctest: +SKIP
    """
    ax = _axes(ax)
    table = reports.promotion_usage(orders)
    _orders_per_currency(ax, table, "promocode", "promotion codes used")
    used = int(table["orders"].sum())
    ax.set_title(f"Promotion codes: {used:,} of {len(orders):,} orders used one")
    ax.set_xlabel("orders")
    ax.set_ylabel("promotion code")
    return ax


def fraud_scores(orders: pd.DataFrame, *, threshold: float | None = 70.0,
                 bin_width: float = 5.0, ax: Axes | None = None) -> Axes:
    """Histogram of fraud scores (0-100), orders marked Fraud stacked on top.

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame; orders without a score are left out.
    threshold : float or None
        Draws a vertical line at this score (your fraud module's reject threshold).
    bin_width : float
        Width of each bar, in score points.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = fraud_scores(client.orders(), threshold=80)  # doctest: +SKIP
    """
    if not bin_width > 0:
        raise ValidationError("bin_width", "a positive number", got=bin_width)
    ax = _axes(ax)
    scored = orders[orders["fraud_score"].notna()]
    scores = scored["fraud_score"].clip(0, 100).to_numpy(dtype=float)
    fraud = casefolded(scored["status"]).eq("fraud").fillna(False).to_numpy(dtype=bool)
    edges = np.arange(0.0, 100.0 + bin_width, bin_width)
    ax.hist([scores[~fraud], scores[fraud]], bins=edges.tolist(), stacked=True,
            label=["other statuses", "marked Fraud"], color=[_PALETTE[0], "#d62728"])
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle="--", linewidth=1.2,
                   label=f"threshold {threshold:g}")
    if not len(scores):
        _no_data(ax, "fraud scores")
    _legend(ax, "orders")
    ax.set_xlim(0, 100)
    ax.set_title(f"Fraud scores ({len(scores):,} orders with a score)")
    ax.set_xlabel("fraud score (0-100, higher is riskier)")
    ax.set_ylabel("orders")
    _count_axis(ax.yaxis)
    return ax
