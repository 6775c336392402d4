"""When each recurring service started and left, and what it was worth per month.

WHMCS records no termination date. A service that is Cancelled, Terminated or Completed
left, in order of preference: on its cancellation request's date (``GetCancelledPackages``); at
the first sync where the local store saw it Cancelled/Terminated (``history``); else on
its ``nextduedate`` — an **estimate**, said as such in ``left_source``.

The monthly value of a service is its ``recurringamount`` divided by its billing cycle in
months (:data:`CYCLE_MONTHS`). One-time and free services, services never live (Pending,
Fraud) and services without a registration date are not recurring revenue and are left
out. Amount changes are known only from the store's ``history``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._exceptions import ValidationError
from ._grouping import as_labels, casefolded

__all__ = ["CYCLE_MONTHS", "LEFT_SOURCES", "amount_changes", "lifetimes", "live_mask",
           "monthly_amount"]

#: Months in each recurring billing cycle (``product_pricing`` cycle keys).
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "semiannually": 6, "annually": 12,
                "biennially": 24, "triennially": 36}
#: The sources of a leaving date, best first; ``estimate`` is the ``nextduedate``.
LEFT_SOURCES = ("request", "history", "estimate")

# Completed: WHMCS's status for a service that ran its course; it is no longer billed.
_LEFT_STATUSES = frozenset({"cancelled", "terminated", "completed"})
_NEVER_LIVE = frozenset({"pending", "fraud"})


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    if not isinstance(frame, pd.DataFrame) or not set(columns) <= set(frame.columns):
        raise ValidationError(name, "a DataFrame with columns " + ", ".join(columns),
                              got=type(frame).__name__)


def monthly_amount(services: pd.DataFrame) -> pd.Series:
    """Each service's recurring amount per month; NaN for one-time, free or unknown cycles.

    Examples
    --------
    >>> from whmcs_frames import frames
    >>> s = frames.services_frame([{"billingcycle": "Annually", "recurringamount": "120"},
    ...                            {"billingcycle": "One Time", "recurringamount": "50"}])
    >>> monthly_amount(s).tolist()
    [10.0, nan]
    """
    _require(services, "services", ("cycle", "recurringamount"))
    months = services["cycle"].astype(object).map(CYCLE_MONTHS).astype("float64")
    return (services["recurringamount"].astype("float64") / months).rename("monthly")


def _first_by_service(ids: pd.Series, frame: pd.DataFrame | None, name: str, date: str,
                      rows: pd.Series | None = None) -> pd.Series:
    """The earliest ``date`` of ``frame`` for each service id in ``ids`` (NaT if none)."""
    if frame is None:
        return pd.Series(pd.NaT, index=ids.index, dtype="datetime64[ns]")
    _require(frame, name, ("serviceid", date))
    picked = frame if rows is None else frame[rows.to_numpy(dtype=bool)]
    picked = picked[picked["serviceid"].notna() & picked[date].notna()]
    first = picked.groupby(picked["serviceid"].astype("int64"))[date].min()
    return pd.Series(first.reindex(ids.to_numpy()).to_numpy(dtype="datetime64[ns]"),
                     index=ids.index)


def lifetimes(services: pd.DataFrame, *, cancellations: pd.DataFrame | None = None,
              history: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per recurring service: when it started, when it left and how we know.

    Parameters
    ----------
    services : pandas.DataFrame
        A services frame (:func:`whmcs_frames.frames.services_frame`).
    cancellations : pandas.DataFrame, optional
        A cancellations frame: a request's date is the best leaving date.
    history : pandas.DataFrame, optional
        A service-history frame from the store (``serviceid, status, recurringamount,
        seen_at``).

    Returns
    -------
    pandas.DataFrame
        ``serviceid, userid, currency`` (text, ``"(none)"`` when unknown), ``status``,
        ``started_at``, ``left_at`` (NaT while the service stays), ``left_source``
        (``request``, ``history``, ``estimate`` or NA), ``months`` (of its billing
        cycle) and ``monthly`` (the amount per month when it started).

    Examples
    --------
    >>> lifetimes(client.services(), cancellations=client.cancellations())  # doctest: +SKIP
    """
    _require(services, "services", ("id", "userid", "regdate", "status", "nextduedate",
                                    "currency", "cycle", "recurringamount"))
    status = casefolded(services["status"]).fillna("")
    monthly = monthly_amount(services)
    keep = (monthly.gt(0) & services["regdate"].notna() & services["id"].notna()
            & ~status.isin(_NEVER_LIVE)).to_numpy(dtype=bool)
    kept, status = services[keep], status[keep]
    ids = kept["id"].astype("int64")
    history_left = None if history is None else casefolded(history["status"]).isin(
        _LEFT_STATUSES).fillna(False)
    candidates = [
        ("request", _first_by_service(ids, cancellations, "cancellations", "date")),
        ("history", _first_by_service(ids, history, "history", "seen_at", history_left)),
        ("estimate", kept["nextduedate"]),
    ]
    left = status.isin(_LEFT_STATUSES).to_numpy(dtype=bool)
    left_at = pd.Series(pd.NaT, index=kept.index, dtype="datetime64[ns]")
    source = pd.Series(pd.NA, index=kept.index, dtype="string")
    for name, dates in candidates:
        take = left & left_at.isna().to_numpy() & pd.notna(dates).to_numpy()
        left_at[take] = dates[take].astype("datetime64[ns]")
        source[take] = name
    table = pd.DataFrame({
        "serviceid": ids.to_numpy(), "userid": kept["userid"].to_numpy(),
        "currency": as_labels(kept["currency"]).to_numpy(),
        "status": kept["status"].to_numpy(), "started_at": kept["regdate"].to_numpy(),
        "left_at": left_at.to_numpy(), "left_source": source.to_numpy(),
        "months": kept["cycle"].astype(object).map(CYCLE_MONTHS).to_numpy(dtype="int64"),
        "monthly": monthly[keep].to_numpy()})
    # A service cannot leave before it started (a stale nextduedate would say so).
    table["left_at"] = table["left_at"].where(
        table["left_at"].isna() | (table["left_at"] >= table["started_at"]),
        table["started_at"])
    table["left_source"] = table["left_source"].astype(
        pd.CategoricalDtype(list(LEFT_SOURCES)))
    return _first_amounts(table, history)


