"""The signals: patterns across orders that one order's fraud check cannot see.

Each ``_signal`` function takes the prepared inputs and the resolved rules and returns a
nullable boolean flag per order and the clause explaining it. A flag is NA where the
signal's input is missing — no column, no lines or clients frame, or an empty value on
that order — because "could not tell" is not "looked and found nothing".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._reasons import duration, times
from ._windows import earlier_marked, window_counts

__all__ = ["SIGNAL_FUNCTIONS", "Inputs"]

Flag = tuple[pd.Series, pd.Series]  # (boolean flag, string clause), on the orders' index
_MIN_MEDIAN_LINES = 3  # fewer sales than this and a product's median price means little


@dataclass
class Inputs:
    """What the signals read: prepared orders, lines and clients, and resolved rules."""

    orders: pd.DataFrame
    lines: pd.DataFrame | None
    clients: pd.DataFrame | None
    rules: dict[str, Any]
    new: Flag | None = None  # new_client, computed once and shared


def _na(inputs: Inputs) -> Flag:
    index = inputs.orders.index
    return (pd.Series(pd.NA, index=index, dtype="boolean"),
            pd.Series(pd.NA, index=index, dtype="string"))


def _flag(values: Any, known: Any, index: pd.Index) -> pd.Series:
    flag = pd.Series(np.asarray(values, dtype=bool), index=index, dtype="boolean")
    return flag.mask(~np.asarray(known, dtype=bool))


def _words(parts: list[Any], index: pd.Index, only: Any = None) -> pd.Series:
    """Concatenate strings and Series element-wise into a ``string`` clause column.

    With ``only`` (a boolean mask), just those rows: clauses are read only where a
    signal fired, and building text for every order would cost more than the signal.
    """
    if only is not None:
        index = index[pd.Series(only, index=index).fillna(False).to_numpy(dtype=bool)]
    text = pd.Series("", index=index, dtype="string")
    for part in parts:
        if isinstance(part, pd.Series):
            text = text + part.reindex(index).astype("string")
        else:
            text = text + str(part)
    return text


def _client_column(orders: pd.DataFrame, clients: pd.DataFrame, column: str) -> pd.Series:
    """The clients frame's ``column`` for each order's client (NA when not listed)."""
    users = orders[["user"]]
    found = users.merge(clients[[column]], left_on="user", right_index=True, how="left")
    return found[column].set_axis(users.index)


def _has(inputs: Inputs, *columns: str) -> bool:
    return all(c in inputs.orders.columns for c in columns)


# -- across orders ----------------------------------------------------------------------

def shared_ip(inputs: Inputs) -> Flag:
    """Distinct clients on the order's IP within ``window``."""
    o, r = inputs.orders, inputs.rules
    if not _has(inputs, "ip", "user"):
        return _na(inputs)
    _, clients = window_counts(o["ip"], o["t"], r["window"], o["user"])
    flag = _flag(clients >= r["shared_ip_clients"], ~np.isnan(clients), o.index)
    clause = _words([pd.Series(clients, index=o.index).astype("Int64"), " clients share IP ",
                     o["ip"], f" within {duration(r['window'])}"], o.index, flag)
    return flag, clause


def _velocity(inputs: Inputs, key: str, rule: str, words: str) -> Flag:
    """Orders sharing the order's ``key`` column within ``window``, flagged at ``rule``."""
    o, r = inputs.orders, inputs.rules
    if not _has(inputs, key):
        return _na(inputs)
    count, _ = window_counts(o[key], o["t"], r["window"])
    flag = _flag(count >= r[rule], ~np.isnan(count), o.index)
    clause = _words([pd.Series(count, index=o.index).astype("Int64"), words,
                     o[key], f" within {duration(r['window'])}"], o.index, flag)
    return flag, clause


def client_velocity(inputs: Inputs) -> Flag:
    """Orders by the order's client within ``window``."""
    return _velocity(inputs, "user", "client_orders", " orders from client ")


def ip_velocity(inputs: Inputs) -> Flag:
    """Orders from the order's IP within ``window``."""
    return _velocity(inputs, "ip", "ip_orders", " orders from IP ")


