"""Recurring revenue over time: MRR and ARR, their movements, churn and cohort retention.

Built on :func:`~._lifetimes.lifetimes`: a service counts from its registration date until
it left (see there for how the leaving date is chosen and labelled). Money is per
currency, never summed across currencies; counts of services and clients are not money
and are not split.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._grouping import money
from ._lifetimes import LEFT_SOURCES, _require, amount_changes, lifetimes, live_mask
from ._timeseries import Freq, freq_code

__all__ = ["churn", "mrr", "mrr_movements", "retention_by_cohort"]

_MOVEMENTS = ("new", "reactivated", "expansion", "contraction", "churned")


def mrr(services: pd.DataFrame, *, at: str | pd.Timestamp | None = None,
        cancellations: pd.DataFrame | None = None,
        history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly recurring revenue per currency, and ARR = 12 x MRR.

    Each service's ``recurringamount`` is normalised to a month (quarterly ÷ 3,
    semi-annually ÷ 6, annually ÷ 12, biennially ÷ 24, triennially ÷ 36); one-time and
    free services are not recurring revenue.

    Parameters
    ----------
    services : pandas.DataFrame
        A services frame.
    at : date-like, optional
        None: the services Active now, as WHMCS says. A date: the services live then —
        registered on or before it and not yet left (Suspended ones count: WHMCS does
        not say when a suspension began).
    cancellations, history : pandas.DataFrame, optional
        Better leaving dates for ``at`` (see :func:`churn`).

    Returns
    -------
    pandas.DataFrame
        ``currency, services, mrr, arr``.

    Examples
    --------
    >>> mrr(client.services(orders=client.orders()))  # doctest: +SKIP
    """
    life = lifetimes(services, cancellations=cancellations, history=history)
    if at is None:
        live = life["status"].astype("string").str.strip().str.casefold().eq("active")
        amounts = life["monthly"] + _changes_until(life, history, None)
    else:
        when = pd.Timestamp(at)
        live = live_mask(life, when)
        amounts = life["monthly"] + _changes_until(life, history, when)
    current = life.assign(monthly=amounts)[live.fillna(False).to_numpy(dtype=bool)]
    table = current.groupby("currency").agg(services=("serviceid", "size"),
                                            mrr=("monthly", "sum")).reset_index()
    table["mrr"] = money(table["mrr"])
    table["arr"] = money(table["mrr"] * 12)
    return table.astype({"services": "int64"})


def _changes_until(life: pd.DataFrame, history: pd.DataFrame | None,
                   when: pd.Timestamp | None) -> pd.Series:
    changes = amount_changes(life, history)
    if when is not None:
        changes = changes[changes["at"] <= when]
    total = changes.groupby("serviceid")["delta"].sum()
    return life["serviceid"].map(total).fillna(0.0)


def _grid(life: pd.DataFrame, code: str,
          changes: pd.DataFrame | None = None) -> pd.DatetimeIndex:
    """Period starts from the first start to the last start, leaving or amount change,
    plus the next one (so the last period has an end)."""
    seen = [life["started_at"], life["left_at"]]
    if changes is not None:
        seen.append(changes["at"])
    dates = pd.concat(seen).dropna()
    if dates.empty:
        return pd.DatetimeIndex([], dtype="datetime64[ns]", name="period")
    span = pd.period_range(dates.min(), dates.max(), freq=code)
    span = span.append(pd.PeriodIndex([span[-1] + 1]))
    return span.start_time.astype("datetime64[ns]").rename("period")


def _returning(life: pd.DataFrame) -> pd.Series:
    """Services whose client had services before, all of which had left when it started."""
    pairs = life[["userid", "serviceid", "started_at"]].merge(
        life[["userid", "started_at", "left_at"]], on="userid", suffixes=("", "_before"))
    pairs = pairs[pairs["started_at_before"] < pairs["started_at"]]
    gone = pairs["left_at"].notna() & (pairs["left_at"] <= pairs["started_at"])
    verdict = gone.groupby(pairs["serviceid"]).all()
    return life["serviceid"].isin(verdict.index[verdict.to_numpy(dtype=bool)])


