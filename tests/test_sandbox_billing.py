"""Sandbox reads beyond orders, over real HTTP: clients, services, invoices, transactions,
cancellation requests — their shapes, paging, filters, and agreement with the orders."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import requests
from _raw import raw_call as call

from whmcs_frames import sandbox

CLIENT_FIELDS = {"id", "firstname", "lastname", "companyname", "email", "datecreated",
                 "groupid", "status"}
SERVICE_FIELDS = {
    "id", "clientid", "orderid", "pid", "regdate", "name", "translated_name", "groupname",
    "translated_groupname", "domain", "dedicatedip", "serverid", "servername", "serverip",
    "serverhostname", "suspensionreason", "firstpaymentamount", "recurringamount",
    "paymentmethod", "paymentmethodname", "billingcycle", "nextduedate", "status", "username",
    "password", "subscriptionid", "promoid", "overideautosuspend", "overidesuspenduntil",
    "ns1", "ns2", "assignedips", "notes", "diskusage", "disklimit", "bwusage", "bwlimit",
    "lastupdate", "customfields", "configoptions"}
INVOICE_FIELDS = {
    "id", "userid", "firstname", "lastname", "companyname", "invoicenum", "date", "duedate",
    "datepaid", "last_capture_attempt", "date_refunded", "date_cancelled", "subtotal",
    "credit", "tax", "tax2", "total", "taxrate", "taxrate2", "status", "paymentmethod",
    "paymethodid", "notes", "created_at", "updated_at", "currencycode", "currencyprefix",
    "currencysuffix"}
TRANSACTION_FIELDS = {"id", "userid", "currency", "gateway", "date", "description",
                      "amountin", "fees", "amountout", "rate", "transid", "invoiceid",
                      "refundid"}
#: the ``client`` keys of the reference's GetClientsDetails example (8.x), less
#: ``customfields1`` (one per client custom field: the sandbox defines none)
DETAILS_FIELDS = {
    "client_id", "owner_user_id", "userid", "id", "uuid", "firstname", "lastname", "fullname",
    "companyname", "email", "address1", "address2", "city", "fullstate", "state", "postcode",
    "countrycode", "country", "phonenumber", "tax_id", "email_preferences", "statecode",
    "countryname", "phonecc", "phonenumberformatted", "telephoneNumber", "billingcid", "notes",
    "currency", "defaultgateway", "groupid", "status", "credit", "taxexempt", "latefeeoveride",
    "overideduenotices", "separateinvoices", "disableautocc", "emailoptout",
    "marketing_emails_opt_in", "overrideautoclose", "allowSingleSignOn", "email_verified",
    "language", "isOptedInToMarketingEmails", "lastlogin", "currency_code", "customfields",
    "users"}
#: the ``stats`` keys of the reference's GetClientsDetails example (8.x)
STATS_FIELDS = {
    "numdueinvoices", "dueinvoicesbalance", "incredit", "creditbalance", "grossRevenue",
    "expenses", "income", "numoverdueinvoices", "overdueinvoicesbalance", "numDraftInvoices",
    "draftInvoicesBalance", "numunpaidinvoices", "unpaidinvoicesamount", "numpaidinvoices",
    "paidinvoicesamount", "numcancelledinvoices", "cancelledinvoicesamount",
    "numrefundedinvoices", "refundedinvoicesamount", "numcollectionsinvoices",
    "collectionsinvoicesamount", "numpaymentpendinginvoices", "paymentpendinginvoicesamount",
    "productsnumactivehosting", "productsnumhosting", "productsnumactivereseller",
    "productsnumreseller", "productsnumactiveservers", "productsnumservers",
    "productsnumactiveother", "productsnumother", "productsnumactive", "productsnumtotal",
    "numactivedomains", "numdomains", "numacceptedquotes", "numquotes", "numtickets",
    "numactivetickets", "numaffiliatesignups", "isAffiliate"}
PACKAGE_FIELDS = {"id", "date", "relid", "reason", "type", "created_at", "updated_at"}
#: action -> (outer key, inner key) of its double-wrapped list
LISTS = {"GetClients": ("clients", "client"), "GetClientsProducts": ("products", "product"),
         "GetInvoices": ("invoices", "invoice"), "GetCancelledPackages": ("packages", "package"),
         "GetTransactions": ("transactions", "transaction")}


def cents(text: str) -> int:
    whole, _, frac = text.lstrip("-").partition(".")
    assert len(frac) == 2, text
    return (-1 if text.startswith("-") else 1) * (int(whole) * 100 + int(frac))


def nocase(text: str) -> str:
    """Fold ASCII letters only, as SQLite's NOCASE (and, roughly, MySQL) compares."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def rows(box, action, **params):
    outer, inner = LISTS[action]
    return call(box, action, **params)[outer][inner]


