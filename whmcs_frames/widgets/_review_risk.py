"""The review queue's risk parts, pure: signals over the orders read, order, "why", rings.

The queue ranks orders with :func:`whmcs_frames.risk.signals` over everything it read
(the whole history by default, so an IP on an earlier Fraud order is seen), shows a
short "why" per row, and, for the order in the detail pane, the orders each signal
relates it to (the other clients on its IP, its client's burst, the promo code's other
users) and the orders sharing its IP or client, which a ring is reviewed with.
Functions of DataFrames only: no widgets, no network.

Example
-------
>>> orders = pd.DataFrame({"id": [1, 2, 3], "userid": [10, 11, 12],
...     "ipaddress": ["203.0.113.7"] * 3, "status": ["Pending"] * 3,
...     "date": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 11:00", "2024-05-03 09:00"])})
>>> risk = risk_frame(orders)
>>> short_why(risk).tolist()
['new client', 'new client', 'new client']
>>> sharing(orders, 1, "ip")
[1, 2, 3]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import risk as wf_risk
from .._exceptions import ValidationError
from . import _review_rules as rules

__all__ = [
    "RELATED_BY",
    "SHARING",
    "SHORT_LABELS",
    "SORTS",
    "context_orders",
    "fired_signals",
    "queue_table",
    "related_orders",
    "risk_frame",
    "sharing",
    "short_why",
    "signal_clauses",
    "sort_queue",
]

#: The queue's sort choices: the combined risk rank, or the fraud module's score.
SORTS = ("risk", "score")
#: What "select all sharing this …" can share → the orders column compared.
SHARING = {"ip": "ipaddress", "client": "userid"}
#: Signal → the few words the queue's "why" column shows for it (the full clause is in
#: the detail pane).
SHORT_LABELS = {
    "known_fraud_ip": "IP of a Fraud order", "known_fraud_name": "name of a Fraud order",
    "shared_ip": "shared IP", "promo_farming": "promo farmed", "client_velocity": "client burst",
    "ip_velocity": "IP burst", "high_first_order": "high first order",
    "module_score": "module score", "proxy": "proxy/VPN", "country_mismatch": "country mismatch",
    "distance": "far IP", "new_client": "new client", "free_email": "free e-mail"}
#: Signal → how its related orders are found: (what they share, the rule naming the window,
#: only orders marked Fraud). Signals not listed concern the order alone.
RELATED_BY: dict[str, tuple[str, str | None, bool]] = {
    "known_fraud_ip": ("ip", None, True), "known_fraud_name": ("name", None, True),
    "shared_ip": ("ip", "window", False), "ip_velocity": ("ip", "window", False),
    "client_velocity": ("client", "window", False),
    "promo_farming": ("promo", "promo_window", False)}
_RISK_COLUMNS = ("risk_points", "risk_rank", "risk_reasons")
_WHY_LABELS = 3  # labels shown in the "why" cell; the rest is "+N"


def context_orders(orders: pd.DataFrame, history: pd.DataFrame | None) -> pd.DataFrame:
    """The queue's orders over the history: a row of the queue (fresher) wins.

    Examples
    --------
    >>> old = pd.DataFrame({"id": [1, 2], "status": ["Pending", "Fraud"]})
    >>> context_orders(pd.DataFrame({"id": [1], "status": ["Active"]}), old).values.tolist()
    [[2, 'Fraud'], [1, 'Active']]
    """
    if history is None or history.empty:
        return orders.reset_index(drop=True)
    older = history[~history["id"].isin(orders["id"].tolist())]
    if older.empty:
        return orders.reset_index(drop=True)
    return rules.replace_orders(older, [], orders)


def risk_frame(orders: pd.DataFrame, lines: pd.DataFrame | None = None, *,
               history: pd.DataFrame | None = None,
               risk_rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """:func:`whmcs_frames.risk.signals` over the orders (and the history), indexed by id.

    Parameters
    ----------
    orders : pandas.DataFrame
        The orders the queue read.
    lines : pandas.DataFrame, optional
        Their line items (and the history's), for ``high_first_order``.
    history : pandas.DataFrame, optional
        Orders of every status (``client.orders()``): earlier Fraud orders, first orders
        and bursts are found across it. Rows of ``orders`` replace its rows of the same id.
    risk_rules : mapping, optional
        ``rules`` for :func:`whmcs_frames.risk.signals`.

    Returns
    -------
    pandas.DataFrame
        One row per order of ``orders`` and ``history``, on their ``id``: the signal
        columns, ``risk_points``, ``risk_rank`` (over all of them: 1 = riskiest) and
        ``risk_reasons``.

    Examples
    --------
    >>> o = pd.DataFrame({"id": [5], "date": pd.to_datetime(["2024-05-01"])})
    >>> risk_frame(o).loc[5, "risk_rank"]
    np.int64(1)
    """
    context = context_orders(orders, history)
    if lines is not None and not lines.empty:
        lines = lines[lines["orderid"].isin(context["id"].tolist())]
    found = wf_risk.signals(context, lines if lines is not None and len(lines) else None,
                            rules=risk_rules)
    found = found[found["id"].notna()].drop_duplicates("id", keep="last")
    return found.set_index(found["id"].astype("int64")).drop(columns="id")


def fired_signals(risk: pd.DataFrame, orderid: int) -> list[str]:
    """The signals that fired for an order, in :data:`whmcs_frames.risk.SIGNALS` order.

    Examples
    --------
    >>> risk = pd.DataFrame({"proxy": [True], "shared_ip": [pd.NA]}, index=[4])
    >>> fired_signals(risk, 4), fired_signals(risk, 5)
    (['proxy'], [])
    """
    if orderid not in risk.index:
        return []
    row = risk.loc[orderid]
    return [name for name in wf_risk.SIGNALS
            if name in risk.columns and pd.notna(row[name]) and bool(row[name])]


def signal_clauses(risk: pd.DataFrame, orderid: int) -> dict[str, str]:
    """Each fired signal of an order → its clause of ``risk_reasons``, in full.

    ``risk_reasons`` holds one clause per fired signal, in signal order; should a clause
    itself hold ``"; "`` (a customer's name may), every signal gets the whole text rather
    than a wrong piece.

    Examples
    --------
    >>> risk = pd.DataFrame({"shared_ip": [True], "proxy": [True], "risk_reasons": [
    ...     "3 clients share IP 203.0.113.7 within 24 h; proxy/VPN IP (fraud module)"]},
    ...     index=[9])
    >>> signal_clauses(risk, 9)["proxy"]
    'proxy/VPN IP (fraud module)'
    """
    fired = fired_signals(risk, orderid)
    if not fired:
        return {}
    reasons = risk.at[orderid, "risk_reasons"] if "risk_reasons" in risk.columns else ""
    reasons = "" if pd.isna(reasons) else str(reasons)
    parts = reasons.split("; ")
    if len(parts) != len(fired):
        parts = [reasons] * len(fired)
    return dict(zip(fired, parts, strict=True))


def short_why(risk: pd.DataFrame, *, weights: Mapping[str, float] | None = None,
              labels: int = _WHY_LABELS) -> pd.Series:
    """Each order's fired signals in a few words, heaviest first: the "why" column.

    Parameters
    ----------
    risk : pandas.DataFrame
        :func:`risk_frame`'s output (or :func:`whmcs_frames.risk.signals`').
    weights : mapping, optional
        Signal → points (default: those of :data:`whmcs_frames.risk.DEFAULT_RULES`);
        ties keep the signals' own order.
    labels : int
        Labels shown; the others are counted as ``+N``.

    Examples
    --------
    >>> risk = pd.DataFrame({"new_client": [True, False], "shared_ip": [True, pd.NA],
    ...                      "proxy": [True, False], "free_email": [True, False]})
    >>> short_why(risk).tolist()
    ['shared IP, proxy/VPN, new client +1', '']
    """
    weights = dict(wf_risk.DEFAULT_RULES["weights"], **(weights or {}))
    names = sorted((n for n in wf_risk.SIGNALS if n in risk.columns),
                   key=lambda n: -weights.get(n, 0.0))  # sorted() is stable: ties keep order
    fired = risk[names].fillna(False).astype(bool)

    def words(row: pd.Series) -> str:
        shown = [SHORT_LABELS[n] for n in names if row[n]]
        more = len(shown) - labels
        return ", ".join(shown[:labels]) + (f" +{more}" if more > 0 else "")

    if fired.empty:
        return pd.Series("", index=risk.index, dtype=object)
    return fired.apply(words, axis=1).astype(object)


def sort_queue(orders: pd.DataFrame, risk: pd.DataFrame | None, *, sort: str = "risk"
               ) -> pd.DataFrame:
    """The queue's rows in ``sort`` order, index 0..n-1.

    ``"risk"``: by ``risk_rank`` (1 first; orders without one last), then as ``"score"``
    does; ``"score"``: the fraud module's score high to low, then oldest first
    (:func:`~._review_rules.risk_order`).

    Raises
    ------
    ValidationError
        ``sort`` is neither ``"risk"`` nor ``"score"``.

    Examples
    --------
    >>> o = pd.DataFrame({"id": [1, 2], "fraud_score": [90.0, 5.0],
    ...                   "date": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    >>> risk = pd.DataFrame({"risk_rank": [2, 1]}, index=[1, 2])
    >>> sort_queue(o, risk)["id"].tolist(), sort_queue(o, risk, sort="score")["id"].tolist()
    ([2, 1], [1, 2])
    """
    if sort not in SORTS:
        raise ValidationError("sort", f"one of {', '.join(map(repr, SORTS))}", got=sort)
    by_score = rules.risk_order(orders)
    if sort == "score" or risk is None or "risk_rank" not in risk.columns:
        return by_score.reset_index(drop=True)
    rank = by_score["id"].map(risk["risk_rank"]).astype("Float64")
    order = rank.reset_index(drop=True).sort_values(na_position="last", kind="stable").index
    return by_score.reset_index(drop=True).iloc[order].reset_index(drop=True)


def queue_table(orders: pd.DataFrame, risk: pd.DataFrame | None, *,
                weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """:func:`~._review_rules.queue_table` with ``risk`` and ``why`` after ``client``.

    ``risk`` is the order's ``risk_points`` (what its rank is mostly made of: a rank
    counts every order read, so the queue's would show gaps); ``why`` is
    :func:`short_why`.

    Examples
    --------
    >>> o = pd.DataFrame({"id": [7], "date": pd.to_datetime(["2024-05-01"]), "name": ["Ann"],
    ...     "amount": [8.0], "currency": ["EUR"], "paymentstatus": [None],
    ...     "status": ["Pending"], "fraud_score": [None], "ipaddress": ["1.2.3.4"],
    ...     "n_items": [2]})
    >>> risk = pd.DataFrame({"risk_points": [2.0], "proxy": [True]}, index=[7])
    >>> queue_table(o, risk).loc[0, ["client", "risk", "why"]].tolist()
    ['Ann', '2', 'proxy/VPN']
    """
    table = rules.queue_table(orders)
    ids = orders["id"].reset_index(drop=True)
    if risk is None:
        rank, why = pd.Series("", index=table.index), pd.Series("", index=table.index)
    else:
        shown = risk.reindex(ids.astype("int64").tolist())  # only the rows shown: cheaper
        rank = shown["risk_points"].map(lambda r: "" if pd.isna(r) else f"{r:g}")
        why = short_why(shown, weights=weights).fillna("")
    at = list(table.columns).index("client") + 1
    table.insert(at, "why", why.astype(str).to_numpy())
    table.insert(at, "risk", rank.astype(str).to_numpy())
    return table


def _keys(orders: pd.DataFrame, key: str) -> pd.Series:
    if key == "client":
        return pd.to_numeric(orders["userid"], errors="coerce").astype("Int64").astype("string")
    column = {"ip": "ipaddress", "name": "name", "promo": "promocode"}[key]
    if column not in orders.columns:
        return pd.Series(pd.NA, index=orders.index, dtype="string")
    text = orders[column].astype("string").str.strip().str.casefold()
    if key == "name":
        text = text.str.replace(r"\s+", " ", regex=True)
    return text.mask(text == "")


def sharing(orders: pd.DataFrame, orderid: int, key: str) -> list[int]:
    """Ids of the orders sharing ``orderid``'s IP (``key="ip"``) or client (``"client"``).

    The order itself included, in the frame's row order; ``[]`` when the order is not
    in ``orders`` or has no such value.

    Raises
    ------
    ValidationError
        ``key`` is neither ``"ip"`` nor ``"client"``.

    Examples
    --------
    >>> o = pd.DataFrame({"id": [1, 2, 3], "userid": [5, 5, 6],
    ...                   "ipaddress": ["10.0.0.1", "10.0.0.2", "10.0.0.1"]})
    >>> sharing(o, 3, "ip"), sharing(o, 1, "client")
    ([1, 3], [1, 2])
    """
    if key not in SHARING:
        raise ValidationError("key", f"one of {', '.join(map(repr, SHARING))}", got=key)
    keys = _keys(orders, key)
    mine = keys[orders["id"] == orderid]
    if mine.empty or pd.isna(mine.iloc[0]):
        return []
    return [int(i) for i in orders.loc[keys == mine.iloc[0], "id"].tolist()]


def related_orders(orders: pd.DataFrame, risk: pd.DataFrame, orderid: int, *,
                   risk_rules: Mapping[str, Any] | None = None) -> dict[str, list[int]]:
    """For each signal that fired on ``orderid``: the other orders behind it.

    ``shared_ip`` and ``ip_velocity``: orders on the same IP within ``window``;
    ``client_velocity``: the client's orders within ``window``; ``promo_farming``: orders
    with the same code (any case) within ``promo_window`` on the same IP or by the same
    name; ``known_fraud_ip``/``known_fraud_name``: Fraud orders with the same IP/name.
    Other signals concern the order alone and map to ``[]``.

    Parameters
    ----------
    orders : pandas.DataFrame
        The orders to look in (the queue's orders over the history).
    risk : pandas.DataFrame
        :func:`risk_frame`'s output.
    orderid : int
        The order in the detail pane.
    risk_rules : mapping, optional
        The rules the risk was computed with (for the windows).

    Returns
    -------
    dict of str to list of int
        Fired signal → related order ids, newest first, never ``orderid`` itself.

    Examples
    --------
    >>> o = pd.DataFrame({"id": [1, 2, 3], "userid": [10, 11, 12],
    ...     "ipaddress": ["203.0.113.7"] * 3, "status": ["Pending"] * 3,
    ...     "date": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 11:00", "2024-05-01 12:00"])})
    >>> related_orders(o, risk_frame(o), 2)
    {'shared_ip': [3, 1], 'new_client': []}
    """
    rules_ = {**wf_risk.DEFAULT_RULES, **(risk_rules or {})}
    me = orders[orders["id"] == orderid]
    fired = fired_signals(risk, orderid)
    if me.empty:
        return {name: [] for name in fired}
    when = pd.to_datetime(me["date"].iloc[0])
    dates = pd.to_datetime(orders["date"])
    others = orders["id"] != orderid
    found: dict[str, list[int]] = {}
    for name in fired:
        how = RELATED_BY.get(name)
        if how is None:
            found[name] = []
            continue
        key, window, fraud_only = how
        if key == "promo":  # farmed: the same code on the same IP or by the same name
            keep = others & _same(orders, me, "promo") & (
                _same(orders, me, "ip") | _same(orders, me, "name"))
        else:
            keep = others & _same(orders, me, key)
        if window is not None:
            width = pd.Timedelta(rules_[window])
            keep &= ((dates - when).abs() <= width).fillna(False).astype(bool)
        if fraud_only:
            keep &= orders["status"].astype("string").str.casefold().eq("fraud").fillna(False)
        chosen = orders[keep].assign(_t=dates[keep]).sort_values(["_t", "id"], ascending=False)
        found[name] = [int(i) for i in chosen["id"].tolist()]
    return found


def _same(orders: pd.DataFrame, me: pd.DataFrame, key: str) -> pd.Series:
    keys = _keys(orders, key)
    mine = _keys(me, key).iloc[0]
    if pd.isna(mine):
        return pd.Series(False, index=orders.index)
    return keys.eq(mine).fillna(False).astype(bool)
