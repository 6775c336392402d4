"""Exactly what the writes put on the wire (asserted with `responses`), and answer parsing."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qsl

import pytest
import responses

import whmcs_frames as wf
from whmcs_frames import actions
from whmcs_frames._api.php import php_serialize, php_unserialize
from whmcs_frames._api.registry import SECRET_PARAMS
from whmcs_frames.actions import Domain, Product

URL = "https://billing.example.com/includes/api.php"
IDENT, SECRET, ACCESS = "IDENT-1234567", "SECRET-abcdefgh", "ACCESSKEY-42"
ROOTPW, EPP, SVCPW = "hunter2-root", "EPP-CODE-9", "svc-pass-77"


@pytest.fixture
def client(tmp_path):
    with wf.connect(URL, identifier=IDENT, secret=SECRET, accesskey=ACCESS, backoff_factor=0,
                    retries=3, audit_log=tmp_path / "audit.jsonl") as c:
        yield c


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def answer(mocked, order_status="Pending", echo=False, **fields):
    """GetOrders answers one order in ``order_status``; every write answers success and
    ``fields`` (with ``echo``, a message quoting the request's secret parameters)."""
    def reply(request):
        body = dict(parse_qsl(request.body))
        if echo:
            fields["message"] = "echo " + " ".join(
                v for k, v in body.items() if k.split("[")[0] in SECRET_PARAMS)
        if body["action"] == "GetOrders":
            order = {"id": body["id"], "status": order_status}
            return 200, {}, json.dumps({"result": "success", "totalresults": "1",
                                        "orders": {"order": [order]}})
        return 200, {}, json.dumps({"result": "success", **fields})

    mocked.add_callback(responses.POST, URL, callback=reply)


def sent(mocked, index=-1):
    pairs = parse_qsl(mocked.calls[index].request.body, keep_blank_values=True)
    assert pairs[-3:] == [("identifier", IDENT), ("secret", SECRET), ("accesskey", ACCESS)]
    return pairs[:-3]


def test_accept_sends_its_options_as_whmcs_spells_them(client, mocked):
    answer(mocked)
    actions.accept_order(client, 17, serverid=3, serviceusername="bob",
                         servicepassword=SVCPW, registrar="enom", sendregistrar=True,
                         autosetup=False, sendemail=True)
    assert sent(mocked, 0) == [("action", "GetOrders"), ("responsetype", "json"),
                               ("id", "17")]
    assert sent(mocked) == [
        ("action", "AcceptOrder"), ("responsetype", "json"), ("orderid", "17"),
        ("serverid", "3"), ("serviceusername", "bob"), ("servicepassword", SVCPW),
        ("registrar", "enom"), ("sendregistrar", "1"), ("autosetup", "0"),
        ("sendemail", "1")]


def test_options_left_out_are_not_sent(client, mocked):
    answer(mocked, order_status="Active")
    actions.fraud_order(client, 5)
    assert sent(mocked) == [("action", "FraudOrder"), ("responsetype", "json"),
                            ("orderid", "5")]


def mixed_items():
    return [
        Product(1, "monthly", domain="shop.com", customfields={5: "Zoë 日本"},
                configoptions={2: 3}, addons=[1, 3, 9], rootpw=ROOTPW),
        Domain("other.net", domaintype="transfer", eppcode=EPP, regperiod=2,
               idprotection=True),
        Product(2, "Annually", priceoverride=9.5, qty=2),
        Domain("shop.com", regperiod=3, dnsmanagement=False),
    ]


def test_add_order_aligns_mixed_items_on_their_indexes(client, mocked):
    answer(mocked, orderid="81", serviceids="7,8", domainids="4,5", invoiceid="900")
    result = actions.add_order(client, 3, "mailin", items=mixed_items(), promocode="SAVE",
                               noemail=True, nameserver1="ns1.example.com")
    custom = dict(sent(mocked))["customfields[0]"]
    assert sent(mocked) == [
        ("action", "AddOrder"), ("responsetype", "json"),
        ("clientid", "3"), ("paymentmethod", "mailin"),
        # product i at index i of every product array; domain[] is shared: the products'
        # domains first, then the other domain items, and shop.com's registration rides
        # on its product's index 0
        ("pid[0]", "1"), ("pid[1]", "2"), ("qty[1]", "2"),
        ("domain[0]", "shop.com"), ("domain[2]", "other.net"),
        ("billingcycle[0]", "monthly"), ("billingcycle[1]", "annually"),
        ("rootpw[0]", ROOTPW), ("priceoverride[1]", "9.5"), ("customfields[0]", custom),
        ("configoptions[0]", "YToxOntpOjI7aTozO30="), ("addons[0]", "1,3,9"),
        ("domaintype[0]", "register"), ("domaintype[2]", "transfer"),
        ("regperiod[0]", "3"), ("regperiod[2]", "2"), ("eppcode[2]", EPP),
        ("dnsmanagement[0]", "0"), ("idprotection[2]", "1"),
        ("promocode", "SAVE"), ("noemail", "1"), ("nameserver1", "ns1.example.com")]
    raw = base64.b64decode(custom)
    assert raw == 'a:1:{i:5;s:11:"Zoë 日本";}'.encode()  # 11 bytes, 6 characters
    assert php_unserialize(raw) == {5: "Zoë 日本"}
    assert result == actions.AddOrderResult(81, 900, [7, 8], [], [4, 5])


def test_secrets_go_to_whmcs_but_never_into_the_audit_log(client, mocked):
    answer(mocked, echo=True, orderid="81")
    actions.add_order(client, 3, "mailin", items=mixed_items())
    actions.accept_order(client, 81, servicepassword=SVCPW)
    wire = " ".join(r.request.body for r in mocked.calls)
    assert ROOTPW.replace("-", "") in wire.replace("-", "") and EPP in wire
    text = client.audit_log.read_text(encoding="utf-8")
    for secret in (ROOTPW, EPP, SVCPW, SECRET, IDENT, ACCESS):
        assert secret not in text
    assert '"rootpw":"***"' in text and '"servicepassword":"***"' in text
    assert "echo ***" in text  # WHMCS quoting a secret back is masked too


def test_addon_only_orders_and_renewals_use_the_documented_parameters(client, mocked):
    answer(mocked, orderid="82")
    actions.add_order(client, 3, "stripe", addonids=[4, 5], serviceids=[10, 11],
                      addonidsqty=[1, 2], domainrenewals={"shop.com": 2},
                      servicerenewals=[12], addonrenewals=[13, 14])
    assert sent(mocked)[2:] == [
        ("clientid", "3"), ("paymentmethod", "stripe"), ("addonids[0]", "4"),
        ("addonids[1]", "5"), ("serviceids[0]", "10"), ("serviceids[1]", "11"),
        ("addonidsqty[0]", "1"), ("addonidsqty[1]", "2"), ("domainrenewals[shop.com]", "2"),
        ("servicerenewals[0]", "12"), ("addonrenewals[0]", "13"), ("addonrenewals[1]", "14")]


@pytest.mark.parametrize(("call", "parameter"), [
    (lambda c: actions.add_order(c, 3, "mailin", pid=[1]), "pid"),
    (lambda c: actions.add_order(c, 3, "mailin", domain=["a.com"]), "domain"),
    (lambda c: actions.add_order(c, 3, "mailin"), "items"),
    (lambda c: actions.add_order(c, 3, "mailin", items=[{"pid": 1}]), "items"),
    (lambda c: actions.add_order(c, 0, "mailin", items=[Product(1, "monthly")]), "clientid"),
    (lambda c: actions.add_order(c, 3, "", items=[Product(1, "monthly")]), "paymentmethod"),
    (lambda c: actions.add_order(c, 3, "x", items=[Product(1, "monthly")], noemal=True),
     "noemal"),
    (lambda c: actions.add_order(c, 3, "x", servicerenewals="1,2"), "servicerenewals"),
    (lambda c: actions.add_order(c, 3, "x", addonids=[1, 2], serviceids=[3]), "serviceids"),
    (lambda c: actions.add_order(c, 3, "x", items=[Domain("a.com"), Domain("A.com")]),
     "items"),
])
def test_add_order_refuses_bad_input_before_sending(client, mocked, call, parameter):
    with pytest.raises(wf.ValidationError, match=f"^{parameter}:"):
        call(client)
    assert len(mocked.calls) == 0


@pytest.mark.parametrize(("make", "parameter"), [
    (lambda: Product(1, "weekly"), "billingcycle"),
    (lambda: Product(0, "monthly"), "pid"),
    (lambda: Product(1, "monthly", qty=0), "qty"),
    (lambda: Product(1, "monthly", priceoverride=float("nan")), "priceoverride"),
    (lambda: Product(1, "monthly", addons="1,2"), "addons"),
    (lambda: Product(1, "monthly", addons=[1], addonsqty=[1, 2]), "addonsqty"),
    (lambda: Product(1, "monthly", customfields={5: object()}), "customfields[5]"),
    (lambda: Domain("a.com", domaintype="renew"), "domaintype"),
    (lambda: Domain("a.com", regperiod=11), "regperiod"),
    (lambda: Domain("a.com", idprotection=1), "idprotection"),
    (lambda: Domain(""), "name"),
])
def test_items_validate_themselves(make, parameter):
    with pytest.raises(wf.ValidationError, match="^" + re.escape(parameter) + ":"):
        make()


def test_item_secrets_stay_out_of_reprs_and_errors():
    assert ROOTPW not in repr(Product(1, "monthly", rootpw=ROOTPW))
    assert EPP not in repr(Domain("a.com", eppcode=EPP))
    with pytest.raises(wf.ValidationError) as err:
        Product(1, "monthly", rootpw=123)
    assert "123" not in str(err.value)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"orderid": "9", "serviceids": "1,2", "addonids": "", "domainids": "3",
      "invoiceid": "0"}, actions.AddOrderResult(9, None, [1, 2], [], [3])),
    ({"orderid": 9, "productids": "4, 5", "invoiceid": 12},
     actions.AddOrderResult(9, 12, [4, 5], [], [])),
    ({"orderid": "9", "serviceids": "x,,7", "domainids": None},
     actions.AddOrderResult(9, None, [7], [], [])),
])
def test_add_order_results_are_parsed_from_any_spelling(client, mocked, fields, expected):
    answer(mocked, **fields)
    assert actions.add_order(client, 3, "mailin", items=[Product(1, "monthly")]) == expected


SERIALIZED = php_serialize({"score": 12.5, "country": "DE"})


@pytest.mark.parametrize(("results", "expected"), [
    (SERIALIZED, {"score": 12.5, "country": "DE"}),
    (base64.b64encode(SERIALIZED.encode()).decode(), {"score": 12.5, "country": "DE"}),
    ('{"riskScore": "3.1"}', {"riskScore": "3.1"}),
    ({"riskScore": "3.1"}, {"riskScore": "3.1"}),
    ('a:9:{broken', "a:9:{broken"),
    ("<b>Fatal</b>", "<b>Fatal</b>"),
    ("", None),
    (None, None),
])
def test_fraud_check_results_are_decoded_and_never_raise(client, mocked, results, expected):
    fields = {"status": "Pass", "module": "fraudlabs"}
    if results is not None:
        fields["results"] = results
    answer(mocked, **fields)
    result = actions.order_fraud_check(client, 4)
    assert result == actions.FraudCheckResult(4, "Pass", "fraudlabs", expected)
