"""Sandbox read actions over real HTTP: GetOrders, GetProducts, GetPromotions, statuses."""

from __future__ import annotations

import json

import pytest
import requests
from _raw import raw_call as call

from whmcs_frames import sandbox
from whmcs_frames._api.php import flatten_params, php_unserialize

ORDER_FIELDS = {
    "id", "ordernum", "userid", "contactid", "requestor_id", "admin_requestor_id", "date",
    "nameservers", "transfersecret", "renewals", "renewalsByType", "promocode", "promotype",
    "promovalue", "orderdata", "amount", "paymentmethod", "paymentmethodname",
    "paymentstatus", "invoiceid", "status", "ipaddress", "fraudmodule", "fraudoutput",
    "frauddata", "validationdata", "notes", "name", "currencyprefix", "currencysuffix",
    "lineitems",
}
LINE_FIELDS = {"type", "relid", "producttype", "product", "domain", "billingcycle", "amount",
               "status"}


@pytest.fixture(scope="module", params=["8", "7"])
def rbox(request):
    """The raw-shape tests run against both numeric flavours (quirks: test_sandbox_flavours)."""
    with sandbox.serve(orders=300, seed=5, flavour=request.param) as box:
        yield box


def num(box, value: int):
    """``value`` as the box's flavour sends integers: a JSON number ("8") or a string ("7")."""
    return value if box.flavour == "8" else str(value)


@pytest.fixture(scope="module")
def all_orders(rbox):
    return call(rbox, "GetOrders", limitnum=1000)["orders"]["order"]


def test_get_orders_shape(rbox):
    page = call(rbox, "GetOrders")
    assert page["result"] == "success"
    assert page["totalresults"] == num(rbox, 300)
    assert page["startnumber"] == num(rbox, 0)
    assert page["numreturned"] == num(rbox, 25)  # the default limitnum
    order = page["orders"]["order"][0]
    assert set(order) == ORDER_FIELDS
    assert order["id"] == num(rbox, int(order["id"])) and int(order["id"]) > 0
    assert order["ordernum"] == num(rbox, int(order["ordernum"]))
    assert len(str(order["ordernum"])) == 10
    assert isinstance(order["amount"], str)  # money stays a decimal string
    assert order["renewalsByType"] == {"domains": [], "services": [], "addons": []}
    assert order["currencyprefix"] in ("$", "€", "£")
    assert order["currencysuffix"] in (" USD", " EUR", " GBP")
    for line in order["lineitems"]["lineitem"]:
        assert set(line) == LINE_FIELDS


def test_every_order_is_consistent(all_orders):
    for order in all_orders:
        assert order["amount"].count(".") == 1 and len(order["amount"].split(".")[1]) == 2
        lines = order["lineitems"]["lineitem"]
        assert lines, order["id"]
        total = sum(round(float(line["amount"]) * 100) for line in lines)
        assert total == round(float(order["amount"]) * 100), order["id"]
        if int(order["invoiceid"]) == 0:
            assert order["paymentstatus"] == ""
        else:
            assert order["paymentstatus"] in ("Paid", "Unpaid", "Cancelled", "Refunded")
        if order["status"] == "Active" and int(order["invoiceid"]) != 0:
            assert order["paymentstatus"] == "Paid"
        if order["fraudoutput"]:
            assert isinstance(json.loads(order["fraudoutput"]), dict)
            assert order["fraudmodule"] in ("maxmind", "fraudlabs")


def test_newest_first_and_pagination_covers_everything(rbox, all_orders):
    ids = [int(o["id"]) for o in all_orders]
    assert ids == sorted(ids, reverse=True)
    seen = []
    for start in range(0, 300, 70):
        page = call(rbox, "GetOrders", limitstart=start, limitnum=70)
        assert page["startnumber"] == num(rbox, start)
        assert page["numreturned"] == num(rbox, min(70, 300 - start))
        seen += [int(o["id"]) for o in page["orders"]["order"]]
    assert seen == ids


def test_pagination_boundaries(rbox):
    past = call(rbox, "GetOrders", limitstart=300, limitnum=10)
    assert past["numreturned"] == num(rbox, 0) and past["orders"] == {"order": []}
    assert past["totalresults"] == num(rbox, 300)
    last = call(rbox, "GetOrders", limitstart=299, limitnum=10)
    assert last["numreturned"] == num(rbox, 1)
    assert call(rbox, "GetOrders", limitnum=0)["numreturned"] == num(rbox, 25)
    assert call(rbox, "GetOrders", limitnum="abc")["numreturned"] == num(rbox, 25)
    assert call(rbox, "GetOrders", limitstart=-5, limitnum=3)["startnumber"] == num(rbox, 0)


