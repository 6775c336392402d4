"""The client's reads beyond orders against the sandbox (real HTTP) and `responses`:
complete, filtered on the wire, validated before sending, memoised, and never holding a
service password."""

from __future__ import annotations

import json
import logging
import sqlite3

import pandas as pd
import pytest
import responses
from _raw import raw_call

import whmcs_frames as wf

URL = "https://billing.example.com/includes/api.php"

#: read method -> (WHMCS action, outer key, inner key, schema)
READS = {
    "clients": ("GetClients", "clients", "client", "clients"),
    "services": ("GetClientsProducts", "products", "product", "services"),
    "invoices": ("GetInvoices", "invoices", "invoice", "invoices"),
    "transactions": ("GetTransactions", "transactions", "transaction", "transactions"),
    "cancellations": ("GetCancelledPackages", "packages", "package", "cancellations"),
}


def server_records(box, method, **params):
    action, outer, inner, _ = READS[method]
    quirks = box.faults.quirks  # the plain answer: the truth to compare with
    box.faults.quirk("all", on=False)
    try:
        answer = raw_call(box, action, limitnum=100000, **params)
    finally:
        if quirks:
            box.faults.quirk(*quirks)
    return wf.frames.unwrap_list(answer.get(outer), inner)


def server_ids(box, method, **params) -> list[int]:
    return sorted(int(r["id"]) for r in server_records(box, method, **params))


def read(client, method, **kwargs):
    if method != "transactions":
        kwargs.setdefault("progress", False)
    return getattr(client, method)(**kwargs)


def sent(box, action):
    # the plain reads of server_records (limitnum 100000) are the test's, not the client's
    return [e["params"] for e in box.requests if e["action"].lower() == action.lower()
            and e["params"].get("limitnum") != "100000"]


@pytest.mark.parametrize("method", list(READS))
def test_each_read_returns_every_record_once_with_its_schema(flavour, box, client, method):
    paging = {} if method == "transactions" else {"page_size": 7}
    frame = read(client, method, **paging)
    ids = frame["id"].astype(int).tolist()
    assert len(ids) == len(set(ids)) and sorted(ids) == server_ids(box, method) != []
    schema = wf.frames.SCHEMAS[READS[method][3]]
    assert list(frame.columns) == list(schema)
    assert [str(t) for t in frame.dtypes] == [str(t).replace("datetime64[ns]", "datetime64[ns]")
                                             for t in schema.values()]
    proof = {"clients": "boundaries", "invoices": "boundaries", "services": "totals and id sets",
             "cancellations": "totals and id sets", "transactions": "one answer"}[method]
    assert frame.attrs["proof"] == proof and frame.attrs["requests"] >= 1


def test_clients_and_invoices_are_asked_for_in_id_order_newest_first(box, client):
    client.clients(status="active", search="A", page_size=5, progress=False)
    client.invoices(userid=3, status="paid", page_size=5, progress=False)
    for params in sent(box, "GetClients"):
        assert (params["orderby"], params["sorting"], params["status"], params["search"]) == \
            ("id", "DESC", "Active", "A")
    for params in sent(box, "GetInvoices"):
        assert (params["orderby"], params["order"], params["userid"], params["status"]) == \
            ("id", "desc", "3", "Paid")


def test_service_and_transaction_filters_reach_the_server(box, client):
    service = server_records(box, "services")[0]
    userid, sid = int(service["clientid"]), int(service["id"])
    frame = client.services(userid=userid, progress=False)
    assert set(frame["userid"].astype(int)) == {userid}
    assert sorted(frame["id"].astype(int)) == server_ids(box, "services", clientid=userid)
    assert client.services(serviceid=sid, progress=False)["id"].tolist() == [sid]
    assert {p.get("clientid") for p in sent(box, "GetClientsProducts")} >= {str(userid)}
    assert all("userid" not in p for p in sent(box, "GetClientsProducts"))

    payment = next(t for t in server_records(box, "transactions") if t.get("transid"))
    by_invoice = client.transactions(invoiceid=int(payment["invoiceid"]))
    assert set(by_invoice["invoiceid"].astype(int)) == {int(payment["invoiceid"])}
    assert client.transactions(transid=payment["transid"])["id"].tolist() == [
        int(payment["id"])]
    by_client = client.transactions(userid=userid)
    assert set(by_client["userid"].astype(int)) <= {userid}
    wire = sent(box, "GetTransactions")
    assert all("limitstart" not in p and "limitnum" not in p for p in wire)  # not paginated
    assert {"invoiceid", "transid", "clientid"} <= {k for p in wire for k in p} - {"action"}
    assert by_invoice["currency"].notna().all()  # from the invoice


