"""The review queue's pure parts: filters, risk order, the table, the confirmation, outcomes.

Everything here is a function of DataFrames and raw order dicts, with no widgets and no
network, so the review widget (:mod:`whmcs_frames.widgets`) stays a thin shell and these
rules are tested in plain pytest. The detail pane's parts are in
:mod:`whmcs_frames._order_detail`. What *may* be sent comes from the actions layer
(:func:`whmcs_frames._writes.order_params`), never from a second copy of its rules.

Example
-------
>>> import pandas as pd
>>> orders = pd.DataFrame({"id": [1, 2], "fraud_score": [3.0, 80.0],
...                        "date": pd.to_datetime(["2024-01-02", "2024-01-01"])})
>>> risk_order(orders)["id"].tolist()
[2, 1]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .._api.php import flatten_params
from .._api.registry import ORDER_ACTIONS
from ..actions._audit import masked_params
from ..actions._perform import order_params

__all__ = [
    "ACTION_LABELS",
    "ACTION_OPTIONS",
    "QUEUE_COLUMNS",
    "confirmation_text",
    "filter_orders",
    "is_irreversible",
    "outcome_errors",
    "outcome_summary",
    "queue_table",
    "replace_orders",
    "risk_order",
    "whmcs_action",
]

#: Button key → the label the analyst sees (views of the registry's order actions).
ACTION_LABELS = {key: spec.label or spec.whmcs for key, spec in ORDER_ACTIONS.items()}
#: Button key → the options the action bar offers for it (WHMCS parameter names).
ACTION_OPTIONS: dict[str, tuple[str, ...]] = {
    key: spec.options for key, spec in ORDER_ACTIONS.items()}
#: Orders column → the queue's column title, in the order shown.
QUEUE_COLUMNS = {"id": "id", "date": "date", "name": "client", "amount": "amount",
                 "currency": "currency", "paymentstatus": "payment", "status": "status",
                 "fraud_score": "fraud score", "ipaddress": "IP", "n_items": "items"}
_SEARCHED = ("name", "ipaddress", "ordernum", "id")


def whmcs_action(action: str) -> str:
    """The WHMCS action behind a button key.

    Examples
    --------
    >>> whmcs_action("fraud_check")
    'OrderFraudCheck'
    """
    return ORDER_ACTIONS[action].whmcs


def is_irreversible(action: str) -> bool:
    """Whether nothing undoes the button's action (the analyst types the count to confirm).

    Examples
    --------
    >>> is_irreversible("delete"), is_irreversible("cancel")
    (True, False)
    """
    return ORDER_ACTIONS[action].irreversible


# -- the queue -----------------------------------------------------------------------------

def _text(column: pd.Series) -> pd.Series:
    return column.astype("string").fillna("")


def filter_orders(orders: pd.DataFrame, *, status: str | None = None, text: str = "",
                  min_score: float | None = None, start: dt.date | None = None,
                  end: dt.date | None = None) -> pd.DataFrame:
    """The orders that pass every filter given (each one left out passes all).

    Parameters
    ----------
    orders : pandas.DataFrame
        An orders frame (:func:`whmcs_frames.frames.orders_frame`).
    status : str, optional
        Keep this status only (compared case-insensitively).
    text : str
        Keep orders whose client name, IP, order number or id contains it (any case).
    min_score : float, optional
        Keep orders whose fraud score is at least this; orders without a score are
        left out as soon as the minimum is above 0.
    start, end : datetime.date, optional
        Keep orders placed on these days or between them (both ends included).

    Returns
    -------
    pandas.DataFrame
        The matching rows, in their original order.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 2], "status": ["Pending", "Active"],
    ...                    "name": ["Ann", "Bob"], "ipaddress": ["1.2.3.4", "5.6.7.8"],
    ...                    "ordernum": [111, 222], "fraud_score": [1.0, None],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    >>> filter_orders(df, text="bob")["id"].tolist(), filter_orders(df, min_score=0.5)["id"].tolist()
    ([2], [1])
    """  # noqa: E501
    keep = pd.Series(True, index=orders.index)
    if status:
        keep &= _text(orders["status"]).str.casefold() == status.casefold()
    needle = text.strip().casefold()
    if needle:
        found = pd.Series(False, index=orders.index)
        for column in _SEARCHED:
            found |= _text(orders[column]).str.casefold().str.contains(needle, regex=False)
        keep &= found
    if min_score:
        keep &= orders["fraud_score"].ge(min_score).fillna(False).astype(bool)
    if start is not None:
        keep &= orders["date"].ge(pd.Timestamp(start)).fillna(False).astype(bool)
    if end is not None:
        day_after = pd.Timestamp(end) + pd.Timedelta(days=1)
        keep &= orders["date"].lt(day_after).fillna(False).astype(bool)
    return orders[keep]


def risk_order(orders: pd.DataFrame) -> pd.DataFrame:
    """Riskiest first: fraud score high to low (no score last), then oldest first.

    Oldest first among equals, because the order that has waited longest should not
    wait longer; the id breaks the remaining ties so the order is stable.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 2, 3], "fraud_score": [None, 5.0, 5.0],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"])})
    >>> risk_order(df)["id"].tolist()
    [3, 2, 1]
    """
    return orders.sort_values(["fraud_score", "date", "id"], ascending=[False, True, True],
                              na_position="last", kind="stable")


def queue_table(orders: pd.DataFrame) -> pd.DataFrame:
    """The queue's key columns under their titles, rows in the given order, index 0..n-1.

    Text and categories become plain strings (missing: ``""``) and dates are shown to
    the minute, so the table reads the same in every front end.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [7], "date": pd.to_datetime(["2024-05-01 10:30:59"]),
    ...     "name": ["Ann"], "amount": [8.0], "currency": ["EUR"], "paymentstatus": [None],
    ...     "status": ["Pending"], "fraud_score": [None], "ipaddress": ["1.2.3.4"],
    ...     "n_items": [2]})
    >>> table = queue_table(df)
    >>> list(table.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['id', 'date', 'client', 'amount', 'currency', 'payment', 'status', 'fraud score',
     'IP', 'items']
    >>> table.at[0, "date"], table.at[0, "payment"]
    ('2024-05-01 10:30', '')
    """
    table = pd.DataFrame(index=pd.RangeIndex(len(orders)))
    for column, title in QUEUE_COLUMNS.items():
        values = orders[column].reset_index(drop=True)
        if column == "date":
            values = values.dt.strftime("%Y-%m-%d %H:%M").fillna("")
        elif column == "amount":
            values = values.astype("float64")
        elif column == "fraud_score":
            # No score is not a score of "NaN" (or "None"): an empty cell. DataTables still
            # sorts the column as numbers, empty cells being allowed among them.
            values = values.astype("float64").map(lambda v: "" if pd.isna(v) else f"{v:g}")
        elif column not in ("id", "n_items"):
            values = values.astype(object).where(values.notna(), "").astype(str)
        table[title] = values
    return table


def _aligned(frame: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each categorical column widened to ``other``'s categories too."""
    out = frame.copy()
    for column in frame.columns:
        mine, theirs = frame[column], other.get(column)
        if isinstance(mine.dtype, pd.CategoricalDtype) and theirs is not None and isinstance(
                theirs.dtype, pd.CategoricalDtype):
            union = list(dict.fromkeys([*mine.cat.categories, *theirs.cat.categories]))
            out[column] = mine.cat.set_categories(union)
    return out


def replace_orders(orders: pd.DataFrame, ids: Iterable[int],
                   fresh: pd.DataFrame) -> pd.DataFrame:
    """``orders`` with the rows of ``ids`` replaced by ``fresh`` (ids not in it are gone).

    Categorical columns keep their dtype (categories are merged), so filters and the
    table treat re-read orders exactly like the rest.

    Examples
    --------
    >>> old = pd.DataFrame({"id": [1, 2], "status": pd.Categorical(["Pending", "Pending"])})
    >>> new = pd.DataFrame({"id": [2], "status": pd.Categorical(["Active"])})
    >>> replace_orders(old, [1, 2], new)["status"].tolist()
    ['Active']
    """
    kept = orders[~orders["id"].isin(list(ids))]
    if fresh.empty:
        return kept.reset_index(drop=True)
    if kept.empty:
        return fresh.reset_index(drop=True)
    combined = pd.concat([_aligned(kept, fresh), _aligned(fresh, kept)], ignore_index=True)
    return combined


# -- the confirmation ----------------------------------------------------------------------

def _money(amount: Any, currency: Any) -> str:
    if pd.isna(amount):
        return "?"
    return f"{float(amount):.2f} {'' if pd.isna(currency) else currency}".rstrip()


def _totals(rows: pd.DataFrame) -> str:
    # Money is never summed across currencies.
    parts = [f"{total:.2f} {code}" for code, total in
             rows.groupby(rows["currency"].astype(str), sort=True)["amount"].sum().items()]
    return ", ".join(parts) or "nothing"


def _wire(action: str, params: Mapping[str, Any]) -> str:
    pairs = flatten_params(masked_params(params))
    return f"{whmcs_action(action)} " + " ".join(f"{k}={v}" for k, v in pairs)


def confirmation_text(action: str, orders: pd.DataFrame, ids: Sequence[int],
                      options: Mapping[str, Any], *, dry_run: bool) -> str:
    """What confirming will do: the action, each order with its client and amount, and
    the exact parameters sent for it (secrets as ``***``).

    Parameters
    ----------
    action : str
        A button key (``"accept"``, ``"delete"``…).
    orders : pandas.DataFrame
        Orders frame holding at least the selected orders.
    ids : sequence of int
        The selected order ids, in the order they will be acted on.
    options : mapping
        The action's options; None values are not sent.
    dry_run : bool
        Whether nothing will be sent.

    Returns
    -------
    str
        Plain text, one line per order.

    Raises
    ------
    ValidationError
        An option the action does not take, or a bad value: nothing can be sent.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [5], "name": ["Ann"], "amount": [8.0],
    ...                    "currency": ["EUR"], "status": ["Pending"]})
    >>> print(confirmation_text("accept", df, [5], {"sendemail": False}, dry_run=False))
    ... # doctest: +NORMALIZE_WHITESPACE
    Accept (AcceptOrder) on 1 order, total 8.00 EUR.
    LIVE: each order is re-read, checked and sent to WHMCS once; no retries.
    WHMCS only does this to Pending orders.
      order 5 · Ann · 8.00 EUR · Pending
          AcceptOrder orderid=5 sendemail=0
    """
    spec = ORDER_ACTIONS[action]
    params = {i: order_params(spec.name, i, options) for i in ids}  # validates the options
    rows = orders.set_index("id").reindex(list(ids))
    plural = "order" if len(ids) == 1 else "orders"
    lines = [f"{ACTION_LABELS[action]} ({whmcs_action(action)}) on {len(ids)} {plural}, "
             f"total {_totals(rows.reset_index())}."]
    if dry_run:
        lines.append("DRY RUN: nothing is sent to WHMCS; each order is audited as a dry run.")
    else:
        lines.append("LIVE: each order is re-read, checked and sent to WHMCS once; "
                     "no retries.")
    needed = spec.allowed_from
    if needed:
        lines.append(f"WHMCS only does this to {' or '.join(needed)} orders.")
        wrong = [i for i, s in rows["status"].astype(str).items()
                 if s.casefold() not in {n.casefold() for n in needed}]
        if wrong:
            lines.append(f"{len(wrong)} of these are not, so they will be refused and nothing "
                         f"sent for them: {', '.join(map(str, wrong))}.")
    if spec.irreversible:
        lines.append("IRREVERSIBLE: the orders go with their services, addons, domains and "
                     f"invoices. Type {len(ids)} below to confirm.")
    for orderid, row in rows.iterrows():
        who = "?" if pd.isna(row.get("name")) else row.get("name")
        lines.append(f"  order {orderid} · {who} · {_money(row.get('amount'), row.get('currency'))}"
                     f" · {row.get('status', '?')}")
        lines.append(f"      {_wire(action, params[int(orderid)])}")
    return "\n".join(lines)


# -- outcomes --------------------------------------------------------------------------------

def outcome_summary(outcomes: pd.DataFrame) -> str:
    """One line about a bulk run: the action and how many orders ended how.

    Examples
    --------
    >>> run = pd.DataFrame({"action": ["AcceptOrder"] * 3,
    ...                     "outcome": ["success", "success", "error"]})
    >>> outcome_summary(run)
    'AcceptOrder on 3 orders: 2 success, 1 error'
    """
    if outcomes.empty:
        return "nothing was done"
    counts = outcomes["outcome"].astype(str).value_counts(sort=False)
    done = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    action = ", ".join(dict.fromkeys(outcomes["action"].astype(str)))
    plural = "order" if len(outcomes) == 1 else "orders"
    return f"{action} on {len(outcomes)} {plural}: {done}"


def outcome_errors(outcomes: pd.DataFrame) -> list[str]:
    """A line per order that failed, was left unknown or was skipped, with the reason.

    Examples
    --------
    >>> run = pd.DataFrame({"orderid": [4], "outcome": ["error"], "error": ["ApiError"],
    ...                     "message": ["Order ID Not Found"]})
    >>> outcome_errors(run)
    ['order 4: error (ApiError): Order ID Not Found']
    """
    bad = outcomes[outcomes["outcome"].astype(str).isin(["error", "unknown", "skipped"])]
    lines = []
    for row in bad.itertuples(index=False):
        kind = "" if pd.isna(row.error) else f" ({row.error})"
        lines.append(f"order {row.orderid}: {row.outcome}{kind}: {row.message}")
    return lines
