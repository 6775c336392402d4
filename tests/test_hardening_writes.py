"""Issue 13, writes: each break a hostile audit found, tried again the way it broke.

Transport faults come from raw-socket servers on 127.0.0.1 (tests/_faultserver.py),
wire requests are asserted with ``responses``, and PHP itself referees what a parameter
name becomes where php-cli is installed (the assertions hold without it too).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from urllib.parse import quote

import pytest
import responses
from _faultserver import FaultServer, make_cert

import whmcs_frames as wf
from whmcs_frames import actions
from whmcs_frames._api import php as wf_php
from whmcs_frames.actions._audit import read_audit_log
from whmcs_frames.cli import main

URL = "https://billing.example.com/includes/api.php"
PHP = shutil.which("php")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return make_cert(tmp_path_factory.mktemp("tls"))


def remote(audit, url=URL, **kwargs):
    return wf.connect(url, identifier="ident-abcdefgh", secret="secret-abcdefgh",
                      audit_log=audit, backoff_factor=0, **kwargs)


def last(audit):
    return read_audit_log(audit).iloc[-1]


# -- 1. a write that ran is never reported as never sent ----------------------------------

@pytest.mark.parametrize("mode", ["tls-corrupt", "tls-reset"])
def test_tls_failing_after_the_request_left_is_an_unknown_outcome(cert, tmp_path, mode):
    audit = tmp_path / "audit.jsonl"
    with FaultServer(mode, cert=cert) as server, \
            remote(audit, server.url, verify=str(cert[0]), retries=0, timeout=5) as client:
        with pytest.raises(wf.OutcomeUnknown) as err:
            client.add_order(1, "mailin", items=[wf.Product(1, "monthly")])
        assert [r["action"] for r in server.requests] == ["AddOrder"]  # it did arrive
    assert "verification" not in str(err.value)
    record = last(audit)
    assert record.outcome == "unknown" and bool(record.sent) is True
    if mode == "tls-corrupt":
        assert "TLS stream broke after the request was sent" in str(err.value)


def test_a_failed_tls_handshake_is_never_sent(cert, tmp_path):
    audit = tmp_path / "audit.jsonl"
    with FaultServer("drop", cert=cert) as server, \
            remote(audit, server.url, retries=0, timeout=5) as client:  # CA not trusted
        with pytest.raises(wf.TransportError) as err:
            client.pending_order(5, check=False)
        assert server.requests == [] and server.handshake_errors >= 1
    assert "certificate verification failed" in str(err.value)
    record = last(audit)
    assert record.outcome == "error" and bool(record.sent) is False


def test_transport_failures_are_classified_by_type_not_text():
    from whmcs_frames._api import transport, wire

    call = wire.begin(5.0)
    wire.end(call)
    # A message that merely *mentions* a reset is not a reset.
    assert transport._describe(RuntimeError("reset by peer"), (1, 2), call) == "RuntimeError"
    assert transport._describe(ConnectionResetError("x"), (1, 2), call).startswith(
        "the server closed")


# -- 2. safety flags take True/False only -------------------------------------------------

@pytest.mark.parametrize("value", [None, 0, "", "no", 1, "False"])
def test_bulk_dry_run_must_be_a_bool(client, box, value):
    ids = box.add_orders(2)
    with pytest.raises(wf.ValidationError, match="dry_run"):
        wf.bulk(client, "fraud", ids, dry_run=value, progress=False)
    with pytest.raises(wf.ValidationError, match="dry_run"):
        actions.iter_bulk(client, "fraud", ids, dry_run=value)
    assert box.request_count() == 0 and not client.audit_log.exists()


@pytest.mark.parametrize(("call", "name"), [
    (lambda c, i: actions.accept_order(c, i, dry_run=0), "dry_run"),
    (lambda c, i: actions.delete_order(c, i, check="no"), "check"),
    (lambda c, i: actions.cancel_order(c, i, dry_run=None), "dry_run"),
    (lambda c, i: wf.bulk(c, "fraud", [i], dry_run=False, stop_on_error=None), "stop_on_error"),
    (lambda c, i: wf.bulk(c, "fraud", [i], dry_run=False, check=0), "check"),
    (lambda c, i: actions.add_order(c, 1, "mailin", items=[wf.Product(1, "monthly")],
                                    dry_run=""), "dry_run"),
])
def test_every_write_guarding_flag_is_checked(client, box, call, name):
    (orderid,) = box.add_orders(1)
    with pytest.raises(wf.ValidationError, match=name):
        call(client, orderid)
    assert box.request_count() == 0


# -- 3. an answer that proves nothing is an unknown outcome -------------------------------

@pytest.mark.parametrize("body", [{"orderid": 5}, {"result": "pending"}, {"result": None}])
def test_a_write_answered_without_a_result_is_unknown_and_stops_a_bulk_run(tmp_path, body):
    audit = tmp_path / "audit.jsonl"
    with responses.RequestsMock() as mocked, remote(audit) as client:
        mocked.post(URL, json=body)
        with pytest.raises(wf.OutcomeUnknown):
            client.call("AddOrder", clientid=1, paymentmethod="x", pid=[1])
        done = wf.bulk(client, "pending", [1, 2, 3], dry_run=False, check=False,
                       progress=False)
        assert len(mocked.calls) == 2  # AddOrder, then the first PendingOrder only
    assert list(done["outcome"]) == ["unknown", "skipped", "skipped"]


def test_a_read_answered_without_a_result_is_still_a_format_error(tmp_path):
    with responses.RequestsMock() as mocked, remote(tmp_path / "a.jsonl") as client:
        mocked.post(URL, json={"orders": []})
        with pytest.raises(wf.ResponseFormatError):
            client.call("GetOrders")


# -- 4. client.call never sends a write unaudited -----------------------------------------

def test_call_with_a_write_action_is_audited(client, box):
    (orderid,) = box.add_orders(1, status="Cancelled")
    client.call("DeleteOrder", orderid=orderid)
    assert box.order(orderid) is None
    log = read_audit_log(client.audit_log)
    assert list(log["action"]) == ["DeleteOrder"] and log.iloc[0].outcome == "success"
    assert log.iloc[0].orderid == orderid and bool(log.iloc[0].sent)


def test_call_checks_a_known_order_actions_arguments(client, box):
    with pytest.raises(wf.ValidationError, match="orderid"):
        client.call("DeleteOrder", orderid="3; DROP")
    with pytest.raises(wf.ValidationError, match="nosuch"):
        client.call("CancelOrder", orderid=3, nosuch=1)
    assert box.request_count() == 0


def test_call_with_an_unknown_action_is_audited_and_not_retried(client, box):
    box.faults.queue("503", count=3)
    with pytest.raises(wf.OutcomeUnknown):
        client.call("UpdateClient", clientid=1, companyname="x")
    assert box.request_count("UpdateClient") == 1
    record = read_audit_log(client.audit_log).iloc[0]
    assert record.action == "UpdateClient" and record.outcome == "unknown"


def test_call_does_not_write_when_the_audit_log_cannot_be(box, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with box.client(audit_log=blocker / "audit.jsonl") as client:
        (orderid,) = box.add_orders(1, status="Cancelled")
        with pytest.raises(wf.AuditLogError):
            client.call("DeleteOrder", orderid=orderid)
    assert box.order(orderid) is not None and box.request_count("DeleteOrder") == 0


# -- 5. names PHP would rewrite cannot smuggle an action ----------------------------------

#: Names PHP rewrites (the referee shows it); the first two become ``action`` itself.
SMUGGLED = [" action", "action\0", "act.ion", "act ion", "action[", "a[b]"]
#: Names PHP keeps, but which are no WHMCS parameter and are refused all the same.
ODD = ["\taction", "action]", "", "naïve"]


def php_names(names):
    """The top-level names PHP's own form parser makes of ``names``."""
    script = ("parse_str(stream_get_contents(STDIN), $o); "
              "echo json_encode(array_map('strval', array_keys($o)));")
    body = "&".join(f"{quote(n, safe='')}=1" for n in names)
    out = subprocess.run([PHP, "-r", script], input=body, capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return json.loads(out)


@pytest.mark.parametrize("name", SMUGGLED + ODD)
def test_parameter_names_php_rewrites_are_refused(tmp_path, name):
    with responses.RequestsMock() as mocked, remote(tmp_path / "a.jsonl") as client:
        with pytest.raises(wf.ValidationError):
            client.call("GetOrders", **{name: "DeleteOrder"})
        assert len(mocked.calls) == 0


@pytest.mark.skipif(PHP is None, reason="php-cli is the referee; the refusal is tested above")
def test_php_really_rewrites_those_names():
    assert php_names([" action"]) == ["action"] and php_names(["action\0"]) == ["action"]
    for name in SMUGGLED:
        assert php_names([name]) != [name]


def test_names_we_send_are_the_names_php_reads():
    names = ["limitnum", "orderid", "pid", "custom_field_2", "UPPER"]
    for name in names:
        assert wf_php.check_param_name(name) == name
    if PHP:
        assert php_names(names) == names


@pytest.mark.parametrize("action", ["GetOrders\n", "GetOrders\0", " GetOrders", "Get-Orders"])
def test_action_names_with_a_trailing_newline_are_refused(tmp_path, action):
    with responses.RequestsMock() as mocked, remote(tmp_path / "a.jsonl") as client:
        with pytest.raises(wf.ValidationError, match="action"):
            client.call(action)
        assert len(mocked.calls) == 0


@pytest.mark.parametrize("key", ["a.com]x", "a.com\0x", "a[b"])
def test_array_keys_php_would_cut_are_refused(tmp_path, key):
    with responses.RequestsMock() as mocked, remote(tmp_path / "a.jsonl") as client:
        with pytest.raises(wf.ValidationError):
            client.call("GetOrders", filters={key: 1})
        assert len(mocked.calls) == 0


# -- 6. a deadline for the whole request --------------------------------------------------

def test_a_trickling_server_cannot_hold_a_read(tmp_path):
    with FaultServer("trickle", interval=0.8) as server, \
            remote(tmp_path / "a.jsonl", server.url, retries=0, timeout=1) as client:
        started = time.monotonic()
        with pytest.raises(wf.TransportError, match="deadline"):
            client.call("GetOrders")
        assert time.monotonic() - started < 4.5


def test_a_read_retried_after_its_deadline_succeeds(tmp_path):
    with FaultServer("trickle", then="ok") as server, \
            remote(tmp_path / "a.jsonl", server.url, retries=1, timeout=1) as client:
        started = time.monotonic()
        assert client.call("GetOrders")["result"] == "success"
        assert time.monotonic() - started < 4.5 and len(server.requests) == 2


def test_a_trickling_server_makes_a_write_unknown_within_the_deadline(tmp_path):
    audit = tmp_path / "audit.jsonl"
    with FaultServer("trickle", interval=0.8) as server, \
            remote(audit, server.url, retries=0, timeout=1) as client:
        started = time.monotonic()
        with pytest.raises(wf.OutcomeUnknown, match="deadline"):
            client.pending_order(5, check=False)
        assert time.monotonic() - started < 4.5
        assert len(server.requests) == 1
    assert last(audit).outcome == "unknown"


# -- 7. dry runs predict ------------------------------------------------------------------

def test_a_dry_run_reads_each_order_and_predicts_refusals(client, box):
    (pending,) = box.add_orders(1, status="Pending")
    (active,) = box.add_orders(1, status="Active")
    done = wf.bulk(client, "accept", [pending, active, 999999], progress=False)
    assert list(done["outcome"]) == ["dry-run"] * 3
    assert list(done["ok"]) == [True, False, False]
    assert list(done["error"].fillna("")) == ["", "PreconditionFailed", "OrderNotFound"]
    assert "would be refused" in done.loc[1, "message"]
    assert box.request_count("GetOrders") == 3 and box.request_count("AcceptOrder") == 0
    assert box.order(pending)["status"] == "Pending"


def test_cli_dry_run_exit_code_says_the_real_run_would_fail(whmcs_env, capsys):
    box = whmcs_env
    (active,) = box.add_orders(1, status="Active")
    (pending,) = box.add_orders(1, status="Pending")
    assert main(["order", "accept", str(active), "999999", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "would be refused" in out and "not found" in out.lower()
    assert "would send" not in out
    assert main(["order", "accept", str(pending), "--dry-run"]) == 0
    assert "would send AcceptOrder" in capsys.readouterr().out
    assert box.request_count("AcceptOrder") == 0


# -- 8. a bulk run stops when nothing can succeed -----------------------------------------

def test_wrong_credentials_stop_a_bulk_run_at_once(box, whmcs_env, monkeypatch, capsys):
    monkeypatch.setenv("WHMCS_API_SECRET", "wrong-secret-123")
    ids = box.add_orders(3)
    assert main(["order", "accept", *map(str, ids), "--yes"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert " error " in lines[0] and "Authentication Failed" in lines[0]
    assert all(" skipped " in line for line in lines[1:]) and len(lines) == 3
    assert "Manage API Credentials" in lines[1]  # the hint `statuses` gives
    assert box.request_count() == 1


def test_access_denied_stops_a_bulk_run(tmp_path):
    with wf.sandbox.serve(orders=5, denied_actions=["FraudOrder"]) as box, \
            box.client(audit_log=tmp_path / "a.jsonl", backoff_factor=0) as client:
        done = wf.bulk(client, "fraud", [1, 2, 3], dry_run=False, check=False,
                       progress=False)
        assert box.request_count("FraudOrder") == 1
    assert list(done["outcome"]) == ["error", "skipped", "skipped"]
    assert "API Roles" in done.loc[1, "message"]


# -- 9. the sandbox keeps its own audit log -----------------------------------------------

def test_a_sandbox_client_never_writes_the_analysts_audit_log(tmp_path, monkeypatch):
    real = tmp_path / "real-audit.jsonl"
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(real))
    monkeypatch.delenv("WHMCS_API_URL", raising=False)
    with wf.sandbox.serve(orders=5) as box, box.client() as client:
        client.fraud_order(1)
        assert client.audit_log != real and client.audit_log == box.audit_log
        assert len(read_audit_log(client.audit_log)) == 1
    client = wf.connect_or_sandbox(orders=5)
    try:
        client.fraud_order(2)
        assert client.audit_log == client.sandbox.audit_log
    finally:
        client.close()
        client.sandbox.close()
    assert not real.exists()
    with wf.sandbox.serve(orders=5) as box, \
            box.client(audit_log=tmp_path / "told.jsonl") as client:  # told otherwise
        client.fraud_order(1)
    assert (tmp_path / "told.jsonl").exists()


# -- 10. values PHP cannot read back ------------------------------------------------------

@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_in_serialized_fields_are_refused(bad):
    with pytest.raises(wf.ValidationError, match="customfields"):
        wf.Product(1, "monthly", customfields={5: bad})
    with pytest.raises(wf.ValidationError, match="configoptions"):
        wf.Product(1, "monthly", configoptions={2: bad})
    with pytest.raises(wf.ValidationError, match="domainfields"):
        wf.Domain("example.com", domainfields={1: bad})
    with pytest.raises(wf.ValidationError):
        wf_php.php_serialize({5: bad})
    if PHP:  # the referee: what Python would have written, PHP refuses
        script = f'var_export(unserialize(\'d:{bad!r};\'));'
        out = subprocess.run([PHP, "-r", script], capture_output=True, text=True,
                             timeout=30).stdout
        assert out.startswith("false")


@pytest.mark.parametrize("domain", ["a.com]x", "a.com\0", "a.com[x]", "exa mple.com",
                                    "example", "-bad.com", "a..com", ""])
def test_domainrenewals_keys_must_be_domain_names(client, box, domain):
    with pytest.raises(wf.ValidationError, match="domainrenewals"):
        actions.add_order(client, 1, "mailin", domainrenewals={domain: 1})
    assert box.request_count() == 0


def test_good_domainrenewals_pass(client):
    done = actions.add_order(client, 1, "mailin", dry_run=True,
                             domainrenewals={"example.com": 1, "bücher.de": 2})
    assert done.params["domainrenewals"] == {"example.com": 1, "bücher.de": 2}


@pytest.mark.parametrize("value", [None, 0, "", "no"])
def test_the_review_queue_dry_run_switch_takes_a_bool(client, value):
    rv = wf.review(client)
    rv.dry_run = True
    with pytest.raises(wf.ValidationError, match="dry_run"):
        rv.dry_run = value
    assert rv.dry_run is True  # unchanged: still a dry run