def new_client(inputs: Inputs) -> Flag:
    """Created within ``new_client_days`` (clients frame), else the first order given."""
    if inputs.new is not None:
        return inputs.new
    o, r = inputs.orders, inputs.rules
    clients = inputs.clients
    if not _has(inputs, "user"):
        inputs.new = _na(inputs)
    elif clients is not None and "created" in clients.columns:
        created = pd.to_datetime(_client_column(o, clients, "created"))
        age = (o["t"] - created).dt.total_seconds() / 86400
        # datecreated is a day, the order a moment of it: a day's slack before it.
        new = (age >= -1) & (age <= r["new_client_days"])
        days = np.floor(age.clip(lower=0)).astype("Int64")
        clause = _words(["new client (created ", days, " days before; clients frame)"],
                        o.index, new).str.replace("created 0 days before", "created that day")
        clause = clause.str.replace("created 1 days", "created 1 day", regex=False)
        inputs.new = _flag(new.fillna(False), age.notna(), o.index), clause
    else:
        known = o["user"].notna() & o["t"].notna()
        ranked = o[known].sort_values(["t", "id"], kind="stable")
        first = ~ranked["user"].duplicated()
        new = first.reindex(o.index, fill_value=False)
        clause = _words(["first order of client ", o["user"], " in these orders"], o.index,
                        new)
        inputs.new = _flag(new, known, o.index), clause
    return inputs.new


def high_first_order(inputs: Inputs) -> Flag:
    """A new client's order at ``first_order_multiple`` times its product's median or more."""
    lines, r = inputs.lines, inputs.rules
    if lines is None:
        return _na(inputs)
    o = inputs.orders
    group = ["type", "product", "billingcycle", "currency"]
    priced = lines[lines["amount"].notna() & lines["product"].notna()]
    stats = priced.groupby(group, dropna=False)["amount"].agg(["median", "size"])
    per_order = priced.groupby(["orderid", *group], dropna=False)["amount"].sum()
    per_order = per_order.reset_index().join(stats, on=group)
    usable = (per_order["size"] >= _MIN_MEDIAN_LINES) & (per_order["median"] > 0)
    per_order = per_order[usable].assign(ratio=lambda f: f["amount"] / f["median"])
    top = per_order.sort_values("ratio", ascending=False).drop_duplicates("orderid")
    top = top.set_index("orderid")
    ratio = o["id"].map(top["ratio"]).astype("float64")
    is_new, _ = new_client(inputs)
    high = (ratio >= r["first_order_multiple"]).to_numpy()
    # Not new: False whatever the price. New: needs a priced line to tell.
    known = is_new.notna() & (~is_new.fillna(True) | ratio.notna())
    flag = _flag(is_new.fillna(False).to_numpy() & high, known, o.index)
    label = o["id"].map(top["product"] + " (" + top["billingcycle"].fillna("") + ", "
                        + top["currency"].fillna("") + ")")
    clause = _words(["first order ", ratio[flag.fillna(False)].map(times),
                     " the median price of ", label], o.index, flag)
    return flag, clause.str.replace(" (, )", "", regex=False)


def promo_farming(inputs: Inputs) -> Flag:
    """One code used by ``promo_clients`` new clients sharing an IP or a name."""
    o, r = inputs.orders, inputs.rules
    if not _has(inputs, "promo", "user") or not ({"ip", "name_key"} & set(o.columns)):
        return _na(inputs)
    is_new, _ = new_client(inputs)
    candidate = o["promo"].notna() & is_new.fillna(False)
    best = pd.Series(0.0, index=o.index)
    clause = pd.Series(pd.NA, index=o.index, dtype="string")
    code = o["promo"].str.upper()
    for column, word in (("ip", "on IP "), ("name_key", "named ")):
        if column not in o.columns:
            continue
        keys = (code + "\x1f" + o[column]).where(candidate)
        _, clients = window_counts(keys, o["t"], r["promo_window"], o["user"])
        clients = pd.Series(clients, index=o.index).fillna(0)
        shown = o["ip"] if column == "ip" else o["name"]
        better = clients > best
        clause = clause.mask(better, _words(["code ", code, " used by ", clients.astype(int),
                                             " new clients ", word, shown,
                                             f" within {duration(r['promo_window'])}"],
                                            o.index, better))
        best = best.where(~better, clients)
    no_promo = o["promo"].isna()
    known = no_promo | is_new.notna()
    flag = _flag(candidate.to_numpy() & (best >= r["promo_clients"]).to_numpy(), known,
                 o.index)
    return flag, clause


