"""Report aggregations over time: counts, revenue and conversion per day, week, month,
quarter or year, each period flagged ``partial`` when the data covers it only in part.

Re-exported by :mod:`whmcs_frames.reports`, where the whole set is described.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._exceptions import ValidationError
from ._grouping import as_labels, casefolded, is_revenue, money, require_columns

__all__ = ["FREQ_WORDS", "Freq", "conversion_by_cohort", "freq_code", "orders_by_period",
           "partial_periods", "revenue_by_month", "revenue_by_period", "with_partial"]

Freq = Literal["day", "week", "month", "quarter", "year"]
_FREQ_CODES = {"day": "D", "D": "D", "week": "W", "W": "W", "month": "M", "M": "M",
               "quarter": "Q", "Q": "Q", "year": "Y", "Y": "Y"}
#: Period code → the word for it, for titles and labels.
FREQ_WORDS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
_OUTCOMES = ("active", "pending", "cancelled", "fraud")


def freq_code(freq: str) -> str:
    """The pandas period code of ``freq`` (``"month"`` → ``"M"``); anything else raises."""
    try:
        return _FREQ_CODES[freq]
    except (KeyError, TypeError):
        raise ValidationError("freq", "'day', 'week', 'month', 'quarter' or 'year'",
                              got=freq) from None


def _periods(dates: pd.Series, code: str) -> pd.Series:
    """The start of each date's period (weeks start on Monday); NaT stays NaT."""
    return dates.dt.to_period(code).dt.start_time.astype("datetime64[ns]")


def _period_range(dates: pd.Series, code: str) -> pd.DatetimeIndex:
    """Every period from the first date to the last, so gaps show as zeros."""
    if dates.notna().sum() == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns]", name="period")
    span = pd.period_range(dates.min(), dates.max(), freq=code)
    return span.start_time.astype("datetime64[ns]").rename("period")


def partial_periods(starts: Sequence[pd.Timestamp] | pd.Series, code: str,
                    dates: pd.Series, *, today: pd.Timestamp | None = None) -> np.ndarray:
    """Which periods the data covers only in part: True for each such period start.

    The data spans the days from its first date to its last (or to today, if that is
    earlier: a period that has not ended yet is never complete). A period that begins
    before that span or ends after it is partial, so its totals are not comparable with
    full periods: typically the first and the last.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2024-01-15", "2024-02-10", "2024-03-10"]))
    >>> starts = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    >>> partial_periods(starts, "M", dates).tolist()
    [True, False, True]
    """
    starts = pd.DatetimeIndex(starts)
    present = dates.dropna()
    if present.empty or starts.empty:
        return np.zeros(len(starts), dtype=bool)
    today = pd.Timestamp.now().normalize() if today is None else pd.Timestamp(today)
    first = present.min().normalize()
    last = min(present.max(), today).normalize() + pd.Timedelta(days=1)
    ends = starts.to_period(code).end_time
    return np.asarray((starts < first) | (ends >= last), dtype=bool)


def with_partial(table: pd.DataFrame, column: str, code: str, dates: pd.Series
                 ) -> pd.DataFrame:
    """``table`` with a boolean ``partial`` column right after its period ``column``."""
    flags = partial_periods(table[column], code, dates)
    out = table.copy()
    out.insert(out.columns.get_loc(column) + 1, "partial", flags)
    return out


def _on_grid(grouped: pd.DataFrame, periods: pd.DatetimeIndex, labels: Sequence[str],
             label: str) -> pd.DataFrame:
    full = pd.MultiIndex.from_product([periods, sorted(labels)], names=["period", label])
    return grouped.reindex(full, fill_value=0).reset_index()


def orders_by_period(orders: pd.DataFrame, *, freq: Freq = "month",
                     by: str | None = "status") -> pd.DataFrame:
    """Order counts per day, week or month, split by a column (status by default).

    Every period from the first order to the last is present (zero when empty). Orders
    without a date are left out. Counts only: for money see :func:`revenue_by_period`.

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame.
    freq : {"day", "week", "month", "quarter", "year"}
        Period length; weeks start on Monday.
    by : str or None
        A column to split by (``"status"``, ``"currency"``, ``"paymentmethod"``…), or
        None for one count per period.

    Returns
    -------
    pandas.DataFrame
        ``period`` (the period's first day), ``partial`` (True when the data covers the
        period only in part, see :func:`partial_periods`), ``<by>`` when given, ``orders``.

    Examples
    --------
    >>> orders_by_period(client.orders(), freq="week", by="currency")  # doctest: +SKIP
    """
    code = freq_code(freq)
    require_columns(orders, ("date",))
    if by is not None and by not in orders.columns:
        raise ValidationError("by", "a column of the orders frame, or None", got=by)
    dated = orders[orders["date"].notna()]
    period = _periods(dated["date"], code).rename("period")
    periods = _period_range(dated["date"], code)
    if by is None:
        counts = dated.groupby(period).size().rename("orders")
        table = counts.reindex(periods, fill_value=0).reset_index()
    else:
        label = as_labels(dated[by]).rename(by)
        counts = dated.groupby([period, label]).size().rename("orders").to_frame()
        table = _on_grid(counts, periods, label.unique().tolist(), by)
    return with_partial(table, "period", code, dated["date"])


