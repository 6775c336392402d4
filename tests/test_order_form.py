"""The add-order form: its pure rules, and the widget against the sandbox."""

from __future__ import annotations

import base64
import datetime as dt

import ipywidgets
import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import widgets
from whmcs_frames._api.php import php_unserialize
from whmcs_frames.frames import _product_options as product_options
from whmcs_frames.frames import product_pricing_frame, promotions_frame
from whmcs_frames.widgets import _order_form_rules as rules

SANDBOX_DAY = dt.date(2024, 8, 1)  # inside seed 11's synthetic calendar


# -- pure rules ------------------------------------------------------------------------

@pytest.fixture
def pricing():
    return product_pricing_frame([
        {"pid": 1, "paytype": "recurring", "pricing": {
            "USD": {"monthly": "5.00", "msetupfee": "1.00", "quarterly": "-1.00",
                    "annually": "50.00", "asetupfee": "0.00"},
            "EUR": {"monthly": "-1.00", "annually": "46.00", "asetupfee": "0.00"}}},
        {"pid": 2, "paytype": "onetime", "pricing": {"USD": {"monthly": "39.00",
                                                             "msetupfee": "0.00"}}},
    ])


@pytest.fixture
def promotions():
    return promotions_frame([
        {"id": 1, "code": "LIVE", "type": "Percentage", "value": "10.00", "appliesto": "1,2"},
        {"id": 2, "code": "OLD", "type": "Percentage", "value": "10.00", "appliesto": "1",
         "expirationdate": "2024-01-31"},
        {"id": 3, "code": "SOON", "type": "Fixed Amount", "value": "1.00", "appliesto": "1",
         "startdate": "2025-01-01"},
        {"id": 4, "code": "USEDUP", "type": "Free Setup", "value": "0", "appliesto": "1",
         "maxuses": "5", "uses": "5"},
        {"id": 5, "code": "MONTHLY", "type": "Price Override", "value": "3.00",
         "appliesto": "1", "cycles": "Monthly", "expirationdate": "2024-06-01"},
        {"id": 6, "code": "OTHER", "type": "Percentage", "value": "50", "appliesto": "2"},
    ])


def test_cycles_are_only_those_offered_in_the_currency(pricing):
    assert rules.cycles_offered(pricing, 1, "USD") == ["monthly", "annually"]
    assert rules.cycles_offered(pricing, 1, "EUR") == ["annually"]
    assert rules.cycles_offered(pricing, 2, "EUR") == []
    assert rules.cycle_choices(pricing, 1, "USD")[0] == ("Monthly · 5.00 USD + 1.00 setup",
                                                         "monthly")


def test_products_offered_in_a_currency_by_group(pricing):
    products = pd.DataFrame({"pid": [2, 1], "gid": [3, 1], "name": ["SSL", "Web"]})
    assert rules.product_choices(products, pricing, "USD") == [("group 1 · Web", 1),
                                                               ("group 3 · SSL", 2)]
    assert rules.product_choices(products, pricing, "EUR") == [("group 1 · Web", 1)]


def test_promotions_valid_now_for_the_product(promotions):
    day = dt.date(2024, 5, 1)
    codes = rules.promotions_valid_now(promotions, 1, now=day)["code"].tolist()
    assert codes == ["LIVE", "MONTHLY"]
    assert rules.promotions_valid_now(promotions, 1, now=day, cycle="annually")[
        "code"].tolist() == ["LIVE"]
    assert rules.promotions_valid_now(promotions, 1, now=dt.date(2024, 6, 1))[
        "code"].tolist() == ["LIVE", "MONTHLY"]  # the expiry day itself still counts
    assert rules.promotions_valid_now(promotions, 1, now=dt.date(2025, 2, 1))[
        "code"].tolist() == ["LIVE", "SOON"]
    assert rules.promotions_valid_now(promotions, 2, now=day)["code"].tolist() == [
        "LIVE", "OTHER"]


def test_price_preview_applies_each_promotion_kind(pricing):
    base = rules.price_preview(pricing, 1, "USD", "monthly", qty=2)
    assert (base["due_today"], base["renewal"]) == (12.0, 10.0)
    # 5.00 a month + 1.00 setup
    kinds = {"Percentage": (20.0, 5.0), "Fixed Amount": (20.0, 1.0),
             "Price Override": (3.0, 4.0), "Free Setup": (0.0, 5.0)}
    for kind, (value, due) in kinds.items():
        promo = {"code": "P", "type": kind, "value": value, "recurring": False}
        shown = rules.price_preview(pricing, 1, "USD", "monthly", promotion=promo)
        assert shown["due_today"] == due, kind
        assert shown["renewal"] == 5.0  # not a recurring promotion
    once = rules.price_preview(pricing, 2, "USD", "onetime")
    assert once["renewal"] is None and once["due_today"] == 39.0
    text = rules.preview_text(rules.price_preview(pricing, 1, "USD", "monthly",
                                                  options=(2.0, 0.5)))
    assert text.startswith("about 8.50 USD due today (1 x 7.00 + 1.50 setup)")


