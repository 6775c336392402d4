"""Counting across orders: how many share a key within a time window, and who came before.

Orders are sorted once by key and time; within each key the window ``[t - w, t + w]``
around every order is found by binary search, so a shop's whole history is counted in
one pass. Keys held by a single order (most IP addresses, most clients) are never
looped over.

Example
-------
>>> t = pd.Series(pd.to_datetime(["2024-01-01 00:00", "2024-01-01 05:00", "2024-01-03 00:00"]))
>>> counts, users = window_counts(pd.Series(["a", "a", "a"]), t, pd.Timedelta("24h"),
...                               pd.Series([1, 2, 2]))
>>> counts.tolist(), users.tolist()
([2.0, 2.0, 1.0], [2.0, 2.0, 1.0])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["earlier_marked", "window_counts"]


def _sorted_groups(keys: pd.Series, t: pd.Series, tiebreak: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the usable rows sorted by (key, time), their codes, times, group starts."""
    usable = np.flatnonzero(keys.notna().to_numpy() & t.notna().to_numpy())
    codes, _ = pd.factorize(keys.to_numpy(dtype=object)[usable])
    times = t.to_numpy(dtype="datetime64[ns]")[usable].astype(np.int64)
    sort_keys = (times, codes) if tiebreak is None else (tiebreak[usable], times, codes)
    order = np.lexsort(sort_keys)
    codes, times = codes[order], times[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    return usable[order], codes, times, starts


def window_counts(keys: pd.Series, t: pd.Series, window: pd.Timedelta,
                  users: pd.Series | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row: orders with its key within ``±window``, and distinct ``users`` among them.

    Parameters
    ----------
    keys : pandas.Series
        What orders share (an IP, a client id, a code and IP …); NA rows are not counted.
    t : pandas.Series
        Order times; NaT rows are not counted.
    window : pandas.Timedelta
        Half-width of the window around each order.
    users : pandas.Series, optional
        Client ids; NA ids are not counted as a client.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Float counts (the row itself included), NaN where the row's key or time is NA;
        the second is all NaN without ``users``.
    """
    n = len(keys)
    counts, distinct = np.full(n, np.nan), np.full(n, np.nan)
    rows, _, times, starts = _sorted_groups(keys, t)
    if not len(rows):
        return counts, distinct
    ends = np.r_[starts[1:], len(rows)]
    got_counts, got_users = np.ones(len(rows)), np.ones(len(rows))
    who = None if users is None else users.to_numpy(dtype="float64", na_value=np.nan)[rows]
    if who is not None:
        got_users = np.where(np.isnan(who), 0.0, 1.0)
    width = window.value
    for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
        seg = times[start:end]
        low = np.searchsorted(seg, seg - width, side="left")
        high = np.searchsorted(seg, seg + width, side="right")
        got_counts[start:end] = high - low
        if who is not None:
            got_users[start:end] = _distinct(who[start:end], low, high)
    counts[rows] = got_counts
    if who is not None:
        distinct[rows] = got_users
    return counts, distinct


def _distinct(who: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    known = who[~np.isnan(who)]
    if len(np.unique(known)) <= 1:
        return np.full(len(who), float(len(np.unique(known))))
    return np.array([len({u for u in who[a:b].tolist() if u == u})
                     for a, b in zip(low.tolist(), high.tolist(), strict=True)], dtype=float)


def earlier_marked(keys: pd.Series, t: pd.Series, ids: pd.Series, marked: np.ndarray,
                   users: pd.Series | None = None) -> pd.Series:
    """Per row: the id of the latest *earlier* marked order with the same key, else NA.

    Earlier means placed before (ties by time go by id). The row itself never counts,
    and with ``users`` neither does an order of the same client: the question is whether
    someone else, already caught, used this IP or name.

    Parameters
    ----------
    keys, t : pandas.Series
        What to match on and when each order was placed.
    ids : pandas.Series
        Order ids.
    marked : numpy.ndarray of bool
        Which orders are marked (e.g. status Fraud).
    users : pandas.Series, optional
        Client ids (NA = unknown, taken to be someone else).

    Returns
    -------
    pandas.Series
        ``Int64`` on the orders' index.

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]))
    >>> earlier_marked(pd.Series(["ip", "ip", "ip"]), t, pd.Series([7, 8, 9]),
    ...                np.array([False, True, False])).tolist()
    [<NA>, <NA>, 8]
    """
    id_values = ids.to_numpy(dtype="float64", na_value=np.nan)
    who = (np.full(len(ids), np.nan) if users is None
           else users.to_numpy(dtype="float64", na_value=np.nan))
    rows, _, _, starts = _sorted_groups(keys, t, tiebreak=np.nan_to_num(id_values))
    found = np.full(len(ids), np.nan)
    ends = np.r_[starts[1:], len(rows)]
    marked_rows = marked[rows]
    # Only keys with a marked order can match: a handful of loops, not one per order.
    with_marks = np.flatnonzero(np.add.reduceat(marked_rows.astype(int), starts) > 0) \
        if len(rows) else starts
    for group in with_marks:
        seen: list[tuple[float, float]] = []  # (client, order id) of marked orders so far
        for position in range(starts[group], ends[group]):
            row = rows[position]
            for client, order in reversed(seen):
                if users is None or client != who[row] or client != client:
                    found[row] = order
                    break
            if marked_rows[position]:
                seen.append((who[row], id_values[row]))
    return pd.Series(found, index=keys.index).astype("Int64")
