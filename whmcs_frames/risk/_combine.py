"""One row per order: every signal, the points they add up to, the rank and the reasons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._inputs import prepare_clients, prepare_lines, prepare_orders
from ._reasons import join_reasons
from ._rules import SIGNALS, resolve_rules
from ._signals import SIGNAL_FUNCTIONS, Inputs

__all__ = ["signals"]


def _rank(points: pd.Series, orders: pd.DataFrame) -> pd.Series:
    # Most points first; then the module's score, then the newest order, then the id.
    score = orders["score"] if "score" in orders.columns else pd.Series(np.nan, orders.index)
    keys = pd.DataFrame({"points": points, "score": score.fillna(-1.0),
                         "t": orders["t"], "id": orders["id"]})
    order = keys.sort_values(["points", "score", "t", "id"], ascending=False,
                             na_position="last", kind="stable").index
    rank = pd.Series(np.arange(1, len(order) + 1), index=order)
    return rank.reindex(orders.index).astype("Int64")


def signals(orders: pd.DataFrame, lines: pd.DataFrame | None = None,
            clients: pd.DataFrame | None = None, *,
            rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Explainable fraud signals across orders, one row per order.

    Pass the whole order history (not only the Pending orders): shared IPs, velocity,
    first orders and earlier Fraud orders are found across it.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``client.orders()``. Needs ``id`` and ``date``; uses ``userid``, ``ipaddress``,
        ``name``, ``status``, ``promocode``, ``fraud_score``, ``fraud_proxy``,
        ``fraud_free_email``, ``fraud_country_match``, ``fraud_distance_km`` and
        ``fraud_country`` when present.
    lines : pandas.DataFrame, optional
        ``client.order_lines()`` (``orderid, product, amount``; ``type``,
        ``billingcycle``, ``currency`` when present), for ``high_first_order``.
    clients : pandas.DataFrame, optional
        One row per client: ``id`` (or ``userid``) and ``datecreated`` and/or
        ``country`` (billing). Without it a new client is one whose first order in
        ``orders`` this is, and the billing country comes only from the fraud module.
    rules : dict, optional
        Thresholds and weights over :data:`DEFAULT_RULES`.

    Returns
    -------
    pandas.DataFrame
        On ``orders``' index: ``id``; one nullable-boolean column per signal (NA where its
        input is missing); ``risk_points`` (the weights of the signals that fired);
        ``risk_flagged`` (points ≥ ``rules["flag_points"]``); ``risk_rank`` (1 = the
        riskiest; ties go to the higher module score, then the newer order); and
        ``risk_reasons``, the fired signals in plain words, ``"; "``-separated.

    Raises
    ------
    ValidationError
        A frame that is not a DataFrame or lacks required columns, or a bad rule
        (the message names the parameter or rule key).

    Examples
    --------
    >>> import whmcs_frames as wf
    >>> orders = pd.DataFrame({
    ...     "id": [1, 2, 3], "userid": [10, 11, 12], "ipaddress": ["203.0.113.7"] * 3,
    ...     "date": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 11:00",
    ...                             "2024-05-01 12:00"])})
    >>> found = wf.risk.signals(orders)
    >>> found.loc[0, "risk_reasons"]
    '3 clients share IP 203.0.113.7 within 24 h; first order of client 10 in these orders'
    >>> bool(found["proxy"].isna().all())  # no fraud module output: unknown, not False
    True
    """
    rules = resolve_rules(rules)
    prepared = prepare_orders(orders)
    inputs = Inputs(prepared, prepare_lines(lines), prepare_clients(clients), rules)
    flags: dict[str, pd.Series] = {}
    clauses: dict[str, pd.Series] = {}
    for name in SIGNALS:
        flags[name], clauses[name] = SIGNAL_FUNCTIONS[name](inputs)
    out = pd.DataFrame({"id": prepared["id"], **flags}, index=prepared.index)
    points = pd.Series(0.0, index=prepared.index)
    for name in SIGNALS:
        points += flags[name].fillna(False).astype("float64") * rules["weights"][name]
    out["risk_points"] = points
    out["risk_flagged"] = (points >= rules["flag_points"]).astype("boolean")
    out["risk_rank"] = _rank(points, prepared)
    out["risk_reasons"] = join_reasons(flags, clauses, prepared.index)
    out.index = orders.index
    return out
