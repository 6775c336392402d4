"""Sandbox flavours and quirks, PHP's parameter rules, credentials by value, XML.

Each test here would fail if the sandbox made code that is wrong against a real WHMCS
look right: numbers of the wrong type, lists that are always lists, Python's idea of
``"false"``, an id that crashes instead of saturating.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import requests
from _raw import raw_call, tidy_call

import whmcs_frames as wf
from whmcs_frames import sandbox
from whmcs_frames._api.php import flatten_params
from whmcs_frames.sandbox._common import php_int, php_name, truthy

NOT_PENDING = "Order ID not found or Status not Pending"
HUGE = "99999999999999999999"  # above 2**64


def post(box, **data):
    """(HTTP status, body text) for a request with exactly ``data`` on the wire."""
    with requests.post(box.url, data=flatten_params(data), timeout=10) as resp:
        return resp.status_code, resp.text, resp.headers.get("Content-Type", "")


def creds(box):
    return {"identifier": box.identifier, "secret": box.secret, "responsetype": "json"}


@pytest.fixture(scope="module")
def box8():
    with sandbox.serve(orders=60, seed=11, flavour="8") as box:
        yield box


@pytest.fixture
def qbox():
    """A flavour-8 box whose quirks a test switches on one at a time."""
    with sandbox.serve(orders=60, seed=11, flavour="8") as box:
        yield box


# -- 1. numbers -----------------------------------------------------------------------------

def test_flavour_8_sends_the_references_types(box8):
    page = raw_call(box8, "GetOrders", limitnum=2)
    assert [type(page[k]) for k in ("totalresults", "startnumber", "numreturned")] == [int] * 3
    order = page["orders"]["order"][0]
    for key in ("id", "ordernum", "userid", "contactid", "requestor_id", "invoiceid"):
        assert type(order[key]) is int, key
    assert type(order["lineitems"]["lineitem"][0]["relid"]) is int
    # a pager that adds numbers works, instead of making "0" + "25" = "025"
    following = raw_call(box8, "GetOrders", limitnum=2,
                         limitstart=page["startnumber"] + page["numreturned"])
    assert following["startnumber"] == 2
    statuses = raw_call(box8, "GetOrderStatuses")["statuses"]["status"]
    assert all(type(s["count"]) is int for s in statuses)


def test_add_order_answers_as_the_reference_shows_it():
    answer_of = {}
    for flavour in ("8", "7"):
        with sandbox.serve(orders=5, seed=3, flavour=flavour) as box:
            answer_of[flavour] = raw_call(box, "AddOrder", clientid=1, paymentmethod="stripe",
                                          pid=[1], billingcycle=["monthly"])
    # the reference's example: {"orderid": "1", ..., "invoiceid": "1"}, no productids
    new = answer_of["8"]
    assert isinstance(new["orderid"], str) and isinstance(new["invoiceid"], str)
    assert "productids" not in new and new["serviceids"]
    old = answer_of["7"]
    assert old["productids"] == old["serviceids"]  # renamed in 7.8; both sent then


def test_flavour_7_sends_every_integer_as_a_string():
    with sandbox.serve(orders=10, seed=3, flavour="7") as box:
        page = raw_call(box, "GetOrders", limitnum=3)
        assert page["totalresults"] == "10" and page["numreturned"] == "3"
        assert all(isinstance(o["id"], str) for o in page["orders"]["order"])
        product = raw_call(box, "GetProducts", pid=1)["products"]["product"][0]
        assert product["pid"] == "1"


def test_flavour_arguments():
    with pytest.raises(ValueError, match="unknown flavour '9'.*8, 7, quirks"):
        sandbox.serve(orders=1, flavour="9").__enter__()
    with pytest.raises(ValueError, match="contradicts"):
        sandbox.serve(orders=1, flavour="8", numbers_as_strings=True).__enter__()
    with sandbox.serve(orders=1, numbers_as_strings=True) as old:
        assert old.flavour == "7" and "flavour=7" in repr(old)


# -- 2. quirks ------------------------------------------------------------------------------

def test_the_quirks_flavour_switches_every_quirk_on_and_each_can_be_switched():
    with sandbox.serve(orders=5, seed=3, flavour="quirks") as box:
        assert box.faults.quirks == frozenset(sandbox.QUIRKS)
        box.faults.quirk("php_notices", on=False)
        assert "php_notices" not in box.faults.quirks
        box.faults.clear()  # clears faults, not quirks
        assert len(box.faults.quirks) == len(sandbox.QUIRKS) - 1
    with sandbox.serve(orders=5, seed=3) as box:
        assert box.faults.quirks == frozenset()
        with pytest.raises(ValueError, match="unknown quirk 'lone_objects'.*lone_object"):
            box.faults.quirk("lone_objects")
        box.faults.quirk("all")
        assert box.faults.quirks == frozenset(sandbox.QUIRKS)


def test_empty_lists_as_an_empty_string(qbox):
    qbox.faults.quirk("empty_as_string")
    empty = raw_call(qbox, "GetOrders", status="Nope")
    assert empty["orders"] == ""
    with pytest.raises(TypeError):
        empty["orders"]["order"]  # what unguarded code does with it


def test_empty_lists_missing(qbox):
    qbox.faults.quirk("missing_empty")
    assert "orders" not in raw_call(qbox, "GetOrders", status="Nope")
    assert "promotions" not in raw_call(qbox, "GetPromotions", code="NOPE")
    products = raw_call(qbox, "GetProducts")["products"]["product"]
    assert any("customfields" not in p for p in products)  # nested empty lists go too



def test_empty_lists_as_an_empty_array(qbox):
    qbox.faults.quirk("empty_as_array")
    assert raw_call(qbox, "GetOrders", status="Nope")["orders"] == []


def test_several_empty_shapes_take_turns_within_one_answer(qbox):
    qbox.faults.quirk("missing_empty", "empty_as_string", "empty_as_array")
    assert "orders" not in raw_call(qbox, "GetOrders", status="Nope")  # the first: missing
    products = raw_call(qbox, "GetProducts")["products"]["product"]
    shapes = {repr(p.get("customfields", "missing")) for p in products
              if not isinstance(p.get("customfields"), dict)}
    shapes |= {repr(p.get("configoptions", "missing")) for p in products
               if not isinstance(p.get("configoptions"), dict)}
    assert shapes == {"'missing'", "''", "[]"}


def test_a_lone_item_is_an_object_not_a_list(qbox):
    qbox.faults.quirk("lone_object")
    page = raw_call(qbox, "GetOrders", limitnum=1)
    assert isinstance(page["orders"]["order"], dict)
    assert raw_call(qbox, "GetOrders", limitnum=2)["orders"]["order"][0]["id"]
    lone_lines = [o for o in raw_call(qbox, "GetOrders", limitnum=60)["orders"]["order"]
                  if isinstance(o["lineitems"]["lineitem"], dict)]
    assert lone_lines  # orders with one line item carry it as an object


def test_errors_say_status_instead_of_result(qbox):
    qbox.faults.quirk("status_not_result")
    answer = raw_call(qbox, "AcceptOrder", orderid=999999)
    assert answer == {"status": "error", "message": NOT_PENDING}
    assert raw_call(qbox, "GetOrderStatuses")["result"] == "success"  # errors only


def test_a_warning_beside_the_result(qbox, caplog):
    qbox.faults.quirk("warning_key")
    answer = raw_call(qbox, "GetOrderStatuses")
    assert answer["result"] == "success" and "deprecated" in answer["warning"]
    assert "warning" not in raw_call(qbox, "AcceptOrder", orderid=999999)  # successes only
    with caplog.at_level(logging.WARNING, logger="whmcs_frames"), qbox.client() as client:
        assert len(client.order_statuses()) == 5
    assert "WHMCS warning" in caplog.text


def test_promotion_flags_as_words(qbox):
    qbox.faults.quirk("flags_as_words")
    promos = raw_call(qbox, "GetPromotions")["promotions"]["promotion"]
    assert {p["recurring"] for p in promos} <= {"on", ""} and \
        {p["newsignups"] for p in promos} == {"on", ""}
    assert all(isinstance(p["maxuses"], int) for p in promos)  # counts stay numbers


def test_amounts_formatted_with_their_currency(qbox):
    qbox.faults.quirk("formatted_amounts")
    orders = raw_call(qbox, "GetOrders", limitnum=60)["orders"]["order"]
    for order in orders:
        assert order["amount"].startswith(order["currencyprefix"])
        assert order["amount"].endswith(order["currencysuffix"])
    euro = next(o for o in orders if o["currencysuffix"] == " EUR")
    assert "," in euro["amount"] and euro["lineitems"]["lineitem"][0]["amount"].endswith("EUR")


def names(box):
    return {o["id"]: o["name"] for o in raw_call(box, "GetOrders", limitnum=60)["orders"]["order"]}


def test_html_entities_for_non_ascii_text(qbox):
    plain = names(qbox)
    qbox.faults.quirk("html_entities")
    encoded = names(qbox)
    changed = [i for i in plain if plain[i] != encoded[i]]
    assert changed and all(encoded[i].isascii() and "&" in encoded[i] for i in changed)
    assert all(html.unescape(encoded[i]) == html.unescape(plain[i]) for i in changed)
    with qbox.client() as client:
        frame = client.orders(progress=False)
    read = dict(zip(frame["id"].astype(int), frame["name"], strict=True))
    assert all(read[i] == html.unescape(plain[i]) for i in changed)


def test_zero_dates(qbox):
    qbox.faults.quirk("zero_dates")
    orders = raw_call(qbox, "GetOrders", limitnum=60)["orders"]["order"]
    zero = {o["id"] for o in orders if o["date"] == "0000-00-00 00:00:00"}
    assert zero == {o["id"] for o in orders if o["id"] % 13 == 0} and zero
    with qbox.client() as client:
        frame = client.orders(progress=False)
    assert set(frame.loc[frame["date"].isna(), "id"].astype(int)) == zero


def test_php_notices_before_the_json(qbox, caplog):
    qbox.faults.quirk("php_notices")
    status, body, ctype = post(qbox, action="GetOrders", limitnum=1, **creds(qbox))
    assert status == 200 and ctype == "application/json"
    assert body.startswith("<br />\n<b>Deprecated</b>:")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)  # a naive client crashes here
    # ours reads the answer behind the notices, for reads and writes, and says so
    orderid = qbox.add_orders(1)[0]
    with caplog.at_level(logging.WARNING, logger="whmcs_frames"), \
            qbox.client(audit_log=None) as client:
        assert len(client.orders(progress=False)) == 61
        assert client.pending_order(orderid).ok
    assert "PHP printed notices" in caplog.text and "Deprecated" in caplog.text
    assert {r.message.split(":")[0] for r in caplog.records} == {"GetOrders", "PendingOrder"}


def test_a_fatal_error_before_json_is_still_a_format_error():
    from whmcs_frames._api.transport import _PHP_DIAGNOSTICS

    fatal = "<br />\n<b>Fatal error</b>:  Uncaught Error in <b>x.php</b> on line <b>3</b><br />\n{}"
    assert _PHP_DIAGNOSTICS.match(fatal) is None
    notice = "PHP Notice:  Undefined index: x in /a/b.php on line 7\n{\"result\":\"success\"}"
    assert notice[_PHP_DIAGNOSTICS.match(notice).end():] == '{"result":"success"}'


@pytest.mark.parametrize("quirk", sandbox.QUIRKS)
def test_our_frames_survive_each_quirk_alone(quirk, tmp_path):
    frames = {}
    for name, quirks in (("tidy", ()), ("quirk", (quirk,))):
        with sandbox.serve(orders=40, seed=4) as box, \
                box.client(audit_log=tmp_path / f"{name}.jsonl") as client:
            box.faults.quirk(*quirks) if quirks else None
            frames[name] = (client.orders(progress=False), client.order_lines(progress=False),
                            client.products(), client.product_pricing(), client.promotions(),
                            client.order_statuses())
            assert not box.server_errors
    for tidy, quirky in zip(frames["tidy"], frames["quirk"], strict=True):
        if quirk == "zero_dates" and "date" in tidy.columns:
            # line items carry their order's date too (keyed by orderid)
            order_ids = tidy["id"] if "id" in tidy.columns else tidy["orderid"]
            lost = order_ids.astype(int) % 13 == 0
            assert quirky.loc[lost, "date"].isna().all()
            tidy, quirky = tidy[~lost], quirky[~lost]
        assert tidy.equals(quirky), quirk


# -- 3. credentials by value ----------------------------------------------------------------

def test_admin_login_beside_empty_api_keys_is_accepted(box8):
    digest = hashlib.md5(box8.password.encode()).hexdigest()
    admin = {"action": "GetOrderStatuses", "username": box8.username, "password": digest,
             "responsetype": "json"}
    # what one Node client always sends: every key, the unused ones empty
    status, body, _ = post(box8, **admin, identifier="", secret="", accesskey="")
    assert status == 200 and json.loads(body)["result"] == "success"
    assert post(box8, **admin, identifier="0", secret="")[0] == 200  # "0" is empty to PHP


@pytest.mark.parametrize("data", [
    {"identifier": "", "secret": ""},                       # nothing given at all
    {"identifier": "wrong", "secret": ""},                   # a non-empty key decides
    {"identifier": "", "secret": "", "username": "admin", "password": ""},
])
def test_empty_or_wrong_credentials_are_still_refused(box8, data):
    status, body, _ = post(box8, action="GetOrderStatuses", responsetype="json", **data)
    assert status == 403 and json.loads(body)["message"] == "Authentication Failed"


def test_a_wrong_identifier_is_not_rescued_by_a_right_admin_login(box8):
    digest = hashlib.md5(box8.password.encode()).hexdigest()
    status, _, _ = post(box8, action="GetOrderStatuses", responsetype="json",
                        identifier="wrong", secret="wrong", username=box8.username,
                        password=digest)
    assert status == 403


# -- 4. PHP's rules -------------------------------------------------------------------------

INT_CASES = {
    "25abc": 25, " 12": 12, "\t12x": 12, "1e3": 1000, "1.9": 1, "0x1A": 0, "abc": 0, "": 0,
    "+5": 5, "-0": 0, ".5": 0, "5.": 5, " +1e2": 100, "1e3abc": 1000, "1e-3": 0, "0012": 12,
    "--5": 0, "1 2": 1, "1_000": 1, "\u0661\u0662": 0, "\u00b2": 0, "\u00a012": 0,
    HUGE: 2**63 - 1, "-" + HUGE: -(2**63), "9223372036854775808": 2**63 - 1,
    "1e19": 2**63 - 1, "-1e30": -(2**63), "1e3000": 0, "1.5e3": 1500, "-1.5e3": -1500,
}
BOOL_CASES = {"": False, "0": False, "1": True, "false": True, "no": True, "off": True,
              "0.0": True, " 0": True, "00": True, " ": True, "true": True}


def test_int_casts_follow_php():
    assert {raw: php_int(raw) for raw in INT_CASES} == INT_CASES


def test_truthiness_follows_php():
    assert {raw: truthy(raw) for raw in BOOL_CASES} == BOOL_CASES
    assert truthy(None) is False and truthy({}) is False and truthy({"0": "x"}) is True


@pytest.mark.skipif(shutil.which("php") is None, reason="php-cli not installed; the tables "
                    "above assert the same values without it")
def test_the_tables_agree_with_php_itself():
    script = ("$in = json_decode(file_get_contents('php://stdin'), true); $out = [];"
              "foreach ($in['ints'] as $s) { $out['ints'][] = (int)$s; }"
              "foreach ($in['bools'] as $s) { $out['bools'][] = (bool)$s; }"
              "echo json_encode($out);")
    given = {"ints": list(INT_CASES), "bools": list(BOOL_CASES)}
    done = subprocess.run(["php", "-r", script], input=json.dumps(given), text=True,
                          capture_output=True, timeout=30, check=True)
    php = json.loads(done.stdout)
    assert dict(zip(INT_CASES, php["ints"], strict=True)) == INT_CASES
    assert dict(zip(BOOL_CASES, php["bools"], strict=True)) == BOOL_CASES


NAME_CASES = {
    "a.b": "a_b", "c d": "c_d", "  e": "e", "f[": "f_", "g[h": "g_h", "i.j[k.l]": "i_j[k.l]",
    "m\0n": "m", "o[.p]": "o[.p]", "s.t[u": "s_t_u", "a[b.c": "a_b_c", "d[e][f": "d[e]",
    "x[y]z": "x[y]", "u[]v": "u[]", " action": "action", "[x": None, "pid[0]": "pid[0]",
}


def test_parameter_names_follow_php():
    assert {raw: php_name(raw) for raw in NAME_CASES} == NAME_CASES


@pytest.mark.skipif(shutil.which("php") is None, reason="php-cli not installed; the table "
                    "above asserts the same names without it")
def test_the_name_table_agrees_with_php_itself():
    from urllib.parse import quote

    query = "&".join(f"{quote(raw)}=1" for raw in NAME_CASES)
    script = "parse_str(file_get_contents('php://stdin'), $o); echo json_encode($o);"
    done = subprocess.run(["php", "-r", script], input=query, text=True,
                          capture_output=True, timeout=30, check=True)
    php = json.loads(done.stdout)
    tops = {name.split("[")[0] for name in NAME_CASES.values() if name}
    assert set(php) == tops


def test_a_name_php_rewrites_reaches_the_action_as_php_would(box8):
    # " action" is action to PHP; "limit.num" is limit_num, not limitnum (ignored)
    data = {" action": "GetOrders", "limit.num": "1", **creds(box8)}
    status, body, _ = post(box8, **data)
    assert status == 200 and json.loads(body)["numreturned"] == 25
    assert box8.requests[-1]["action"] == "GetOrders"


@pytest.mark.parametrize("action", ["AcceptOrder", "CancelOrder", "FraudOrder",
                                    "PendingOrder", "DeleteOrder", "OrderFraudCheck"])
def test_an_id_above_php_int_max_saturates_instead_of_crashing(box8, action):
    answer = raw_call(box8, action, orderid=HUGE)
    assert answer["result"] == "error"
    page = raw_call(box8, "GetOrders", id=HUGE, userid="-" + HUGE)
    assert page["totalresults"] == 0
    assert raw_call(box8, "GetOrders", limitstart=HUGE)["numreturned"] == 0
    assert not box8.server_errors


def test_add_order_ids_above_php_int_max_are_refused_or_saturated(box8):
    def add(**params):
        return raw_call(box8, "AddOrder", paymentmethod="stripe", **params)

    assert add(clientid=HUGE, pid=[1])["message"] == "Client ID Not Found"
    assert add(clientid=1, pid=[HUGE])["message"] == "Invalid Product ID"
    placed = add(clientid=1, pid=[1], billingcycle=["monthly"], contactid=HUGE)
    assert placed["result"] == "success"
    order = raw_call(box8, "GetOrders", id=placed["orderid"])["orders"]["order"][0]
    assert order["contactid"] == 2**63 - 1  # stored as PHP's cast left it
    assert not box8.server_errors


def test_false_and_no_are_true_as_php_reads_them():
    with sandbox.serve(orders=10, seed=3) as box:
        orderid, other = box.add_orders(2)
        box.fail_subscription_cancel([orderid, other])
        # cancelsub=false asks PHP for a cancellation: the gateway refusal shows it was
        assert raw_call(box, "CancelOrder", orderid=orderid, cancelsub="false")["message"] \
            .startswith("Subscription Cancellation Failed")
        assert raw_call(box, "CancelOrder", orderid=orderid, cancelsub="0")["result"] == \
            "success"
        assert raw_call(box, "FraudOrder", orderid=other, cancelsub="no")["result"] == "error"
        kept = raw_call(box, "AddOrder", clientid=1, paymentmethod="stripe", pid=[1],
                        billingcycle=["monthly"], noinvoice="false")
        assert kept["invoiceid"] == "0"  # noinvoice="false" suppressed the invoice
        billed = raw_call(box, "AddOrder", clientid=1, paymentmethod="stripe", pid=[1],
                          billingcycle=["monthly"], noinvoice="0")
        assert billed["invoiceid"] != "0"


def test_digits_python_reads_but_php_does_not(box8):
    # Python's int() reads Arabic-Indic digits; PHP's (int) gives 0: no order matches
    assert raw_call(box8, "GetOrders", id="\u0661\u0662")["totalresults"] == 0
    assert raw_call(box8, "AcceptOrder", orderid="\u00b9")["message"] == NOT_PENDING
    assert raw_call(box8, "GetOrders", limitstart="050", limitnum=5)["startnumber"] == 50
    assert not box8.server_errors


# -- 5. XML ---------------------------------------------------------------------------------

def test_xml_is_answered_as_application_xml(box8):
    status, body, ctype = post(box8, action="GetProducts", pid=4,
                               identifier=box8.identifier, secret=box8.secret,
                               responsetype="xml")
    assert status == 200 and ctype == "application/xml"
    root = ET.fromstring(body.encode())
    assert root.tag == "whmcsapi" and root.findtext("result") == "success"
    option = root.find("products/product/configoptions/configoption/options/option")
    assert option is not None and option.findtext("rawName") == ""  # null is empty


# -- 6. field values ------------------------------------------------------------------------

def test_promovalue_is_empty_without_a_promotion_and_a_value_with_one(box8):
    orders = raw_call(box8, "GetOrders", limitnum=60)["orders"]["order"]
    assert all(o["promovalue"] == "" for o in orders if not o["promocode"])
    promoted = [o for o in orders if o["promocode"]]
    assert promoted and all(o["promovalue"].count(".") == 1 for o in promoted)


def test_other_products_are_labelled_as_the_reference_labels_them(box8):
    lines = [line for o in raw_call(box8, "GetOrders", limitnum=60)["orders"]["order"]
             for line in o["lineitems"]["lineitem"] if line["type"] == "product"]
    kinds = {line["producttype"] for line in lines}
    assert "Other Product/Service" in kinds and "Other" not in kinds


# -- the frames do not depend on the flavour -------------------------------------------------

def test_every_flavour_gives_the_same_frames(tmp_path):
    frames = {}
    for flavour in sandbox.FLAVOURS:
        with sandbox.serve(orders=40, seed=4, flavour=flavour) as box, \
                box.client(audit_log=tmp_path / f"{flavour}.jsonl") as client:
            frames[flavour] = {
                "orders": client.orders(progress=False),
                "order_lines": client.order_lines(progress=False),
                "products": client.products(), "product_pricing": client.product_pricing(),
                "promotions": client.promotions(), "order_statuses": client.order_statuses()}
            assert not box.server_errors
    lost = frames["8"]["orders"]["id"].astype(int) % 13 == 0  # quirks: zero dates
    for flavour in ("7", "quirks"):
        for name, expected in frames["8"].items():
            got = frames[flavour][name]
            assert list(got.columns) == list(expected.columns), (flavour, name)
            assert (got.dtypes == expected.dtypes).all(), (flavour, name)
            if name in ("orders", "order_lines") and flavour == "quirks":
                # lines carry their order's date too
                gone = lost if name == "orders" else got["orderid"].astype(int) % 13 == 0
                assert got.loc[gone, "date"].isna().all()
                got, expected = got.drop(columns="date"), expected.drop(columns="date")
            assert got.equals(expected), (flavour, name)


def test_tidy_call_reads_every_flavour_alike():
    answers = {}
    for flavour in sandbox.FLAVOURS:
        with sandbox.serve(orders=20, seed=4, flavour=flavour) as box:
            answers[flavour] = [tidy_call(box, "GetOrders", status="Nope"),
                                tidy_call(box, "GetOrders", limitnum=1)["orders"],
                                tidy_call(box, "CancelOrder", orderid=1)["result"]]
    assert answers["8"][0]["orders"] == {"order": []}
    assert answers["7"][:1] == answers["8"][:1] == answers["quirks"][:1]
    assert [a[2] for a in answers.values()] == ["error"] * 3
    assert isinstance(answers["quirks"][1]["order"], list)


def test_the_public_names():
    assert wf.sandbox.FLAVOURS == ("8", "7", "quirks")
    assert "php_notices" in wf.sandbox.QUIRKS and len(wf.sandbox.QUIRKS) == 11
