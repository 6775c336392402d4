"""One currency for finance, with rates the analyst gives: never fetched, never guessed."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import pandas as pd

from .._exceptions import ValidationError
from ._grouping import as_labels, money, require_columns

__all__ = ["MONEY_COLUMNS", "convert"]

#: Columns holding money, converted when present.
MONEY_COLUMNS = ("amount", "revenue", "price", "setup_fee", "value", "promovalue")


def _rates(rates: object, to: str) -> dict[str, float]:
    if not isinstance(rates, Mapping):
        raise ValidationError("rates", "a mapping of currency code to its rate in `to`, "
                              "e.g. {'EUR': 1.08}", got=rates)
    checked: dict[str, float] = {}
    for code, rate in rates.items():
        if not isinstance(code, str) or not code.strip():
            raise ValidationError("rates", "currency codes as keys", got=code)
        if (isinstance(rate, bool) or not isinstance(rate, numbers.Real)
                or not math.isfinite(rate) or rate <= 0):
            raise ValidationError(f"rates[{code!r}]", "a positive number", got=rate)
        checked[code.strip().upper()] = float(rate)
    checked.setdefault(to, 1.0)
    if checked[to] != 1.0:
        raise ValidationError(f"rates[{to!r}]", f"1 (the target currency {to})",
                              got=checked[to])
    return checked


def convert(frame: pd.DataFrame, *, rates: Mapping[str, float], to: str) -> pd.DataFrame:
    """Add each money column converted into one currency, at the rates given.

    Money is never summed across currencies by this toolkit; finance still wants one
    total, at rates it chooses. Each money column present (``amount``, ``revenue``,
    ``price``, ``setup_fee``, ``value``, ``promovalue``) gets a converted twin named
    ``<column>_<to>`` (``revenue_usd``). The rates are recorded in
    ``result.attrs["conversion"]`` (and in a bundle's manifest).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame or report with a ``currency`` column and money columns.
    rates : mapping of str to float
        How much one unit of each currency is worth in ``to`` (``{"EUR": 1.08}``: one
        euro is 1.08 dollars). ``to`` itself is 1. Nothing is looked up anywhere.
    to : str
        The ISO code to convert into.

    Returns
    -------
    pandas.DataFrame
        A copy with the converted columns added; rows without a currency get NaN.

    Raises
    ------
    ValidationError
        A currency in the frame has no rate (it is named), or a rate is not positive.

    Examples
    --------
    >>> df = pd.DataFrame({"currency": ["USD", "EUR"], "revenue": [10.0, 100.0]})
    >>> convert(df, rates={"EUR": 1.08}, to="USD")["revenue_usd"].tolist()
    [10.0, 108.0]
    """
    if not isinstance(to, str) or len(to.strip()) != 3:
        raise ValidationError("to", "an ISO currency code such as 'USD'", got=to)
    to = to.strip().upper()
    table = _rates(rates, to)
    require_columns(frame, ("currency",), name="frame", what="a frame")
    codes = as_labels(frame["currency"]).str.upper()
    present = set(codes) - {"(NONE)"}
    missing = sorted(present - set(table))
    if missing:
        raise ValidationError("rates", f"a rate into {to} for every currency in the frame",
                              got_text="no rate for " + ", ".join(missing))
    columns = [c for c in MONEY_COLUMNS if c in frame.columns]
    if not columns:
        raise ValidationError("frame", "a frame with a money column (" +
                              ", ".join(MONEY_COLUMNS) + ")",
                              got_text=f"columns {list(map(str, frame.columns))}")
    factor = codes.map(table).astype("float64")
    out = frame.copy()
    for column in columns:
        converted = money(frame[column].astype("float64") * factor.to_numpy())
        out.insert(out.columns.get_loc(column) + 1, f"{column}_{to.lower()}", converted)
    out.attrs["conversion"] = {"to": to, "rates": {c: table[c] for c in sorted(table)},
                               "columns": columns}
    return out