@pytest.mark.parametrize(("method", "kwargs", "parameter"), [
    ("clients", {"status": "Gone"}, "status"), ("clients", {"search": ""}, "search"),
    ("clients", {"details": 1}, "details"), ("clients", {"since": "last week"}, "since"),
    ("services", {"userid": "7"}, "userid"), ("services", {"pid": 0}, "pid"),
    ("services", {"serviceid": True}, "serviceid"), ("services", {"domain": " "}, "domain"),
    ("services", {"workers": 9}, "workers"), ("invoices", {"status": "Lost"}, "status"),
    ("invoices", {"userid": -1}, "userid"), ("invoices", {"until": "2026-13-01"}, "until"),
    ("transactions", {"invoiceid": 1.5}, "invoiceid"), ("transactions", {"transid": ""},
                                                         "transid"),
    ("cancellations", {"page_size": 0}, "page_size")])
def test_bad_filters_are_refused_before_any_request(box, client, method, kwargs, parameter):
    with pytest.raises(wf.ValidationError, match=f"^{parameter}:"):
        read(client, method, **kwargs)
    assert box.request_count() == 0


def test_a_parameter_outside_the_action_table_is_refused():
    from whmcs_frames._client.billing_filters import wire

    with pytest.raises(wf.ValidationError, match="^userid: expected one of GetClientsProducts"):
        wire("services", {"userid": 3})  # WHMCS would ignore it and answer every service


def test_reads_are_memoised_refreshed_and_forgotten_after_a_write(box, client):
    for method in READS:
        read(client, method)
    before = box.request_count()
    for method in READS:
        read(client, method)
    assert box.request_count() == before
    client.invoices(refresh=True, progress=False)
    assert box.request_count() > before
    pending = int(client.orders("Pending", progress=False)["id"].iloc[0])
    client.accept_order(pending, sendemail=False)
    after_write = box.request_count("GetTransactions")
    client.transactions()
    assert box.request_count("GetTransactions") == after_write + 1


def _before_second_page(box, action, change):
    done = []

    def hook(_box, name, params):
        if name.lower() == action.lower() and not done and int(params.get("limitstart", 0)):
            done.append(True)
            change()

    box.on_request(hook)
    return done


def _add_clients(box, n):
    with box.store.transaction() as conn:
        top = conn.execute("SELECT MAX(id) FROM clients").fetchone()[0]
        conn.executemany(
            "INSERT INTO clients (id, firstname, lastname, companyname, email, country, "
            "currency, status, ip, datecreated) VALUES (?, 'New', 'Client', '', ?, 'DE', 1, "
            "'Active', '127.0.0.1', '2026-01-01')",
            [(top + i, f"new{i}@example.org") for i in range(1, n + 1)])


@pytest.mark.parametrize("added", [1, 6])
def test_clients_read_complete_while_clients_sign_up(box, client, added):
    before = server_ids(box, "clients")
    done = _before_second_page(box, "GetClients", lambda: _add_clients(box, added))
    frame = client.clients(page_size=5, workers=2, progress=False)
    ids = frame["id"].astype(int).tolist()
    assert done and len(ids) == len(set(ids)) and set(before) <= set(ids)


def test_invoices_read_complete_while_orders_arrive(box, client):
    before = server_ids(box, "invoices")
    done = _before_second_page(box, "GetInvoices", lambda: box.add_orders(12, "Active"))
    frame = client.invoices(page_size=10, workers=2, progress=False)
    ids = frame["id"].astype(int).tolist()
    assert done and len(ids) == len(set(ids)) and set(before) <= set(ids)


