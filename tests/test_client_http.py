"""client.call over real HTTP against the sandbox: faults, retries, timeouts, threads."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import whmcs_frames as wf


def pending_order_id(box) -> int:
    (orderid,) = box.add_orders(1, status="Pending")
    return orderid


def test_call_reads_from_the_sandbox(client, box):
    answer = client.call("GetOrders", limitnum=5)
    assert answer["result"] == "success"
    assert int(answer["numreturned"]) == 5
    assert int(answer["totalresults"]) == box.count_orders()


def test_wrong_secret_is_an_authentication_error(box):
    with wf.connect(box.url, identifier=box.identifier, secret="wrong-secret") as c, \
            pytest.raises(wf.AuthenticationError) as err:
        c.call("GetOrders")
    assert err.value.status == 403


def test_admin_login_over_http(box):
    with wf.connect(box.url, username=box.username, password=box.password) as c:
        assert c.call("GetOrderStatuses")["result"] == "success"


@pytest.mark.parametrize("kind", ["503", "429", "drop"])
def test_a_read_survives_transient_faults(client, box, kind):
    box.faults.queue(kind, count=2)
    assert client.call("GetOrderStatuses")["result"] == "success"
    assert box.request_count("GetOrderStatuses") == 3


def test_a_read_honours_retry_after(client, box):
    box.faults.queue("503", count=1, retry_after=1)
    started = time.perf_counter()
    client.call("GetOrderStatuses")
    assert time.perf_counter() - started >= 0.9


def test_a_read_gives_up_loudly_after_its_retries(client, box):
    box.faults.queue("drop", count=10)
    with pytest.raises(wf.TransportError, match="after 2 retries"):
        client.call("GetOrders")
    assert box.request_count("GetOrders") == 3


def test_an_html_error_page_is_a_format_error(client, box):
    box.faults.queue("html", count=1, status=500)
    with pytest.raises(wf.ResponseFormatError) as err:
        client.call("GetOrders")
    assert err.value.status == 500 and "html" in (err.value.content_type or "")


def test_a_write_is_not_retried_after_a_503(client, box):
    orderid = pending_order_id(box)
    box.faults.queue("503", count=1)
    with pytest.raises(wf.OutcomeUnknown):
        client.call("AcceptOrder", orderid=orderid)
    assert box.request_count("AcceptOrder") == 1
    assert box.order(orderid)["status"] == "Pending"


def test_a_write_answered_by_a_dropped_connection_is_an_unknown_outcome(client, box):
    orderid = pending_order_id(box)
    box.faults.queue("drop_after", count=1)
    with pytest.raises(wf.OutcomeUnknown, match="Look the order up"):
        client.call("AcceptOrder", orderid=orderid)
    # It did happen, exactly once: that is why it must not be retried.
    assert box.request_count("AcceptOrder") == 1
    assert box.order(orderid)["status"] == "Active"


def test_a_write_timing_out_is_an_unknown_outcome_and_not_retried(box, tmp_path):
    orderid = pending_order_id(box)
    box.faults.queue("delay", count=1, seconds=1.5)
    with box.client(timeout=(2, 0.5), retries=3, backoff_factor=0) as c, \
            pytest.raises(wf.OutcomeUnknown, match="no answer within 0.5 s"):
        c.call("CancelOrder", orderid=orderid)
    assert box.request_count("CancelOrder") == 1


def test_a_read_timing_out_is_retried(box):
    box.faults.queue("delay", count=1, seconds=1.0)
    with box.client(timeout=(2, 0.4), retries=2, backoff_factor=0) as c:
        assert c.call("GetOrderStatuses")["result"] == "success"
    assert box.request_count("GetOrderStatuses") == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_a_transport_error_for_reads_and_writes():
    url = f"http://127.0.0.1:{_closed_port()}/includes/api.php"
    with wf.connect(url, identifier="i", secret="s", retries=1, backoff_factor=0) as c:
        with pytest.raises(wf.TransportError, match="connection refused"):
            c.call("GetOrders")
        # never sent, so it is certainly not an unknown outcome
        with pytest.raises(wf.TransportError, match="connection refused"):
            c.call("AcceptOrder", orderid=1)


def test_threads_share_a_client_safely(client, box):
    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda start: client.call("GetOrders", limitstart=start,
                                                        limitnum=10), range(0, 60, 10)))
    ids = [o["id"] for page in pages for o in page["orders"]["order"]]
    assert len(ids) == len(set(ids)) == 60
