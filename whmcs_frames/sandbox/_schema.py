"""The sandbox's SQLite schema and the one-off build of a seeded database.

Tables mirror the WHMCS ones the actions touch (``tblorders`` → ``orders``,
``tblhosting`` → ``hosting``, ``tblaccounts`` → ``accounts``, ``tblcancelrequests`` →
``cancelrequests`` …). Money columns hold integer cents. Invoice columns WHMCS
rarely fills (credit, tax, capture and refund dates) may be NULL, read as their
empty value: that keeps the hundreds of thousands of renewal rows small. Building 2,000
orders takes a fraction of a second; built databases are cached per
``(orders, seed, generator version)`` in the temp dir and copied, so later boxes
start in milliseconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import heapq
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from ._billing import build_billing
from ._catalog import (
    ADDONS,
    CONFIG_OPTIONS,
    CONFIG_SUBS,
    CURRENCIES,
    CUSTOM_FIELDS,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    PRODUCT_GROUPS,
    PRODUCTS,
    build_promotions,
)
from ._fraud_patterns import seeded_patterns
from ._orders import SPAN_DAYS, Batch, OrderFactory, order_dates, timeline_end
from ._people import make_clients
from ._pricing import Pricing, catalog_pricing_rows

_SETUP_COLS = ", ".join(f"{c}setupfee INTEGER" for c in "mqsabt")
_PRICE_COLS = ", ".join(f"{c} INTEGER" for c in ("monthly", "quarterly", "semiannually",
                                                   "annually", "biennially", "triennially"))

DDL = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE currencies(id INTEGER PRIMARY KEY, code TEXT, prefix TEXT, suffix TEXT,
    rate REAL);
CREATE TABLE paymentmethods(gateway TEXT PRIMARY KEY, name TEXT, sortorder INTEGER);
CREATE TABLE orderstatuses(id INTEGER PRIMARY KEY, title TEXT COLLATE NOCASE UNIQUE,
    color TEXT, sortorder INTEGER);
CREATE TABLE clients(id INTEGER PRIMARY KEY, firstname TEXT, lastname TEXT,
    companyname TEXT, email TEXT, country TEXT, currency INTEGER, status TEXT, ip TEXT,
    datecreated TEXT DEFAULT '0000-00-00', groupid INTEGER DEFAULT 0);
CREATE TABLE productgroups(id INTEGER PRIMARY KEY, name TEXT, slug TEXT);
CREATE TABLE products(id INTEGER PRIMARY KEY, gid INTEGER, type TEXT, name TEXT, slug TEXT,
    description TEXT, module TEXT, paytype TEXT, allowqty INTEGER, stockcontrol INTEGER,
    qty INTEGER);
CREATE TABLE pricing(type TEXT, relid INTEGER, currency INTEGER, {_SETUP_COLS},
    {_PRICE_COLS});
CREATE INDEX pricing_rel ON pricing(type, relid);
CREATE TABLE customfields(id INTEGER PRIMARY KEY, relid INTEGER, fieldname TEXT,
    description TEXT, fieldtype TEXT, fieldoptions TEXT, required TEXT, showorder TEXT);
CREATE TABLE customfieldsvalues(fieldid INTEGER, relid INTEGER, value TEXT);
CREATE TABLE configoptions(id INTEGER PRIMARY KEY, optionname TEXT, optiontype INTEGER,
    qtyminimum INTEGER, qtymaximum INTEGER);
CREATE TABLE product_configoptions(pid INTEGER, configid INTEGER);
CREATE TABLE configoptionssub(id INTEGER PRIMARY KEY, configid INTEGER, optionname TEXT);
CREATE TABLE hostingconfigoptions(relid INTEGER, configid INTEGER, optionid INTEGER,
    qty INTEGER);
CREATE INDEX hco_rel ON hostingconfigoptions(relid);
CREATE TABLE addons(id INTEGER PRIMARY KEY, name TEXT, description TEXT, packages TEXT);
CREATE TABLE promotions(id INTEGER PRIMARY KEY, code TEXT COLLATE NOCASE UNIQUE, type TEXT,
    recurring INTEGER, value INTEGER, cycles TEXT, appliesto TEXT, requires TEXT,
    requiresexisting INTEGER, startdate TEXT, expirationdate TEXT, maxuses INTEGER,
    uses INTEGER, lifetimepromo INTEGER, applyonce INTEGER, newsignups INTEGER,
    existingclient INTEGER, onceperclient INTEGER, recurfor INTEGER, upgrades INTEGER,
    upgradeconfig TEXT, notes TEXT);
CREATE TABLE orders(id INTEGER PRIMARY KEY, ordernum INTEGER UNIQUE, userid INTEGER,
    contactid INTEGER, requestor_id INTEGER, admin_requestor_id INTEGER, date TEXT,
    nameservers TEXT, transfersecret TEXT, renewals TEXT, renewals_by_type TEXT,
    promocode TEXT, promotype TEXT, promovalue INTEGER, orderdata TEXT, amount INTEGER,
    paymentmethod TEXT, invoiceid INTEGER, status TEXT COLLATE NOCASE, ipaddress TEXT,
    fraudmodule TEXT, fraudoutput TEXT, frauddata TEXT, validationdata TEXT, notes TEXT);
CREATE INDEX orders_status ON orders(status);
CREATE INDEX orders_userid ON orders(userid);
CREATE INDEX orders_requestor ON orders(requestor_id);
CREATE TABLE invoices(id INTEGER PRIMARY KEY, userid INTEGER, orderid INTEGER, date TEXT,
    duedate TEXT, datepaid TEXT, total INTEGER, status TEXT, paymentmethod TEXT,
    subtotal INTEGER, credit INTEGER, tax INTEGER, tax2 INTEGER, taxrate REAL,
    taxrate2 REAL, invoicenum TEXT, notes TEXT, hostingid INTEGER DEFAULT 0,
    last_capture_attempt TEXT, date_refunded TEXT, date_cancelled TEXT);
CREATE TABLE hosting(id INTEGER PRIMARY KEY, orderid INTEGER, userid INTEGER,
    packageid INTEGER, domain TEXT, billingcycle TEXT, firstpaymentamount INTEGER,
    amount INTEGER, status TEXT, regdate TEXT, paymentmethod TEXT, promoid INTEGER,
    nextduedate TEXT DEFAULT '0000-00-00', username TEXT DEFAULT '',
    password TEXT DEFAULT '', server INTEGER DEFAULT 0, dedicatedip TEXT DEFAULT '',
    assignedips TEXT DEFAULT '', suspendreason TEXT DEFAULT '',
    subscriptionid TEXT DEFAULT '', notes TEXT DEFAULT '',
    termination_date TEXT DEFAULT '0000-00-00', diskusage INTEGER DEFAULT 0,
    disklimit INTEGER DEFAULT 0, bwusage INTEGER DEFAULT 0, bwlimit INTEGER DEFAULT 0,
    lastupdate TEXT DEFAULT '0000-00-00 00:00:00');
CREATE INDEX hosting_order ON hosting(orderid);
CREATE INDEX hosting_user ON hosting(userid);
CREATE TABLE servers(id INTEGER PRIMARY KEY, name TEXT, ipaddress TEXT, hostname TEXT,
    type TEXT);
CREATE TABLE accounts(id INTEGER PRIMARY KEY, userid INTEGER, currency INTEGER,
    gateway TEXT, date TEXT, description TEXT, amountin INTEGER, fees INTEGER,
    amountout INTEGER, rate REAL, transid TEXT, invoiceid INTEGER, refundid INTEGER);
CREATE TABLE cancelrequests(id INTEGER PRIMARY KEY, date TEXT, relid INTEGER,
    reason TEXT, type TEXT);

CREATE TABLE domains(id INTEGER PRIMARY KEY, orderid INTEGER, userid INTEGER, type TEXT,
    domain TEXT, registrationperiod INTEGER, firstpaymentamount INTEGER,
    recurringamount INTEGER, status TEXT, registrationdate TEXT, dnsmanagement INTEGER,
    emailforwarding INTEGER, idprotection INTEGER);
CREATE INDEX domains_order ON domains(orderid);
CREATE TABLE hostingaddons(id INTEGER PRIMARY KEY, orderid INTEGER, hostingid INTEGER,
    addonid INTEGER, billingcycle TEXT, firstpaymentamount INTEGER, recurring INTEGER,
    status TEXT, regdate TEXT);
CREATE INDEX addons_order ON hostingaddons(orderid);
CREATE TABLE renewalitems(id INTEGER PRIMARY KEY, orderid INTEGER, kind TEXT,
    relid INTEGER, product TEXT, domain TEXT, billingcycle TEXT, amount INTEGER);
CREATE INDEX renewals_order ON renewalitems(orderid);
"""