def test_services_settle_after_a_pass_that_moved_or_fail_loudly(box, client):
    before = server_ids(box, "services")
    done = _before_second_page(box, "GetClientsProducts", lambda: box.add_orders(3, "Active"))
    frame = client.services(page_size=10, progress=False)
    ids = frame["id"].astype(int).tolist()
    assert done and len(ids) == len(set(ids)) and set(before) < set(ids)
    # the first pass saw the total move and was thrown away
    assert frame.attrs["requests"] >= 2 * -(-len(before) // 10)

    box.on_request(lambda _box, name, params: box.add_orders(1, "Active")
                   if name == "GetClientsProducts" and int(params.get("limitstart", 0)) else None)
    with pytest.raises(wf.InconsistentReadError, match="GetClientsProducts never settled"):
        client.services(page_size=10, progress=False, refresh=True)


def test_the_service_password_reaches_no_frame_memo_store_or_log(box, tmp_path, caplog):
    passwords = {r["password"] for r in server_records(box, "services") if r.get("password")}
    assert len(passwords) > 10  # the sandbox sends them, as WHMCS does
    store = tmp_path / "orders.sqlite"
    caplog.set_level(logging.DEBUG, logger="whmcs_frames")
    with box.client(store=store) as client:
        frame = client.services(progress=False)
        text = frame.to_csv() + repr(client._memo) + caplog.text
        assert "password" not in frame.columns and "username" not in frame.columns
        client.service_history()
    data = store.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("orders*"))
    for password in passwords:
        assert password not in text
        assert password.encode() not in data


def test_client_details_are_asked_once_per_client_and_kept_in_the_store(flavour, box,
                                                                        tmp_path):
    store = tmp_path / "orders.sqlite"
    with box.client(store=store, workers=3) as client:
        frame = client.clients(details=True, progress=False)
        n = len(frame)
        assert box.request_count("GetClientsDetails") == n
        assert frame["country"].notna().all() and frame["currency"].notna().all()
        client.clients(details=True, progress=False, refresh=True)
        assert box.request_count("GetClientsDetails") == n
    with box.client(store=store) as again:  # another process, the same store
        assert again.clients(details=True, progress=False)["currency"].notna().all()
    assert box.request_count("GetClientsDetails") == n
    with sqlite3.connect(store) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(client_details)")]
    assert columns == ["id", "country", "currency", "fetched_at"]  # no address, no e-mail


def test_service_history_records_changes_between_reads(box, client):
    first = client.services(progress=False)
    history = client.service_history()
    assert len(history) == len(first) and list(history.columns) == list(
        wf.frames.SCHEMAS["service_history"])
    active = int(first.loc[first["status"] == "Active", "id"].iloc[0])
    with box.store.transaction() as conn:
        conn.execute("UPDATE hosting SET status = 'Terminated' WHERE id = ?", (active,))
    client.services(progress=False, refresh=True)
    history = client.service_history()
    assert len(history) == len(first) + 1
    rows = history[history["serviceid"] == active]
    assert rows["status"].astype(str).tolist() == ["Active", "Terminated"]
    services = client.services(progress=False)
    life = wf.reports.lifetimes(services, history=history).set_index("serviceid")
    if active in life.index:  # a recurring service: it left when the second read saw it
        assert life.loc[active, "left_source"] == "history"
        seen = rows["seen_at"].iloc[1]
        assert life.loc[active, "left_at"] == seen
    assert not wf.reports.churn(services, history=history).empty


def test_a_lone_object_and_numbers_as_strings_are_read(box, client):
    box.faults.quirk("lone_object")
    sid = server_ids(box, "services")[0]
    frame = client.services(serviceid=sid, progress=False)
    assert frame["id"].tolist() == [sid]
    payment = server_records(box, "transactions")[0]
    assert client.transactions(invoiceid=int(payment["invoiceid"]))["id"].notna().all()


@pytest.mark.parametrize("method", list(READS))
@pytest.mark.parametrize("shape", ["", [], "inner-empty", None])
def test_empty_answers_in_every_shape_give_empty_frames(method, shape):
    action, outer, inner, schema = READS[method]
    body = {"result": "success", "totalresults": "0", "startnumber": 0, "numreturned": 0}
    if shape is not None:
        body[outer] = {inner: []} if shape == "inner-empty" else shape
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.post(URL, json=body)
        frame = client.services(progress=False) if method == "services" else \
            read(client, method)
        assert f"action={action}" in mocked.calls[0].request.body
    assert frame.empty and list(frame.columns) == list(wf.frames.SCHEMAS[schema])


