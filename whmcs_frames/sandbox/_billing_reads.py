"""Read actions beyond orders: GetClients, GetClientsProducts, GetInvoices,
GetTransactions and GetCancelledPackages (GetClientsDetails is in ``_clientdetails``).

Built like GetOrders: native ints (the server turns them into strings when the box
imitates a WHMCS that sends numbers as strings), money as two-decimal strings, lists
wrapped twice (``{"clients": {"client": [...]}}``, empty: ``{"client": []}``).
Paginated actions answer ``totalresults``, ``startnumber`` and ``numreturned``;
GetTransactions takes no ``limitstart``/``limitnum`` at all and answers every match.
Where the reference names no order the sandbox picks one that is *not* id order for
GetClients and GetInvoices (first name; due date, newest first), so a client that
relies on an unstated order finds out here rather than on a real installation.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ._common import Context, given, in_marks, php_int, text
from ._pricing import money
from ._store import Store

NO_DATETIME = "0000-00-00 00:00:00"
_CLIENT_SORTS = ("id", "firstname", "lastname", "companyname", "email", "groupid",
                 "datecreated", "status")
_INVOICE_SORTS = {"id": "i.id", "invoicenumber": "i.invoicenum", "date": "i.date",
                  "duedate": "i.duedate", "total": "i.total", "status": "i.status"}
_OPTION_TYPES = {1: "dropdown", 2: "radio", 3: "yesno", 4: "quantity"}


def page_bounds(params: dict[str, Any]) -> tuple[int, int]:
    """(limitstart, limitnum) read the PHP way; limitnum ≤ 0 means the default 25."""
    start = max(php_int(params.get("limitstart", 0)), 0)
    limit = php_int(params.get("limitnum", 0))
    return start, limit if limit > 0 else 25


def _where(clauses: list[str]) -> str:
    return f" WHERE {' AND '.join(clauses)}" if clauses else ""


def _page(total: int, start: int, key: str, item: str, rows: list[dict[str, Any]],
          **extra: Any) -> dict[str, Any]:
    return {"result": "success", **extra, "totalresults": total, "startnumber": start,
            "numreturned": len(rows), key: {item: rows}}


# -- GetClients --------------------------------------------------------------------


def get_clients(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """GetClients: ``status``, ``search`` (prefix of e-mail, names, company), sorted."""
    clauses: list[str] = []
    args: list[Any] = []
    if given(params, "status"):
        clauses.append("status = ? COLLATE NOCASE")
        args.append(text(params, "status"))
    if given(params, "search"):
        # "at the start of email, firstname, lastname, fullname or companyname"
        clauses.append("(email LIKE ? OR firstname LIKE ? OR lastname LIKE ? OR "
                       "(firstname || ' ' || lastname) LIKE ? OR companyname LIKE ?)")
        args.extend([text(params, "search") + "%"] * 5)
    direction = "DESC" if text(params, "sorting").strip().upper() == "DESC" else "ASC"
    column = text(params, "orderby").strip().lower()
    keys = [column] if column in _CLIENT_SORTS else ["firstname", "lastname"]
    order = ", ".join(f"{k} COLLATE NOCASE {direction}" if k not in ("id", "groupid")
                      else f"{k} {direction}" for k in [*keys, "id"])
    start, limit = page_bounds(params)
    where = _where(clauses)
    db = store.db
    total = db.execute(f"SELECT COUNT(*) FROM clients{where}", args).fetchone()[0]
    keys_out = ("id", "firstname", "lastname", "companyname", "email", "datecreated",
                "groupid", "status")
    rows = [dict(zip(keys_out, row, strict=True)) for row in db.execute(
        f"SELECT {', '.join(keys_out)} FROM clients{where} ORDER BY {order} "
        "LIMIT ? OFFSET ?", [*args, limit, start])]
    return _page(total, start, "clients", "client", rows)


# -- GetClientsProducts --------------------------------------------------------------

_SERVICE_SQL = """
SELECT h.id, h.userid, h.orderid, h.packageid, h.regdate, COALESCE(p.name, ''),
       COALESCE(g.name, ''), h.domain, h.dedicatedip, h.server, COALESCE(s.name, ''),
       COALESCE(s.ipaddress, ''), COALESCE(s.hostname, ''), h.suspendreason,
       h.firstpaymentamount, h.amount, h.paymentmethod, COALESCE(pm.name, h.paymentmethod),
       h.billingcycle, h.nextduedate, h.status, h.username, h.password, h.subscriptionid,
       h.promoid, h.assignedips, h.notes, h.diskusage, h.disklimit, h.bwusage, h.bwlimit,
       h.lastupdate