#: Column order of the generated rows, per table.
COLUMNS = {
    "orders": ("id", "ordernum", "userid", "contactid", "requestor_id", "admin_requestor_id",
               "date", "nameservers", "transfersecret", "renewals", "renewals_by_type",
               "promocode", "promotype", "promovalue", "orderdata", "amount", "paymentmethod",
               "invoiceid", "status", "ipaddress", "fraudmodule", "fraudoutput", "frauddata",
               "validationdata", "notes"),
    "invoices": ("id", "userid", "orderid", "date", "duedate", "datepaid", "total", "status",
                 "paymentmethod", "subtotal"),
    "hosting": ("id", "orderid", "userid", "packageid", "domain", "billingcycle",
                "firstpaymentamount", "amount", "status", "regdate", "paymentmethod",
                "promoid"),
    "domains": ("id", "orderid", "userid", "type", "domain", "registrationperiod",
                "firstpaymentamount", "recurringamount", "status", "registrationdate",
                "dnsmanagement", "emailforwarding", "idprotection"),
    "hostingaddons": ("id", "orderid", "hostingid", "addonid", "billingcycle",
                      "firstpaymentamount", "recurring", "status", "regdate"),
    "customfieldsvalues": ("fieldid", "relid", "value"),
    "hostingconfigoptions": ("relid", "configid", "optionid", "qty"),
    "renewalitems": ("id", "orderid", "kind", "relid", "product", "domain", "billingcycle",
                     "amount"),
}
_BATCH_TABLES = (("orders", "orders"), ("invoices", "invoices"), ("hosting", "hosting"),
                 ("domains", "domains"), ("addons", "hostingaddons"),
                 ("fieldvalues", "customfieldsvalues"), ("configvalues", "hostingconfigoptions"))