def test_documented_shapes_from_the_reference(monkeypatch):
    product = {"id": 1, "clientid": 1, "orderid": 1, "pid": 1, "regdate": "2015-01-01",
               "name": "Starter", "groupname": "Shared", "domain": "demodomain.com",
               "firstpaymentamount": "14.95", "recurringamount": "14.95",
               "paymentmethod": "paypal", "billingcycle": "Monthly",
               "nextduedate": "2016-02-01", "status": "Active", "username": "demodoma",
               "password": "N2Xh8Ab1tk", "customfields": {"customfield": []}}
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.post(URL, json={"result": "success", "clientid": None, "totalresults": "1",
                               "startnumber": 0, "numreturned": 1,
                               "products": {"product": [product]}},
                    match=[responses.matchers.urlencoded_params_matcher(
                        {"action": "GetClientsProducts", "limitstart": "0",
                         "limitnum": "250"}, allow_blank=True)] if False else [])
        mocked.post(URL, json={"result": "success", "totalresults": 1, "orders": {"order": [
            {"id": 1, "currencysuffix": " USD", "currencyprefix": "$", "amount": "14.95"}]}})
        frame = client.services(progress=False)
    assert frame.loc[0, "cycle"] == "monthly" and frame.loc[0, "currency"] == "USD"
    assert frame.loc[0, "recurringamount"] == 14.95 and "N2Xh8Ab1tk" not in frame.to_csv()


def test_transactions_refuse_an_answer_that_is_not_every_match():
    payment = {"id": "1", "userid": "1", "invoiceid": "0", "amountin": "5.00"}
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.post(URL, json={"result": "success", "totalresults": "40", "startnumber": 0,
                               "numreturned": 1, "transactions": {"transaction": payment}})
        with pytest.raises(wf.InconsistentReadError, match="totalresults 40"):
            client.transactions(userid=1)


def test_clients_since_until_bound_the_sign_up_date(box, client):
    everyone = client.clients(progress=False)
    middle = everyone["datecreated"].sort_values().iloc[len(everyone) // 2]
    recent = client.clients(since=middle.date(), progress=False)
    assert set(recent["id"]) == set(everyone.loc[everyone["datecreated"] >= middle, "id"])
    older = client.clients(until=middle.date(), progress=False)
    cut = middle.normalize() + pd.Timedelta(days=1)
    assert set(older["id"]) == set(everyone.loc[everyone["datecreated"] < cut, "id"])


def _paged_server(records, outer, inner, *, descending):
    """A `responses` callback serving ``records`` by limitstart/limitnum, as WHMCS would."""
    from urllib.parse import parse_qs

    ordered = sorted(records, key=lambda r: int(r["id"]), reverse=descending)
    bodies = []

    def answer(request):
        params = {k: v[0] for k, v in parse_qs(request.body).items()}
        bodies.append(params)
        if params["action"] == "GetOrders":  # services take their currency from orders
            return 200, {}, json.dumps({"result": "success", "totalresults": 0, "orders": ""})
        start, limit = int(params.get("limitstart", 0)), int(params.get("limitnum", 25))
        page = ordered[start:start + limit]
        return 200, {}, json.dumps({"result": "success", "totalresults": str(len(ordered)),
                                    "startnumber": start, "numreturned": len(page),
                                    outer: {inner: page}})

    return answer, bodies


def test_clients_on_the_wire_and_the_reference_shapes():
    # the reference example's fields; datecreated as a date, counters as strings
    records = [{"id": i, "firstname": f"F{i}", "lastname": "L", "companyname": "",
                "email": f"c{i}@example.com", "datecreated": f"2024-01-{i:02d}",
                "groupid": 0, "status": "Active"} for i in range(1, 13)]
    answer, bodies = _paged_server(records, "clients", "client", descending=True)
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.add_callback(responses.POST, URL, callback=answer)
        frame = client.clients(page_size=5, workers=1, progress=False)
    assert sorted(frame["id"].astype(int)) == list(range(1, 13))
    assert set(frame["email_domain"].astype(str)) == {"example.com"}
    assert all((b["action"], b["orderby"], b["sorting"]) == ("GetClients", "id", "DESC")
               for b in bodies)
    assert [(b["limitstart"], b["limitnum"]) for b in bodies][:2] == [("0", "5"), ("4", "6")]
    assert frame.attrs["proof"] == "boundaries"


def test_a_whmcs_that_ignores_orderby_falls_back_to_whole_passes_and_says_so():
    # GetClients before 8.2 has no orderby: pages come in another order
    records = [{"id": i, "datecreated": "2024-01-01", "status": "Active"} for i in range(1, 13)]
    answer, _ = _paged_server(records, "clients", "client", descending=False)
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.add_callback(responses.POST, URL, callback=answer)
        with pytest.warns(wf.PaginationShiftWarning, match="GetClients"):
            frame = client.clients(page_size=5, progress=False)
    assert sorted(frame["id"].astype(int)) == list(range(1, 13))
    assert frame.attrs["proof"] == "whole pass"


@pytest.mark.parametrize(("method", "outer", "inner", "record"), [
    ("invoices", "invoices", "invoice",
     {"userid": 1, "firstname": "Ann", "invoicenum": "", "date": "2016-01-05",
      "duedate": "2016-01-19", "datepaid": "0000-00-00 00:00:00", "subtotal": "10.00",
      "credit": "0.00", "tax": "0.00", "tax2": "0.00", "total": "10.00", "status": "Unpaid",
      "paymentmethod": "paypal", "currencycode": "USD", "currencyprefix": "$",
      "currencysuffix": " USD"}),
    ("cancellations", "packages", "package",
     {"date": "2016-01-05 10:00:00", "relid": "3", "reason": "Too &amp; dear",
      "type": "Immediate"}),
    ("services", "products", "product",
     {"clientid": "1", "orderid": "0", "billingcycle": "Semi-Annually",
      "recurringamount": "60.00", "status": "Active", "password": "N2Xh8Ab1tk"})])
def test_paginated_reads_on_the_wire_with_the_reference_shapes(method, outer, inner, record):
    records = [dict(record, id=i) for i in range(1, 8)]
    answer, bodies = _paged_server(records, outer, inner, descending=method == "invoices")
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="i", secret="s") as client:
        mocked.add_callback(responses.POST, URL, callback=answer)
        frame = read(client, method, page_size=3, workers=1)
    assert sorted(frame["id"].astype(int)) == list(range(1, 8))
    wire = [b for b in bodies if b["action"] != "GetOrders"]
    if method == "invoices":
        assert all((b["orderby"], b["order"]) == ("id", "desc") for b in wire)
        assert frame["datepaid"].isna().all() and set(frame["currency"]) == {"USD"}
    else:  # no order parameter exists: plain pages, a whole pass
        assert [(b["limitstart"], b["limitnum"]) for b in wire] == [
            ("0", "3"), ("3", "3"), ("6", "3")]
        assert all(set(b) == {"action", "identifier", "secret", "responsetype", "limitstart",
                              "limitnum"} for b in wire)
        assert frame.attrs["proof"] == "totals and id sets"
    assert "N2Xh8Ab1tk" not in frame.to_csv()