def mrr_movements(services: pd.DataFrame, *, freq: Freq = "month",
                  cancellations: pd.DataFrame | None = None,
                  history: pd.DataFrame | None = None) -> pd.DataFrame:
    """How MRR moved in each period, per currency.

    ``mrr`` is the MRR just before the period starts, ``mrr_end`` just before the next;
    between them ``new`` (services that started), ``reactivated`` (services of a client
    whose earlier services had all left), ``expansion``/``contraction`` (amount changes
    the store's ``history`` saw; zero without it) and ``churned`` (services that left,
    of which ``churned_estimated`` had only the ``nextduedate`` estimate as leaving date).
    ``net = mrr_end - mrr``.

    Returns
    -------
    pandas.DataFrame
        ``period, currency, mrr, new, reactivated, expansion, contraction, churned,
        churned_estimated, net, mrr_end``.

    Examples
    --------
    >>> mrr_movements(client.services(orders=client.orders()))  # doctest: +SKIP
    """
    code = freq_code(freq)
    life = lifetimes(services, cancellations=cancellations, history=history)
    changes = amount_changes(life, history)
    grid = _grid(life, code, changes)
    returning = _returning(life).to_numpy()
    points = grid.to_numpy()
    parts = []
    for currency in sorted(life["currency"].unique()):
        mine = (life["currency"] == currency).to_numpy()
        part, back = life[mine], returning[mine]
        moves = changes[changes["currency"] == currency]
        parts.append(_movements(part, back, moves, points, currency))
    columns = ["period", "currency", "mrr", *_MOVEMENTS, "churned_estimated", "net",
               "mrr_end"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {c: [] for c in columns})
    for column in columns[2:]:
        table[column] = money(table[column].astype("float64"))
    table["period"] = table["period"].astype("datetime64[ns]")
    table["currency"] = table["currency"].astype(object)
    return table[columns]


def _sum_before(times: pd.Series, weights: Any, points: np.ndarray) -> np.ndarray:
    """For each point, the sum of ``weights`` over rows whose time is before it (NaT
    never is): one sort and a binary search instead of a pass per period."""
    known = times.notna().to_numpy()
    stamps = times.to_numpy(dtype="datetime64[ns]")[known]
    values = np.asarray(weights, dtype=np.float64)[known]
    order = np.argsort(stamps, kind="stable")
    running = np.concatenate([[0.0], np.cumsum(values[order])])
    return running[np.searchsorted(stamps[order], points, side="left")]


def _per_period(times: pd.Series, weights: Any, points: np.ndarray) -> np.ndarray:
    """The sum of ``weights`` over rows whose time falls in each period."""
    return np.diff(_sum_before(times, weights, points))


def _movements(part: pd.DataFrame, back: np.ndarray, moves: pd.DataFrame,
               points: np.ndarray, currency: str) -> pd.DataFrame:
    monthly = part["monthly"].to_numpy(dtype=np.float64)
    total = moves.groupby("serviceid")["delta"].sum()
    # Amount changes are kept only while a service is live, so their total is the
    # difference between its amount at the start and when it left.
    at_leaving = monthly + part["serviceid"].map(total).fillna(0.0).to_numpy()
    estimated = part["left_source"].astype(object).eq("estimate").to_numpy()
    delta = moves["delta"].to_numpy(dtype=np.float64)
    level = (_sum_before(part["started_at"], monthly, points)
             + _sum_before(moves["at"], delta, points)
             - _sum_before(part["left_at"], at_leaving, points))
    return pd.DataFrame({
        "period": points[:-1], "currency": currency, "mrr": level[:-1],
        "new": _per_period(part["started_at"], np.where(back, 0.0, monthly), points),
        "reactivated": _per_period(part["started_at"], np.where(back, monthly, 0.0), points),
        "expansion": _per_period(moves["at"], np.clip(delta, 0, None), points),
        "contraction": _per_period(moves["at"], np.clip(-delta, 0, None), points),
        "churned": _per_period(part["left_at"], at_leaving, points),
        "churned_estimated": _per_period(part["left_at"], np.where(estimated, at_leaving, 0.0),
                                         points),
        "net": np.diff(level), "mrr_end": level[1:]})