def insert(conn: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    """Insert ``rows`` (in :data:`COLUMNS` order) into ``table``."""
    if rows:
        cols = COLUMNS[table]
        conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                         f"({', '.join('?' * len(cols))})", rows)


def insert_batch(conn: sqlite3.Connection, batch: Batch) -> None:
    """Insert every row a :class:`Batch` collected."""
    for attr, table in _BATCH_TABLES:
        insert(conn, table, getattr(batch, attr))


def shop_pricing(seed: int) -> tuple[dt.datetime, Pricing]:
    """The timeline end and the pricing (with dated promotions) for ``seed``."""
    end = timeline_end(seed)
    start = end - dt.timedelta(days=SPAN_DAYS)
    return end, Pricing(build_promotions(start.date(), end.date()))


def build_database(path: str | os.PathLike[str], orders: int, seed: int) -> None:
    """Create a complete sandbox database with ``orders`` synthetic orders at ``path``."""
    rng = random.Random(seed)
    end, pricing = shop_pricing(seed)
    clients = make_clients(rng, max(40, orders // 3))
    factory = OrderFactory(pricing, clients, rng, end,
                           {"invoices": 10001, "hosting": 1, "domains": 1, "addons": 1})
    patterns = seeded_patterns(orders, seed, end, pricing, len(clients) + 1, factory)
    planned = patterns.planned if patterns else []
    generated = ((when, None) for when in order_dates(rng, orders - len(planned), end))
    batch = Batch()
    oid = 0
    for when, plan in heapq.merge(generated, ((p.when, p) for p in planned),
                                  key=lambda event: event[0]):
        # Occasional gaps: real order ids have holes where orders were deleted.
        oid += 1 + (rng.randrange(1, 4) if rng.random() < 0.015 else 0)
        if plan is None:
            factory.make(oid, when, batch)
        else:
            patterns.build(plan, oid, batch)  # type: ignore[union-attr]
    if patterns:
        clients = clients + patterns.clients
    conn = sqlite3.connect(path)
    try:
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                           "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;" + DDL)
        _insert_shop(conn, pricing, factory.promo_uses)
        conn.executemany("INSERT INTO clients (id, firstname, lastname, companyname, email, "
                         "country, currency, status, ip) VALUES (?,?,?,?,?,?,?,?,?)",
                         [tuple(vars(c).values()) for c in clients])
        insert_batch(conn, batch)
        build_billing(conn, seed, end)
        conn.executemany("INSERT INTO meta VALUES (?, ?)",
                         [("seed", str(seed)), ("orders", str(orders)),
                          ("version", generator_version())])
        conn.commit()
    finally:
        conn.close()


def _insert_shop(conn: sqlite3.Connection, pricing: Pricing, uses: dict[str, int]) -> None:
    conn.executemany("INSERT INTO currencies VALUES (?,?,?,?,?)",
                     [(c.id, c.code, c.prefix, c.suffix, c.rate) for c in CURRENCIES])
    conn.executemany("INSERT INTO paymentmethods VALUES (?,?,?)",
                     [(g, n, i) for i, (g, n) in enumerate(PAYMENT_METHODS)])
    conn.executemany("INSERT INTO orderstatuses VALUES (?,?,?,?)",
                     [(i + 1, t, c, i) for i, (t, c) in enumerate(ORDER_STATUSES)])
    conn.executemany("INSERT INTO productgroups VALUES (?,?,?)", PRODUCT_GROUPS)
    conn.executemany("INSERT INTO products VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
        (p.pid, p.gid, p.type, p.name, p.slug, p.description, p.module, p.paytype,
         p.allowqty, int(p.stock > 0), p.stock) for p in PRODUCTS])
    conn.executemany(f"INSERT INTO pricing VALUES ({','.join('?' * 15)})",
                     catalog_pricing_rows(pricing))
    conn.executemany("INSERT INTO customfields VALUES (?,?,?,?,?,?,?,?)", CUSTOM_FIELDS)
    conn.executemany("INSERT INTO configoptions VALUES (?,?,?,?,?)",
                     [o[:5] for o in CONFIG_OPTIONS])
    conn.executemany("INSERT INTO product_configoptions VALUES (?,?)",
                     [(pid, o[0]) for o in CONFIG_OPTIONS for pid in o[5]])
    conn.executemany("INSERT INTO configoptionssub VALUES (?,?,?)",
                     [s[:3] for s in CONFIG_SUBS])
    conn.executemany("INSERT INTO addons VALUES (?,?,?,?)", [a[:4] for a in ADDONS])
    conn.executemany(f"INSERT INTO promotions VALUES ({','.join('?' * 22)})", [
        (p.id, p.code, p.type, p.recurring, p.value, p.cycles, p.appliesto, p.requires,
         p.requiresexisting, p.startdate, p.expirationdate, p.maxuses, uses.get(p.code, 0),
         p.lifetimepromo, p.applyonce, p.newsignups, p.existingclient, p.onceperclient,
         p.recurfor, p.upgrades, p.upgradeconfig, p.notes) for p in pricing.promotions])


