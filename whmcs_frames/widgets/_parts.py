"""Small pieces the widgets use: escaped messages, option inputs, the confirm/back step.

Example
-------
>>> message_html("3 < 4", error=True)
'<div style="color:#b00020;white-space:pre-wrap">3 &lt; 4</div>'
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

__all__ = [
    "TABLE_OPTIONS",
    "ConfirmStep",
    "WidgetState",
    "message_html",
    "pre_html",
    "tri_state",
]

#: The review queue's ITable options. maxBytes=0: never downsample, or orders in the
#: middle of a long queue could not be selected. The widget's Search box is the filter:
#: DataTables' own would be a second, confusing one.
TABLE_OPTIONS: dict[str, Any] = {
    "select": True, "maxBytes": 0, "scrollX": True, "pageLength": 10,
    "lengthMenu": [10, 25, 50, 100], "classes": "display nowrap compact",
    "style": "width:100%;margin:0;caption-side:bottom",
    # everything under the table, so the queue starts right below the filters
    "layout": {"topStart": None, "topEnd": None, "bottomStart": ["info", "pageLength"],
               "bottomEnd": "paging"}}

# Wrap long lines at spaces (words break only when they cannot fit), tight lines.
_PRE = "white-space:pre-wrap;overflow-wrap:break-word;word-break:normal;line-height:1.35;margin:0"


def message_html(text: str, *, error: bool = False) -> str:
    """A status or error line as HTML; the text is escaped (it may quote customer data).

    Examples
    --------
    >>> message_html("")
    ''
    """
    if not text:
        return ""
    colour = "#b00020" if error else "inherit"
    return f'<div style="color:{colour};white-space:pre-wrap">{html.escape(text)}</div>'


def pre_html(text: str) -> str:
    """Preformatted, escaped text that wraps instead of overflowing its box.

    Examples
    --------
    >>> pre_html("a=<b>").endswith('">a=&lt;b&gt;</pre>')
    True
    """
    return f'<pre style="{_PRE}">{html.escape(text)}</pre>'


def tri_state(description: str) -> widgets.Dropdown:
    """A yes/no/unset dropdown; unset (None) means the parameter is not sent at all.

    Examples
    --------
    >>> tri_state("Send email").value is None
    True
    """
    return widgets.Dropdown(options=[("product setting", None), ("yes", True), ("no", False)],
                            index=0, description=description,
                            style={"description_width": "initial"},
                            layout=widgets.Layout(width="230px"))


class ConfirmStep(widgets.VBox):
    """What will be sent, an optional typed check, and the Confirm and Back buttons.

    Hidden until :meth:`show` is called; the owner wires the two buttons.

    Examples
    --------
    >>> step = ConfirmStep()
    >>> step.show("AcceptOrder orderid=5", typed_check=False)
    >>> step.layout.display, step.confirm.description
    (None, 'Confirm')
    """

    def __init__(self) -> None:
        self.text = widgets.HTML()
        self.typed = widgets.Text(placeholder="how many", description="Type the number of "
                                  "orders to delete:", style={"description_width": "initial"},
                                  layout=widgets.Layout(width="100%", max_width="400px",
                                                        display="none"))
        self.confirm = widgets.Button(description="Confirm", button_style="danger",
                                      icon="check", layout=widgets.Layout(width="120px"))
        self.back = widgets.Button(description="Back", icon="arrow-left",
                                   layout=widgets.Layout(width="120px"))
        super().__init__(
            [widgets.HTML("<b>Please confirm</b>"), self.text, self.typed,
             widgets.HBox([self.confirm, self.back])],
            layout=widgets.Layout(display="none", border="1px solid #d0a000",
                                  padding="6px", margin="6px 0", width="100%"))

    def show(self, text: str, *, typed_check: bool) -> None:
        """Show ``text`` (escaped, preformatted), with the typed-number box if asked."""
        self.text.value = pre_html(text)
        self.typed.value = ""
        self.typed.layout.display = None if typed_check else "none"
        self.layout.display = None

    def hide(self) -> None:
        """Hide the step and forget what was typed."""
        self.layout.display = "none"
        self.typed.value = ""
        self.text.value = ""


class WidgetState:
    """What both widgets keep the same way: busy and quiet flags, status and error text.

    A mixin over each widget's own ``status_line`` and ``error_box`` (HTML widgets) and
    its own ``_sync_buttons``. ``_working`` disables the buttons while a request is in
    flight and restores them whatever happens; ``_quietly`` marks input changes made by
    the widget itself, which its observers must not take for the analyst's.
    """

    _busy = False
    _quiet = False
    _status_text = ""
    _error_text = ""
    status_line: widgets.HTML
    error_box: widgets.HTML

    if TYPE_CHECKING:  # each widget has its own
        def _sync_buttons(self) -> None: ...

    @property
    def status(self) -> str:
        """The status line's text."""
        return self._status_text

    @property
    def error(self) -> str:
        """The last error shown in the widget ('' when the last step went well)."""
        return self._error_text

    def _say(self, status: str, *, error: str = "") -> None:
        self._status_text, self._error_text = status, error
        self.status_line.value = message_html(status)
        self.error_box.value = message_html(error, error=True)

    @contextlib.contextmanager
    def _working(self, message: str) -> Iterator[None]:
        self._busy = True
        self._sync_buttons()
        self._say(message)
        try:
            yield
        finally:
            self._busy = False
            self._sync_buttons()

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False