@pytest.mark.parametrize(("method", "column"), [("services", "regdate"),
                                                ("transactions", "date"),
                                                ("invoices", "date"),
                                                ("cancellations", "date")])
def test_since_until_bound_each_dated_read(box, client, method, column):
    everything = read(client, method)
    middle = everything[column].dropna().sort_values().iloc[len(everything) // 2]
    day = middle.date()
    requests = box.request_count()
    window = read(client, method, since=day, until=day + pd.Timedelta(days=40))
    stop = middle.normalize() + pd.Timedelta(days=41)
    wanted = everything[(everything[column] >= middle.normalize()) & (everything[column] < stop)]
    assert set(window["id"]) == set(wanted["id"]) and len(wanted)
    if method in ("services", "transactions", "cancellations"):
        assert box.request_count() == requests  # filtered from the memoised read


def test_a_broken_services_answer_quotes_no_password_in_the_error(caplog):
    # a proxy cut the JSON short: the error shows the start of the body, never a password
    body = ('{"result":"success","totalresults":1,"products":{"product":[{"id":1,'
            '"password":"N2Xh8Ab1tk","username":"demo","passwor')
    with responses.RequestsMock() as mocked, \
            wf.connect(URL, identifier="an-identifier", secret="a-long-secret",
                       retries=0) as client:
        mocked.post(URL, body=body, content_type="application/json")
        with pytest.raises(wf.ResponseFormatError) as raised:
            client.services(progress=False)
    assert '"password":"***"' in str(raised.value)
    assert "N2Xh8Ab1tk" not in str(raised.value) + raised.value.snippet + caplog.text


def test_one_service_reads_its_order_not_every_order(box, client):
    service = server_records(box, "services")[0]
    frame = client.services(serviceid=int(service["id"]), progress=False)
    assert frame["currency"].notna().all()
    orders_read = sent(box, "GetOrders")
    assert [p.get("id") for p in orders_read] == [str(service["orderid"])]


def test_without_a_store_details_are_kept_for_the_life_of_the_client(box, client):
    frame = client.clients(details=True, progress=False)
    client.clients(details=True, progress=False, refresh=True)
    assert box.request_count("GetClientsDetails") == len(frame)
    assert set(frame["currency"].astype(str)) <= {"USD", "EUR", "GBP"}
    with box.client() as another:  # nothing kept across clients without a store
        another.clients(details=True, progress=False)
    assert box.request_count("GetClientsDetails") == 2 * len(frame)