def revenue_by_period(orders: pd.DataFrame, *, freq: Freq = "month") -> pd.DataFrame:
    """Revenue per day, week or month and currency (see :data:`REVENUE_DEFINITION`).

    Every period from the first order (of any status) to the last is present for every
    currency that has revenue, with zeros where there was none.

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame.
    freq : {"day", "week", "month", "quarter", "year"}
        Period length; weeks start on Monday.

    Returns
    -------
    pandas.DataFrame
        ``period, partial, currency, orders, revenue``: ``orders`` counts the revenue
        orders; ``partial`` marks periods the data covers only in part (the current
        month, a month the data starts or ends in), whose totals are not comparable.

    Examples
    --------
    >>> revenue_by_period(client.orders(), freq="week")  # doctest: +SKIP
    """
    code = freq_code(freq)
    require_columns(orders, ("date", "amount", "currency", "status", "paymentstatus"))
    dated = orders[orders["date"].notna()]
    paid = dated[is_revenue(dated)]
    keys = [_periods(paid["date"], code).rename("period"), as_labels(paid["currency"])]
    grouped = paid.groupby(keys)["amount"].agg(orders="size", revenue="sum")
    table = _on_grid(grouped, _period_range(dated["date"], code),
                     keys[1].unique().tolist(), "currency")
    table = table.assign(revenue=money(table["revenue"]))
    return with_partial(table, "period", code, dated["date"])


def revenue_by_month(orders: pd.DataFrame) -> pd.DataFrame:
    """Revenue per calendar month and currency: :func:`revenue_by_period` by month.

    Examples
    --------
    >>> revenue_by_month(client.orders()).query("currency == 'EUR'")  # doctest: +SKIP
    """
    return revenue_by_period(orders, freq="month")


def conversion_by_cohort(orders: pd.DataFrame, *, freq: Freq = "month") -> pd.DataFrame:
    """Pending-to-active conversion: how the orders placed in each period ended up.

    Orders are grouped by when they were placed (their cohort) and counted by their
    status *now*. ``conversion`` is ``active / (active + cancelled + fraud)``: orders
    still Pending or in a custom status (e.g. "In Review") are undecided and left out of
    it, so recent cohorts may look better or worse once they are decided. Time to accept
    is not derivable (see :data:`TIME_TO_ACCEPT`).

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame.
    freq : {"day", "week", "month", "quarter", "year"}
        Cohort length.

    Returns
    -------
    pandas.DataFrame
        ``cohort, partial, orders, active, pending, cancelled, fraud, other, conversion``
        (conversion NaN when nothing in the cohort is decided yet).

    Examples
    --------
    >>> conversion_by_cohort(client.orders()).tail(3)  # doctest: +SKIP
    """
    code = freq_code(freq)
    require_columns(orders, ("date", "status"))
    dated = orders[orders["date"].notna()]
    status = casefolded(dated["status"]).fillna("")
    outcome = status.where(status.isin(_OUTCOMES), "other").rename("outcome")
    cohort = _periods(dated["date"], code).rename("cohort")
    table = dated.groupby([cohort, outcome]).size().unstack(fill_value=0)
    table = table.reindex(index=_period_range(dated["date"], code).rename("cohort"),
                          columns=[*_OUTCOMES, "other"], fill_value=0)
    table.columns.name = None
    table.insert(0, "orders", table.sum(axis=1))
    decided = table["active"] + table["cancelled"] + table["fraud"]
    table["conversion"] = (table["active"] / decided.where(decided > 0)).round(4)
    table = table.astype({c: "int64" for c in ("orders", *_OUTCOMES, "other")}).reset_index()
    return with_partial(table, "cohort", code, dated["date"])
