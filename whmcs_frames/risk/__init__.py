"""Fraud signals that show only across orders, explained in plain words, and their track record.

The fraud module judges one order at a time. :func:`signals` looks across the whole
order history for what it misses — one IP behind many new clients, a burst of orders,
a first order far above what the product sells for, a promotion code farmed by fresh
accounts, a repeat of an IP or name already marked Fraud — beside the module's own
flags and score, and says in words why each order stands out. :func:`evaluate` shows
how well each signal would have separated the orders already decided, so the
thresholds in ``rules`` (defaults in :data:`DEFAULT_RULES`) can be tuned on your own
history. Pure functions over frames: no network, no learning library.

Examples
--------
>>> import whmcs_frames as wf
>>> orders, lines = client.orders(), client.order_lines()  # doctest: +SKIP
>>> risky = wf.risk.signals(orders, lines)  # doctest: +SKIP
>>> orders.join(risky[["risk_rank", "risk_reasons"]]).sort_values("risk_rank")  # doctest: +SKIP
>>> wf.risk.evaluate(orders, lines, rules={"shared_ip_clients": 2})  # doctest: +SKIP
"""

from __future__ import annotations

from ._combine import signals
from ._evaluate import evaluate
from ._rules import DEFAULT_RULES, SIGNALS

__all__ = ["DEFAULT_RULES", "SIGNALS", "evaluate", "signals"]
