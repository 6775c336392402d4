"""The three frames the signals read, checked and reduced to what the signals compare.

Only ``id`` and ``date`` are required of the orders; every other column a signal needs
is optional, and a signal whose column is absent is NA. Text is normalised once here
(IP addresses stripped, names case-folded with runs of spaces collapsed, empty → NA), so
``"Alex  Morgan"`` and ``"alex morgan"`` are the same person to every signal.

Example
-------
>>> o = prepare_orders(pd.DataFrame({"id": [1], "date": ["2024-05-01 10:00"],
...                                  "ipaddress": [" 192.0.2.1 "], "name": ["Alex  MORGAN"]}))
>>> o.loc[0, ["ip", "name_key"]].tolist()
['192.0.2.1', 'alex morgan']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._exceptions import ValidationError

__all__ = ["prepare_clients", "prepare_lines", "prepare_orders"]

#: orders column → prepared column (the optional ones; absent stays absent).
_OPTIONAL = {"userid": "user", "status": "status", "promocode": "promo",
             "fraud_score": "score", "fraud_proxy": "proxy", "fraud_free_email": "free_email",
             "fraud_country_match": "country_match", "fraud_distance_km": "distance",
             "fraud_country": "ip_country"}


def _frame(value: Any, parameter: str, what: str) -> pd.DataFrame:
    if not isinstance(value, pd.DataFrame):
        raise ValidationError(parameter, f"a DataFrame of {what}", got=type(value).__name__)
    return value


def _require(frame: pd.DataFrame, parameter: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(parameter, f"a frame with the columns {', '.join(columns)}",
                              got=f"no {', '.join(missing)} column")


def _text(column: pd.Series) -> pd.Series:
    text = column.astype("string").str.strip()
    return text.mask(text == "")


def _name_key(column: pd.Series) -> pd.Series:
    return _text(column).str.casefold().str.replace(r"\s+", " ", regex=True)


def _times(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    # Hand-typed frames mix "2024-05-01" and "2024-05-01 10:00"; each is read as it is.
    return pd.to_datetime(column, errors="coerce", format="mixed")


def _flag(column: pd.Series) -> pd.Series:
    try:
        return column.astype("boolean")
    except (TypeError, ValueError) as error:
        raise ValidationError(f"orders[{column.name!r}]", "True/False/NA flags",
                              got=str(error)) from None


def prepare_orders(orders: Any) -> pd.DataFrame:
    """The orders' comparable columns: ``id, t`` and whichever optional ones exist.

    Parameters
    ----------
    orders : pandas.DataFrame
        At least ``id`` and ``date``; ``userid``, ``ipaddress``, ``name``, ``status``,
        ``promocode``, ``fraud_score``, ``fraud_proxy``, ``fraud_free_email``,
        ``fraud_country_match``, ``fraud_distance_km`` and ``fraud_country`` when known.

    Returns
    -------
    pandas.DataFrame
        On a ``RangeIndex`` (the orders' positions): ``id``, ``t`` (datetime), and
        ``user``, ``ip``, ``name``, ``name_key``, ``status`` (case-folded), ``promo``,
        ``score`` … for the columns given.

    Raises
    ------
    ValidationError
        Not a DataFrame, or no ``id``/``date`` column.
    """
    orders = _frame(orders, "orders", "orders (client.orders())")
    _require(orders, "orders", ("id", "date"))
    # Work on positions: the caller's index may repeat labels; signals() puts it back.
    orders = orders.reset_index(drop=True)
    out = pd.DataFrame(index=orders.index)
    out["id"] = pd.to_numeric(orders["id"], errors="coerce").astype("Int64")
    out["t"] = _times(orders["date"])
    for source, target in _OPTIONAL.items():
        if source not in orders.columns:
            continue
        column = orders[source]
        if target == "user":
            out[target] = pd.to_numeric(column, errors="coerce").astype("Int64")
        elif target in ("score", "distance"):
            out[target] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif target in ("proxy", "free_email", "country_match"):
            out[target] = _flag(column)
        else:
            out[target] = _text(column)
    if "status" in out:
        out["status"] = out["status"].str.casefold()
    if "ipaddress" in orders.columns:
        out["ip"] = _text(orders["ipaddress"])
    if "name" in orders.columns:
        out["name"] = _text(orders["name"])
        out["name_key"] = _name_key(orders["name"])
    return out


def prepare_lines(lines: Any) -> pd.DataFrame | None:
    """Line items reduced to ``orderid, product, billingcycle, currency, amount``.

    ``type``, ``billingcycle`` and ``currency`` are optional (grouped on when present).

    Raises
    ------
    ValidationError
        Not a DataFrame, or no ``orderid``/``product``/``amount`` column.
    """
    if lines is None:
        return None
    lines = _frame(lines, "lines", "order lines (client.order_lines())")
    _require(lines, "lines", ("orderid", "product", "amount"))
    # Grouping keys only: taken as the frame spells them (frames are already tidy).
    out = pd.DataFrame({
        "orderid": pd.to_numeric(lines["orderid"], errors="coerce").astype("Int64"),
        "product": lines["product"].astype("string"),
        "amount": pd.to_numeric(lines["amount"], errors="coerce").astype("float64"),
    })
    for column in ("type", "billingcycle", "currency"):
        out[column] = lines[column].astype("string") if column in lines.columns else \
            pd.Series("", index=lines.index, dtype="string")
    return out.reset_index(drop=True)


def prepare_clients(clients: Any) -> pd.DataFrame | None:
    """Clients as ``user`` → ``created`` (datetime) and ``country`` (when given).

    The client id is read from ``userid`` when the frame has it, else from ``id``.

    Raises
    ------
    ValidationError
        Not a DataFrame, no id column, neither ``datecreated`` nor ``country``, or one
        client id on two rows.
    """
    if clients is None:
        return None
    clients = _frame(clients, "clients", "clients (one row per client)")
    key = "userid" if "userid" in clients.columns else "id"
    if key not in clients.columns or not {"datecreated", "country"} & set(clients.columns):
        raise ValidationError("clients", "a frame with an id (or userid) column and "
                              "datecreated and/or country",
                              got=f"columns {', '.join(map(str, clients.columns))}")
    out = pd.DataFrame({"user": pd.to_numeric(clients[key], errors="coerce").astype("Int64")})
    if "datecreated" in clients.columns:
        out["created"] = _times(clients["datecreated"]).to_numpy()
    if "country" in clients.columns:
        out["country"] = _text(clients["country"]).str.upper().to_numpy()
    out = out[out["user"].notna()]
    if out["user"].duplicated().any():
        dupes = out.loc[out["user"].duplicated(), "user"].head(3).tolist()
        raise ValidationError("clients", "one row per client", got=f"ids {dupes} repeated")
    return out.set_index("user")