FROM hosting h
LEFT JOIN products p ON p.id = h.packageid
LEFT JOIN productgroups g ON g.id = p.gid
LEFT JOIN servers s ON s.id = h.server
LEFT JOIN paymentmethods pm ON pm.gateway = h.paymentmethod
"""
_SERVICE_FILTERS = (("clientid", "h.userid", True), ("serviceid", "h.id", True),
                    ("pid", "h.packageid", True), ("domain", "h.domain", False),
                    ("username2", "h.username", False))


def get_clients_products(store: Store, params: dict[str, Any], ctx: Context
                         ) -> dict[str, Any]:
    """GetClientsProducts: services by ``clientid``, ``serviceid``, ``pid``, ``domain``,
    ``username2``; oldest first (by service id), passwords in clear as WHMCS sends them."""
    clauses: list[str] = []
    args: list[Any] = []
    for name, column, numeric in _SERVICE_FILTERS:
        if given(params, name):
            clauses.append(f"{column} = ?" if numeric else f"{column} = ? COLLATE NOCASE")
            args.append(php_int(params[name]) if numeric else text(params, name))
    start, limit = page_bounds(params)
    where = _where(clauses)
    db = store.db
    total = db.execute(f"SELECT COUNT(*) FROM hosting h{where}", args).fetchone()[0]
    rows = db.execute(f"{_SERVICE_SQL}{where} ORDER BY h.id LIMIT ? OFFSET ?",
                      [*args, limit, start]).fetchall()
    products = [_service_record(row) for row in rows]
    _attach_fields(db, products)
    echo = {name: text(params, name) if given(params, name) else None
            for name in ("clientid", "serviceid", "pid", "domain")}
    return _page(total, start, "products", "product", products, **echo)


def _service_record(row: tuple) -> dict[str, Any]:
    (sid, userid, orderid, pid, regdate, name, group, domain, dedicatedip, serverid,
     servername, serverip, serverhost, reason, first, recurring, gateway, gateway_name,
     cycle, nextdue, status, username, password, subscription, promoid, assignedips, notes,
     diskusage, disklimit, bwusage, bwlimit, lastupdate) = row
    return {
        "id": sid, "clientid": userid, "orderid": orderid, "pid": pid, "regdate": regdate,
        "name": name, "translated_name": name, "groupname": group,
        "translated_groupname": group, "domain": domain, "dedicatedip": dedicatedip,
        "serverid": serverid, "servername": servername, "serverip": serverip,
        "serverhostname": serverhost, "suspensionreason": reason,
        "firstpaymentamount": money(first), "recurringamount": money(recurring),
        "paymentmethod": gateway, "paymentmethodname": gateway_name, "billingcycle": cycle,
        "nextduedate": nextdue, "status": status, "username": username, "password": password,
        "subscriptionid": subscription, "promoid": promoid, "overideautosuspend": "",
        "overidesuspenduntil": "0000-00-00", "ns1": "", "ns2": "", "assignedips": assignedips,
        "notes": notes, "diskusage": diskusage, "disklimit": disklimit, "bwusage": bwusage,
        "bwlimit": bwlimit, "lastupdate": lastupdate,
    }


def _attach_fields(db: sqlite3.Connection, products: list[dict[str, Any]]) -> None:
    ids = [p["id"] for p in products]
    pids = sorted({p["pid"] for p in products})
    values = {(relid, fid): value for fid, relid, value in db.execute(
        f"SELECT fieldid, relid, value FROM customfieldsvalues WHERE relid IN "
        f"({in_marks(ids)})", ids)}
    fields: dict[int, list[tuple[int, str]]] = {}
    for fid, pid, name in db.execute(
            f"SELECT id, relid, fieldname FROM customfields WHERE relid IN ({in_marks(pids)}) "
            "ORDER BY id", pids):
        fields.setdefault(pid, []).append((fid, name))
    options: dict[int, list[dict[str, Any]]] = {}
    for relid, cid, name, kind, sub, qty in db.execute(
            "SELECT v.relid, o.id, o.optionname, o.optiontype, COALESCE(s.optionname, ''), "
            "v.qty FROM hostingconfigoptions v JOIN configoptions o ON o.id = v.configid "
            "LEFT JOIN configoptionssub s ON s.id = v.optionid WHERE v.relid IN "
            f"({in_marks(ids)}) ORDER BY v.relid, o.id", ids):
        value = sub if kind in (1, 2) else str(qty)
        options.setdefault(relid, []).append({"id": cid, "option": name,
                                              "type": _OPTION_TYPES.get(kind, "dropdown"),
                                              "value": value})
    for product in products:
        sid = product["id"]
        product["customfields"] = {"customfield": [
            {"id": fid, "name": name, "translated_name": name,
             "value": values.get((sid, fid), "")} for fid, name in fields.get(product["pid"],
                                                                              [])]}
        product["configoptions"] = {"configoption": options.get(sid, [])}


# -- GetInvoices ---------------------------------------------------------------------

_INVOICE_SQL = """
SELECT i.id, i.userid, COALESCE(c.firstname, ''), COALESCE(c.lastname, ''),
       COALESCE(c.companyname, ''), COALESCE(i.invoicenum, ''), i.date, i.duedate,
       i.datepaid, i.last_capture_attempt, i.date_refunded, i.date_cancelled,
       COALESCE(i.subtotal, i.total), COALESCE(i.credit, 0), COALESCE(i.tax, 0),
       COALESCE(i.tax2, 0), i.total, COALESCE(i.taxrate, 0), COALESCE(i.taxrate2, 0),
       i.status, i.paymentmethod, COALESCE(i.notes, ''), COALESCE(cur.code, 'USD'),
       COALESCE(cur.prefix, '$'), COALESCE(cur.suffix, ' USD')
