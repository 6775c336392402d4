"""Sandbox AddOrder: WHMCS's validation and the records a new order creates."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from _raw import tidy_call as call

from whmcs_frames import sandbox
from whmcs_frames._api.php import encode_serialized, php_serialize

ARRAYS = ("pid", "qty", "domain", "billingcycle", "hostname", "ns1prefix", "ns2prefix",
          "rootpw", "priceoverride", "customfields", "configoptions", "addons", "domaintype",
          "regperiod", "eppcode", "dnsmanagement", "emailforwarding", "idprotection",
          "domainfields", "domainpriceoverride", "domainrenewoverride", "servicerenewals",
          "addonrenewals", "domainrenewals")


def add(box: sandbox.Sandbox, **params: Any) -> dict[str, Any]:
    params.setdefault("clientid", 5)  # John Smith, USD
    params.setdefault("paymentmethod", "stripe")
    return call(box, "AddOrder", **params)


def fetch(box: sandbox.Sandbox, orderid: Any) -> dict[str, Any]:
    return call(box, "GetOrders", id=orderid)["orders"]["order"][0]


def error(message: str) -> dict[str, str]:
    return {"result": "error", "message": message}


@pytest.fixture(scope="module", params=sandbox.FLAVOURS)
def abox(request):
    """AddOrder's tests run against each flavour; ``call`` reads them alike (tidy_call)."""
    with sandbox.serve(orders=80, seed=13, flavour=request.param) as box:
        yield box


def test_creates_a_pending_order_with_invoice_and_services(abox):
    newest = int(call(abox, "GetOrders", limitnum=1)["orders"]["order"][0]["id"])
    answer = add(abox, pid=[1, 2], billingcycle=["monthly", "annually"],
                 domain=["one.example.com", "two.example.com"])
    assert answer["result"] == "success"
    assert set(answer) >= {"orderid", "serviceids", "addonids", "domainids", "invoiceid"}
    assert int(answer["orderid"]) == newest + 1
    assert answer["addonids"] == "" and answer["domainids"] == ""
    order = call(abox, "GetOrders", limitnum=1)["orders"]["order"][0]
    assert order["id"] == answer["orderid"]
    assert order["status"] == "Pending" and order["paymentstatus"] == "Unpaid"
    assert order["invoiceid"] == answer["invoiceid"] != "0"
    assert order["amount"] == "100.87"  # 4.99 monthly + 95.88 annually
    assert len(order["ordernum"]) == 10 and order["name"] == "John Smith"
    lines = order["lineitems"]["lineitem"]
    assert [line["relid"] for line in lines] == answer["serviceids"].split(",")
    assert [line["billingcycle"] for line in lines] == ["Monthly", "Annually"]
    assert {line["status"] for line in lines} == {"Pending"}
    assert abox.order(int(answer["orderid"]))["amount"] == "100.87"


def test_order_numbers_are_fresh(abox):
    first = fetch(abox, add(abox, pid=[1])["orderid"])
    second = fetch(abox, add(abox, pid=[1])["orderid"])
    assert first["ordernum"] != second["ordernum"]


def test_currency_config_options_addons_custom_fields_and_qty(abox):
    answer = add(abox, clientid=1, pid=[4], billingcycle=["monthly"], qty=[2],
                 domain=["vps.example.de"], addons=["3"],
                 configoptions=[encode_serialized({1: 2, 3: 2})],
                 customfields=[encode_serialized({4: "Zoë's box"})])
    services = answer["serviceids"].split(",")
    assert len(services) == 2 and len(answer["addonids"].split(",")) == 2
    order = fetch(abox, answer["orderid"])
    assert order["currencyprefix"] == "€"
    # EUR: (17.48 VPS + 7.36 memory + 2 x 1.84 IPs + 9.20 setup) x 2 + (23 + 23 setup) x 2
    assert order["amount"] == "167.44"
    stored = abox.store.db.execute(
        "SELECT value FROM customfieldsvalues WHERE fieldid = 4 AND relid = ?",
        (int(services[0]),)).fetchone()
    assert stored == ("Zoë's box",)


def test_domains_and_noinvoice(abox):
    answer = add(abox, clientid=2, domain=["", "núñez-web.es"], domaintype={"1": "register"},
                 regperiod={"1": 2}, noinvoice=1, eppcode=[""])
    assert answer["invoiceid"] == "0" and answer["domainids"]
    order = fetch(abox, answer["orderid"])
    assert order["invoiceid"] == "0" and order["paymentstatus"] == ""
    assert order["amount"] == "18.38"  # .es 9.99 USD -> 9.19 EUR x 2 years
    line = order["lineitems"]["lineitem"][0]
    assert line["type"] == "domain" and line["domain"] == "núñez-web.es"


def test_transfer_keeps_the_epp_code_out_of_the_answer(abox):
    answer = add(abox, domain=["move.com"], domaintype=["transfer"], eppcode=["S3cr3t!"])
    assert "S3cr3t!" not in str(answer)
    assert fetch(abox, answer["orderid"])["lineitems"]["lineitem"][0]["product"] == "Transfer"


def test_free_product_makes_no_invoice(abox):
    answer = add(abox, pid=[8], billingcycle=["free"])
    assert answer["invoiceid"] == "0"
    assert fetch(abox, answer["orderid"])["amount"] == "0.00"