@pytest.fixture(scope="module")
def bbox():
    # Flavour "7" (strings), so the shapes test checks what older installations send;
    # test_integers_when_the_box_sends_numbers covers the current reference's integers.
    with sandbox.serve(orders=400, seed=5, flavour="7") as box:
        yield box


@pytest.fixture(scope="module")
def book(bbox):
    """Everything at once (large pages), to check the pieces against each other."""
    return {
        "orders": call(bbox, "GetOrders", limitnum=1000)["orders"]["order"],
        "clients": rows(bbox, "GetClients", limitnum=1000, orderby="id"),
        "services": rows(bbox, "GetClientsProducts", limitnum=5000),
        "invoices": rows(bbox, "GetInvoices", limitnum=10000, orderby="id", order="asc"),
        "transactions": rows(bbox, "GetTransactions"),
        "requests": rows(bbox, "GetCancelledPackages", limitnum=5000),
    }


# -- shapes --------------------------------------------------------------------------


def test_list_shapes_and_numbers_as_strings(bbox, book):
    for key, fields in (("clients", CLIENT_FIELDS), ("services", SERVICE_FIELDS),
                        ("invoices", INVOICE_FIELDS), ("transactions", TRANSACTION_FIELDS),
                        ("requests", PACKAGE_FIELDS)):
        assert book[key], key
        for record in book[key]:
            assert set(record) == fields, key
            assert record["id"].isdigit()
    service = book["services"][0]
    assert set(service["customfields"]) == {"customfield"}
    assert set(service["configoptions"]) == {"configoption"}
    page = call(bbox, "GetClientsProducts", clientid=1, limitnum=1)
    assert page["clientid"] == "1" and page["serviceid"] is None and page["domain"] is None
    invoice = book["invoices"][0]
    assert invoice["taxrate"] == "0.000" and invoice["paymethodid"] is None
    assert invoice["currencycode"] in ("USD", "EUR", "GBP")
    for tx in book["transactions"]:
        assert tx["currency"] == "0"  # client payments: the client's currency applies
        assert len(tx["rate"].split(".")[1]) == 5
        cents(tx["amountin"]), cents(tx["fees"]), cents(tx["amountout"])


def test_empty_answers_keep_the_double_wrapped_list(bbox):
    for action, params in (("GetClients", {"search": "no-such-client"}),
                           ("GetClientsProducts", {"clientid": 999999}),
                           ("GetInvoices", {"userid": 999999}),
                           ("GetTransactions", {"invoiceid": 999999})):
        answer = call(bbox, action, **params)
        outer, inner = LISTS[action]
        assert answer[outer] == {inner: []}, action
        assert (answer["totalresults"], answer["numreturned"]) == ("0", "0")


def test_integers_when_the_box_sends_numbers(bbox):
    with sandbox.serve(orders=40, seed=5, numbers_as_strings=False) as box:
        page = call(box, "GetClientsProducts", limitnum=3)
        assert page["totalresults"] > 3 and page["numreturned"] == 3
        assert isinstance(page["products"]["product"][0]["id"], int)
        assert isinstance(rows(box, "GetInvoices")[0]["total"], str)  # money stays text


