"""How well each signal separates orders already decided: Fraud against Active/Cancelled.

An analyst's own history is the test set: orders marked Fraud are the positives, orders
Active or Cancelled the negatives, anything still open is left out. Each signal is
judged at the thresholds in ``rules``, so changing a rule and evaluating again shows what
the change buys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import ValidationError
from ._combine import signals
from ._reasons import TIMES, duration
from ._rules import SIGNALS, resolve_rules

__all__ = ["evaluate"]

_COLUMNS = ("signal", "rule", "weight", "evaluated", "flagged", "fraud_flagged",
            "precision", "recall")


def _rule_words(rules: dict[str, Any]) -> dict[str, str]:
    w, pw = duration(rules["window"]), duration(rules["promo_window"])
    return {
        "known_fraud_ip": "IP of another client's earlier Fraud order",
        "known_fraud_name": "name of another client's earlier Fraud order",
        "shared_ip": f"≥ {rules['shared_ip_clients']} clients on one IP within {w}",
        "promo_farming": f"≥ {rules['promo_clients']} new clients, one code, one IP or name "
                         f"within {pw}",
        "client_velocity": f"≥ {rules['client_orders']} orders by one client within {w}",
        "ip_velocity": f"≥ {rules['ip_orders']} orders from one IP within {w}",
        "high_first_order": f"new client, ≥ {rules['first_order_multiple']:g}{TIMES} the "
                            "product's median",
        "module_score": f"fraud score ≥ {rules['module_score']:g}",
        "proxy": "module: proxy/VPN",
        "country_mismatch": "IP country ≠ billing country",
        "distance": f"IP ≥ {rules['distance_km']:g} km from billing address",
        "new_client": f"first order, or created ≤ {rules['new_client_days']:g} days before",
        "free_email": "module: free e-mail",
    }


def _row(name: str, rule: str, weight: float, flag: pd.Series, fraud: np.ndarray
         ) -> dict[str, Any]:
    evaluated = flag.notna().to_numpy()
    fired = flag.fillna(False).to_numpy(dtype=bool)
    flagged, hits = int(fired.sum()), int((fired & fraud).sum())
    positives = int(fraud.sum())
    return {"signal": name, "rule": rule, "weight": weight, "evaluated": int(evaluated.sum()),
            "flagged": flagged, "fraud_flagged": hits,
            "precision": hits / flagged if flagged else np.nan,
            "recall": hits / positives if positives else np.nan}


def evaluate(orders: pd.DataFrame, lines: pd.DataFrame | None = None,
             clients: pd.DataFrame | None = None, *, rules: Mapping[str, Any] | None = None,
             fraud: str = "Fraud", legitimate: tuple[str, ...] = ("Active", "Cancelled")
             ) -> pd.DataFrame:
    """Precision and recall of every signal, and of the combined rank, on decided orders.

    Signals are computed over all ``orders`` (so context such as shared IPs is complete),
    then judged on the decided ones only.

    Parameters
    ----------
    orders, lines, clients, rules
        As for :func:`signals`; ``orders`` needs a ``status`` column.
    fraud : str
        The status of orders known to be fraud (compared case-insensitively).
    legitimate : tuple of str
        Statuses of orders known not to be (Cancelled ones were refused for other reasons).

    Returns
    -------
    pandas.DataFrame
        One row per signal, then ``risk_flagged`` (risk points ≥ ``flag_points``) and
        ``risk_rank`` (the top *n* of the rank, *n* = the number of Fraud orders), with
        ``signal, rule, weight, evaluated`` (decided orders where the signal could be
        computed), ``flagged``, ``fraud_flagged``, ``precision`` (``fraud_flagged /
        flagged``) and ``recall`` (``fraud_flagged /`` every decided Fraud order — an
        order the signal could not judge counts as missed). ``attrs`` holds ``decided``
        and ``fraud`` counts.

    Raises
    ------
    ValidationError
        No ``status`` column, or the other inputs' problems as in :func:`signals`.

    Examples
    --------
    >>> import whmcs_frames as wf
    >>> table = wf.risk.evaluate(client.orders(), client.order_lines())  # doctest: +SKIP
    >>> table.set_index("signal")[["precision", "recall"]]  # doctest: +SKIP
    """
    if not isinstance(orders, pd.DataFrame) or "status" not in orders.columns:
        raise ValidationError("orders", "a DataFrame of orders with a status column",
                              got=type(orders).__name__ if not isinstance(
                                  orders, pd.DataFrame) else "no status column")
    resolved = resolve_rules(rules)
    found = signals(orders, lines, clients, rules=rules)
    status = orders["status"].astype("string").str.strip().str.casefold()
    is_fraud = status.eq(fraud.casefold()).fillna(False)
    decided = (is_fraud | status.isin([s.casefold() for s in legitimate])).fillna(False)
    found, positives = found[decided.to_numpy()], is_fraud[decided].to_numpy(dtype=bool)
    words = _rule_words(resolved)
    rows = [_row(name, words[name], resolved["weights"][name], found[name], positives)
            for name in SIGNALS]
    rows.append(_row("risk_flagged", f"risk points ≥ {resolved['flag_points']:g}", np.nan,
                     found["risk_flagged"], positives))
    top = int(positives.sum())
    in_top = found["risk_rank"].rank(method="first").le(top) if top else \
        pd.Series(False, index=found.index)
    rows.append(_row("risk_rank", f"top {top} by risk_rank", np.nan,
                     in_top.astype("boolean"), positives))
    table = pd.DataFrame(rows, columns=list(_COLUMNS))
    table.attrs.update(decided=len(found), fraud=top)
    return table
