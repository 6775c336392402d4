"""The read actions: GetOrders, GetProducts, GetPromotions, GetOrderStatuses.

Responses are built with native ints and two-decimal money strings; the box's
flavour (:mod:`._flavours`) decides how they go on the wire. Lists are double-wrapped
(``{"orders": {"order": [...]}}``) as WHMCS wraps them.

GetOrders reads one page in four queries whatever its size (orders, then services,
addons, domains and renewals for all of the page's orders at once).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ._catalog import CURRENCY_BY_ID, CYCLES, PRODUCT_TYPE_LABELS, SETUP_KEYS
from ._common import Context, Stringified, given, in_marks, php_int, stringify, text
from ._orders import EMPTY_RENEWALS
from ._pricing import money
from ._store import CHUNK, Store

_ORDER_SQL = """
SELECT o.id, o.ordernum, o.userid, o.contactid, o.requestor_id, o.admin_requestor_id,
       o.date, o.nameservers, o.transfersecret, o.renewals, o.promocode, o.promotype,
       o.promovalue, o.orderdata, o.amount, o.paymentmethod, o.invoiceid, o.status,
       o.ipaddress, o.fraudmodule, o.fraudoutput, o.notes,
       COALESCE(pm.name, o.paymentmethod), COALESCE(i.status, ''),
       COALESCE(c.firstname || ' ' || c.lastname, ''), COALESCE(cur.prefix, '$'),
       COALESCE(cur.suffix, ' USD'), o.frauddata, o.validationdata, o.renewals_by_type