def test_filters(rbox, all_orders):
    target = all_orders[17]
    one = call(rbox, "GetOrders", id=target["id"])
    assert one["totalresults"] == num(rbox, 1) and one["orders"]["order"][0] == target
    assert call(rbox, "GetOrders", id="nonsense")["totalresults"] == num(rbox, 0)
    mine = call(rbox, "GetOrders", userid=target["userid"], limitnum=500)["orders"]["order"]
    assert {o["userid"] for o in mine} == {target["userid"]}
    assert len(mine) == sum(o["userid"] == target["userid"] for o in all_orders)
    by_requestor = call(rbox, "GetOrders", requestor_id=target["requestor_id"], limitnum=500)
    assert {o["requestor_id"] for o in by_requestor["orders"]["order"]} == \
        {target["requestor_id"]}
    for status in ("Active", "Cancelled", "Fraud", "Pending"):
        page = call(rbox, "GetOrders", status=status, limitnum=500)
        assert int(page["totalresults"]) == sum(o["status"] == status for o in all_orders)
        assert {o["status"] for o in page["orders"]["order"]} <= {status}
    # MySQL compares case-insensitively, and so does the sandbox.
    assert call(rbox, "GetOrders", status="active")["totalresults"] == \
        call(rbox, "GetOrders", status="Active")["totalresults"]
    combined = call(rbox, "GetOrders", userid=target["userid"], status=target["status"])
    assert all(o["status"] == target["status"] for o in combined["orders"]["order"])


def test_get_products(rbox):
    answer = call(rbox, "GetProducts")
    products = answer["products"]["product"]
    assert answer["totalresults"] == num(rbox, len(products)) and len(products) >= 8
    product = products[0]
    for key in ("pid", "gid", "type", "name", "slug", "product-url", "description", "module",
                "paytype", "allowqty", "quantity_available", "pricing", "customfields",
                "configoptions"):
        assert key in product
    assert set(product["pricing"]) == {"USD", "EUR", "GBP"}
    usd = product["pricing"]["USD"]
    assert usd["prefix"] == "$" and usd["suffix"] == " USD"
    for key in ("msetupfee", "qsetupfee", "ssetupfee", "asetupfee", "bsetupfee", "tsetupfee",
                "monthly", "quarterly", "semiannually", "annually", "biennially",
                "triennially"):
        assert key in usd
    assert {p["paytype"] for p in products} == {"free", "onetime", "recurring"}
    prices = [v for p in products for cur in p["pricing"].values() for v in cur.values()]
    assert "-1.00" in prices


def test_get_products_filters(rbox):
    assert [p["pid"] for p in call(rbox, "GetProducts", pid="4")["products"]["product"]] == \
        [num(rbox, 4)]
    # a comma list, as the reference documents for pid, read with PHP's (int) per part
    assert [p["pid"] for p in call(rbox, "GetProducts", pid="1, 3,7x")["products"]["product"]] \
        == [num(rbox, 1), num(rbox, 3), num(rbox, 7)]
    assert {p["gid"] for p in call(rbox, "GetProducts", gid=2)["products"]["product"]} == \
        {num(rbox, 2)}
    assert {p["module"] for p in call(rbox, "GetProducts",
                                      module="virtualizor")["products"]["product"]} == \
        {"virtualizor"}
    assert call(rbox, "GetProducts", pid="999")["totalresults"] == num(rbox, 0)


def test_custom_fields_and_config_options(rbox):
    vps = call(rbox, "GetProducts", pid="4")["products"]["product"][0]
    fields = vps["customfields"]["customfield"]
    assert fields and {"id", "name", "description", "required"} <= set(fields[0])
    assert any(f["required"] == "on" for f in fields)
    assert "Provisioning notes" not in {f["name"] for f in fields}  # admin-only field
    options = vps["configoptions"]["configoption"]
    memory = next(o for o in options if o["name"] == "Memory")
    assert {"id", "name", "type", "minqty", "maxqty", "options"} <= set(memory)
    assert isinstance(memory["type"], str)  # a string even in the 8.x reference's example
    assert memory["minqty"] == num(rbox, int(memory["minqty"]))
    choice = memory["options"]["option"][1]
    # the reference's example carries rawName and required on every option (null there)
    assert {"id", "name", "rawName", "recurring", "required", "pricing"} <= set(choice)
    assert choice["rawName"] is None and choice["required"] is None
    assert choice["pricing"]["USD"]["monthly"] == "8.00"
    gbp = call(rbox, "GetProducts", pid="6")["products"]["product"][0]["pricing"]["GBP"]
    assert gbp["monthly"] == "-1.00" and gbp["annually"] == "-1.00"


