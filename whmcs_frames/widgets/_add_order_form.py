"""The add-order form widget: :class:`AddOrderForm`, built by :func:`whmcs_frames.add_order_form`.

A thin shell over :mod:`whmcs_frames._order_form` (what may be ordered, prices,
previews) and ``client.add_order``, which validates, audits and sends once.

Example
-------
>>> form = AddOrderForm(client)  # doctest: +SKIP
>>> form.clientid.value = 3; form.submit.click(); form.confirm()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import frames
from .._exceptions import ValidationError, WhmcsError
from ..actions._perform import error_message
from ..frames._product_options import config_options, config_price, custom_fields, missing_required
from . import _order_form_rules as rules
from ._parts import ConfirmStep, WidgetState, message_html, pre_html

if TYPE_CHECKING:
    from .._client.facade import Client
    from ..actions import AddOrderResult

__all__ = ["AddOrderForm", "SubmitButton"]

_WIDE = {"description_width": "150px"}
_ROW = widgets.Layout(width="470px")


def _choose(dropdown: widgets.Dropdown, options: list[Any], keep: Any) -> None:
    """Replace a dropdown's options, keeping ``keep`` selected when it is still there."""
    dropdown.options = options
    values = [o[1] if isinstance(o, tuple) else o for o in options]
    # By index: setting value=None would select nothing even where None is an option.
    dropdown.index = values.index(keep) if keep in values else (0 if options else None)


class SubmitButton(widgets.Button):
    """The form's submit Button; calling it clicks it, so ``form.submit()`` works too."""

    def __call__(self) -> None:
        """Press the button, as ``form.submit.click()`` does."""
        self.click()


