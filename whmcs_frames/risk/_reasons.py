"""Plain words for why an order was flagged: one clause per signal, joined per order.

Every signal hands back, beside its flag, the clause that explains it for each order
(``"3 clients share IP 203.0.113.7 within 24 h"``); :func:`join_reasons` keeps the
clauses of the signals that fired, in :data:`~._rules.SIGNALS` order.

Example
-------
>>> duration(pd.Timedelta("24h")), duration(pd.Timedelta("30D")), times(3.46) == "3.5" + TIMES
('24 h', '30 days', True)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["TIMES", "duration", "join_reasons", "text_column", "times"]


def duration(window: pd.Timedelta) -> str:
    """A window as an analyst would say it: ``'24 h'``, ``'90 min'``, ``'7 days'``."""
    seconds = window.total_seconds()
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds / 86400:g} days"
    if seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 60:g} min"


TIMES = "\u00d7"  # the multiplication sign, as in "6x the median price"


def times(ratio: float) -> str:
    """A ratio as ``6`` + :data:`TIMES` above 5, with one decimal (``3.5``) below."""
    return f"{ratio:.0f}{TIMES}" if ratio >= 5 else f"{ratio:.1f}{TIMES}"


def text_column(values: pd.Series, index: pd.Index) -> pd.Series:
    """A ``string`` Series on ``index`` (clauses are built on subsets of the orders)."""
    return values.astype("string").reindex(index)


def join_reasons(flags: Mapping[str, pd.Series], clauses: Mapping[str, pd.Series],
                 index: pd.Index) -> pd.Series:
    """``"; "``-joined clauses of the signals that fired, per order (``""`` if none).

    Parameters
    ----------
    flags : mapping of str to boolean Series
        Signal name → flag (NA = could not tell; only True contributes).
    clauses : mapping of str to string Series
        Signal name → its clause per order.
    index : pandas.Index
        The orders' index.

    Returns
    -------
    pandas.Series
        ``string`` dtype.

    Examples
    --------
    >>> i = pd.RangeIndex(2)
    >>> f = {"a": pd.Series([True, pd.NA], dtype="boolean"), "b": pd.Series([True, False])}
    >>> c = {"a": pd.Series(["one", "x"]), "b": pd.Series(["two", "y"])}
    >>> join_reasons(f, c, i).tolist()
    ['one; two', '']
    """
    parts = np.full(len(index), "", dtype=object)
    for name, flag in flags.items():
        fired = flag.reindex(index).fillna(False).to_numpy(dtype=bool)
        if not fired.any():
            continue
        words = clauses[name].reindex(index).to_numpy(dtype=object)[fired]
        current = parts[fired]
        parts[fired] = [f"{have}; {w}" if have else str(w) for have, w in zip(current, words,
                                                                             strict=True)]
    return pd.Series(parts, index=index, dtype="string")