_VERSION: list[str] = []
_UNUSED_FOR = 6 * 3600  # seconds a template of another generator version is kept


def generator_version() -> str:
    """A digest of the generator's source, so cached databases never go stale."""
    if not _VERSION:
        digest = hashlib.sha256()
        here = Path(__file__).parent
        for name in ("_catalog.py", "_people.py", "_pricing.py", "_orders.py", "_schema.py",
                     "_fraud_patterns.py", "_billing.py"):
            digest.update((here / name).read_bytes())
        _VERSION.append(digest.hexdigest()[:16])
    return _VERSION[0]


def _cache_dir() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else None
    path = Path(tempfile.gettempdir()) / f"whmcs_frames_sandbox_{'user' if uid is None else uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    if uid is not None and path.stat().st_uid != uid:
        # Someone else's directory in a shared temp dir: never trust its templates.
        raise PermissionError(f"{path} is not owned by this user")
    return path


def materialise(target: Path, orders: int, seed: int) -> None:
    """Put a database for ``(orders, seed)`` at ``target``, from the cache when possible."""
    try:
        cache = _cache_dir()
    except OSError:
        build_database(target, orders, seed)
        return
    template = cache / f"orders{orders}-seed{seed}-{generator_version()}.sqlite3"
    if not template.exists():
        # Build beside the cache entry and rename: concurrent builders never see a
        # half-written template.
        fd, scratch = tempfile.mkstemp(dir=cache, suffix=".tmp")
        os.close(fd)
        try:
            os.unlink(scratch)
            build_database(scratch, orders, seed)
            os.replace(scratch, template)
        finally:
            if os.path.exists(scratch):
                os.unlink(scratch)
        _prune(cache)
    try:
        shutil.copyfile(template, target)
    except FileNotFoundError:  # pruned by a process running newer code: build our own
        build_database(target, orders, seed)
        return
    with contextlib.suppress(OSError):  # pruned meanwhile: nothing to keep alive
        os.utime(template)  # in use: see _prune


def _prune(cache: Path) -> None:
    # Templates of other generator versions would otherwise pile up in the temp dir
    # (100,000 orders is over a hundred MB). Another checkout of the project may still
    # be using them, though, so only those left unused for a while go.
    current = f"-{generator_version()}.sqlite3"
    stale = time.time() - _UNUSED_FOR
    for entry in cache.glob("orders*-seed*-*.sqlite3"):
        with contextlib.suppress(OSError):
            if not entry.name.endswith(current) and entry.stat().st_mtime < stale:
                entry.unlink()