FROM orders o
LEFT JOIN clients c ON c.id = o.userid
LEFT JOIN currencies cur ON cur.id = c.currency
LEFT JOIN paymentmethods pm ON pm.gateway = o.paymentmethod
LEFT JOIN invoices i ON i.id = o.invoiceid AND o.invoiceid > 0
"""
_ORDER_KEYS = (
    "id", "ordernum", "userid", "contactid", "requestor_id", "admin_requestor_id", "date",
    "nameservers", "transfersecret", "renewals", "promocode", "promotype", "promovalue",
    "orderdata", "amount", "paymentmethod", "invoiceid", "status", "ipaddress",
    "fraudmodule", "fraudoutput", "notes", "paymentmethodname", "paymentstatus", "name",
    "currencyprefix", "currencysuffix", "frauddata", "validationdata", "renewalsByType",
)
_LINE_SQL = (
    # (type, query) — every query yields orderid, relid, producttype, product, domain,
    # billingcycle, amount (cents), status.
    ("product", "SELECT h.orderid, h.id, COALESCE(p.type, 'other'), COALESCE(p.name, ''), "
                "h.domain, h.billingcycle, h.firstpaymentamount, h.status FROM hosting h "
                "LEFT JOIN products p ON p.id = h.packageid WHERE h.orderid IN ({}) "
                "ORDER BY h.id"),
    ("addon", "SELECT a.orderid, a.id, 'Addon', COALESCE(ad.name, ''), "
              "COALESCE(h.domain, ''), a.billingcycle, a.firstpaymentamount, a.status "
              "FROM hostingaddons a LEFT JOIN addons ad ON ad.id = a.addonid "
              "LEFT JOIN hosting h ON h.id = a.hostingid WHERE a.orderid IN ({}) "
              "ORDER BY a.id"),
    ("domain", "SELECT orderid, id, 'Domain', type, domain, "
               "CAST(registrationperiod AS TEXT), firstpaymentamount, status FROM domains "
               "WHERE orderid IN ({}) ORDER BY id"),
    ("renewal", "SELECT r.orderid, r.relid, r.kind, r.product, r.domain, r.billingcycle, "
                "r.amount, COALESCE(CASE r.kind WHEN 'Domain' THEN d.status "
                "WHEN 'Service' THEN h.status ELSE a.status END, '') FROM renewalitems r "
                "LEFT JOIN domains d ON d.id = r.relid LEFT JOIN hosting h ON h.id = r.relid "
                "LEFT JOIN hostingaddons a ON a.id = r.relid WHERE r.orderid IN ({}) "
                "ORDER BY r.id"),
)
_LINE_KEYS = ("type", "relid", "producttype", "product", "domain", "billingcycle", "amount",
              "status")


def get_orders(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """GetOrders: filters ``id``, ``userid``, ``requestor_id``, ``status``; newest first."""
    where: list[str] = []
    args: list[Any] = []
    for key in ("id", "userid", "requestor_id"):
        if given(params, key):
            where.append(f"o.{key} = ?")
            args.append(php_int(params[key]))
    if given(params, "status"):
        where.append("o.status = ?")  # the column is NOCASE, as MySQL compares
        args.append(text(params, "status"))
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    start = max(php_int(params.get("limitstart", 0)), 0)
    limit = php_int(params.get("limitnum", 0))
    limit = limit if limit > 0 else 25
    db = store.db
    total = db.execute(f"SELECT COUNT(*) FROM orders o{clause}", args).fetchone()[0]
    # Page over bare ids first: building only the page's rows keeps deep offsets cheap.
    ids = [row[0] for row in db.execute(
        f"SELECT o.id FROM orders o{clause} ORDER BY o.id DESC LIMIT ? OFFSET ?",
        [*args, limit, start])]
    cache = store.order_cache()
    missing = [i for i in ids if i not in cache]
    for start_at in range(0, len(missing), CHUNK):
        chunk = missing[start_at:start_at + CHUNK]
        built = [_order_record(row) for row in db.execute(
            f"{_ORDER_SQL} WHERE o.id IN ({in_marks(chunk)})", chunk)]
        _attach_lines(db, built)
        if ctx.numbers_as_strings:  # once per record, then passed by (see Stringified)
            built = [Stringified(stringify(record)) for record in built]
        cache.update((int(record["id"]), record) for record in built)
    orders = [cache[i] for i in ids]
    return {"result": "success", "totalresults": total, "startnumber": start,
            "numreturned": len(orders), "orders": {"order": orders}}


def _order_record(row: tuple) -> dict[str, Any]:
    record = dict(zip(_ORDER_KEYS, row, strict=True))
    # The reference's example: "" when the order has no promotion, not "0.00".
    record["promovalue"] = money(record["promovalue"]) if record["promocode"] else ""
    record["amount"] = money(record["amount"])
    stored = record["renewalsByType"]
    record["renewalsByType"] = {"domains": [], "services": [], "addons": []} \
        if stored == EMPTY_RENEWALS else json.loads(stored or "{}")
    return record


def _attach_lines(db: sqlite3.Connection, orders: list[dict[str, Any]]) -> None:
    lines: dict[int, list[dict[str, Any]]] = {o["id"]: [] for o in orders}
    ids = list(lines)
    for kind, sql in _LINE_SQL:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            for row in db.execute(sql.format(in_marks(chunk)), chunk):
                lines[row[0]].append(_line_record(kind, row))
    for order in orders:
        order["lineitems"] = {"lineitem": lines[order["id"]]}


def _line_record(kind: str, row: tuple) -> dict[str, Any]:
    _, relid, producttype, product, domain, cycle, amount, status = row
    if kind == "product":
        producttype = PRODUCT_TYPE_LABELS.get(producttype, "Other")
    return dict(zip(_LINE_KEYS, (kind, relid, producttype, product, domain, cycle,
                                 money(amount), status), strict=True))


def get_products(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """GetProducts: ``pid`` (an id or comma list), ``gid``, ``module``."""
    where: list[str] = []
    args: list[Any] = []
    if given(params, "pid"):
        pids = [php_int(p) for p in text(params, "pid").split(",")]
        where.append(f"p.id IN ({in_marks(pids)})")
        args.extend(pids)
    if given(params, "gid"):
        where.append("p.gid = ?")
        args.append(php_int(params["gid"]))
    if given(params, "module"):
        where.append("p.module = ? COLLATE NOCASE")
        args.append(text(params, "module"))
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    db = store.db
    products = db.execute(
        "SELECT p.id, p.gid, p.type, p.name, p.slug, g.slug, p.description, p.module, "
        "p.paytype, p.allowqty, p.qty FROM products p LEFT JOIN productgroups g "
        f"ON g.id = p.gid{clause} ORDER BY p.id", args).fetchall()
    pricing = _pricing_by_rel(db)
    fields, options = _custom_fields(db), _config_options(db, pricing)
    out = []
    for pid, gid, kind, name, slug, gslug, desc, module, paytype, allowqty, qty in products:
        out.append({
            "pid": pid, "gid": gid, "type": kind, "name": name, "slug": slug,
            "product-url": f"https://billing.example.com/store/{gslug}/{slug}",
            "description": desc, "module": module, "paytype": paytype, "allowqty": allowqty,
            "quantity_available": qty, "pricing": pricing.get(("product", pid), {}),
            "customfields": {"customfield": fields.get(pid, [])},
            "configoptions": {"configoption": options.get(pid, [])},
        })
    return {"result": "success", "totalresults": len(out), "products": {"product": out}}


def _pricing_by_rel(db: sqlite3.Connection) -> dict[tuple[str, int], dict[str, Any]]:
    table: dict[tuple[str, int], dict[str, Any]] = {}
    for row in db.execute("SELECT * FROM pricing ORDER BY type, relid, currency"):
        kind, relid, currency = row[:3]
        cur = CURRENCY_BY_ID[currency]
        entry: dict[str, Any] = {"prefix": cur.prefix, "suffix": cur.suffix}
        entry.update(zip(SETUP_KEYS, (money(v) for v in row[3:9]), strict=True))
        entry.update(zip(CYCLES, (money(v) for v in row[9:15]), strict=True))
        table.setdefault((kind, relid), {})[cur.code] = entry
    return table


def _custom_fields(db: sqlite3.Connection) -> dict[int, list[dict[str, Any]]]:
    fields: dict[int, list[dict[str, Any]]] = {}
    # Only fields shown on the order form are published, as in WHMCS.
    for fid, pid, name, desc, required in db.execute(
            "SELECT id, relid, fieldname, description, required FROM customfields "
            "WHERE showorder = 'on' ORDER BY id"):
        fields.setdefault(pid, []).append({"id": fid, "name": name, "description": desc,
                                           "required": required})
    return fields


def _config_options(db: sqlite3.Connection, pricing: dict[tuple[str, int], dict[str, Any]]
                    ) -> dict[int, list[dict[str, Any]]]:
    subs: dict[int, list[dict[str, Any]]] = {}
    for sid, cid, name in db.execute("SELECT id, configid, optionname FROM configoptionssub "
                                     "ORDER BY id"):
        # rawName and required as the reference's example shows them (null there).
        subs.setdefault(cid, []).append({"id": sid, "name": name, "rawName": None,
                                         "recurring": 1, "required": None,
                                         "pricing": pricing.get(("configoptions", sid), {})})
    options: dict[int, list[dict[str, Any]]] = {}
    for pid, cid, name, kind, minqty, maxqty in db.execute(
            "SELECT pc.pid, o.id, o.optionname, o.optiontype, o.qtyminimum, o.qtymaximum "
            "FROM product_configoptions pc JOIN configoptions o ON o.id = pc.configid "
            "ORDER BY pc.pid, o.id"):
        options.setdefault(pid, []).append({
            "id": cid, "name": name, "type": kind, "minqty": minqty, "maxqty": maxqty,
            "options": {"option": subs.get(cid, [])}})
    return options


_PROMO_KEYS = ("id", "code", "type", "recurring", "value", "cycles", "appliesto", "requires",
               "requiresexisting", "startdate", "expirationdate", "maxuses", "uses",
               "lifetimepromo", "applyonce", "newsignups", "existingclient", "onceperclient",
               "recurfor", "upgrades", "upgradeconfig", "notes")


def get_promotions(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """GetPromotions: all promotions, or the one whose ``code`` matches."""
    sql, args = f"SELECT {', '.join(_PROMO_KEYS)} FROM promotions", []
    if given(params, "code"):
        sql += " WHERE code = ?"
        args.append(text(params, "code"))
    promos = []
    for row in store.db.execute(sql + " ORDER BY id", args):
        promo = dict(zip(_PROMO_KEYS, row, strict=True))
        promo["value"] = money(promo["value"])
        promos.append(promo)
    return {"result": "success", "totalresults": len(promos),
            "promotions": {"promotion": promos}}


def get_order_statuses(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """GetOrderStatuses: every configured status with its live order count."""
    rows = store.db.execute(
        "SELECT s.title, (SELECT COUNT(*) FROM orders o WHERE o.status = s.title) "
        "FROM orderstatuses s ORDER BY s.sortorder").fetchall()
    statuses = [{"title": title, "count": count} for title, count in rows]
    return {"result": "success", "totalresults": len(statuses),
            "statuses": {"status": statuses}}
