"""Sandbox server: auth, allow-list, permissions, faults, hooks, helpers, concurrency."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from typing import Any

import pytest
import requests

from whmcs_frames import sandbox
from whmcs_frames._api.php import flatten_params
from whmcs_frames.sandbox import _box


def creds(box: sandbox.Sandbox) -> dict[str, str]:
    return {"identifier": box.identifier, "secret": box.secret, "responsetype": "json"}


def post(box: sandbox.Sandbox, data: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
    with requests.post(box.url, data=flatten_params(data), timeout=kwargs.pop("timeout", 10),
                       **kwargs) as resp:
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, resp.text


def call(box: sandbox.Sandbox, action: str, **params: Any) -> dict[str, Any]:
    status, body = post(box, {"action": action, **creds(box), **params})
    assert status == 200, body
    return body


@pytest.fixture
def sbox():
    with sandbox.serve(orders=40, seed=21) as box:
        yield box


AUTH_FAILED = {"result": "error", "message": "Authentication Failed"}


# -- authentication and access ------------------------------------------------------------

def test_identifier_and_secret(sbox):
    assert call(sbox, "GetOrderStatuses")["result"] == "success"
    assert len(sbox.identifier) == 32 and len(sbox.secret) == 32


def test_credentials_as_username_and_password(sbox):
    status, body = post(sbox, {"action": "GetOrderStatuses", "username": sbox.identifier,
                               "password": sbox.secret, "responsetype": "json"})
    assert status == 200 and body["result"] == "success"


def test_admin_login_with_md5_password(sbox):
    digest = hashlib.md5(sbox.password.encode()).hexdigest()
    ok = {"action": "GetOrderStatuses", "username": sbox.username, "responsetype": "json"}
    assert post(sbox, {**ok, "password": digest})[1]["result"] == "success"
    assert post(sbox, {**ok, "password": sbox.password}) == (403, AUTH_FAILED)
    assert post(sbox, {**ok, "password": digest.upper()}) == (403, AUTH_FAILED)


@pytest.mark.parametrize("change", [
    {"secret": "wrong"}, {"identifier": "wrong"}, {"identifier": None, "secret": None},
    {"secret": None},
])
def test_wrong_or_missing_credentials(sbox, change):
    data = {"action": "GetOrders", **creds(sbox), **change}
    assert post(sbox, data) == (403, AUTH_FAILED)
    assert sbox.requests[-1]["status"] == 403


def test_custom_credentials():
    with sandbox.serve(orders=5, seed=1, identifier="id1", secret="s1", username="boss",
                       password="pw") as box:
        assert (box.identifier, box.secret, box.username, box.password) == \
            ("id1", "s1", "boss", "pw")
        assert call(box, "GetOrderStatuses")["result"] == "success"
        admin = {"action": "GetOrderStatuses", "username": "boss", "responsetype": "json",
                 "password": hashlib.md5(b"pw").hexdigest()}
        assert post(box, admin)[1]["result"] == "success"


def test_ip_allow_list_and_access_key():
    with sandbox.serve(orders=5, seed=1, allowed_ips=["10.0.0.1"], accesskey="open") as box:
        refused = {"result": "error", "message": "Invalid IP 127.0.0.1"}
        assert post(box, {"action": "GetOrders", **creds(box)}) == (403, refused)
        assert post(box, {"action": "GetOrders", **creds(box), "accesskey": "nope"}) == \
            (403, refused)
        assert call(box, "GetOrders", accesskey="open")["result"] == "success"
        # The access key opens the door; it does not replace the credentials.
        assert post(box, {"action": "GetOrders", "accesskey": "open",
                          "responsetype": "json"}) == (403, AUTH_FAILED)
    with sandbox.serve(orders=5, seed=1, allowed_ips=["127.0.0.0/8"]) as box:
        assert call(box, "GetOrders")["result"] == "success"
    with sandbox.serve(orders=5, seed=1, allowed_ips=[]) as box:
        assert post(box, {"action": "GetOrders", **creds(box)})[0] == 403


def test_denied_actions():
    with sandbox.serve(orders=5, seed=1, denied_actions=["DeleteOrder", "getorders"]) as box:
        message = 'Invalid Permissions: API action "getorders" is not allowed'
        assert post(box, {"action": "GetOrders", **creds(box)}) == \
            (403, {"result": "error", "message": message})
        status, body = post(box, {"action": "deleteORDER", **creds(box), "orderid": 1})
        assert status == 403
        assert body["message"] == 'Invalid Permissions: API action "deleteorder" is not allowed'
        assert call(box, "GetProducts")["result"] == "success"


def test_loopback_only():
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "", "::"):
        with pytest.raises(ValueError, match="loopback"), sandbox.serve(orders=1, host=host):
            pass
    with sandbox.serve(orders=3, host="localhost") as box:
        assert box.url.startswith("http://127.0.0.1:")
    with sandbox.serve(orders=3, host="127.0.0.2") as box:
        assert call(box, "GetOrderStatuses")["result"] == "success"


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
def test_ipv6_loopback():
    try:
        box_cm = sandbox.serve(orders=3, host="::1")
        box = box_cm.__enter__()
    except OSError:
        pytest.skip("IPv6 loopback unavailable")
    try:
        assert box.url.startswith("http://[::1]:")
        assert call(box, "GetOrderStatuses")["result"] == "success"
    finally:
        box_cm.__exit__(None, None, None)


def test_other_paths_are_not_found(sbox):
    with requests.post(sbox.url.replace("api.php", "nope.php"), data=creds(sbox),
                       timeout=5) as resp:
        assert resp.status_code == 404 and "text/html" in resp.headers["Content-Type"]


# -- faults -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,status", [("503", 503), ("429", 429)])
def test_queued_status_faults(sbox, kind, status):
    sbox.faults.queue(kind, count=2, retry_after=3)
    for _ in range(2):
        with requests.post(sbox.url, data={"action": "GetOrders", **creds(sbox)},
                           timeout=5) as resp:
            assert resp.status_code == status
            assert resp.headers["Retry-After"] == "3"
            assert "text/html" in resp.headers["Content-Type"]
    assert call(sbox, "GetOrders")["result"] == "success"
    assert [r["fault"] for r in sbox.requests] == [kind, kind, None]
    assert [r["status"] for r in sbox.requests] == [status, status, 200]


def test_html_and_empty_faults(sbox):
    sbox.faults.queue("html")
    sbox.faults.queue("html", status=502)
    sbox.faults.queue("empty")
    with requests.post(sbox.url, data=creds(sbox), timeout=5) as resp:
        assert resp.status_code == 200 and "Maintenance" in resp.text
        assert resp.headers["Content-Type"].startswith("text/html")
    with requests.post(sbox.url, data=creds(sbox), timeout=5) as resp:
        assert resp.status_code == 502
    with requests.post(sbox.url, data=creds(sbox), timeout=5) as resp:
        assert resp.status_code == 200 and resp.content == b""


def test_drop_does_not_run_the_action(sbox):
    orderid = sbox.add_orders(1)[0]
    sbox.faults.queue("drop", action="AcceptOrder")
    assert call(sbox, "GetOrders", limitnum=1)["result"] == "success"  # other actions pass
    with pytest.raises(requests.ConnectionError):
        post(sbox, {"action": "AcceptOrder", **creds(sbox), "orderid": orderid})
    assert sbox.order(orderid)["status"] == "Pending"
    assert sbox.requests[-1]["fault"] == "drop" and sbox.requests[-1]["status"] == 0
    assert call(sbox, "AcceptOrder", orderid=orderid) == {"result": "success"}


def test_drop_after_runs_the_action(sbox):
    orderid = sbox.add_orders(1)[0]
    sbox.faults.queue("drop_after")
    with pytest.raises(requests.ConnectionError):
        post(sbox, {"action": "AcceptOrder", **creds(sbox), "orderid": orderid})
    assert sbox.order(orderid)["status"] == "Active"
    assert sbox.requests[-1]["fault"] == "drop_after"


def test_delay_runs_the_action_then_answers_late(sbox):
    orderid = sbox.add_orders(1)[0]
    sbox.faults.queue("delay", seconds=0.6)
    with pytest.raises(requests.ReadTimeout):
        post(sbox, {"action": "CancelOrder", **creds(sbox), "orderid": orderid}, timeout=0.2)
    assert sbox.order(orderid)["status"] == "Cancelled"
    # Logged on arrival: the client that gave up can see its write landed.
    assert sbox.request_count("CancelOrder") == 1
    assert sbox.requests[-1]["fault"] == "delay"
    sbox.faults.queue("delay", seconds=0.2)
    started = time.monotonic()
    assert call(sbox, "GetOrderStatuses")["result"] == "success"
    assert time.monotonic() - started >= 0.2


def test_random_fault_rates(sbox):
    sbox.faults.error_rate = 1.0
    assert post(sbox, {"action": "GetOrders", **creds(sbox)})[0] == 503
    sbox.faults.error_rate, sbox.faults.html_rate = 0.0, 1.0
    status, body = post(sbox, {"action": "GetOrders", **creds(sbox)})
    assert status == 500 and "PHP Fatal error" in body
    sbox.faults.html_rate, sbox.faults.drop_rate = 0.0, 1.0
    with pytest.raises(requests.ConnectionError):
        post(sbox, {"action": "GetOrders", **creds(sbox)})
    sbox.faults.clear()
    sbox.faults.error_rate = 0.5
    statuses = {post(sbox, {"action": "GetOrders", **creds(sbox)})[0] for _ in range(30)}
    assert statuses == {200, 503}


def test_fault_queue_validation(sbox):
    with pytest.raises(ValueError):
        sbox.faults.queue("teapot")
    with pytest.raises(ValueError):
        sbox.faults.queue("503", count=0)
    sbox.faults.queue("503", count=3)
    assert sbox.faults.pending() == 3
    sbox.faults.clear()
    assert sbox.faults.pending() == 0


def test_latency(sbox):
    sbox.faults.latency = 0.15
    started = time.monotonic()
    call(sbox, "GetOrderStatuses")
    assert time.monotonic() - started >= 0.15
    with sandbox.serve(orders=3, seed=1, latency=0.1) as slow:
        assert slow.faults.latency == 0.1


# -- helpers, hooks, request log ----------------------------------------------------------

def test_add_delete_set_status_order_and_counts(sbox):
    total = sbox.count_orders()
    newest = int(call(sbox, "GetOrders", limitnum=1)["orders"]["order"][0]["id"])
    ids = sbox.add_orders(3, status="Active")
    assert ids == [newest + 1, newest + 2, newest + 3]
    assert sbox.count_orders() == total + 3
    top = call(sbox, "GetOrders", limitnum=3)["orders"]["order"]
    assert [int(o["id"]) for o in top] == ids[::-1]
    assert all(o["status"] == "Active" and o["lineitems"]["lineitem"] for o in top)
    row = sbox.order(ids[0])
    assert {"id", "status", "userid", "invoiceid", "amount"} <= set(row)
    sbox.set_status(ids[:2], "in review")
    assert sbox.order(ids[0])["status"] == "In Review"
    assert sbox.count_orders("In Review") >= 2
    with pytest.raises(ValueError):
        sbox.set_status(ids, "Bogus")
    sbox.delete_orders(ids)
    assert sbox.order(ids[0]) is None and sbox.count_orders() == total
    # Deleted ids are never handed out again, as with MySQL auto-increment.
    assert sbox.add_orders(1)[0] == newest + 4


def test_on_request_hook_can_shift_pages(sbox):
    seen = []

    def hook(box, action, params):
        seen.append((action, params.get("limitstart")))
        if params.get("limitstart") == "10":
            box.add_orders(2)

    sbox.on_request(hook)
    first = call(sbox, "GetOrders", limitstart=0, limitnum=10)
    second = call(sbox, "GetOrders", limitstart=10, limitnum=10)
    assert int(second["totalresults"]) == int(first["totalresults"]) + 2
    # The two new orders pushed the first page's last two orders onto page two.
    assert second["orders"]["order"][0]["id"] == first["orders"]["order"][-2]["id"]
    assert seen == [("GetOrders", "0"), ("GetOrders", "10")]
    sbox.on_request(None)
    call(sbox, "GetOrders", limitstart=10)
    assert len(seen) == 2


def test_hook_is_not_called_for_refused_requests(sbox):
    calls = []
    sbox.on_request(lambda box, action, params: calls.append(action))
    post(sbox, {"action": "GetOrders", "identifier": "bad", "secret": "bad"})
    assert calls == []


def test_request_log(sbox):
    call(sbox, "GetOrders", limitnum=2, status="Active")
    call(sbox, "getorders")
    call(sbox, "AcceptOrder", orderid=99999)
    log = sbox.requests
    assert [r["action"] for r in log] == ["GetOrders", "getorders", "AcceptOrder"]
    assert log[0]["params"]["limitnum"] == "2" and log[0]["status"] == 200
    assert log[0]["fault"] is None
    assert sbox.request_count() == 3
    assert sbox.request_count("GETORDERS") == 2
    assert sbox.request_count("AddOrder") == 0
    log.clear()  # a copy: the box's own record is untouched
    assert sbox.request_count() == 3


def test_client_factory(sbox):
    saved = list(_box._CLIENT_FACTORY)
    try:
        sandbox.set_client_factory(None)
        with pytest.raises(RuntimeError, match="client factory"):
            sbox.client()
        sandbox.set_client_factory(lambda url, **kw: (url, kw))
        url, kwargs = sbox.client(timeout=3)
        assert url == sbox.url
        assert kwargs == {"identifier": sbox.identifier, "secret": sbox.secret, "timeout": 3,
                          "audit_log": sbox.audit_log}  # the box's own log by default
    finally:
        _box._CLIENT_FACTORY[:] = saved


def test_repr_hides_secrets(sbox):
    text = repr(sbox)
    assert sbox.url in text and sbox.secret not in text and sbox.password not in text


# -- HTTP behaviour and concurrency ------------------------------------------------------

def test_keep_alive_and_content_length(sbox):
    with requests.Session() as session:
        for _ in range(3):
            with session.post(sbox.url, data={"action": "GetOrders", **creds(sbox)},
                              timeout=5) as resp:
                assert int(resp.headers["Content-Length"]) == len(resp.content)
                assert resp.headers.get("Connection", "").lower() != "close"
                assert resp.raw.version == 11
        assert len(sbox._server._open) == 1  # one pooled connection served all three


def test_concurrent_clients_overlap(sbox):
    sbox.faults.latency = 0.1
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with requests.Session() as session:
                for i in range(3):
                    if i == 1:
                        data = {"action": "AddOrder", **creds(sbox), "clientid": 5,
                                "paymentmethod": "stripe", "pid": [1]}
                    else:
                        data = {"action": "GetOrders", **creds(sbox), "limitnum": 50,
                                "limitstart": n}
                    with session.post(sbox.url, data=flatten_params(data), timeout=10) as r:
                        results.append(r.json()["result"])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    total = sbox.count_orders()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert not errors and results == ["success"] * 24
    assert sbox.count_orders() == total + 8
    assert elapsed < 1.6  # 24 requests x 0.1 s serialised would take 2.4 s
    assert not sbox.server_errors


def test_empty_shop():
    with sandbox.serve(orders=0, seed=1) as box:
        page = call(box, "GetOrders")
        assert page["totalresults"] == 0 and page["orders"] == {"order": []}
        assert box.add_orders(1) == [1]
        assert call(box, "GetOrders")["totalresults"] == 1


def test_close_is_idempotent_and_hangs_up():
    with sandbox.serve(orders=5, seed=1) as box, requests.Session() as session:
        with session.post(box.url, data={"action": "GetOrders", **creds(box)}, timeout=5):
            pass
        box.close()
        box.close()
        with pytest.raises(requests.ConnectionError):
            session.post(box.url, data={"action": "GetOrders", **creds(box)}, timeout=2)