# -- paging ----------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "params", "key"), [
    ("GetClients", {"orderby": "id"}, "clients"),
    ("GetClients", {}, "clients"),
    ("GetClientsProducts", {}, "services"),
    ("GetInvoices", {"orderby": "id", "order": "desc"}, "invoices"),
    ("GetInvoices", {}, "invoices"),
    ("GetCancelledPackages", {}, "requests"),
])
def test_pages_cover_everything_exactly_once(bbox, book, action, params, key):
    total = len(book[key])
    first = call(bbox, action, **params)
    assert first["totalresults"] == str(total)
    assert (first["startnumber"], first["numreturned"]) == ("0", str(min(25, total)))
    seen = []
    for start in range(0, total, 97):
        page = call(bbox, action, limitstart=start, limitnum=97, **params)
        assert page["startnumber"] == str(start)
        assert page["numreturned"] == str(min(97, total - start))
        seen += [r["id"] for r in page[LISTS[action][0]][LISTS[action][1]]]
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == {r["id"] for r in book[key]}
    beyond = call(bbox, action, limitstart=total + 5, **params)
    assert beyond["numreturned"] == "0" and beyond["totalresults"] == str(total)


def test_orders_of_results(bbox, book):
    ids = [int(s["id"]) for s in book["services"]]
    assert ids == sorted(ids)  # GetClientsProducts: by service id
    ids = [int(p["id"]) for p in book["requests"]]
    assert ids == sorted(ids)
    clients = rows(bbox, "GetClients", limitnum=1000)
    names = [(nocase(c["firstname"]), nocase(c["lastname"])) for c in clients]
    assert names == sorted(names)  # the default is not id order
    newest = rows(bbox, "GetClients", limitnum=5, orderby="id", sorting="DESC")
    assert [int(c["id"]) for c in newest] == sorted(
        (int(c["id"]) for c in book["clients"]), reverse=True)[:5]
    default = rows(bbox, "GetInvoices", limitnum=1000)
    assert [i["duedate"] for i in default] == sorted((i["duedate"] for i in default),
                                                    reverse=True)
    by_total = rows(bbox, "GetInvoices", orderby="total", order="asc", limitnum=1000)
    assert [cents(i["total"]) for i in by_total] == sorted(cents(i["total"]) for i in by_total)


def test_transactions_are_not_paginated(bbox, book):
    answer = call(bbox, "GetTransactions", limitstart=5, limitnum=2)
    assert answer["totalresults"] == answer["numreturned"] == str(len(book["transactions"]))
    assert answer["startnumber"] == "0"
    ids = [int(t["id"]) for t in answer["transactions"]["transaction"]]
    assert ids == sorted(ids)


def test_parameters_are_read_the_php_way(bbox, book):
    # (int) "5abc" is 5; limitnum 0 means the default; "0" and "" are "not given".
    assert call(bbox, "GetClients", limitnum="5abc")["numreturned"] == "5"
    assert call(bbox, "GetInvoices", limitnum=0)["numreturned"] == "25"
    assert call(bbox, "GetCancelledPackages", limitstart=-3)["startnumber"] == "0"
    everything = call(bbox, "GetClientsProducts", clientid="0", pid="")
    assert everything["totalresults"] == str(len(book["services"]))
    assert everything["clientid"] is None
    spaced = call(bbox, "GetClientsProducts", clientid=" 4", limitnum=1000)
    assert {p["clientid"] for p in spaced["products"]["product"]} == {"4"}
    # An unknown sort column falls back to the default order rather than failing.
    assert rows(bbox, "GetInvoices", orderby="nonsense", limitnum=5) == rows(
        bbox, "GetInvoices", limitnum=5)


# -- filters ---------------------------------------------------------------------------


def test_client_filters(bbox, book):
    statuses = Counter(c["status"] for c in book["clients"])
    assert statuses["Closed"] == 1
    closed = call(bbox, "GetClients", status="closed")
    assert closed["totalresults"] == "1"
    zoe = book["clients"][0]
    assert (zoe["firstname"], zoe["lastname"]) == ("Zoë", "Müller")
    for term in ("zoe.m", "Zoë", "Müller", "Zoë Mü", "ZOË"[:1]):
        found = rows(bbox, "GetClients", search=term)
        assert zoe["id"] in {c["id"] for c in found}, term
    assert zoe["id"] not in {c["id"] for c in rows(bbox, "GetClients", search="üller")}
    assert all(c["datecreated"] <= min((o["date"][:10] for o in book["orders"]
                                        if o["userid"] == c["id"]), default="9999")
               for c in book["clients"])