def churn(services: pd.DataFrame, *, freq: Freq = "month",
          cancellations: pd.DataFrame | None = None,
          history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Recurring services that left in each period ÷ those live when it began.

    The leaving date is, in order: the cancellation request's date
    (``cancellations``), the first sync at which the store saw the service
    Cancelled/Terminated (``history``), else its ``nextduedate`` — an estimate. The
    counts per source are columns, and ``source`` names the one source of a period's
    churn (``"mixed"`` when several, NA when none left).

    Returns
    -------
    pandas.DataFrame
        ``period, active_at_start, churned, from_request, from_history, estimated,
        churn_rate, source``.

    Examples
    --------
    >>> churn(client.services(), cancellations=client.cancellations())  # doctest: +SKIP
    """
    code = freq_code(freq)
    life = lifetimes(services, cancellations=cancellations, history=history)
    grid = _grid(life, code)
    source = life["left_source"].astype(object)
    points = grid.to_numpy()
    ones = np.ones(len(life))
    counts = {name: _per_period(life["left_at"], source.eq(name).to_numpy(dtype=float),
                                points).round().astype("int64")
              for name in LEFT_SOURCES}
    table = pd.DataFrame({
        "period": points[:-1],
        "active_at_start": (_sum_before(life["started_at"], ones, points[:-1])
                            - _sum_before(life["left_at"], ones, points[:-1])),
        "churned": _per_period(life["left_at"], ones, points),
        "from_request": counts["request"], "from_history": counts["history"],
        "estimated": counts["estimate"]})
    used = pd.DataFrame(counts).gt(0)
    source = pd.Series([None] * len(used), index=used.index, dtype=object)
    # Later masks win, so this is the order of preference: a request over the store's
    # history over the nextduedate estimate, and "mixed" when a period has several.
    for name in ("estimate", "history", "request"):
        source = source.mask(used[name], name)
    table["source"] = source.mask(used.sum(axis=1) > 1, "mixed").to_numpy()
    rate = table["churned"] / table["active_at_start"].where(table["active_at_start"] > 0)
    table.insert(6, "churn_rate", rate.astype("float64").round(4))
    table["source"] = table["source"].astype("string")
    table["period"] = table["period"].astype("datetime64[ns]")
    return table.astype({c: "int64" for c in ("active_at_start", "churned", "from_request",
                                              "from_history", "estimated")})


def retention_by_cohort(clients: pd.DataFrame, services: pd.DataFrame, *,
                        at: str | pd.Timestamp | None = None,
                        cancellations: pd.DataFrame | None = None,
                        history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of each signup month's clients with a live recurring service N months on.

    Cohorts are the month of the client's ``datecreated``; column ``N`` is the share of
    the cohort live at the end of its N-th month after signup (0 = the signup month).
    Months whose last day is after ``at``'s day are NaN, so the table is a triangle.

    Parameters
    ----------
    clients : pandas.DataFrame
        A clients frame (``id``, ``datecreated``).
    services : pandas.DataFrame
        A services frame.
    at : date-like, optional
        The last moment observed; by default the latest registration or signup date.
    cancellations, history : pandas.DataFrame, optional
        Better leaving dates (see :func:`churn`).

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (the month's first day); columns ``clients`` then 0, 1, 2, …

    Examples
    --------
    >>> retention_by_cohort(client.clients(), client.services())  # doctest: +SKIP
    """
    _require(clients, "clients", ("id", "datecreated"))
    life = lifetimes(services, cancellations=cancellations, history=history)
    signed = clients[clients["id"].notna() & clients["datecreated"].notna()]
    cohort = signed["datecreated"].dt.to_period("M")
    observed = pd.Timestamp(at) if at is not None else pd.concat(
        [signed["datecreated"], life["started_at"]]).max()
    if signed.empty or pd.isna(observed):
        return pd.DataFrame({"clients": pd.Series(dtype="int64")},
                            index=pd.DatetimeIndex([], name="cohort"))
    last = pd.Timestamp(observed).to_period("M")
    ages = range((last - cohort.min()).n + 1)
    live_users: dict[pd.Period, pd.Series] = {}  # month → clients live at its end
    table = {}
    for month in sorted(cohort.unique()):
        members = signed["id"][cohort == month].astype("int64")
        shares = []
        for age in ages:
            if (month + age).end_time.normalize() > pd.Timestamp(observed).normalize():
                shares.append(np.nan)
                continue
            if month + age not in live_users:
                live = live_mask(life, (month + age + 1).start_time, before=True)
                live_users[month + age] = life["userid"][live].dropna().astype("int64")
            shares.append(round(float(members.isin(live_users[month + age]).mean()), 4))
        table[month.start_time] = [len(members), *shares]
    out = pd.DataFrame.from_dict(table, orient="index", columns=["clients", *ages])
    out.index = pd.DatetimeIndex(out.index, name="cohort").astype("datetime64[ns]")
    return out.astype({"clients": "int64"})