def _history_amounts(history: pd.DataFrame | None) -> pd.DataFrame:
    if history is None:
        return pd.DataFrame({"serviceid": [], "seen_at": [], "recurringamount": []})
    _require(history, "history", ("serviceid", "seen_at", "recurringamount"))
    known = history[history["serviceid"].notna() & history["seen_at"].notna()
                    & history["recurringamount"].notna()]
    known = known.assign(serviceid=known["serviceid"].astype("int64"))
    return known.sort_values(["serviceid", "seen_at"], kind="stable")[
        ["serviceid", "seen_at", "recurringamount"]]


def _first_amounts(table: pd.DataFrame, history: pd.DataFrame | None) -> pd.DataFrame:
    """The monthly amount at the start: the first amount the store saw, where it saw one."""
    seen = _history_amounts(history)
    if seen.empty:
        return table
    first = table["serviceid"].map(seen.groupby("serviceid")["recurringamount"].first())
    table["monthly"] = (first / table["months"]).fillna(table["monthly"])
    return table


def amount_changes(life: pd.DataFrame, history: pd.DataFrame | None) -> pd.DataFrame:
    """Changes of a service's monthly amount seen by the store while it was live.

    Returns
    -------
    pandas.DataFrame
        ``serviceid, currency, at, delta`` (monthly amount, + for expansion).
    """
    seen = _history_amounts(history)
    columns = ["serviceid", "currency", "at", "delta"]
    if seen.empty or life.empty:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(
            columns, ("int64", object, "datetime64[ns]", "float64"), strict=True)})
    seen = seen.assign(step=seen.groupby("serviceid")["recurringamount"].diff())
    seen = seen[seen["step"].fillna(0).ne(0)].merge(life, on="serviceid")
    delta = (seen["step"] / seen["months"]).to_numpy()
    live = ((seen["seen_at"] >= seen["started_at"])
            & (seen["left_at"].isna() | (seen["seen_at"] < seen["left_at"])))
    changes = pd.DataFrame({"serviceid": seen["serviceid"], "currency": seen["currency"],
                            "at": seen["seen_at"], "delta": delta})
    return changes[live.to_numpy() & np.isfinite(delta)].reset_index(drop=True)


def live_mask(life: pd.DataFrame, at: pd.Timestamp, *, before: bool = False) -> pd.Series:
    """Services live at ``at`` (started on or before it, not yet left); with
    ``before=True``, live just before ``at`` (a service starting at ``at`` is not)."""
    started = life["started_at"] < at if before else life["started_at"] <= at
    staying = life["left_at"].isna() | (life["left_at"] >= at if before
                                        else life["left_at"] > at)
    return started & staying