def test_service_filters(bbox, book):
    sample = next(s for s in book["services"] if s["username"] and s["domain"])
    for key, value, field in (("clientid", sample["clientid"], "clientid"),
                              ("serviceid", sample["id"], "id"), ("pid", sample["pid"], "pid"),
                              ("domain", sample["domain"], "domain"),
                              ("username2", sample["username"], "username")):
        found = rows(bbox, "GetClientsProducts", limitnum=1000, **{key: value})
        expected = [s["id"] for s in book["services"] if s[field] == value]
        assert [s["id"] for s in found] == expected, key


def test_invoice_filters(bbox, book):
    userid = book["invoices"][0]["userid"]
    mine = rows(bbox, "GetInvoices", userid=userid, limitnum=1000)
    assert {i["id"] for i in mine} == {i["id"] for i in book["invoices"]
                                       if i["userid"] == userid}
    by_status = Counter(i["status"] for i in book["invoices"])
    assert {"Paid", "Unpaid", "Cancelled", "Refunded"} <= set(by_status)
    for status, count in by_status.items():
        assert call(bbox, "GetInvoices", status=status.upper())["totalresults"] == str(count)
    today = bbox.store.end.date().isoformat()  # the sandbox's clock, not the real one
    overdue = rows(bbox, "GetInvoices", status="Overdue", limitnum=1000)
    assert {i["id"] for i in overdue} == {i["id"] for i in book["invoices"]
                                          if i["status"] == "Unpaid" and i["duedate"] < today}
    assert 0 < len(overdue) < by_status["Unpaid"]  # some unpaid ones are not due yet


def test_transaction_filters(bbox, book):
    tx = next(t for t in book["transactions"] if t["transid"])
    assert [t["id"] for t in rows(bbox, "GetTransactions", transid=tx["transid"])] == [tx["id"]]
    on_invoice = rows(bbox, "GetTransactions", invoiceid=tx["invoiceid"])
    assert {t["invoiceid"] for t in on_invoice} == {tx["invoiceid"]}
    for_client = rows(bbox, "GetTransactions", clientid=tx["userid"])
    assert {t["id"] for t in for_client} == {t["id"] for t in book["transactions"]
                                             if t["userid"] == tx["userid"]}


# -- GetClientsDetails -------------------------------------------------------------------


def test_client_details_flat_and_nested(bbox, book):
    answer = call(bbox, "GetClientsDetails", clientid=4)
    client = answer["client"]
    assert answer["result"] == "success" and "stats" not in answer
    assert set(client) == DETAILS_FIELDS
    assert set(answer) == DETAILS_FIELDS | {"result", "client"}
    for key, value in client.items():
        assert answer[key] == value  # the deprecated flat copy
    assert (client["id"], client["countrycode"], client["country"]) == ("4", "IE", "IE")
    assert (client["currency"], client["currency_code"]) == ("2", "EUR")
    assert client["status"] == "Active" and client["countryname"] == "Ireland"
    by_email = call(bbox, "GetClientsDetails", email=client["email"].upper())
    assert by_email["client"] == client
    stats = call(bbox, "GetClientsDetails", clientid=4, stats=1)["stats"]
    assert set(stats) == STATS_FIELDS
    paid = [i for i in book["invoices"] if i["userid"] == "4" and i["status"] == "Paid"]
    assert stats["numpaidinvoices"] == str(len(paid))
    assert stats["paidinvoicesamount"] == f"€{sum(cents(i['total']) for i in paid) / 100:.2f} EUR"


def test_client_details_currency_agrees_with_orders(bbox, book):
    suffix = {o["userid"]: o["currencysuffix"].strip() for o in book["orders"]}
    for userid in list(suffix)[:15]:
        details = call(bbox, "GetClientsDetails", clientid=userid)["client"]
        assert details["currency_code"] == suffix[userid]
        assert details["countrycode"] and details["countrycode"] == details["country"]


