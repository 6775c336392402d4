"""AddOrder: validate like WHMCS, then create a Pending order and everything it implies.

Items arrive as PHP parallel arrays sharing one index: ``pid[i]`` makes a product
item (with ``billingcycle[i]``, ``qty[i]``, ``domain[i]``, ``priceoverride[i]``,
``customfields[i]``, ``configoptions[i]``, ``addons[i]`` …) and ``domaintype[i]``
makes a domain registration or transfer of ``domain[i]``. Renewals
(``domainrenewals``, ``servicerenewals``, ``addonrenewals``) and addon-only orders
(``addonid``/``serviceid`` or ``addonids[]``/``serviceids[]``) count as items too.

Messages documented for WHMCS are used verbatim. Where WHMCS's wording is not
documented the sandbox says plainly what is wrong: ``Invalid Product ID``,
``Invalid Billing Cycle. Valid options include …``, ``Billing cycle <c> is not
offered for product ID <pid> in <currency>``, ``The promotion code entered does not
exist`` / ``has expired`` / ``is not yet valid`` / ``has reached its maximum uses``,
``Invalid Domain Type. Valid options include register,transfer``, ``Domain TLD not
supported: <domain>``, ``Invalid Service ID``, ``Domain not found: <domain>`` and
``Unable to decode <name>[<i>]: expected base64 of a PHP serialized array``.
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from typing import Any

from .._api.php import php_serialize, php_unserialize
from .._exceptions import ResponseFormatError
from ._billing import provision
from ._catalog import (
    ADDON_BY_ID,
    API_CYCLES,
    CURRENCY_BY_ID,
    CYCLE_LABELS,
    PRODUCT_BY_ID,
    Promotion,
    tld_of,
)
from ._common import Context, Refusal, flag, php_int, text, truthy
from ._schema import insert
from ._store import Store

ARRAY_PARAMS = (
    "pid", "qty", "domain", "billingcycle", "hostname", "ns1prefix", "ns2prefix", "rootpw",
    "priceoverride", "customfields", "configoptions", "addons", "addonsqty", "domaintype",
    "regperiod", "idnlanguage", "eppcode", "dnsmanagement", "emailforwarding",
    "idprotection", "domainfields", "domainpriceoverride", "domainrenewoverride",
    "domainrenewals", "servicerenewals", "addonrenewals", "addonids", "addonidsqty",
    "serviceids",
)


def _cents(value: str) -> int:
    try:
        return round(float(value) * 100)
    except ValueError:
        return 0


def _at(params: dict[str, Any], name: str, key: str) -> str:
    """``name[key]`` as text, ``""`` when absent."""
    value = params.get(name, {})
    item = value.get(key, "") if isinstance(value, dict) else ""
    return "Array" if isinstance(item, dict) else str(item)


def decode_serialized(params: dict[str, Any], name: str, key: str) -> dict[Any, Any]:
    """Decode ``name[key]`` = base64(php serialize(map)); ``{}`` when absent."""
    raw = _at(params, name, key).strip()
    if not raw:
        return {}
    try:
        value = php_unserialize(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError, ResponseFormatError):  # not base64 of serialize
        value = None
    if isinstance(value, list):
        value = dict(enumerate(value))
    if not isinstance(value, dict):
        raise Refusal(f"Unable to decode {name}[{key}]: expected base64 of a PHP "
                      "serialized array")
    return value


def _index_order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.lstrip("-").isdigit() else (1 << 62, key)


class _Cart:
    """The order being assembled: validated items turned into rows."""

    def __init__(self, store: Store, client: tuple, params: dict[str, Any], date: str,
                 promo: Promotion | None) -> None:
        self.store, self.params, self.promo, self.date = store, params, promo, date
        self.db = store.db
        self.userid, self.currency = client[0], client[2]
        self.oid = store.next_id("orders")
        self.gateway = text(params, "paymentmethod")
        self.total = 0
        self.promo_used = False
        self.rows: dict[str, list[tuple]] = {}
        self.ids: dict[str, list[int]] = {"hosting": [], "hostingaddons": [], "domains": []}
        self.transfers: dict[str, str] = {}
        self.renewals: list[str] = []
        self.by_type: dict[str, list[int]] = {"domains": [], "services": [], "addons": []}

    def _row(self, table: str, row: tuple) -> None:
        self.rows.setdefault(table, []).append(row)

    @property
    def empty(self) -> bool:
        return not any(self.ids.values()) and not self.rows.get("renewalitems")

    def product(self, key: str) -> None:
        p = self.params
        pid = php_int(_at(p, "pid", key))
        product = PRODUCT_BY_ID.get(pid)
        if product is None:
            raise Refusal("Invalid Product ID")
        cycle = self._cycle(pid, _at(p, "billingcycle", key).strip().lower().replace("-", ""))
        price, setup = self.store.pricing.product(pid, self.currency, cycle) or (0, 0)
        configs = self._configs(pid, key)
        price += sum(self.store.pricing.config(sub, self.currency, cycle) * qty
                     for _, sub, qty in configs)
        recurring, promoid = price, 0
        override = _at(p, "priceoverride", key).strip()
        if override:
            price = recurring = _cents(override)
            setup = 0
        elif self.promo and (flag(p, "promooverride") or self.promo.applies(pid, cycle)):
            price, setup = self.promo.discount(price, setup)
            recurring = price if self.promo.recurring else recurring
            self.promo_used, promoid = True, self.promo.id
        addons = self._addon_ids(_at(p, "addons", key))
        qty = max(php_int(_at(p, "qty", key) or 1), 1) if product.allowqty else 1
        domain = _at(p, "domain", key).strip() or _at(p, "hostname", key).strip()
        fields = decode_serialized(p, "customfields", key)
        known = {f[0] for f in self._fields(pid)}
        for _ in range(qty):
            sid = self.store.next_id("hosting")
            self.ids["hosting"].append(sid)
            self._row("hosting", (sid, self.oid, self.userid, pid, domain, CYCLE_LABELS[cycle],
                                  price + setup, recurring, "Pending", self.date[:10],
                                  self.gateway, promoid))
            for cid, sub, count in configs:
                self._row("hostingconfigoptions", (sid, cid, sub, count))
            for fid, value in fields.items():
                if php_int(fid) in known:
                    self._row("customfieldsvalues", (php_int(fid), sid, str(value)))
            self.total += price + setup
            for addonid in addons:
                self._addon(addonid, sid, cycle, 1)

    def _fields(self, pid: int) -> list[tuple]:
        return self.db.execute("SELECT id FROM customfields WHERE relid = ?",
                               (pid,)).fetchall()

    def _cycle(self, pid: int, cycle: str) -> str:
        offered = self.store.pricing.offered_cycles(pid, self.currency)
        if not cycle:
            if not offered:
                raise Refusal(f"Product ID {pid} is not available in "
                              f"{CURRENCY_BY_ID[self.currency].code}")
            return offered[0]
        if cycle not in API_CYCLES:
            raise Refusal(f"Invalid Billing Cycle. Valid options include {','.join(API_CYCLES)}")
        if cycle not in offered:
            raise Refusal(f"Billing cycle {cycle} is not offered for product ID {pid} in "
                          f"{CURRENCY_BY_ID[self.currency].code}")
        return cycle

    def _configs(self, pid: int, key: str) -> list[tuple[int, int, int]]:
        chosen = []
        pricing = self.store.pricing
        for raw_cid, raw_value in decode_serialized(self.params, "configoptions", key).items():
            cid, value = php_int(raw_cid), php_int(raw_value)
            if pid not in pricing.config_pids.get(cid, ()):
                continue  # WHMCS ignores options that do not belong to the product
            subs = [s for s, c in pricing.sub_config.items() if c == cid]
            if pricing.config_type[cid] in (3, 4):  # yes/no and quantity: value is a count
                if value > 0:
                    chosen.append((cid, subs[0], value))
            elif value in subs:
                chosen.append((cid, value, 1))
        return chosen

    def _addon_ids(self, raw: str) -> list[int]:
        ids = [php_int(part) for part in raw.split(",") if part.strip()]
        if any(i not in ADDON_BY_ID for i in ids):
            raise Refusal("Addon ID invalid")
        return ids

    def _addon(self, addonid: int, sid: int, cycle: str, qty: int) -> None:
        price, setup = self.store.pricing.addon(addonid, self.currency, cycle)
        for _ in range(max(qty, 1)):
            aid = self.store.next_id("addons")
            self.ids["hostingaddons"].append(aid)
            self._row("hostingaddons", (aid, self.oid, sid, addonid, CYCLE_LABELS.get(
                cycle, "Monthly"), price + setup, price, "Pending", self.date[:10]))
            self.total += price + setup

    def domain(self, key: str) -> None:
        p = self.params
        kind = _at(p, "domaintype", key).strip().lower()
        if kind not in ("register", "transfer"):
            raise Refusal("Invalid Domain Type. Valid options include register,transfer")
        name = _at(p, "domain", key).strip().lower()
        prices = self.store.pricing.tld(tld_of(name) or "", self.currency)
        if prices is None:
            raise Refusal(f"Domain TLD not supported: {name or '(no domain given)'}")
        years = min(max(php_int(_at(p, "regperiod", key) or 1), 1), 10)
        register, transfer, renew = prices
        amount = register * years if kind == "register" else transfer
        if _at(p, "domainpriceoverride", key).strip():
            amount = _cents(_at(p, "domainpriceoverride", key))
        if _at(p, "domainrenewoverride", key).strip():
            renew = _cents(_at(p, "domainrenewoverride", key))
        decode_serialized(p, "domainfields", key)  # validated like WHMCS; not needed later
        if kind == "transfer":
            self.transfers[name] = _at(p, "eppcode", key)
        did = self.store.next_id("domains")
        self.ids["domains"].append(did)
        flags = (int(truthy(_at(p, n, key)))
                 for n in ("dnsmanagement", "emailforwarding", "idprotection"))
        self._row("domains", (did, self.oid, self.userid, kind.capitalize(), name, years,
                              amount, renew, "Pending", self.date[:10], *flags))
        self.total += amount

    def renewals_and_addons(self) -> None:
        p = self.params
        for name, years in (p.get("domainrenewals") or {}).items():
            row = self.db.execute("SELECT id, domain FROM domains WHERE userid = ? AND "
                                  "domain = ? COLLATE NOCASE", (self.userid, name)).fetchone()
            if row is None:
                raise Refusal(f"Domain not found: {name}")
            n = min(max(php_int(years), 1), 10)
            prices = self.store.pricing.tld(tld_of(row[1]) or ".com", self.currency)
            amount = (prices[2] if prices else 0) * n
            self._renewal("Domain", "domains", row[0], "Domain Renewal", row[1], f"{n} Year(s)",
                          amount)
            self.renewals.append(f"{row[0]}={n}")
        for sid in (p.get("servicerenewals") or {}).values():
            row = self._service(php_int(sid), "SELECT h.id, h.domain, h.billingcycle, h.amount, "
                                "COALESCE(pr.name, '') FROM hosting h LEFT JOIN products pr "
                                "ON pr.id = h.packageid WHERE h.id = ? AND h.userid = ?")
            self._renewal("Service", "services", row[0], row[4], row[1], row[2], row[3])
        for aid in (p.get("addonrenewals") or {}).values():
            row = self._service(php_int(aid), "SELECT a.id, COALESCE(h.domain, ''), "
                                "a.billingcycle, a.recurring, COALESCE(ad.name, '') FROM "
                                "hostingaddons a LEFT JOIN hosting h ON h.id = a.hostingid "
                                "LEFT JOIN addons ad ON ad.id = a.addonid WHERE a.id = ? "
                                "AND h.userid = ?")
            self._renewal("Addon", "addons", row[0], row[4], row[1], row[2], row[3])
        pairs = [(text(p, "addonid"), text(p, "serviceid"), text(p, "addonidqty"))]
        pairs += [(str(v), _at(p, "serviceids", k), _at(p, "addonidsqty", k))
                  for k, v in (p.get("addonids") or {}).items()]
        for addonid, serviceid, qty in pairs:
            if addonid.strip():
                ids = self._addon_ids(addonid)
                row = self._service(php_int(serviceid), "SELECT id, billingcycle FROM hosting "
                                    "WHERE id = ? AND userid = ?")
                cycle = row[1].lower().replace("-", "").replace(" ", "")
                self._addon(ids[0], row[0], cycle, php_int(qty or 1))

    def _service(self, relid: int, sql: str) -> tuple:
        row = self.db.execute(sql, (relid, self.userid)).fetchone()
        if row is None:
            raise Refusal("Invalid Service ID")
        return row

    def _renewal(self, kind: str, bucket: str, relid: int, product: str, domain: str,
                 cycle: str, amount: int) -> None:
        self._row("renewalitems", (self.store.next_id("renewalitems"), self.oid, kind, relid,
                                   product, domain, cycle, amount))
        self.by_type[bucket].append(relid)
        self.total += amount


def _client(db: sqlite3.Connection, params: dict[str, Any]) -> tuple:
    row = db.execute("SELECT id, status, currency FROM clients WHERE id = ?",
                     (php_int(params.get("clientid", 0)),)).fetchone()
    if row is None:
        raise Refusal("Client ID Not Found")
    if row[1] == "Closed":
        raise Refusal("Unable to add order when client status is Closed")
    return row


def _gateway(db: sqlite3.Connection, params: dict[str, Any]) -> None:
    gateways = [g for (g,) in db.execute("SELECT gateway FROM paymentmethods ORDER BY sortorder")]
    if text(params, "paymentmethod") not in gateways:
        raise Refusal(f"Invalid Payment Method. Valid options include {','.join(gateways)}")


def _promotion(store: Store, params: dict[str, Any], today: str) -> Promotion | None:
    code = text(params, "promocode").strip()
    if not code:
        return None
    promo = store.pricing.promo_by_code.get(code.upper())
    if promo is None:
        raise Refusal("The promotion code entered does not exist")
    if promo.expirationdate != "0000-00-00" and today > promo.expirationdate:
        raise Refusal("The promotion code entered has expired")
    if not promo.live_on(today):
        raise Refusal("The promotion code entered is not yet valid")
    uses = store.db.execute("SELECT uses FROM promotions WHERE id = ?", (promo.id,)).fetchone()
    if promo.maxuses and uses and uses[0] >= promo.maxuses:
        raise Refusal("The promotion code entered has reached its maximum uses")
    return promo


def add_order(store: Store, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """AddOrder: a new Pending order with services, domains and an Unpaid invoice."""
    client = _client(store.db, params)
    _gateway(store.db, params)
    for name in ARRAY_PARAMS:
        if name in params and not isinstance(params[name], dict) and params[name] != "":
            raise Refusal(f"Expecting parameter '{name}' to be an array")
    date = store.now().strftime("%Y-%m-%d %H:%M:%S")
    promo = _promotion(store, params, date[:10])
    saved = dict(store.next_ids)
    try:
        cart = _Cart(store, client, params, date, promo)
        keys = set(params.get("pid") or {}) | set(params.get("domaintype") or {})
        for key in sorted(keys, key=_index_order):
            if _at(params, "pid", key).strip():
                cart.product(key)
            if _at(params, "domaintype", key).strip():
                cart.domain(key)
        cart.renewals_and_addons()
        if cart.empty:
            raise Refusal("No items added to cart so order cannot proceed")
    except Refusal:
        # Validation failed before anything was written: hand the ids out again,
        # as WHMCS (which validates before inserting) leaves no gaps either.
        store.next_ids.update(saved)
        raise
    return _save(store, cart, params, ctx)


def _save(store: Store, cart: _Cart, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    invoiceid = 0
    if cart.total > 0 and not flag(params, "noinvoice"):
        invoiceid = store.next_id("invoices")
        insert(store.db, "invoices", [(invoiceid, cart.userid, cart.oid, cart.date[:10],
                                       cart.date[:10], "0000-00-00 00:00:00", cart.total,
                                       "Unpaid", cart.gateway, cart.total)])
    promo = cart.promo if cart.promo_used else None
    if promo:
        store.db.execute("UPDATE promotions SET uses = uses + 1 WHERE id = ?", (promo.id,))
    nameservers = ",".join(text(params, f"nameserver{i}").strip() for i in range(1, 6)
                           if text(params, f"nameserver{i}").strip())
    insert(store.db, "orders", [(
        cart.oid, store.factory.new_ordernum(), cart.userid, php_int(params.get("contactid", 0)),
        0, 1, cart.date, nameservers,
        php_serialize(cart.transfers) if cart.transfers else "", ",".join(cart.renewals),
        json.dumps(cart.by_type), promo.code if promo else "", promo.type if promo else "",
        promo.value if promo else 0, "", cart.total, cart.gateway, invoiceid, "Pending",
        text(params, "clientip").strip() or ctx.client_ip, "", "", "", "", "")])
    for table, rows in cart.rows.items():
        insert(store.db, table, rows)
    provision(store.db, cart.ids["hosting"], store.rng)
    service_ids = ",".join(map(str, cart.ids["hosting"]))
    return {"result": "success", "orderid": cart.oid, "serviceids": service_ids,
            "productids": service_ids,
            "addonids": ",".join(map(str, cart.ids["hostingaddons"])),
            "domainids": ",".join(map(str, cart.ids["domains"])), "invoiceid": invoiceid}