def test_custom_fields_config_options_and_required_ones():
    raw = {"customfields": {"customfield": [
        {"id": "4", "name": "Server label", "description": "", "required": "on"},
        {"id": "5", "name": "Notes", "description": "staff", "required": ""}]},
        "configoptions": {"configoption": [
            {"id": "1", "name": "Memory", "type": "1", "options": {"option": [
                {"id": "1", "name": "2 GB", "pricing": {"USD": {"monthly": "0.00"}}},
                {"id": "2", "name": "4 GB", "pricing": {"USD": {"monthly": "8.00"}}}]}},
            {"id": "3", "name": "IPs", "type": "4", "minqty": "0", "maxqty": "8",
             "options": {"option": [{"id": "8", "name": "IP", "pricing": {
                 "USD": {"monthly": "2.00", "msetupfee": "1.00"}}}]}}]}}
    fields = product_options.custom_fields(raw)
    assert [(f["id"], f["required"]) for f in fields] == [(4, True), (5, False)]
    assert product_options.missing_required(fields, {5: "x"}) == ["Server label"]
    assert product_options.missing_required(fields, {4: "web1"}) == []
    options = product_options.config_options(raw)
    assert options[1]["maxqty"] == 8 and options[0]["options"] == [(1, "2 GB"), (2, "4 GB")]
    assert product_options.config_price(raw, {1: 2, 3: 3}, "USD", "monthly") == (14.0, 3.0)
    assert product_options.config_price(raw, {1: 2}, "EUR", "monthly") == (0.0, 0.0)


def test_client_defaults_come_from_the_latest_order():
    orders = pd.DataFrame({"id": [5, 9], "date": pd.to_datetime(["2024-03-01", "2024-01-01"]),
                           "currency": ["GBP", "USD"], "paymentmethod": ["paypal", "stripe"]})
    assert rules.client_defaults(orders) == {"currency": "GBP", "paymentmethod": "paypal",
                                             "orders": 2}
    assert rules.client_defaults(orders.iloc[0:0])["currency"] is None


def test_the_request_preview_is_what_add_order_sends_with_secrets_masked():
    product = wf.Product(4, "monthly", domain="vps.example.com", customfields={4: "web1"})
    product = wf.Product(**{**product.__dict__, "rootpw": "s3cret!"})
    pairs = dict(rules.request_pairs(3, "mailin", [product], promocode="VPSDEAL"))
    assert pairs["pid[0]"] == "4" and pairs["domain[0]"] == "vps.example.com"
    assert pairs["rootpw"] == "***" and "s3cret!" not in str(pairs)
    assert php_unserialize(base64.b64decode(pairs["customfields[0]"])) == {4: "web1"}
    with pytest.raises(wf.ValidationError, match="clientid"):
        rules.request_pairs(None, "mailin", [product])


def test_build_product_leaves_blanks_out():
    item = rules.build_product(1, "monthly", qty=None, domain="  ",
                               customfields={1: "", 2: "Shop"}, configoptions={1: None, 3: 2})
    assert item.domain is None and item.customfields == {2: "Shop"}
    assert item.configoptions == {3: 2} and item.qty is None


# -- the widget --------------------------------------------------------------------------

@pytest.fixture
def form(client):
    return widgets.add_order_form(client, now=SANDBOX_DAY)


def add_orders_sent(box):
    return [r for r in box.requests if r["action"] == "AddOrder"]


def fill_vps(form, *, label="web-1"):
    form.clientid.value = 36  # its latest order is in USD, paid by mailin
    form.product.value = 4
    form.cycle.value = "monthly"
    form.domain.value = "vps.example.com"
    form.customfields[4].value = label
    form.configoptions[1].value = 2  # Memory: 4 GB
    form.configoptions[3].value = 2  # two extra IPv4 addresses


def test_the_form_reads_the_catalogue_through_the_clients_memo(box, client):
    products = client.products()  # the catalogue read once, by the client
    assert box.request_count("GetProducts") == 1
    form = widgets.add_order_form(client, now=SANDBOX_DAY)
    assert box.request_count("GetProducts") == 1  # the form shared it: no second read
    offered = {pid for _, pid in form.product.options}
    assert offered and offered <= set(products["pid"])
    form.product.value = 4
    assert set(form.customfields) == {4}  # custom fields from the memo's raw records
    client.product_records()[0]["customfields"] = "changed by the caller"
    assert client.product_records()[0]["customfields"] != "changed by the caller"