def test_get_promotions(rbox):
    answer = call(rbox, "GetPromotions")
    promos = answer["promotions"]["promotion"]
    assert answer["totalresults"] == num(rbox, len(promos))
    welcome = next(p for p in promos if p["code"] == "WELCOME10")
    # the 8.x reference types value as a number; older installations send "10.00"
    assert welcome["value"] == (10 if rbox.flavour == "8" else "10.00")
    assert welcome["maxuses"] == num(rbox, int(welcome["maxuses"]))
    assert {"Percentage", "Fixed Amount", "Price Override", "Free Setup"} <= \
        {p["type"] for p in promos}
    assert any(p["expirationdate"] == "0000-00-00" for p in promos)
    assert any(p["expirationdate"] != "0000-00-00" for p in promos)
    for promo in promos:
        assert isinstance(php_unserialize(promo["upgradeconfig"]), dict)
        assert all(part.isdigit() for part in promo["appliesto"].split(",") if part)
    one = call(rbox, "GetPromotions", code="welcome10")
    assert [p["code"] for p in one["promotions"]["promotion"]] == ["WELCOME10"]
    assert call(rbox, "GetPromotions", code="NOPE")["totalresults"] == num(rbox, 0)


def test_order_statuses(rbox, all_orders):
    answer = call(rbox, "GetOrderStatuses")
    statuses = answer["statuses"]["status"]
    titles = [s["title"] for s in statuses]
    assert titles == ["Pending", "Active", "Cancelled", "Fraud", "In Review"]
    counts = {s["title"]: int(s["count"]) for s in statuses}
    assert sum(counts.values()) == 300
    assert counts["Active"] == sum(o["status"] == "Active" for o in all_orders)


def test_unknown_action_and_case_insensitive_names(rbox):
    assert call(rbox, "GetOrdersX") == {"result": "error", "message": "Command Not Found"}
    assert call(rbox, "getorders", limitnum=1)["numreturned"] == num(rbox, 1)
    assert call(rbox, "GETORDERSTATUSES")["result"] == "success"


def test_xml_without_responsetype(rbox):
    data = {"action": "GetOrderStatuses", "identifier": rbox.identifier,
            "secret": rbox.secret}
    with requests.post(rbox.url, data=data, timeout=10) as resp:
        assert resp.status_code == 200
        # application/xml: see docs/whmcs-api-notes.md for the evidence
        assert resp.headers["Content-Type"] == "application/xml"
        assert resp.text.startswith("<?xml")
        assert "<result>success</result>" in resp.text and "<title>In Review</title>" in \
            resp.text


@pytest.mark.parametrize("kwargs", [{}, {"flavour": "8"}, {"numbers_as_strings": False}])
def test_numbers_as_json_numbers_by_default_and_by_the_old_alias(kwargs):
    with sandbox.serve(orders=20, seed=2, **kwargs) as box:
        assert box.flavour == "8"
        page = call(box, "GetOrders", limitnum=2)
        assert page["totalresults"] == 20 and page["numreturned"] == 2
        order = page["orders"]["order"][0]
        assert isinstance(order["id"], int) and isinstance(order["userid"], int)
        assert isinstance(order["amount"], str)  # money stays a decimal string
        product = call(box, "GetProducts", pid="1")["products"]["product"][0]
        assert product["pid"] == 1 and product["pricing"]["USD"]["monthly"] == "4.99"


def test_get_orders_page_of_250_is_fast():
    with sandbox.serve(orders=1000, seed=7) as box, requests.Session() as session:
        data = flatten_params({"action": "GetOrders", "identifier": box.identifier,
                               "secret": box.secret, "responsetype": "json",
                               "limitnum": 250, "limitstart": 500})
        with session.post(box.url, data=data, timeout=10) as resp:
            page = resp.json()
        assert len(page["orders"]["order"]) == 250
        assert resp.elapsed.total_seconds() < 0.5