def _known_fraud(column: str, word: str) -> Callable[[Inputs], Flag]:
    def signal(inputs: Inputs) -> Flag:
        o = inputs.orders
        if "status" not in o.columns or column not in o.columns:
            return _na(inputs)
        marked = o["status"].eq("fraud").fillna(False).to_numpy(dtype=bool)
        before = earlier_marked(o[column], o["t"], o["id"], marked, o.get("user"))
        known = o[column].notna() & o["t"].notna()
        shown = o["ip"] if column == "ip" else o["name"]
        clause = _words([word, shown, " also on Fraud order ", before, " (another client)"],
                        o.index, before.notna())
        return before.notna().astype("boolean").mask(~known), clause

    signal.__doc__ = f"The order's {word.strip()} is on another client's earlier Fraud order."
    return signal


# -- the fraud module's own output ------------------------------------------------------

def module_score(inputs: Inputs) -> Flag:
    """The fraud module's score at or above ``module_score``."""
    o, r = inputs.orders, inputs.rules
    if "score" not in o.columns:
        return _na(inputs)
    flag = _flag(o["score"] >= r["module_score"], o["score"].notna(), o.index)
    return flag, _words(["fraud module scored ", o["score"].round(1).astype("string")
                         .str.replace(r"\.0$", "", regex=True)], o.index, flag)


def _module_flag(column: str, words: str) -> Callable[[Inputs], Flag]:
    def signal(inputs: Inputs) -> Flag:
        o = inputs.orders
        if column not in o.columns:
            return _na(inputs)
        return (o[column].copy(),
                pd.Series(words, index=o.index, dtype="string"))

    signal.__doc__ = f"The fraud module's {column} flag."
    return signal


def country_mismatch(inputs: Inputs) -> Flag:
    """The IP's country is not the billing country (module flag, or clients' country)."""
    o, clients = inputs.orders, inputs.clients
    module = o["country_match"].eq(False) if "country_match" in o.columns else None
    ip_country = o["ip_country"].str.upper() if "ip_country" in o.columns else None
    billing = None
    if clients is not None and "country" in clients.columns and _has(inputs, "user"):
        billing = _client_column(o, clients, "country").astype("string")
    compared = ip_country.ne(billing) if ip_country is not None and billing is not None \
        else None
    known = [s for s in (module, compared) if s is not None]
    if not known:
        return _na(inputs)
    flag = known[0] if len(known) == 1 else known[0] | known[1]  # Kleene: True wins over NA
    if ip_country is not None and billing is not None:
        clause = _words(["IP in ", ip_country, ", billing address in ", billing], o.index,
                        flag)
        fallback = _words(["IP in ", ip_country, ", not the billing country (fraud module)"],
                          o.index, flag)
        clause = clause.fillna(fallback)
    elif ip_country is not None:
        clause = _words(["IP in ", ip_country, ", not the billing country (fraud module)"],
                        o.index, flag)
    else:
        clause = pd.Series("IP not in the billing country (fraud module)", index=o.index)
    clause = clause.fillna("IP not in the billing country (fraud module)")
    return flag.astype("boolean"), clause.astype("string")


def distance(inputs: Inputs) -> Flag:
    """The IP at ``distance_km`` or more from the billing address (module)."""
    o, r = inputs.orders, inputs.rules
    if "distance" not in o.columns:
        return _na(inputs)
    flag = _flag(o["distance"] >= r["distance_km"], o["distance"].notna(), o.index)
    km = o["distance"].map(lambda d: f"{d:,.0f}" if d == d else "")
    return flag, _words(["IP ", km, " km from the billing address"], o.index, flag)


#: Signal name → function, in :data:`~._rules.SIGNALS` order.
SIGNAL_FUNCTIONS: dict[str, Callable[[Inputs], Flag]] = {
    "known_fraud_ip": _known_fraud("ip", "IP "),
    "known_fraud_name": _known_fraud("name_key", "name "), "shared_ip": shared_ip,
    "promo_farming": promo_farming,
    "client_velocity": client_velocity, "ip_velocity": ip_velocity,
    "high_first_order": high_first_order, "module_score": module_score,
    "proxy": _module_flag("proxy", "proxy/VPN IP (fraud module)"),
    "country_mismatch": country_mismatch, "distance": distance, "new_client": new_client,
    "free_email": _module_flag("free_email", "free e-mail address (fraud module)"),
}