def test_priceoverride_and_promotion(abox):
    override = add(abox, pid=[2], billingcycle=["monthly"], priceoverride=["1.50"])
    assert fetch(abox, override["orderid"])["amount"] == "1.50"
    promo = add(abox, clientid=3, pid=[1], billingcycle=["monthly"], promocode="welcome10")
    order = fetch(abox, promo["orderid"])
    assert order["promocode"] == "WELCOME10" and order["promotype"] == "Percentage"
    assert order["amount"] == "4.13"  # 4.59 EUR less 10%
    setup = add(abox, pid=[4], billingcycle=["monthly"], promocode="NOSETUP")
    assert fetch(abox, setup["orderid"])["amount"] == "19.00"


def test_renewals(abox):
    domain = abox.store.db.execute(
        "SELECT d.id, d.domain, d.userid FROM domains d JOIN clients c ON c.id = d.userid "
        "WHERE c.status = 'Active' ORDER BY d.id LIMIT 1").fetchone()
    answer = add(abox, clientid=domain[2], domainrenewals={domain[1]: 2})
    order = fetch(abox, answer["orderid"])
    assert order["renewalsByType"]["domains"] == [str(domain[0])]
    assert order["renewals"] == f"{domain[0]}=2"
    assert order["lineitems"]["lineitem"][0]["type"] == "renewal"
    assert add(abox, clientid=domain[2], domainrenewals={"nobody.example": 1}) == \
        error("Domain not found: nobody.example")


@pytest.mark.parametrize("name", ARRAYS)
def test_array_parameters_must_be_arrays(abox, name):
    params = {"pid": [1], name: "1,2"}
    assert add(abox, **params) == error(f"Expecting parameter '{name}' to be an array")


def test_client_checks(abox):
    assert add(abox, clientid=99999, pid=[1]) == error("Client ID Not Found")
    assert add(abox, clientid="", pid=[1]) == error("Client ID Not Found")
    assert add(abox, clientid=6, pid=[1]) == \
        error("Unable to add order when client status is Closed")


def test_payment_method_must_be_active(abox):
    assert add(abox, paymentmethod="cash", pid=[1]) == error(
        "Invalid Payment Method. Valid options include stripe,paypal,banktransfer,mailin")
    assert add(abox, paymentmethod="", pid=[1])["message"].startswith(
        "Invalid Payment Method")


def test_no_items(abox):
    message = "No items added to cart so order cannot proceed"
    assert add(abox) == error(message)
    assert add(abox, pid={"0": ""}) == error(message)


def test_products_and_cycles(abox):
    assert add(abox, pid=[999]) == error("Invalid Product ID")
    assert add(abox, pid=[1], billingcycle=["weekly"])["message"].startswith(
        "Invalid Billing Cycle. Valid options include free,onetime,monthly")
    assert add(abox, pid=[6], billingcycle=["quarterly"]) == \
        error("Billing cycle quarterly is not offered for product ID 6 in USD")
    assert add(abox, pid=[7], billingcycle=["monthly"])["result"] == "error"
    assert add(abox, pid=[7], billingcycle=["onetime"])["result"] == "success"
    assert add(abox, pid=[1], billingcycle=["Semi-Annually"])["result"] == "success"
    gbp_client = abox.store.db.execute(
        "SELECT id FROM clients WHERE currency = 3 AND status = 'Active'").fetchone()[0]
    assert add(abox, clientid=gbp_client, pid=[6], billingcycle=["monthly"]) == \
        error("Billing cycle monthly is not offered for product ID 6 in GBP")


def test_promotion_checks(abox):
    assert add(abox, pid=[1], promocode="NOPE") == \
        error("The promotion code entered does not exist")
    assert add(abox, pid=[1], promocode="SPRING5") == \
        error("The promotion code entered has expired")
    with abox.store.transaction() as db:
        db.execute("UPDATE promotions SET uses = maxuses WHERE code = 'VPSDEAL'")
    assert add(abox, pid=[4], billingcycle=["monthly"], promocode="VPSDEAL") == \
        error("The promotion code entered has reached its maximum uses")


def test_addon_ids_must_exist(abox):
    assert add(abox, pid=[1], addons=["1,99"]) == error("Addon ID invalid")
    service = add(abox, pid=[1])["serviceids"]
    assert add(abox, addonid=99, serviceid=service) == error("Addon ID invalid")
    only_addon = add(abox, addonid=1, serviceid=service)
    assert only_addon["addonids"] and only_addon["serviceids"] == ""


def test_serialized_parameters_are_decoded(abox):
    bad = base64.b64encode(b"not serialized").decode()
    assert add(abox, pid=[1], customfields=[bad])["message"].startswith(
        "Unable to decode customfields[0]")
    as_list = base64.b64encode(php_serialize(["x"]).encode()).decode()
    assert add(abox, pid=[1], customfields=[as_list])["result"] == "success"


def test_failed_validation_leaves_no_gap_in_ids(abox):
    assert add(abox, pid=[1, 999])["result"] == "error"
    newest = int(call(abox, "GetOrders", limitnum=1)["orders"]["order"][0]["id"])
    assert int(add(abox, pid=[1])["orderid"]) == newest + 1


def test_twice_makes_two_orders(abox):
    before = abox.count_orders()
    add(abox, pid=[1])
    add(abox, pid=[1])
    assert abox.count_orders() == before + 2