def test_the_form_is_a_vbox_and_defaults_from_the_clients_orders(form):
    assert isinstance(form, ipywidgets.VBox) and isinstance(form.submit, ipywidgets.Button)
    form.clientid.value = 36
    assert form.currency.value == "USD" and form.paymentmethod.value == "mailin"
    assert "latest" in form.client_hint.value
    form.clientid.value = 99999
    assert "no orders" in form.client_hint.value


def test_the_form_sends_a_correct_add_order_after_confirmation(flavour, form, box, client):
    fill_vps(form)
    form.promotion.value = "VPSDEAL"
    assert "promocode=VPSDEAL" in form.request.value
    form.submit.click()
    assert add_orders_sent(box) == [] and form.submit.disabled
    assert "pid[0]=4" in form.step.text.value
    form.confirm()
    assert form.error == "" and form.result is not None
    sent = add_orders_sent(box)
    assert len(sent) == 1
    params = sent[0]["params"]
    assert params["clientid"] == "36" and params["paymentmethod"] == "mailin"
    for name in ("pid", "billingcycle", "domain", "customfields", "configoptions"):
        assert list(params[name]) == ["0"], name  # aligned at the product's index
    assert (params["pid"]["0"], params["billingcycle"]["0"]) == ("4", "monthly")
    assert php_unserialize(base64.b64decode(params["customfields"]["0"])) == {4: "web-1"}
    assert php_unserialize(base64.b64decode(params["configoptions"]["0"])) == {1: 2, 3: 2}
    assert params["promocode"] == "VPSDEAL"
    new = client.orders(refresh=True, progress=False).set_index("id")
    assert new.at[form.result.orderid, "status"] == "Pending"
    assert f"order {form.result.orderid}" in form.status
    assert f"invoice {form.result.invoiceid}" in form.status
    assert not form.submit.disabled
    assert list(wf.read_audit_log(client.audit_log)["outcome"]) == ["success"]


def test_required_custom_fields_are_enforced_before_sending(form, box):
    fill_vps(form, label="  ")
    form.submit.click()
    assert "Server label" in form.error and add_orders_sent(box) == []
    assert form.step.layout.display == "none"
    form.confirm()
    assert add_orders_sent(box) == []


def test_promotion_picker_offers_only_live_promotions_for_the_product(client):
    form = widgets.add_order_form(client, now=SANDBOX_DAY)
    form.clientid.value = 36
    form.product.value = 3
    codes = {value for _, value in form.promotion.options}
    assert codes == {None, "WELCOME10", "LOYAL15", "RESELL20"}
    later = widgets.add_order_form(client, now=dt.date(2030, 1, 1))
    later.product.value = 3
    assert {v for _, v in later.promotion.options} == {None, "WELCOME10", "LOYAL15"}
    form.product.value = 4
    form.cycle.value = "annually"
    assert {v for _, v in form.promotion.options} == {None, "NOSETUP"}  # VPSDEAL: Monthly


def test_cycles_and_products_follow_the_currency(form):
    form.currency.value = "GBP"
    assert 6 not in {pid for _, pid in form.product.options}  # Bare Metal: not in GBP
    form.currency.value = "USD"
    form.product.value = 6
    assert [c for _, c in form.cycle.options] == ["monthly", "annually"]
    form.product.value = 7
    assert [c for _, c in form.cycle.options] == ["onetime"]


def test_an_error_from_whmcs_is_shown_in_the_form(form, box):
    fill_vps(form)
    form.paymentmethod.value = "bitcoin"
    form.submit.click()
    form.confirm()
    assert "Invalid Payment Method" in form.error
    assert len(add_orders_sent(box)) == 1 and form.result is None
    assert not form.submit.disabled


def test_changing_the_form_or_going_back_withdraws_the_confirmation(form, box):
    fill_vps(form)
    form.submit.click()
    form.domain.value = "other.example.com"
    assert "withdrawn" in form.status
    form.confirm()
    form.submit.click()
    form.back()
    form.confirm()
    assert add_orders_sent(box) == [] and "Nothing to confirm" in form.status


def test_submit_is_disabled_while_in_flight_and_confirming_twice_orders_once(form, box):
    seen = []
    box.on_request(lambda _b, action, _p: seen.append(
        (form.submit.disabled, form.step.confirm.disabled)) if action == "AddOrder" else None)
    fill_vps(form)
    form.submit.click()
    form.step.confirm.click()
    form.step.confirm.click()
    box.on_request(None)
    assert seen == [(True, True)] and len(add_orders_sent(box)) == 1