class AddOrderForm(WidgetState, widgets.VBox):
    """The add-order form; see :func:`add_order_form`.

    Attributes
    ----------
    submit : ipywidgets.Button
        Asks for confirmation of the previewed request.
    customfields, configoptions : dict of int to widget
        The chosen product's custom fields and configurable options, by id.
    result : AddOrderResult or None
        What the last confirmed AddOrder created.
    """

    def __init__(self, client: Client, *, now: dt.datetime | dt.date | None = None) -> None:
        self.client = client
        self._now = now
        self._quiet = self._busy = False
        self._pending: tuple[int, str, list[Any], str | None] | None = None
        self._status_text = self._error_text = self._price_text = ""
        self._inputs_pid: int | None = -1
        self.result: AddOrderResult | None = None
        self.customfields: dict[int, widgets.Text] = {}
        self.configoptions: dict[int, widgets.Widget] = {}
        self._raw: dict[int, dict[str, Any]] = {}
        self._build()
        super().__init__(self._layout_children(),
                         layout=widgets.Layout(width="100%", max_width="1000px"))
        self._load_catalogue()
        self._sync_buttons()

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        def box(widget: type[widgets.Widget], description: str, **kw: Any) -> Any:
            return widget(description=description, style=_WIDE, layout=_ROW, **kw)

        self.clientid = box(widgets.BoundedIntText, "Client ID", min=0, max=2**31 - 1)
        self.client_hint = widgets.HTML()
        self.paymentmethod = box(widgets.Combobox, "Payment method", ensure_option=False,
                                 placeholder="gateway system name, e.g. stripe")
        self.currency = box(widgets.Dropdown, "Currency")
        self.product = box(widgets.Dropdown, "Product")
        self.cycle = box(widgets.Dropdown, "Billing cycle")
        self.qty = box(widgets.BoundedIntText, "Quantity", value=1, min=1, max=1000)
        self.domain = box(widgets.Text, "Domain", placeholder="optional, e.g. example.com")
        self.fields_box = widgets.VBox()
        self.options_box = widgets.VBox()
        self.promotion = box(widgets.Dropdown, "Promotion")
        self.price = widgets.HTML()
        self.request = widgets.HTML()
        self.submit = SubmitButton(description="Add order", button_style="primary",
                                   icon="shopping-cart", layout=widgets.Layout(width="140px"))
        self.step = ConfirmStep()
        self.status_line = widgets.HTML()
        self.error_box = widgets.HTML()
        for control in (self.clientid, self.paymentmethod, self.currency, self.product,
                        self.cycle, self.qty, self.domain, self.promotion):
            control.observe(self._on_change, names="value")
        self.submit.on_click(lambda _: self._on_submit())
        self.step.confirm.on_click(lambda _: self.confirm())
        self.step.back.on_click(lambda _: self.back())

    def _layout_children(self) -> list[widgets.Widget]:
        inputs = widgets.VBox([
            self.clientid, self.client_hint, self.paymentmethod, self.currency, self.product,
            self.cycle, self.qty, self.domain, widgets.HTML("<b>Custom fields</b>"),
            self.fields_box, widgets.HTML("<b>Configurable options</b>"), self.options_box,
            self.promotion], layout=widgets.Layout(flex="1 1 0", min_width="470px"))
        preview = widgets.VBox([
            widgets.HTML("<b>Price</b>"), self.price,
            widgets.HTML("<b>Request to be sent</b>"), self.request],
            layout=widgets.Layout(flex="1 1 0", min_width="300px", padding="0 0 0 10px"))
        return [widgets.HTML("<b>Add an order</b>"),
                widgets.HBox([inputs, preview], layout=widgets.Layout(flex_flow="row wrap")),
                self.submit, self.step, self.status_line, self.error_box]

    def _load_catalogue(self) -> None:
        try:
            # One memoised GetProducts behind all three, shared with the client's own reads.
            raw = self.client.product_records()
            self._products = self.client.products()
            self._pricing = self.client.product_pricing()
            self._promotions = self.client.promotions()
        except WhmcsError as exc:
            self._products = frames.products_frame([])
            self._pricing = frames.product_pricing_frame([])
            self._promotions = frames.promotions_frame([])
            self._say("Could not read the catalogue.", error=error_message(exc))
            raw = []
        self._raw = {int(p["pid"]): p for p in raw}
        currencies = sorted(self._pricing["currency"].dropna().astype(str).unique())
        with self._quietly():
            _choose(self.currency, currencies, None)
        self._refresh_choices()

    # -- public, scriptable surface ---------------------------------------------------------

    def confirm(self) -> None:
        """Send the AddOrder waiting for confirmation (what the Confirm button does)."""
        pending = self._pending
        if pending is None:
            self._say("Nothing to confirm: press Add order first.")
            return
        self._pending = None  # taken before sending: a second click cannot order twice
        self.step.hide()
        clientid, paymentmethod, items, promocode = pending
        with self._working("Sending AddOrder…"):
            try:
                result = self.client.add_order(clientid, paymentmethod, items=items,
                                               promocode=promocode)
            except WhmcsError as exc:
                self._say("No order was created, or its outcome is unknown (see the error).",
                          error=error_message(exc))
                return
        self.result = result
        self._say(f"Created order {result.orderid} with invoice {result.invoiceid or 'none'}"
                  f" (services {', '.join(map(str, result.serviceids)) or 'none'}).")

    def back(self) -> None:
        """Drop the AddOrder waiting for confirmation (what the Back button does)."""
        if self._pending is None:
            self._say("Nothing to go back from.")
            return
        self._withdraw("Back: nothing was sent.")

    # -- reacting to the inputs -----------------------------------------------------------------

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        if self._pending is not None:
            self._withdraw("The form changed, so the confirmation was withdrawn.")
        if change["owner"] is self.clientid:
            self._client_changed()
        if change["owner"] in (self.clientid, self.currency, self.product, self.cycle):
            self._refresh_choices()
        else:
            self._refresh_preview()

    def _client_changed(self) -> None:
        userid = self.clientid.value
        if not userid:
            self.client_hint.value = ""
            return
        try:
            found = rules.client_defaults(self.client.orders(userid=userid, progress=False))
        except WhmcsError as exc:
            self._say("", error=error_message(exc))
            return
        with self._quietly():
            if found["currency"] in self.currency.options:
                self.currency.value = found["currency"]
            if found["paymentmethod"] and not self.paymentmethod.value:
                self.paymentmethod.value = found["paymentmethod"]
            self.paymentmethod.options = [found["paymentmethod"]] if found[
                "paymentmethod"] else []
        self.client_hint.value = message_html(
            f"Client {userid}: {found['orders']} order(s); currency {found['currency']} from "
            "the latest one." if found["orders"] else
            f"Client {userid} has no orders yet: choose the client's currency.")

    def _refresh_choices(self) -> None:
        """Products, cycles and promotions offered for the chosen currency and product."""
        currency = self.currency.value
        with self._quietly():
            _choose(self.product, rules.product_choices(self._products, self._pricing,
                                                        currency or ""), self.product.value)
            pid = self.product.value
            _choose(self.cycle, rules.cycle_choices(self._pricing, pid, currency)
                    if pid else [], self.cycle.value)
            now = self._now or dt.datetime.now()
            promos = rules.promotions_valid_now(self._promotions, pid or 0, now=now,
                                                cycle=self.cycle.value)
            _choose(self.promotion, [("(no promotion)", None)] + [
                (rules.promotion_label(p), p["code"]) for p in promos.to_dict("records")],
                self.promotion.value)
        self._rebuild_product_inputs(pid)
        self._refresh_preview()

    def _rebuild_product_inputs(self, pid: int | None) -> None:
        if pid == self._inputs_pid:
            return  # same product: keep what was typed
        self._inputs_pid = pid
        raw = self._raw.get(pid or 0, {})
        allowqty = bool(self._products.loc[self._products["pid"] == pid, "allowqty"]
                        .fillna(False).any())
        self.qty.disabled = not allowqty
        self.customfields = {}
        for field in custom_fields(raw):
            text = widgets.Text(description=field["name"] + (" *" if field["required"] else ""),
                                placeholder=field["description"], style=_WIDE, layout=_ROW)
            text.observe(self._on_change, names="value")
            self.customfields[field["id"]] = text
        self.configoptions = {o["id"]: self._option_input(o) for o in config_options(raw)}
        self.fields_box.children = list(self.customfields.values()) or [
            widgets.HTML("<i>none</i>")]
        self.options_box.children = list(self.configoptions.values()) or [
            widgets.HTML("<i>none</i>")]

    def _option_input(self, option: dict[str, Any]) -> widgets.Widget:
        name = option["name"]
        if option["type"] == 3:
            control: widgets.Widget = widgets.Checkbox(description=name, style=_WIDE)
        elif option["type"] == 4:
            control = widgets.BoundedIntText(
                description=name, min=option["minqty"], max=option["maxqty"] or 1000,
                value=option["minqty"], style=_WIDE, layout=_ROW)
        else:
            control = widgets.Dropdown(
                options=[("(the product's default)", None), *[(n, i) for i, n in
                                                              option["options"]]],
                index=0, description=name, style=_WIDE, layout=_ROW)
        control.observe(self._on_change, names="value")
        return control

    def _choices(self) -> dict[int, int]:
        # Yes/no boxes count 1 when ticked; unset options are not sent.
        return {cid: int(w.value) for cid, w in self.configoptions.items()
                if w.value not in (None, False, 0)}

    def _items(self) -> list[Any]:
        if not self.product.value or not self.cycle.value:
            where = self.currency.value or "the client's currency"
            raise ValidationError("product", f"a product and a billing cycle offered in {where}")
        return [rules.build_product(
            self.product.value, self.cycle.value,
            qty=self.qty.value if not self.qty.disabled else None, domain=self.domain.value,
            customfields={k: w.value for k, w in self.customfields.items()},
            configoptions=self._choices())]

    def _refresh_preview(self) -> None:
        pid, cycle, currency = self.product.value, self.cycle.value, self.currency.value
        if pid and cycle and currency:
            promos = self._promotions[self._promotions["code"] == self.promotion.value]
            preview = rules.price_preview(
                self._pricing, pid, currency, cycle,
                qty=self.qty.value if not self.qty.disabled else 1,
                promotion=None if promos.empty else promos.iloc[0].to_dict(),
                options=config_price(self._raw.get(pid, {}), self._choices(), currency, cycle))
            self._price_text = rules.preview_text(preview)
        else:
            self._price_text = "Choose a product offered in this currency."
        self.price.value = message_html(self._price_text)
        try:
            pairs = rules.request_pairs(self.clientid.value or None,
                                        self.paymentmethod.value or None, self._items(),
                                        promocode=self.promotion.value)
        except WhmcsError as exc:
            self.request.value = message_html(f"Not complete yet: {error_message(exc)}")
            return
        self.request.value = pre_html("\n".join(f"{k}={v}" for k, v in pairs))

    # -- submitting -------------------------------------------------------------------------------

    def _on_submit(self) -> None:
        if self._busy or self._pending is not None:
            self._say("Confirm or go back from the order waiting first.")
            return
        fields = custom_fields(self._raw.get(self.product.value or 0, {}))
        missing = missing_required(fields, {k: w.value for k, w in
                                                  self.customfields.items()})
        try:
            if missing:
                raise ValidationError("customfields", "a value for every required field: "
                                      + ", ".join(missing))
            items = self._items()
            pairs = rules.request_pairs(self.clientid.value or None,
                                        self.paymentmethod.value or None, items,
                                        promocode=self.promotion.value)
        except WhmcsError as exc:
            self._say("Nothing was sent.", error=error_message(exc))
            return
        self._pending = (self.clientid.value, self.paymentmethod.value.strip(), items,
                         self.promotion.value)
        self.step.show("AddOrder creates a Pending order and, unless it is free, an Unpaid "
                       "invoice. It is sent once and never retried.\n"
                       + self._price_text + "\n\n"
                       + "\n".join(f"{k}={v}" for k, v in pairs), typed_check=False)
        self._sync_buttons()
        self._say("Check what will be sent, then Confirm or Back.")

    # -- state ----------------------------------------------------------------------------------

    def _withdraw(self, message: str) -> None:
        self._pending = None
        self.step.hide()
        self._sync_buttons()
        self._say(message)

    def _sync_buttons(self) -> None:
        waiting = self._pending is not None
        self.submit.disabled = self._busy or waiting
        self.step.confirm.disabled = self.step.back.disabled = self._busy or not waiting

