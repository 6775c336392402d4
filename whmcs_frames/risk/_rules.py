"""The thresholds every signal is judged by, their defaults and their validation.

Rules are a plain dict so that an analyst can copy :data:`DEFAULT_RULES`, change a number
and pass it back; :func:`resolve_rules` merges what was given over the defaults and
refuses anything it does not know, naming the key, so a typo never silently falls back
to a default.

Example
-------
>>> resolve_rules({"shared_ip_clients": 4})["shared_ip_clients"]
4
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd

from .._exceptions import ValidationError

__all__ = ["DEFAULT_RULES", "SIGNALS", "resolve_rules"]

#: The signal columns, in the order their reasons are written.
SIGNALS = (
    "known_fraud_ip", "known_fraud_name", "shared_ip", "promo_farming", "client_velocity",
    "ip_velocity", "high_first_order", "module_score", "proxy", "country_mismatch", "distance",
    "new_client", "free_email",
)

_WEIGHTS = MappingProxyType({
    "known_fraud_ip": 3.0, "known_fraud_name": 1.5, "shared_ip": 3.0, "promo_farming": 3.0,
    "client_velocity": 2.0, "ip_velocity": 2.0, "high_first_order": 2.0, "module_score": 3.0,
    "proxy": 2.0, "country_mismatch": 1.5, "distance": 1.0, "new_client": 0.5, "free_email": 0.5,
})

#: Thresholds and weights; pass a dict with some of these keys as ``rules=`` to change them.
DEFAULT_RULES: Mapping[str, Any] = MappingProxyType({
    "window": "24h",              # shared IP and velocity: orders within this of each other
    "shared_ip_clients": 3,       # distinct clients on one IP within `window`
    "client_orders": 3,           # orders by one client within `window`
    "ip_orders": 5,               # orders from one IP within `window`
    "new_client_days": 7,         # clients frame: created at most this many days before
    "first_order_multiple": 3.0,  # a new client's order ≥ this times its product's median
    "promo_clients": 2,           # new clients using one code on one IP or name
    "promo_window": "30D",        # ... within this of each other
    "distance_km": 2000.0,        # module: IP this far from the billing address
    "module_score": 70.0,         # module: score at or above this
    "flag_points": 3.0,           # combined: risk_points at or above this are flagged
    "weights": _WEIGHTS,          # points each signal adds to risk_points
})

_COUNTS = ("shared_ip_clients", "client_orders", "ip_orders", "promo_clients")
_NUMBERS = ("new_client_days", "first_order_multiple", "distance_km", "module_score",
            "flag_points")
_WINDOWS = ("window", "promo_window")


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ValidationError(f"rules[{key!r}]", "a whole number of 2 or more", got=value)
    return value


def _number(parameter: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValidationError(parameter, "a number of 0 or more", got=value)
    return float(value)


def _window(key: str, value: Any) -> pd.Timedelta:
    try:
        window = pd.Timedelta(value)
    except (TypeError, ValueError):
        window = pd.NaT
    if window is pd.NaT or window <= pd.Timedelta(0):
        raise ValidationError(f"rules[{key!r}]",
                              "a positive duration such as '24h', '7D' or a Timedelta",
                              got=value)
    return window


def _weights(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValidationError("rules['weights']", "a dict of signal name → points",
                              got=type(value).__name__)
    unknown = sorted(set(value) - set(SIGNALS), key=str)
    if unknown:
        raise ValidationError("rules['weights']", f"signal names among {', '.join(SIGNALS)}",
                              got=", ".join(map(str, unknown)))
    merged = dict(_WEIGHTS)
    for name, points in value.items():
        merged[name] = _number(f"rules['weights'][{name!r}]", points)
    return merged


def resolve_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """``rules`` over :data:`DEFAULT_RULES`, checked; windows become ``Timedelta``.

    Parameters
    ----------
    rules : mapping or None
        Some of the keys of :data:`DEFAULT_RULES`. ``weights`` may name only the signals
        whose points change.

    Returns
    -------
    dict
        Every key, validated.

    Raises
    ------
    ValidationError
        An unknown key, or a value of the wrong kind (the message names the key).

    Examples
    --------
    >>> r = resolve_rules({"window": "6h", "weights": {"free_email": 0}})
    >>> str(r["window"]), r["weights"]["free_email"], r["weights"]["proxy"]
    ('0 days 06:00:00', 0.0, 2.0)
    """
    if rules is None:
        rules = {}
    if not isinstance(rules, Mapping):
        raise ValidationError("rules", "a dict of thresholds (see wf.risk.DEFAULT_RULES)",
                              got=type(rules).__name__)
    unknown = sorted(set(rules) - set(DEFAULT_RULES), key=str)
    if unknown:
        raise ValidationError("rules", f"keys among {', '.join(DEFAULT_RULES)}",
                              got=", ".join(map(str, unknown)))
    merged = {**DEFAULT_RULES, **rules}
    resolved: dict[str, Any] = {key: _count(key, merged[key]) for key in _COUNTS}
    resolved.update({key: _number(f"rules[{key!r}]", merged[key]) for key in _NUMBERS})
    resolved.update({key: _window(key, merged[key]) for key in _WINDOWS})
    resolved["weights"] = _weights(merged["weights"])
    return resolved