def test_client_details_errors(bbox):
    assert call(bbox, "GetClientsDetails") == {
        "result": "error", "message": "Either clientid Or email Is Required"}
    for params in ({"clientid": 999999}, {"email": "nobody@example.invalid"}):
        assert call(bbox, "GetClientsDetails", **params) == {
            "result": "error", "message": "Client Not Found"}


# -- consistency ---------------------------------------------------------------------------


def test_active_orders_have_their_services(book):
    services = {s["id"]: s for s in book["services"]}
    checked = 0
    for order in book["orders"]:
        for line in order["lineitems"]["lineitem"]:
            if line["type"] != "product":
                continue
            service = services[line["relid"]]
            assert (service["orderid"], service["clientid"]) == (order["id"], order["userid"])
            assert service["status"] == line["status"]
            if order["status"] == "Active":
                checked += 1
                assert service["status"] in ("Active", "Suspended", "Cancelled", "Terminated")
    assert checked > 100


def test_paid_invoices_have_payments_and_refunds_add_up(book):
    by_invoice = defaultdict(list)
    for tx in book["transactions"]:
        by_invoice[tx["invoiceid"]].append(tx)
    invoices = {i["id"]: i for i in book["invoices"]}
    assert set(by_invoice) <= set(invoices)
    partial = 0
    for invoice in book["invoices"]:
        txs = by_invoice.get(invoice["id"], [])
        paid_in = sum(cents(t["amountin"]) for t in txs)
        out = sum(cents(t["amountout"]) for t in txs)
        if invoice["status"] in ("Paid", "Refunded"):
            assert paid_in == cents(invoice["total"]), invoice["id"]
            assert invoice["datepaid"] != "0000-00-00 00:00:00"
        else:
            assert not txs, invoice["id"]
        if invoice["status"] == "Refunded":
            assert out == cents(invoice["total"])
            assert invoice["date_refunded"] != "0000-00-00 00:00:00"
        elif invoice["status"] == "Paid":
            assert 0 <= out < cents(invoice["total"])
            partial += out > 0
    assert partial > 0  # a few paid invoices were partly refunded
    payments = {t["id"]: t for t in book["transactions"] if t["refundid"] == "0"}
    for tx in book["transactions"]:
        if tx["refundid"] != "0":
            original = payments[tx["refundid"]]
            assert original["invoiceid"] == tx["invoiceid"] and tx["date"] >= original["date"]
    fees = Counter((t["gateway"], cents(t["fees"]) > 0) for t in payments.values())
    assert fees[("stripe", True)] and fees[("paypal", True)] and not fees[("banktransfer", True)]


def test_invoices_of_orders_and_renewals(book):
    invoices = {i["id"]: i for i in book["invoices"]}
    for order in book["orders"]:
        if order["invoiceid"] != "0":
            invoice = invoices[order["invoiceid"]]
            assert invoice["userid"] == order["userid"]
            assert invoice["total"] == order["amount"]
            assert invoice["status"] == order["paymentstatus"]
    renewals = [i for i in invoices.values()
                if i["id"] not in {o["invoiceid"] for o in book["orders"]}]
    assert len(renewals) > len(book["orders"])  # recurring revenue dominates
    assert {(i["currencycode"], i["currencyprefix"]) for i in invoices.values()} == {
        ("USD", "$"), ("EUR", "€"), ("GBP", "£")}


def test_dates_are_coherent_and_never_after_the_sandbox_clock(bbox, book):
    end = bbox.store.end.strftime("%Y-%m-%d %H:%M:%S")
    for invoice in book["invoices"]:
        assert invoice["date"] <= invoice["duedate"] and invoice["date"] <= end[:10]
        if invoice["status"] in ("Paid", "Refunded"):
            assert invoice["date"] <= invoice["datepaid"][:10] and invoice["datepaid"] <= end
    assert max(t["date"] for t in book["transactions"]) <= end
    assert max(r["date"] for r in book["requests"]) <= end
    months = Counter(t["date"][:7] for t in book["transactions"])
    assert len(months) >= 24  # cash comes in every month of the two years