FROM invoices i
LEFT JOIN clients c ON c.id = i.userid
LEFT JOIN currencies cur ON cur.id = c.currency
"""


def today(store: Store) -> str:
    """The sandbox's current date (the synthetic timeline's end, never the real clock)."""
    return store.end.date().isoformat()


def get_invoices(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """GetInvoices: ``userid``, ``status`` (or ``Overdue``), ``orderby``, ``order``."""
    clauses: list[str] = []
    args: list[Any] = []
    if given(params, "userid"):
        clauses.append("i.userid = ?")
        args.append(php_int(params["userid"]))
    if given(params, "status"):
        status = text(params, "status").strip()
        if status.lower() == "overdue":
            clauses.append("i.status = 'Unpaid' AND i.duedate < ?")
            args.append(today(store))
        else:
            clauses.append("i.status = ? COLLATE NOCASE")
            args.append(status)
    column = _INVOICE_SORTS.get(text(params, "orderby").strip().lower())
    direction = text(params, "order").strip().lower()
    if column is None:
        column, direction = "i.duedate", direction or "desc"
    direction = "DESC" if direction == "desc" else "ASC"
    start, limit = page_bounds(params)
    where = _where(clauses)
    db = store.db
    total = db.execute(f"SELECT COUNT(*) FROM invoices i{where}", args).fetchone()[0]
    rows = db.execute(f"{_INVOICE_SQL}{where} ORDER BY {column} {direction}, i.id {direction} "
                      "LIMIT ? OFFSET ?", [*args, limit, start]).fetchall()
    return _page(total, start, "invoices", "invoice", [_invoice_record(r) for r in rows])


def _invoice_record(row: tuple) -> dict[str, Any]:
    (iid, userid, first, last, company, number, date, duedate, datepaid, capture, refunded,
     cancelled, subtotal, credit, tax, tax2, total, rate, rate2, status, gateway, notes, code,
     prefix, suffix) = row
    created = f"{date} 00:00:00"
    return {
        "id": iid, "userid": userid, "firstname": first, "lastname": last,
        "companyname": company, "invoicenum": number, "date": date, "duedate": duedate,
        "datepaid": datepaid, "last_capture_attempt": capture or NO_DATETIME,
        "date_refunded": refunded or NO_DATETIME, "date_cancelled": cancelled or NO_DATETIME,
        "subtotal": money(subtotal), "credit": money(credit), "tax": money(tax),
        "tax2": money(tax2), "total": money(total), "taxrate": f"{rate:.3f}",
        "taxrate2": f"{rate2:.3f}", "status": status, "paymentmethod": gateway,
        "paymethodid": None, "notes": notes, "created_at": created,
        "updated_at": max(created, datepaid, refunded or "", cancelled or ""),
        "currencycode": code, "currencyprefix": prefix, "currencysuffix": suffix,
    }


# -- GetTransactions -----------------------------------------------------------------

_TRANSACTION_KEYS = ("id", "userid", "currency", "gateway", "date", "description", "amountin",
                     "fees", "amountout", "rate", "transid", "invoiceid", "refundid")


def get_transactions(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """GetTransactions: ``invoiceid``, ``clientid``, ``transid``; not paginated."""
    clauses: list[str] = []
    args: list[Any] = []
    for name, column in (("invoiceid", "invoiceid"), ("clientid", "userid")):
        if given(params, name):
            clauses.append(f"{column} = ?")
            args.append(php_int(params[name]))
    if given(params, "transid"):
        clauses.append("transid = ?")
        args.append(text(params, "transid"))
    rows = []
    for row in store.db.execute(f"SELECT {', '.join(_TRANSACTION_KEYS)} FROM accounts"
                                f"{_where(clauses)} ORDER BY id", args):
        record = dict(zip(_TRANSACTION_KEYS, row, strict=True))
        for key in ("amountin", "fees", "amountout"):
            record[key] = money(record[key])
        record["rate"] = f"{record['rate']:.5f}"
        rows.append(record)
    return _page(len(rows), 0, "transactions", "transaction", rows)


# -- GetCancelledPackages ------------------------------------------------------------


def get_cancelled_packages(store: Store, params: dict[str, Any], ctx: Context
                           ) -> dict[str, Any]:
    """GetCancelledPackages: cancellation requests, oldest first, paginated."""
    start, limit = page_bounds(params)
    db = store.db
    total = db.execute("SELECT COUNT(*) FROM cancelrequests").fetchone()[0]
    rows = [{"id": rid, "date": date, "relid": relid, "reason": reason, "type": kind,
             "created_at": date, "updated_at": date}
            for rid, date, relid, reason, kind in db.execute(
                "SELECT id, date, relid, reason, type FROM cancelrequests ORDER BY id "
                "LIMIT ? OFFSET ?", (limit, start))]
    return _page(total, start, "packages", "package", rows)
