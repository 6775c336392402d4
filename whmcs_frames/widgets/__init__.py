"""Analyst-in-the-loop widgets: the order review queue and the add-order form.

Both are built and returned, never displayed by the builder: put the widget last in a
cell (or call ``display``) to show it in JupyterLab, Notebook 7 or VS Code. They hold
no business rules: every write goes through the audited actions layer
(:func:`whmcs_frames.bulk`, ``client.add_order``), so validation, the status checks and
the audit log are the same as from a script, and every write waits for a confirmation.

Both are scriptable as well as clickable (ipywidgets' ``Button.click()`` runs the same
handler a click does), which is how the tests drive them.

Example
-------
>>> import whmcs_frames as wf
>>> rv = wf.review(client)  # doctest: +SKIP
>>> rv  # shows the queue  # doctest: +SKIP
>>> rv.selected = [61, 59]; rv.buttons["accept"].click(); rv.confirm()  # doctest: +SKIP
>>> rv.outcomes  # doctest: +SKIP
"""

from ._add_order_form import AddOrderForm
from ._builders import add_order_form, review
from ._review_queue import ReviewQueue

__all__ = ["AddOrderForm", "ReviewQueue", "add_order_form", "review"]