def test_cancellations_point_at_churned_services(book):
    services = {s["id"]: s for s in book["services"]}
    requested = set()
    for request in book["requests"]:
        service = services[request["relid"]]
        assert service["status"] in ("Cancelled", "Terminated")
        assert request["date"][:10] >= service["regdate"]
        assert request["type"] in ("Immediate", "End of Billing Period")
        requested.add(request["relid"])
    assert Counter(r["type"] for r in book["requests"]).keys() == {
        "Immediate", "End of Billing Period"}
    active_orders = {o["id"] for o in book["orders"] if o["status"] == "Active"}
    churned = {s["id"]: s for s in book["services"] if s["orderid"] in active_orders
               and s["status"] in ("Cancelled", "Terminated")}
    assert requested <= set(churned)
    recurring = {i for i, s in churned.items()
                 if s["billingcycle"] not in ("One Time", "Free Account")}
    assert 0.7 < len(requested) / len(recurring) < 1  # most, not all, asked to cancel
    trials = [i for i, s in churned.items() if s["billingcycle"] == "Free Account"]
    assert trials and not requested & set(trials)  # expired trials ask nothing
    months = {r["date"][:7] for r in book["requests"]}
    assert len(months) >= 10  # churn happens over time, not on one day


def test_services_carry_provisioning_details(book):
    kinds = Counter()
    for service in book["services"]:
        if service["name"] in ("Starter", "Business", "Reseller Pro"):
            assert service["username"] and len(service["password"]) >= 10
            assert service["serverid"] != "0" and service["serverhostname"]
            kinds["shared"] += 1
        if service["name"].startswith("Cloud VPS"):
            assert service["username"] == "root" and service["dedicatedip"]
            kinds["vps"] += 1
        if service["billingcycle"] in ("One Time", "Free Account"):
            assert service["nextduedate"] == "0000-00-00"
        if service["status"] == "Suspended":
            assert service["suspensionreason"]
    assert kinds["shared"] and kinds["vps"]
    active = [s for s in book["services"] if s["status"] == "Active"
              and s["billingcycle"] == "Monthly"]
    assert active and all(s["nextduedate"] > s["regdate"] for s in active)


# -- determinism -----------------------------------------------------------------------------


def test_same_seed_same_billing_different_seed_different():
    actions = (("GetClients", {"limitnum": 50}), ("GetClientsDetails", {"clientid": 7}),
               ("GetClientsProducts", {"limitnum": 50}), ("GetInvoices", {"limitnum": 50}),
               ("GetTransactions", {"clientid": 7}), ("GetCancelledPackages", {}))
    with sandbox.serve(orders=120, seed=8) as one, sandbox.serve(orders=120, seed=8) as two, \
            sandbox.serve(orders=120, seed=9) as other:
        for action, params in actions:
            assert call(one, action, **params) == call(two, action, **params), action
        assert call(one, "GetClientsProducts", limitnum=50) != \
            call(other, "GetClientsProducts", limitnum=50)
        assert call(one, "GetTransactions") != call(other, "GetTransactions")


# -- writes keep the new tables consistent -----------------------------------------------------


def test_add_accept_then_cancel_delete(box):
    added = call(box, "AddOrder", clientid=5, paymentmethod="paypal", pid=[1, 4],
                 billingcycle=["monthly", "monthly"], domain=["shop.example.com", ""])
    assert added["result"] == "success"
    service_ids = added["serviceids"].split(",")
    services = rows(box, "GetClientsProducts", clientid=5, limitnum=1000)
    mine = [s for s in services if str(s["id"]) in service_ids]  # AddOrder: "1,2"
    assert [s["status"] for s in mine] == ["Pending", "Pending"]
    assert all(s["password"] and s["username"] for s in mine)
    assert [s["nextduedate"] for s in mine] == [s["regdate"] for s in mine]
    invoice = rows(box, "GetInvoices", userid=5, orderby="id", order="desc", limitnum=1)[0]
    assert (str(invoice["id"]), invoice["status"]) == (str(added["invoiceid"]), "Unpaid")
    assert rows(box, "GetTransactions", invoiceid=added["invoiceid"]) == []

    assert call(box, "AcceptOrder", orderid=added["orderid"])["result"] == "success"
    for sid in service_ids:
        assert rows(box, "GetClientsProducts", serviceid=sid)[0]["status"] == "Active"

    second = call(box, "AddOrder", clientid=5, paymentmethod="stripe", pid=[2])
    assert rows(box, "GetClientsProducts", serviceid=second["serviceids"])
    assert call(box, "CancelOrder", orderid=second["orderid"])["result"] == "success"
    assert call(box, "DeleteOrder", orderid=second["orderid"])["result"] == "success"
    assert rows(box, "GetClientsProducts", serviceid=second["serviceids"]) == []
    invoices = rows(box, "GetInvoices", userid=5, limitnum=1000)
    assert str(second["invoiceid"]) not in {str(i["id"]) for i in invoices}


