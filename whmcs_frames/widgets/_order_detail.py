"""The review queue's detail pane, pure: line items, fraud module output and notes.

Functions of raw ``GetOrders`` records (the only place the fraud module's full output
and the line items are), returning DataFrames and escaped HTML.

Example
-------
>>> fraud_table({"fraudoutput": '{"riskScore": "5.13"}'}).values.tolist()
[['riskScore', '5.13']]
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .. import frames
from ..actions._perform import fraud_results

__all__ = ["detail_html", "fraud_table", "line_items"]

# Front ends style bare tables differently (or not at all): a little padding everywhere.
_STYLE = ("<style>.wf-detail{border-collapse:collapse;margin:2px 0 8px 0}"
          ".wf-detail th,.wf-detail td{padding:1px 8px;text-align:left;white-space:nowrap}"
          "</style>")


def line_items(raw_orders: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The line items of raw orders (``GetOrders`` records), with their order id.

    Examples
    --------
    >>> line_items([{"id": "3", "currencysuffix": " EUR", "lineitems": {"lineitem": [
    ...     {"product": "VPS", "amount": "5.00"}]}}])[["orderid", "product", "amount"]]
       orderid product  amount
    0        3     VPS     5.0
    """
    columns = ["orderid", "type", "product", "domain", "billingcycle", "amount", "currency",
               "status"]
    return frames.order_lines_frame(list(raw_orders))[columns]


def _flat(value: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flat(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _flat(item, f"{prefix}[{index}]")
    else:
        yield prefix or "output", "" if value is None else str(value)


def fraud_table(raw_order: Mapping[str, Any]) -> pd.DataFrame:
    """The fraud module's output for one raw order as ``key, value`` rows.

    Nested documents are flattened to dotted keys; output that is not JSON or PHP
    serialized comes back as one ``output`` row; no output gives no rows.

    Examples
    --------
    >>> fraud_table({"fraudoutput": '{"riskScore": "5.13", "ip": {"country": "US"}}'})
              key value
    0   riskScore  5.13
    1  ip.country    US
    """
    decoded = fraud_results(raw_order.get("fraudoutput"))
    rows = [] if decoded is None else list(_flat(decoded))
    return pd.DataFrame(rows, columns=["key", "value"])


def _table_html(frame: pd.DataFrame, empty: str) -> str:
    if frame.empty:
        return f"<br><i>{html.escape(empty)}</i>"
    return frame.to_html(index=False, escape=True, border=0, na_rep="",
                         classes="wf-detail", float_format=lambda x: f"{x:.2f}")


def detail_html(raw_orders: Sequence[Mapping[str, Any]], *, selected: int | None = None
                ) -> str:
    """The detail pane for raw orders: line items, each fraud output and notes, as HTML.

    Every value is HTML-escaped: names and notes are typed by customers.

    Parameters
    ----------
    raw_orders : sequence of mapping
        ``GetOrders`` records of the orders shown.
    selected : int, optional
        How many orders are selected, when more than are shown.

    Examples
    --------
    >>> "&lt;b&gt;hi" in detail_html([{"id": "1", "notes": "<b>hi</b>"}])
    True
    """
    if not raw_orders:
        return "<i>Select orders in the queue to see their line items and fraud checks.</i>"
    parts = []
    if selected is not None and selected > len(raw_orders):
        parts.append(f"<p>Showing the first {len(raw_orders)} of {selected} selected orders."
                     "</p>")
    lines = line_items(raw_orders)
    # One money column ("4.99 USD") keeps the pane narrow enough to sit beside the actions.
    lines["amount"] = [f"{a:.2f} {c}" if pd.notna(a) else "" for a, c in
                       zip(lines["amount"], lines["currency"].astype(object), strict=True)]
    lines = lines.drop(columns="currency").rename(columns={"billingcycle": "cycle"})
    parts.append("<b>Line items</b>" + _table_html(lines, "no line items"))
    for raw in raw_orders:
        module = html.escape(str(raw.get("fraudmodule") or "no fraud module"))
        notes = frames.orders_frame([raw]).at[0, "notes"]
        notes = "" if pd.isna(notes) else str(notes)
        parts.append(f"<b>Order {html.escape(str(raw.get('id')))}</b> · fraud check "
                     f"({module})" + _table_html(fraud_table(raw), "no fraud output"))
        parts.append("<b>Notes:</b> " + (html.escape(notes) if notes.strip() else "<i>none</i>"))
    return _STYLE + "<br>".join(parts)
