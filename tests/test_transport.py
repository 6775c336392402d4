"""client.call on the wire (asserted with `responses`): encoding, errors, retries, secrets."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

import pytest
import responses

import whmcs_frames as wf
from whmcs_frames._api import php as wf_php

URL = "https://billing.example.com/includes/api.php"
IDENT, SECRET, ACCESS = "IDENT-1234567", "SECRET-abcdefgh", "ACCESSKEY-42"
SECRETS = (SECRET, ACCESS, "hunter2-root", "svc-pass-77", "EPP-CODE-9")


@pytest.fixture
def client():
    with wf.connect(URL, identifier=IDENT, secret=SECRET, accesskey=ACCESS,
                    backoff_factor=0, retries=3) as c:
        yield c


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def sent(mocked, index=-1):
    return parse_qsl(mocked.calls[index].request.body, keep_blank_values=True)


def ok(mocked, **fields):
    mocked.post(URL, json={"result": "success", **fields})


def test_call_posts_form_encoded_with_auth_and_json_response_type(client, mocked):
    ok(mocked, totalresults="0")
    assert client.call("GetOrders", limitnum=5, status="Pending")["totalresults"] == "0"
    request = mocked.calls[0].request
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent(mocked) == [("action", "GetOrders"), ("responsetype", "json"),
                            ("limitnum", "5"), ("status", "Pending"), ("identifier", IDENT),
                            ("secret", SECRET), ("accesskey", ACCESS)]


def test_arrays_are_php_indexed_and_booleans_are_1_0(client, mocked):
    ok(mocked, orderid="9")
    client.call("AddOrder", clientid=1, paymentmethod="stripe", pid=[1, 5],
                billingcycle=["monthly", "annually"], domainrenewals={"example.com": 2},
                noemail=True, promooverride=False, affid=None,
                customfields=[wf_php.encode_serialized({5: "Zoë"})])
    body = sent(mocked)[2:-3]
    assert body == [("clientid", "1"), ("paymentmethod", "stripe"), ("pid[0]", "1"),
                    ("pid[1]", "5"), ("billingcycle[0]", "monthly"),
                    ("billingcycle[1]", "annually"), ("domainrenewals[example.com]", "2"),
                    ("noemail", "1"), ("promooverride", "0"),
                    ("customfields[0]", "YToxOntpOjU7czo0OiJab8OrIjt9")]


def test_admin_login_sends_username_and_md5(mocked):
    ok(mocked)
    with wf.connect(URL, username="admin", password="plain-pw") as c:
        c.call("GetOrderStatuses")
    assert sent(mocked)[2:] == [("username", "admin"),
                                ("password", "23d38add2bab26ffb69518a527d5a007")]


@pytest.mark.parametrize(("params", "parameter"), [
    ({"secret": "x"}, "secret"), ({"responsetype": "xml"}, "responsetype"),
    ({"when": object()}, "when")])
def test_bad_params_are_refused_before_sending(client, mocked, params, parameter):
    with pytest.raises(wf.ValidationError, match=f"^{parameter}:"):
        client.call("GetOrders", **params)
    assert len(mocked.calls) == 0


@pytest.mark.parametrize("action", ["", "Get Orders", "GetOrders;drop", 42])
def test_bad_action_names_are_refused_before_sending(client, mocked, action):
    with pytest.raises(wf.ValidationError, match="^action:"):
        client.call(action)
    assert len(mocked.calls) == 0


def test_result_error_is_an_api_error_with_action_and_message(client, mocked):
    mocked.post(URL, json={"result": "error", "message": "Order ID Not Found"})
    with pytest.raises(wf.ApiError) as err:
        client.call("FraudOrder", orderid=99)
    assert (err.value.action, err.value.message) == ("FraudOrder", "Order ID Not Found")
    assert type(err.value) is wf.ApiError


def test_authentication_failed(client, mocked):
    mocked.post(URL, status=403, json={"result": "error", "message": "Authentication Failed"})
    with pytest.raises(wf.AuthenticationError, match="WHMCS_API_IDENTIFIER") as err:
        client.call("GetOrders")
    assert err.value.status == 403
    assert len(mocked.calls) == 1  # a refusal is an answer, not a transient failure


def test_invalid_ip_names_the_address_and_the_fixes(client, mocked):
    mocked.post(URL, status=403, json={"result": "error", "message": "Invalid IP 203.0.113.9"})
    with pytest.raises(wf.AccessDenied) as err:
        client.call("GetOrders")
    assert err.value.ip == "203.0.113.9"
    assert "allow-list" in str(err.value) and "WHMCS_API_ACCESSKEY" in str(err.value)


def test_invalid_permissions_names_the_action(client, mocked):
    mocked.post(URL, json={"result": "error",
                           "message": 'Invalid Permissions: API action "getorders" is not allowed'})
    with pytest.raises(wf.AccessDenied) as err:
        client.call("GetOrders")
    assert err.value.denied_action == "getorders"
    assert "API Roles" in str(err.value)


def test_status_in_place_of_result_is_understood(client, mocked):
    mocked.post(URL, json={"status": "success", "totalresults": 1})
    assert client.call("GetOrders")["result"] == "success"
    mocked.post(URL, json={"status": "error", "message": "Command Not Found"})
    with pytest.raises(wf.ApiError, match="Command Not Found"):
        client.call("GetWhatever")


def test_fraud_check_status_field_is_left_alone(client, mocked):
    ok(mocked, status="Fail", module="maxmind")
    assert client.call("OrderFraudCheck", orderid=1)["status"] == "Fail"


@pytest.mark.parametrize(("status", "body", "ctype", "words"), [
    (200, "<html><body><h1>Site under maintenance</h1></body></html>", "text/html",
     "Site under maintenance"),
    (500, "PHP Fatal error: Allowed memory size exhausted", "text/html", "PHP Fatal error"),
    (200, "", "text/html", "an empty body"),
    (200, '["not", "an", "object"]', "application/json", "not JSON"),
    (200, '{"no_result": true}', "application/json", "without result=success"),
])
def test_non_api_answers_are_format_errors(client, mocked, status, body, ctype, words):
    mocked.post(URL, status=status, body=body, content_type=ctype)
    with pytest.raises(wf.ResponseFormatError, match=words) as err:
        client.call("GetOrders")
    assert err.value.status == status


def test_format_error_snippet_is_scrubbed_of_credentials(client, mocked):
    page = f"<pre>POST secret={SECRET}&accesskey={ACCESS} failed</pre>"
    mocked.post(URL, status=500, body=page, content_type="text/html")
    with pytest.raises(wf.ResponseFormatError) as err:
        client.call("GetOrders")
    assert SECRET not in str(err.value) and ACCESS not in err.value.snippet
    assert "secret=***" in err.value.snippet


def test_redirect_is_reported_not_followed(client, mocked):
    mocked.post(URL, status=301, headers={"Location": "https://new.example.com/includes/api.php"})
    with pytest.raises(wf.ResponseFormatError, match="redirect .*new.example.com"):
        client.call("GetOrders")
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_reads_retry_transient_statuses_then_succeed(client, mocked, status):
    mocked.post(URL, status=status, body="busy", content_type="text/html")
    mocked.post(URL, status=status, body="busy", content_type="text/html")
    ok(mocked, totalresults="3")
    assert client.call("GetOrders")["totalresults"] == "3"
    assert len(mocked.calls) == 3


def test_reads_give_up_after_the_configured_retries(client, mocked):
    mocked.post(URL, status=503, body="<h1>Service Unavailable</h1>", content_type="text/html")
    with pytest.raises(wf.ResponseFormatError, match=r"HTTP 503 .* after 3 retries"):
        client.call("GetProducts")
    assert len(mocked.calls) == 4  # the first try and three retries


def test_reads_do_not_retry_a_500_or_an_api_error(client, mocked):
    mocked.post(URL, status=500, body="boom", content_type="text/html")
    with pytest.raises(wf.ResponseFormatError):
        client.call("GetOrders")
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("action", ["AcceptOrder", "CancelOrder", "FraudOrder", "PendingOrder",
                                    "DeleteOrder", "OrderFraudCheck", "AddOrder"])
def test_writes_are_never_retried_after_a_503(client, mocked, action):
    mocked.post(URL, status=503, body="busy", content_type="text/html")
    ok(mocked)
    with pytest.raises(wf.OutcomeUnknown, match="Look the order up"):
        client.call(action, orderid=1)
    assert len(mocked.calls) == 1


def test_writes_use_a_fresh_connection_each_time(client, mocked):
    ok(mocked)
    client.call("PendingOrder", orderid=3)
    client.call("GetOrders")
    assert mocked.calls[0].request.headers["Connection"] == "close"
    assert mocked.calls[1].request.headers.get("Connection") != "close"


def test_secrets_never_reach_logs_or_exceptions(client, mocked, caplog):
    caplog.set_level(logging.DEBUG, logger="whmcs_frames")
    mocked.post(URL, json={"result": "error", "message": f"bad rootpw hunter2-root {SECRET}"})
    with pytest.raises(wf.ApiError) as err:
        client.call("AddOrder", clientid=1, paymentmethod="x", rootpw=["hunter2-root"],
                    eppcode=["EPP-CODE-9"])
    mocked.post(URL, status=503, body="busy", content_type="text/html")
    with pytest.raises(wf.OutcomeUnknown) as unknown:
        client.call("AcceptOrder", orderid=1, servicepassword="svc-pass-77")
    text = caplog.text + str(err.value) + repr(err.value) + str(unknown.value)
    assert "AddOrder" in caplog.text and "rootpw[0]" in caplog.text
    for secret in SECRETS:
        assert secret not in text
    assert "***" in caplog.text


def test_each_write_gets_its_own_session_closed_after_it_answered(client, mocked, monkeypatch):
    import whmcs_frames._api.transport as transport

    made = []
    real = transport._new_session

    def tracking(*args, **kwargs):
        session = real(*args, **kwargs)
        closed = []
        session.close = lambda: closed.append(True)  # type: ignore[method-assign]
        made.append((kwargs.get("close", False), closed))
        return session

    monkeypatch.setattr(transport, "_new_session", tracking)
    ok(mocked)
    client.call("PendingOrder", orderid=1)
    client.call("PendingOrder", orderid=2)
    client.call("GetOrders")
    client.call("GetOrders")
    # two writes, two sessions, each closed at once; the reads share one pooled session
    assert [(close, bool(closed)) for close, closed in made] == [
        (True, True), (True, True), (False, False)]


NOTICES = ("<br />\n<b>Deprecated</b>:  Creation of dynamic property X::$y is deprecated in "
           "<b>/srv/whmcs/vendor/a.php</b> on line <b>12</b><br />\n"
           "PHP Notice:  Undefined index: z in /srv/whmcs/includes/b.php on line 3\n")


@pytest.mark.parametrize("action", ["GetOrders", "AcceptOrder"])
def test_php_notices_before_the_json_are_skipped_and_logged(client, mocked, action, caplog):
    mocked.post(URL, body=NOTICES + '{"result":"success","totalresults":2}',
                content_type="application/json")
    with caplog.at_level("WARNING", logger="whmcs_frames"):
        assert client.call(action, orderid=1)["totalresults"] == 2
    assert f"{action}: PHP printed notices" in caplog.text
    assert len(mocked.calls) == 1


@pytest.mark.parametrize(("action", "error"), [("GetOrders", wf.ResponseFormatError),
                                               ("AcceptOrder", wf.OutcomeUnknown)])
def test_notices_before_anything_but_json_stay_a_format_problem(client, mocked, action, error):
    mocked.post(URL, body=NOTICES + "<html>Service Unavailable</html>", content_type="text/html")
    with pytest.raises(error):
        client.call(action, orderid=1)
    mocked.post(URL, body="<b>Fatal error</b>: boom in x.php on line 1\n{\"result\":\"success\"}",
                content_type="text/html")
    with pytest.raises(error):
        client.call(action, orderid=1)
