"""The order review queue widget: :class:`ReviewQueue`, built by :func:`whmcs_frames.review`.

A thin shell over :mod:`whmcs_frames._review` (filters, order, texts) and the actions
layer: every write is one :func:`whmcs_frames.bulk` run, so it is validated, checked
against the order's fresh status and audited exactly as from a script.

Example
-------
>>> rv = ReviewQueue(client)  # doctest: +SKIP
>>> rv.selected = [61]; rv.buttons["accept"].click(); rv.confirm()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
from itables.widget import ITable

from .._exceptions import ValidationError, WhmcsError
from .._validate import flag
from ..actions import bulk
from ..actions._bulk import BULK_COLUMNS
from ..actions._perform import error_message, order_ids
from ..frames import SCHEMAS, orders_frame
from . import _review_risk as risky
from . import _review_rules as rules
from ._order_detail import detail_html
from ._parts import TABLE_OPTIONS, ConfirmStep, WidgetState, tri_state
from ._review_queue_risk import QueueRisk

if TYPE_CHECKING:
    from .._client.facade import Client

__all__ = ["ReviewQueue"]

_ANY = "(any status)"
_STYLES = {"accept": "success", "cancel": "warning", "fraud": "danger", "pending": "",
           "fraud_check": "info", "delete": "danger"}
# Up to this many orders are re-read one by one after an action; more in one read.
_ONE_BY_ONE = 20
_WIDE = {"description_width": "initial"}
@dataclass(frozen=True)
class _Plan:
    action: str
    ids: tuple[int, ...]


class ReviewQueue(QueueRisk, WidgetState, widgets.VBox):
    """The review queue: filter, select, look, act, confirm. See :func:`review`.

    Attributes
    ----------
    buttons : dict of str to ipywidgets.Button
        ``accept``, ``cancel``, ``fraud``, ``pending``, ``fraud_check``, ``delete``.
    table : itables.widget.ITable
        The queue (``select=True``); its ``selected_rows`` are positions in :attr:`queue`.
    options : dict of str to widget
        ``sendemail``, ``autosetup`` (None: the product's setting), ``cancelsub``,
        ``noemail``.
    sort_control : ipywidgets.Dropdown
        ``"risk"`` (risk rank) or ``"score"`` (the fraud module's score); see :attr:`sort`.
    risk_pane : RiskPane
        The first selected order's signals, related orders and select-sharing buttons.
    """

    def __init__(self, client: Client, *, orders: Any = None, status: str | None = "Pending",
                 max_detail: int = 10, sort: str = "risk", history: bool = True,
                 risk_rules: Mapping[str, Any] | None = None) -> None:
        self._init_risk(sort=sort, history=history, risk_rules=risk_rules)
        self.client = client
        self._pinned = None if orders is None else order_ids(orders)
        # A whole orders frame is shown as given; anything else is read by id.
        whole = isinstance(orders, pd.DataFrame) and set(SCHEMAS["orders"]) <= set(orders)
        self._source = orders.reset_index(drop=True) if whole else orders_frame([])
        self._view = self._source
        self._raw: dict[int, dict[str, Any]] = {}
        self._plan: _Plan | None = None
        self._busy = self._quiet = False
        self._max_detail = max_detail
        self._outcomes = pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]"), **{
            column: pd.Series(dtype=dtype) for column, dtype in BULK_COLUMNS.items()}})
        self._status_text = self._error_text = ""
        self._build(status)
        super().__init__(self._layout_children(),
                         layout=widgets.Layout(width="100%", max_width="1240px"))
        self._load(refresh=False, read=not whole)
        self._sync_buttons()

    # -- building -------------------------------------------------------------------------

    def _build(self, status: str | None) -> None:
        self.status_filter = widgets.Dropdown(options=[_ANY], value=_ANY, description="Status",
                                              style=_WIDE, layout=widgets.Layout(width="200px"))
        self._initial_status = status
        self.search = widgets.Text(placeholder="client, IP or order number",
                                   description="Search", continuous_update=False,
                                   style=_WIDE, layout=widgets.Layout(width="260px"))
        self.min_score = widgets.BoundedFloatText(value=0, min=0, max=100, step=1,
                                                  description="Min fraud score", style=_WIDE,
                                                  layout=widgets.Layout(width="170px"))
        self.date_from = widgets.DatePicker(description="From", style=_WIDE,
                                            layout=widgets.Layout(width="180px"))
        self.date_to = widgets.DatePicker(description="To", style=_WIDE,
                                          layout=widgets.Layout(width="165px"))
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh",
                                             layout=widgets.Layout(width="95px"))
        self.table = ITable(risky.queue_table(self._view, None), **TABLE_OPTIONS)
        self.table.layout.width = "100%"
        self.detail = widgets.HTML(layout=widgets.Layout(max_height="420px", overflow="auto"))
        self.buttons = {key: widgets.Button(
            description=label, button_style=_STYLES[key], tooltip=rules.whmcs_action(key),
            layout=widgets.Layout(width="118px")) for key, label in rules.ACTION_LABELS.items()}
        self.options: dict[str, widgets.Widget] = {
            "sendemail": tri_state("Send email"), "autosetup": tri_state("Auto setup"),
            "cancelsub": widgets.Checkbox(description="Cancel subscription", indent=False),
            "noemail": widgets.Checkbox(description="No email", indent=False)}
        self.dry_run_toggle = widgets.ToggleButton(
            value=False, description="Dry run: off", icon="flask",
            tooltip="On: nothing is sent; each order is only audited as a dry run")
        self.stop_on_error = widgets.Checkbox(value=True, description="Stop at first error",
                                              indent=False)
        self.step = ConfirmStep()
        self.status_line = widgets.HTML()
        self.error_box = widgets.HTML()
        self._wire()

    def _layout_children(self) -> list[widgets.Widget]:
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center", width="100%")
        filters = widgets.HBox([self.status_filter, self.search, self.min_score, self.date_from,
                                self.date_to, self.sort_control, self.refresh_button],
                               layout=wrap)
        actions = widgets.VBox([
            widgets.HBox(list(self.buttons.values()), layout=wrap),
            widgets.HBox([self.options["sendemail"], self.options["autosetup"]], layout=wrap),
            widgets.HBox([self.options["cancelsub"], self.options["noemail"]], layout=wrap),
            widgets.HBox([self.dry_run_toggle, self.stop_on_error], layout=wrap), self.step],
            layout=widgets.Layout(flex="2 1 0", min_width="380px", padding="0 0 0 8px"))
        detail = widgets.VBox([widgets.HTML("<b>Selected orders</b>"), self.risk_pane,
                               self.detail],
                              layout=widgets.Layout(flex="3 1 0", min_width="420px"))
        return [widgets.HTML("<b>Order review</b>"), filters, self.table,
                widgets.HBox([detail, actions], layout=widgets.Layout(
                    width="100%", flex_flow="row wrap")),
                self.status_line, self.error_box]

    def _wire(self) -> None:
        for control in (self.search, self.min_score, self.date_from, self.date_to,
                        self.sort_control):
            control.observe(lambda _: self._apply(), names="value")
        self.status_filter.observe(
            lambda _: None if self._quiet else self._load(refresh=False), names="value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.table.observe(lambda _: self._on_selection(), names="selected_rows")
        for key, button in self.buttons.items():
            button.on_click(lambda _, key=key: self._on_action(key))
        for control in (*self.options.values(), self.dry_run_toggle):
            control.observe(lambda _: self._replan(), names="value")
        self.dry_run_toggle.observe(lambda _: self._show_dry_run(), names="value")
        self.step.confirm.on_click(lambda _: self.confirm())
        self.step.back.on_click(lambda _: self.back())

    # -- public, scriptable surface ---------------------------------------------------------

    @property
    def queue(self) -> pd.DataFrame:
        """The orders in the table, in its row order (all of the orders frame's columns)."""
        return self._view.copy()

    @property
    def selected(self) -> list[int]:
        """Ids of the selected orders; set it to select orders by id."""
        ids = self._view["id"].tolist()
        return [int(ids[i]) for i in self.table.selected_rows if 0 <= i < len(ids)]

    @selected.setter
    def selected(self, ids: Sequence[int]) -> None:
        wanted = order_ids(list(ids))
        position = {int(i): n for n, i in enumerate(self._view["id"].tolist())}
        missing = [i for i in wanted if i not in position]
        if missing:
            raise ValidationError("selected", "ids of orders shown in the queue (check the "
                                  "filters)", got=missing)
        self.table.selected_rows = [position[i] for i in wanted]

    @property
    def dry_run(self) -> bool:
        """Whether confirmed actions send nothing (off when the widget opens)."""
        return bool(self.dry_run_toggle.value)

    @dry_run.setter
    def dry_run(self, value: bool) -> None:
        # True or False only: rv.dry_run = None or 0 must not switch real writes on.
        self.dry_run_toggle.value = flag("dry_run", value)

    @property
    def outcomes(self) -> pd.DataFrame:
        """Every outcome row of this widget's runs: :func:`bulk`'s columns plus ``time``."""
        return self._outcomes.copy()

    def refresh(self) -> None:
        """Read the queue's orders and the order statuses again from WHMCS."""
        with self._working("Reading the orders again…"):
            self._raw.clear()
            self._load(refresh=True)
        if not self._error_text:
            self._say(f"Read {len(self._source)} orders; {len(self._view)} match the filters.")

    def confirm(self) -> None:
        """Send the action waiting for confirmation (what the Confirm button does)."""
        plan = self._plan
        if plan is None:
            self._say("Nothing to confirm: choose an action first.")
            return
        typed = self.step.typed.value.strip()
        if rules.is_irreversible(plan.action) and typed != str(len(plan.ids)):
            self._say("", error=f"Type {len(plan.ids)}, the number of orders to delete, to "
                      "confirm. Nothing was sent.")
            return
        self._plan = None  # taken before sending, so a second click cannot act again
        dry = self.dry_run
        self.step.hide()
        what = f"{rules.whmcs_action(plan.action)} for {len(plan.ids)} order(s)"
        with self._working(f"Sending {what}…" if not dry else f"Dry run of {what}…"):
            try:
                run = bulk(self.client, plan.action, list(plan.ids), dry_run=dry,
                           stop_on_error=self.stop_on_error.value, progress=False,
                           **self._option_values(plan.action))
            except WhmcsError as exc:
                self._say("Nothing was done.", error=error_message(exc))
                return
            self._record(run)
            if not dry:
                self._reread(plan.ids)

    def back(self) -> None:
        """Drop the action waiting for confirmation (what the Back button does)."""
        if self._plan is None:
            self._say("Nothing to go back from.")
            return
        self._plan = None
        self.step.hide()
        self._sync_buttons()
        self._say("Back: nothing was sent.")

    # -- reading ------------------------------------------------------------------------------

    def _status_value(self) -> str | None:
        value = self.status_filter.value
        return None if value in (None, _ANY) else str(value)

    def _load(self, *, refresh: bool, read: bool = True) -> None:
        self._risk_stale = True
        try:
            self._load_statuses(refresh)
            self._load_history(refresh)
            if read and self._pinned is None:
                self._source = self.client.orders(status=self._status_value(), progress=False,
                                                  refresh=refresh)
            elif read and self._pinned is not None:
                self._source = orders_frame([])
                self._reread(self._pinned, apply=False)
        except WhmcsError as exc:
            self._say("Could not read the orders.", error=error_message(exc))
        self._apply()

    def _load_statuses(self, refresh: bool) -> None:
        titles = [str(t) for t in self.client.order_statuses(refresh=refresh)["title"]]
        wanted = self._initial_status if self._initial_status is not None else \
            self._status_value()
        self._initial_status = None
        matched = [t for t in titles if wanted and t.casefold() == wanted.casefold()]
        with self._quietly():  # our own change of the dropdown is not the analyst's
            self.status_filter.options = [_ANY, *titles]
            self.status_filter.value = matched[0] if matched else _ANY

    def _reread(self, ids: Sequence[int], *, apply: bool = True) -> None:
        """Read these orders fresh from WHMCS and put them in place of the old rows."""
        ids = list(ids)
        for orderid in ids:
            self._raw.pop(orderid, None)
        try:
            if len(ids) <= _ONE_BY_ONE:
                fresh = [([i], self.client.orders(id=i, refresh=True, progress=False))
                         for i in ids]
            else:
                every = self.client.orders(refresh=True, progress=False)
                fresh = [(ids, every[every["id"].isin(ids)])]
        except WhmcsError as exc:
            self._add_error("Could not re-read the orders: " + error_message(exc))
            fresh = []
        for wanted, frame in fresh:  # an order WHMCS no longer returns is gone
            self._source = rules.replace_orders(self._source, wanted, frame)
            if self._history is not None:
                self._history = rules.replace_orders(self._history, wanted, frame)
        self._risk_stale = True
        if apply:
            self._apply()

    def _apply(self) -> None:
        keep = set(self.selected)
        shown = rules.filter_orders(
            self._source, status=self._status_value(), text=self.search.value,
            min_score=self.min_score.value or None, start=self.date_from.value,
            end=self.date_to.value)
        if self._risk_stale:
            self._rescore()
        self._view = risky.sort_queue(shown, self._risk, sort=self.sort)
        rows = [n for n, i in enumerate(self._view["id"].tolist()) if int(i) in keep]
        # Before update(), which sends the table: a caption set after it shows a step late.
        by = "risk rank" if self.sort == "risk" else "fraud score"
        self.table.caption = (f"{len(self._view)} shown of {len(self._source)} read · riskiest "
                              f"first by {by} · no fraud score: no fraud check output")
        # update() resets every option it is not given to itables' defaults
        self.table.update(risky.queue_table(self._view, self._risk, weights=self._weights()),
                          selected_rows=rows, **TABLE_OPTIONS)
        self._on_selection()

    def _on_selection(self) -> None:
        ids = self.selected
        if self._plan is not None and tuple(ids) != self._plan.ids:
            self._plan = None
            self.step.hide()
            self._sync_buttons()
            self._say("The selection changed, so the confirmation was withdrawn.")
        shown = ids[:self._max_detail]
        try:
            for orderid in shown:
                if orderid not in self._raw:
                    for raw in self.client.iter_orders(id=orderid):
                        self._raw[orderid] = raw
        except WhmcsError as exc:
            self._add_error("Could not read the order details: " + error_message(exc))
        raws = [self._raw[i] for i in shown if i in self._raw]
        self.detail.value = detail_html(raws, selected=len(ids))
        self.risk_pane.show(self._focus(ids[0]) if ids else None)

    # -- acting ---------------------------------------------------------------------------------

    def _option_values(self, action: str) -> dict[str, Any]:
        values = {name: self.options[name].value for name in rules.ACTION_OPTIONS[action]}
        # An unticked box is not sent at all: WHMCS's own default applies.
        return {k: (None if v is False and k in ("cancelsub", "noemail") else v)
                for k, v in values.items()}

    def _on_action(self, action: str) -> None:
        if self._busy or self._plan is not None:
            self._say("Confirm or go back from the action waiting first.")
            return
        ids = self.selected
        if not ids:
            self._say("Select at least one order in the queue first.")
            return
        self._plan = _Plan(action, tuple(ids))
        if not self._show_plan():
            self._plan = None
        self._sync_buttons()

    def _show_plan(self) -> bool:
        plan = self._plan
        if plan is None:
            return False
        try:
            text = rules.confirmation_text(plan.action, self._source, plan.ids,
                                           self._option_values(plan.action),
                                           dry_run=self.dry_run)
        except WhmcsError as exc:
            self.step.hide()
            self._say("Nothing was sent.", error=error_message(exc))
            return False
        self.step.show(text, typed_check=rules.is_irreversible(plan.action))
        self._say("Check what will be sent, then Confirm or Back.")
        return True

    def _replan(self) -> None:
        if self._plan is not None and not self._show_plan():
            self._plan = None
            self._sync_buttons()

    def _record(self, run: pd.DataFrame) -> None:
        run = run.copy()
        run.insert(0, "time", pd.Timestamp.now(tz="UTC"))
        self._outcomes = run if self._outcomes.empty else pd.concat(
            [self._outcomes, run], ignore_index=True)
        errors = rules.outcome_errors(run)
        total = len(self._outcomes)
        self._say(f"{rules.outcome_summary(run)} · {total} outcome{'s' * (total != 1)} this "
                  "session (rv.outcomes)", error="\n".join(errors))

    # -- state ----------------------------------------------------------------------------------

    def _sync_buttons(self) -> None:
        waiting = self._plan is not None
        for button in self.buttons.values():
            button.disabled = self._busy or waiting
        self.step.confirm.disabled = self.step.back.disabled = self._busy or not waiting
        self.refresh_button.disabled = self._busy

    def _add_error(self, error: str) -> None:
        self._say(self._status_text, error="\n".join(filter(None, [self._error_text, error])))

    def _show_dry_run(self) -> None:
        on = self.dry_run
        self.dry_run_toggle.description = "Dry run: on" if on else "Dry run: off"
        self.dry_run_toggle.button_style = "warning" if on else ""

