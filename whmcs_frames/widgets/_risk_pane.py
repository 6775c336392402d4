"""The review queue's "why" pane: each signal that fired, with the orders behind it.

For the first selected order it lists every signal in full words and, under each, the
related orders (the other clients on the IP, the client's burst, the promo code's other
users, the Fraud orders it repeats) as buttons that select them, and the "Select all
sharing this IP" / "Select all of this client" buttons. It holds no rules: the queue
hands it the texts and ids (:mod:`~._review_risk`) and the functions to call.

Example
-------
>>> pane = RiskPane(select=print, select_sharing=print)
>>> pane.show(None)
>>> pane.sharing["ip"].disabled
True
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import ipywidgets as widgets

from ._review_risk import SHORT_LABELS

__all__ = ["Focus", "RiskPane"]

_MAX_BUTTONS = 12  # related orders shown as buttons per signal; the rest are counted
_SHARING_LABELS = {"ip": "Select all sharing this IP", "client": "Select all of this client"}


@dataclass
class Focus:
    """What the pane shows about one order (see :meth:`RiskPane.show`)."""

    orderid: int
    rank: int | None
    points: float
    clauses: Mapping[str, str]              # fired signal → its words
    related: Mapping[str, Sequence[int]]    # fired signal → related order ids
    in_queue: set[int] = field(default_factory=set)       # ids that can be selected
    statuses: Mapping[int, str] = field(default_factory=dict)
    sharing: Mapping[str, int] = field(default_factory=dict)  # "ip"/"client" → orders


class RiskPane(widgets.VBox):
    """Signals, related orders and the select-sharing buttons for the focused order.

    Parameters
    ----------
    select : callable
        Called with a list of order ids to select (a related order's button).
    select_sharing : callable
        Called with ``"ip"`` or ``"client"`` (the two select-all buttons).

    Attributes
    ----------
    sharing : dict of str to ipywidgets.Button
        ``"ip"`` and ``"client"``: Select all sharing this IP / of this client.
    order_buttons : dict of int to ipywidgets.Button
        The related orders' buttons on show, by order id.
    """

    def __init__(self, *, select: Callable[[list[int]], None],
                 select_sharing: Callable[[str], None]) -> None:
        self._select = select
        self.heading = widgets.HTML()
        self.signals = widgets.VBox()
        self.sharing = {key: widgets.Button(description=label, icon="object-group",
                                            layout=widgets.Layout(width="auto"))
                        for key, label in _SHARING_LABELS.items()}
        for key, button in self.sharing.items():
            button.on_click(lambda _, key=key: select_sharing(key))
        self.order_buttons: dict[int, widgets.Button] = {}
        super().__init__([self.heading, self.signals, widgets.HBox(list(self.sharing.values()),
                          layout=widgets.Layout(flex_flow="row wrap"))],
                         layout=widgets.Layout(width="100%", margin="0 0 6px 0"))
        self.show(None)

    def show(self, focus: Focus | None) -> None:
        """Show ``focus`` (None: no order selected; the buttons are disabled)."""
        self.order_buttons = {}
        if focus is None:
            self.heading.value = "<i>Select an order to see why it ranks where it does.</i>"
            self.signals.children = ()
            for button in self.sharing.values():
                button.disabled, button.tooltip = True, "Select an order first"
            return
        rank = "no rank" if focus.rank is None else f"risk rank {focus.rank}"
        self.heading.value = (f"<b>Why order {focus.orderid}</b> · {rank} · "
                              f"{focus.points:g} points" + (
                                  "" if focus.clauses else " · <i>no signal fired</i>"))
        self.signals.children = tuple(self._signal_row(focus, name) for name in focus.clauses)
        for key, button in self.sharing.items():
            count = focus.sharing.get(key, 0)
            button.disabled = count < 2
            button.description = f"{_SHARING_LABELS[key]} ({count})"
            button.tooltip = ("Selects every order in the queue with this "
                              f"{'IP address' if key == 'ip' else 'client'}")

    def _signal_row(self, focus: Focus, name: str) -> widgets.Widget:
        words = html.escape(focus.clauses[name])
        label = widgets.HTML(f"• <b>{html.escape(SHORT_LABELS.get(name, name))}</b>: {words}",
                             layout=widgets.Layout(width="100%"))
        related = list(focus.related.get(name, ()))
        if not related:
            return label
        buttons = [self._order_button(focus, orderid) for orderid in related[:_MAX_BUTTONS]]
        more = len(related) - _MAX_BUTTONS
        extra = [widgets.HTML(f"&nbsp;and {more} more")] if more > 0 else []
        return widgets.VBox([label, widgets.HBox(
            [widgets.HTML("&nbsp;&nbsp;related:"), *buttons, *extra],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"))])

    def _order_button(self, focus: Focus, orderid: int) -> widgets.Button:
        status = focus.statuses.get(orderid, "")
        shown = orderid in focus.in_queue
        button = widgets.Button(
            description=f"{orderid}" + (f" {status}" if status else ""), disabled=not shown,
            tooltip=(f"Select order {orderid}" if shown else
                     f"Order {orderid} ({status or 'status unknown'}) is not in the queue: "
                     "change the filters to select it"),
            layout=widgets.Layout(width="auto", height="26px"))
        button.on_click(lambda _: self._select([orderid]))
        self.order_buttons[orderid] = button
        return button
