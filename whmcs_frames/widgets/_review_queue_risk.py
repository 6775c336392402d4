"""The review queue's risk half: ranking, the "why" pane and selecting a ring together.

A mixin of :class:`~._review_queue.ReviewQueue`: the queue reads, filters and acts; this
keeps the risk signals (:mod:`~._review_risk`, computed over every order read), the sort
choice, the detail pane's signals with their related orders (:class:`~._risk_pane.RiskPane`)
and :meth:`QueueRisk.select_sharing`, which the pane's buttons call. Selecting goes
through ``selected``, so a ring is then acted on exactly as any selection: a button, the
confirmation, ``confirm()``.

Example
-------
>>> rv = wf.review(client)  # doctest: +SKIP
>>> rv.selected = [rv.queue["id"].iloc[0]]; rv.select_sharing("ip")  # doctest: +SKIP
[2035, 2046, 2032, 2031]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from .._exceptions import ValidationError, WhmcsError
from ..actions._perform import error_message
from ..risk._rules import resolve_rules
from . import _review_risk as risky
from ._risk_pane import Focus, RiskPane

if TYPE_CHECKING:
    from .._client.facade import Client

__all__ = ["QueueRisk"]


class QueueRisk:
    """Risk state and behaviour of the review queue (see the module docstring)."""

    client: Client
    sort_control: widgets.Dropdown
    risk_pane: RiskPane
    _source: pd.DataFrame
    _view: pd.DataFrame
    _pinned: list[int] | None
    _history_on = True
    _risk_rules: Mapping[str, Any] | None = None
    _history: pd.DataFrame | None = None
    _lines: pd.DataFrame | None = None
    _risk: pd.DataFrame | None = None
    _context: pd.DataFrame | None = None  # the queue's orders over the history
    _risk_stale = True

    if TYPE_CHECKING:  # the queue's own
        selected: list[int]

        def _status_value(self) -> str | None: ...

        def _say(self, status: str, *, error: str = "") -> None: ...

        def _add_error(self, error: str) -> None: ...

    def _init_risk(self, *, sort: str, history: bool,
                   risk_rules: Mapping[str, Any] | None) -> None:
        if sort not in risky.SORTS:
            raise ValidationError("sort", "'risk' or 'score'", got=sort)
        self._history_on = bool(history)
        # Checked now, naming the bad key, before anything is read.
        self._risk_rules = None if risk_rules is None else resolve_rules(risk_rules)
        self.sort_control = widgets.Dropdown(options=[("risk rank", "risk"),
                                                      ("fraud score", "score")],
                                             value=sort, description="Sort",
                                             style={"description_width": "initial"},
                                             # the filter bar fits 1240 px on one line
                                             layout=widgets.Layout(width="140px"))
        self.risk_pane = RiskPane(select=self._select_from_pane,
                                  select_sharing=self._select_sharing_from_pane)

    # -- public ------------------------------------------------------------------------

    @property
    def sort(self) -> str:
        """``"risk"`` (risk rank, the default) or ``"score"`` (fraud score); settable."""
        return str(self.sort_control.value)

    @sort.setter
    def sort(self, value: str) -> None:
        if value not in risky.SORTS:
            raise ValidationError("sort", "'risk' or 'score'", got=value)
        self.sort_control.value = value

    @property
    def risk(self) -> pd.DataFrame:
        """The queue's rows' risk (:func:`whmcs_frames.risk.signals`' columns), by order id.

        Computed over every order read (the whole history unless ``history=False``), so
        ``risk_rank`` ranks among all of them; rows are in the queue's order.
        """
        ids = [int(i) for i in self._view["id"].tolist()]
        if self._risk is None:
            return pd.DataFrame(index=pd.Index(ids, name="id"))
        return self._risk.reindex(ids).rename_axis("id")

    def select_sharing(self, key: str) -> list[int]:
        """Select every order in the queue sharing the first selected order's IP or client.

        What the "Select all sharing this IP" (``key="ip"``) and "Select all of this
        client" (``"client"``) buttons do. The first selected order stays first; orders
        the filters hide are not selected. Acting on them is the usual path: a button,
        the confirmation, :meth:`confirm`.

        Returns
        -------
        list of int
            The ids now selected.

        Raises
        ------
        ValidationError
            ``key`` is not ``"ip"`` or ``"client"``, or no order is selected.
        """
        if key not in risky.SHARING:
            raise ValidationError("key", "'ip' or 'client'", got=key)
        chosen = self.selected
        if not chosen:
            raise ValidationError("selected", "an order selected first (its IP or client "
                                  "is what is shared)", got="nothing selected")
        focus = chosen[0]
        others = [i for i in risky.sharing(self._view, focus, key) if i != focus]
        self.selected = [focus, *others]
        return self.selected

    def _load_history(self, refresh: bool) -> None:
        """Every order (and line) for the risk signals: one memoised read, shared."""
        if not self._history_on or (self._history is not None and not refresh):
            return
        self._history = self.client.orders(progress=False, refresh=refresh)
        self._lines = self.client.order_lines(progress=False)  # the same read's memo

    def _rescore(self) -> None:
        lines = self._lines
        if lines is None and self._pinned is None and not self._history_on:
            try:  # shares the queue's read's memo: no second request
                lines = self.client.order_lines(status=self._status_value(), progress=False)
            except WhmcsError:
                lines = None
        self._context = risky.context_orders(self._source, self._history)
        try:
            self._risk = risky.risk_frame(self._source, lines, history=self._history,
                                          risk_rules=self._risk_rules)
        except WhmcsError as exc:  # frames the signals cannot read: the queue still works
            self._risk = None
            self._add_error("Could not compute the risk signals: " + error_message(exc))
        self._risk_stale = False

    # -- the pane -----------------------------------------------------------------------

    def _weights(self) -> Any:
        return (self._risk_rules or {}).get("weights") if isinstance(
            self._risk_rules, dict) else None

    def _focus(self, orderid: int) -> Focus:
        risk = self._risk if self._risk is not None else pd.DataFrame()
        context = self._context if self._context is not None else self._source
        related = risky.related_orders(context, risk, orderid, risk_rules=self._risk_rules)
        wanted = {i for ids in related.values() for i in ids}
        statuses = {int(i): str(s) for i, s in zip(context["id"], context["status"].astype(
            object), strict=True) if int(i) in wanted}
        rank = risk.at[orderid, "risk_rank"] if orderid in risk.index else None
        points = risk.at[orderid, "risk_points"] if orderid in risk.index else 0.0
        return Focus(orderid=orderid, rank=None if rank is None or pd.isna(rank) else int(rank),
                     points=float(points), clauses=risky.signal_clauses(risk, orderid),
                     related=related, in_queue={int(i) for i in self._view["id"]},
                     statuses=statuses,
                     sharing={key: len(risky.sharing(self._view, orderid, key))
                              for key in risky.SHARING})

    def _select_from_pane(self, ids: list[int]) -> None:
        try:
            self.selected = ids
        except WhmcsError as exc:
            self._say("", error=error_message(exc))

    def _select_sharing_from_pane(self, key: str) -> None:
        try:
            chosen = self.select_sharing(key)
        except WhmcsError as exc:
            self._say("", error=error_message(exc))
            return
        what = "IP address" if key == "ip" else "client"
        self._say(f"Selected the {len(chosen)} orders in the queue with this {what}.")