def test_deleting_an_old_order_takes_its_renewals_payments_and_requests():
    with sandbox.serve(orders=200, seed=5) as box:
        request = rows(box, "GetCancelledPackages")[0]
        service = rows(box, "GetClientsProducts", serviceid=request["relid"])[0]
        order = call(box, "GetOrders", id=service["orderid"])["orders"]["order"][0]
        before = {i["id"] for i in rows(box, "GetInvoices", userid=service["clientid"],
                                        limitnum=1000)}
        assert call(box, "FraudOrder", orderid=order["id"])["result"] == "success"
        assert call(box, "DeleteOrder", orderid=order["id"])["result"] == "success"
        assert rows(box, "GetClientsProducts", serviceid=service["id"]) == []
        assert service["id"] not in {r["relid"] for r in rows(box, "GetCancelledPackages",
                                                               limitnum=5000)}
        after = {i["id"] for i in rows(box, "GetInvoices", userid=service["clientid"],
                                       limitnum=1000)}
        assert after < before and order["invoiceid"] not in after
        invoices = {i["id"] for i in rows(box, "GetInvoices", limitnum=100000)}
        assert {t["invoiceid"] for t in rows(box, "GetTransactions")} <= invoices
        assert not rows(box, "GetTransactions", invoiceid=order["invoiceid"])


def test_generated_active_orders_come_paid(box):
    paid = 0
    for oid in box.add_orders(6, status="Active"):
        order = call(box, "GetOrders", id=oid)["orders"]["order"][0]
        for line in order["lineitems"]["lineitem"]:
            if line["type"] == "product":
                service = rows(box, "GetClientsProducts", serviceid=line["relid"])[0]
                assert service["status"] == "Active" and service["nextduedate"] != ""
        if order["invoiceid"] != "0":
            payments = rows(box, "GetTransactions", invoiceid=order["invoiceid"])
            assert sum(cents(t["amountin"]) for t in payments) == cents(order["amount"])
            paid += 1
    assert paid


def test_xml_answers_for_the_new_actions(bbox):
    data = {"action": "GetCancelledPackages", "identifier": bbox.identifier,
            "secret": bbox.secret, "limitnum": 2}
    body = requests.post(bbox.url, data=data, timeout=10).text
    assert "<package>" in body and "<relid>" in body and "<totalresults>" in body
    data.update(action="GetClientsProducts", serviceid=1)
    body = requests.post(bbox.url, data=data, timeout=10).text
    assert "<pid></pid>" in body and "None" not in body  # PHP prints null as nothing
    data.update(action="GetClientsDetails", clientid=1)
    body = requests.post(bbox.url, data=data, timeout=10).text
    assert "<taxexempt></taxexempt>" in body and "<is_owner>1</is_owner>" in body


def test_templates_of_other_checkouts_survive_while_in_use(tmp_path):
    # Several checkouts (other generator versions) share the temp dir's template cache:
    # a build must not delete a template another checkout is still using.
    import os
    import time

    from whmcs_frames.sandbox import _schema

    old = tmp_path / "orders10-seed1-0000000000000000.sqlite3"
    recent = tmp_path / "orders10-seed2-1111111111111111.sqlite3"
    mine = tmp_path / f"orders10-seed1-{_schema.generator_version()}.sqlite3"
    for path in (old, recent, mine):
        path.write_bytes(b"x")
    os.utime(old, (time.time() - 7 * 3600,) * 2)
    os.utime(mine, (time.time() - 7 * 3600,) * 2)
    _schema._prune(tmp_path)
    assert not old.exists() and recent.exists() and mine.exists()
