"""Synthetic order history: when orders arrive, what they contain and how they end.

Two years of orders end on a date derived from the seed (never today's clock), with
growth over time, a weekly rhythm, a Black Friday spike and busier office hours.
Every order is built from line items priced by :class:`~._pricing.Pricing`, so
amounts agree with the published catalog and the promotions applied.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import dataclass, field
from itertools import accumulate

from .._api.php import php_serialize
from ._catalog import ADDON_BY_ID, CYCLE_LABELS, PRODUCT_BY_ID, Promotion, tld_of
from ._people import FRAUD_COUNTRIES, Client, random_domain, random_ip, random_note
from ._pricing import Pricing

SPAN_DAYS = 730
_WEEKDAY = (1.15, 1.2, 1.15, 1.1, 1.0, 0.6, 0.55)
_HOURS = (2, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 11, 11, 10, 9, 8, 8, 9, 10, 9, 6, 4)
_PRODUCT_WEIGHTS = {1: 30, 2: 22, 3: 6, 4: 14, 5: 7, 6: 2, 7: 8, 8: 6}
_CYCLE_WEIGHTS = {"monthly": 50, "quarterly": 8, "semiannually": 6, "annually": 28,
                  "biennially": 5, "triennially": 3, "onetime": 1, "free": 1}
_GATEWAYS = (("stripe", 55), ("paypal", 25), ("banktransfer", 12), ("mailin", 8))
_GATEWAY_NAMES = [g[0] for g in _GATEWAYS]
_GATEWAY_CUM = list(accumulate(g[1] for g in _GATEWAYS))
_PIDS = list(_PRODUCT_WEIGHTS)
_PID_CUM = list(accumulate(_PRODUCT_WEIGHTS.values()))
NAMESERVERS = "ns1.sandbox-host.net,ns2.sandbox-host.net"
EMPTY_RENEWALS = json.dumps({"domains": [], "services": [], "addons": []})


def timeline_end(seed: int) -> dt.datetime:
    """The last moment of the synthetic history for ``seed`` (mid/late 2024)."""
    offset = random.Random(f"timeline:{seed}").randrange(120)
    return dt.datetime(2024, 6, 30, 23, 59, 59) + dt.timedelta(days=offset)


def order_dates(rng: random.Random, count: int, end: dt.datetime) -> list[dt.datetime]:
    """``count`` sorted timestamps over the two years before ``end``."""
    start = (end - dt.timedelta(days=SPAN_DAYS)).date()
    weights = []
    for offset in range(SPAN_DAYS + 1):
        day = start + dt.timedelta(days=offset)
        weight = (0.55 + 0.9 * offset / SPAN_DAYS) * _WEEKDAY[day.weekday()]
        weight *= 1 + 0.12 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
        if day.month == 11 and 23 <= day.day <= 30 and day.weekday() in (4, 5, 6, 0):
            weight *= 3  # the Black Friday weekend
        weights.append(weight)
    days = rng.choices(range(SPAN_DAYS + 1), cum_weights=list(accumulate(weights)), k=count)
    hours = rng.choices(range(24), weights=_HOURS, k=count)
    base = dt.datetime.combine(start, dt.time())
    stamps = [base + dt.timedelta(days=d, hours=h, seconds=rng.randrange(3600))
              for d, h in zip(days, hours, strict=True)]
    stamps.sort()
    return stamps


@dataclass
class Batch:
    """Rows waiting to be inserted, per table, in the schema's column order."""

    orders: list[tuple] = field(default_factory=list)
    invoices: list[tuple] = field(default_factory=list)
    hosting: list[tuple] = field(default_factory=list)
    domains: list[tuple] = field(default_factory=list)
    addons: list[tuple] = field(default_factory=list)
    fieldvalues: list[tuple] = field(default_factory=list)
    configvalues: list[tuple] = field(default_factory=list)


@dataclass
class _Item:
    kind: str  # "product" or "domain"
    pid: int = 0
    cycle: str = ""
    qty: int = 1
    domain: str = ""
    addons: tuple[int, ...] = ()
    configs: dict[int, tuple[int, int]] = field(default_factory=dict)  # configid: (sub, qty)
    domaintype: str = ""
    years: int = 1


class OrderFactory:
    """Builds orders one at a time into a :class:`Batch`.

    Parameters
    ----------
    pricing : Pricing
        Prices and promotions.
    clients : list of Client
        Who places orders.
    rng : random.Random
        The only source of randomness.
    end : datetime
        The timeline's end (order age decides its likely status).
    next_ids : dict
        Next free id per table: ``invoices``, ``hosting``, ``domains``, ``addons``.
    """

    def __init__(self, pricing: Pricing, clients: list[Client], rng: random.Random,
                 end: dt.datetime, next_ids: dict[str, int]) -> None:
        self.pricing = pricing
        self.clients = clients
        self.rng = rng
        self.end = end
        self.ids = next_ids  # shared with the store, so ids are never handed out twice
        self.ordernums: set[int] = set()
        self.orders_by_client: dict[int, int] = {}
        self.promo_uses: dict[str, int] = {}
        self.fraud_switch = (end - dt.timedelta(days=300)).strftime("%Y-%m-%d")
        # A few heavy customers and a long tail, as in any real shop.
        self._client_cum = list(accumulate(1 / (i + 1) ** 0.8 for i in range(len(clients))))

    def next_id(self, table: str) -> int:
        """The next unused id for ``table`` (ids are never reused, as in MySQL)."""
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def new_ordernum(self) -> int:
        """A fresh, unique 10-digit order number."""
        while True:
            number = self.rng.randrange(1_000_000_000, 10_000_000_000)
            if number not in self.ordernums:
                self.ordernums.add(number)
                return number

    def _pick_status(self, age_days: float) -> str:
        table: tuple[tuple[str, float], ...]
        if age_days < 3:
            table = (("Pending", 55), ("Active", 30), ("Fraud", 5), ("Cancelled", 3),
                     ("In Review", 7))
        elif age_days < 30:
            table = (("Pending", 12), ("Active", 70), ("Cancelled", 10), ("Fraud", 4),
                     ("In Review", 4))
        else:
            table = (("Active", 78), ("Cancelled", 15), ("Fraud", 5), ("Pending", 1.5),
                     ("In Review", 0.5))
        return self.rng.choices([t[0] for t in table], [t[1] for t in table])[0]

    def _compose(self, client: Client) -> list[_Item]:
        rng = self.rng
        shape = rng.random()
        if shape < 0.18:
            return [_Item("domain", domain=random_domain(rng, client.country),
                          domaintype="transfer" if rng.random() < 0.25 else "register",
                          years=rng.choice((1, 1, 1, 2, 3)))]
        items = [self._product_item(client) for _ in range(1 if shape < 0.9 else 2)]
        first = items[0]
        if first.domain and PRODUCT_BY_ID[first.pid].type != "server" and rng.random() < 0.45:
            items.append(_Item("domain", domain=first.domain, domaintype="register",
                               years=1))
        return items

    def _product_item(self, client: Client) -> _Item:
        rng = self.rng
        while True:
            pid = rng.choices(_PIDS, cum_weights=_PID_CUM)[0]
            cycles = self.pricing.offered_cycles(pid, client.currency)
            if cycles:
                break
        cycle = rng.choices(cycles, [_CYCLE_WEIGHTS[c] for c in cycles])[0]
        product = PRODUCT_BY_ID[pid]
        item = _Item("product", pid=pid, cycle=cycle,
                     qty=rng.choice((1, 1, 1, 2)) if product.allowqty else 1)
        domain = random_domain(rng, client.country)
        item.domain = f"vps{rng.randrange(100, 999)}.{domain}" if product.type == "server" \
            else ("" if product.type == "other" else domain)
        if product.type == "server":
            item.configs = {1: (rng.choice((1, 2, 2, 3)), 1), 2: (rng.choice((4, 4, 5, 6, 7)), 1),
                            3: (8, rng.choice((0, 0, 1, 2)))}
            if pid == 6:
                item.configs.pop(1)
        if cycle not in ("onetime", "free"):
            item.addons = tuple(a[0] for a in ADDON_BY_ID.values()
                                if str(pid) in a[3].split(",") and rng.random() < 0.15)
        return item

    def _pick_promo(self, items: list[_Item], day: str, client: Client) -> Promotion | None:
        prior = self.orders_by_client.get(client.id, 0)
        products = [i for i in items if i.kind == "product"]
        if not products:
            return None
        candidates = [
            p for p in self.pricing.promotions
            if p.live_on(day) and (not p.maxuses or self.promo_uses.get(p.code, 0) < p.maxuses)
            and not (p.newsignups and prior) and not (p.existingclient and not prior)
            and any(p.applies(i.pid, i.cycle) for i in products)
        ]
        if not candidates:
            return None
        promo = self.rng.choice(candidates)
        chance = 0.55 if promo.code.startswith("BLACKFRIDAY") else 0.12
        if self.rng.random() >= chance:
            return None
        self.promo_uses[promo.code] = self.promo_uses.get(promo.code, 0) + 1
        return promo

    def make(self, oid: int, when: dt.datetime, batch: Batch, status: str | None = None,
             client: Client | None = None) -> None:
        """Append order ``oid`` placed at ``when`` (and everything tied to it) to ``batch``."""
        rng = self.rng
        client = client or self.clients[
            rng.choices(range(len(self.clients)), cum_weights=self._client_cum)[0]]
        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
        age = (self.end - when).total_seconds() / 86400
        status = status or self._pick_status(age)
        items = self._compose(client)
        promo = self._pick_promo(items, stamp[:10], client)
        lines = _Lines(self, oid, client, stamp, status, age, promo, batch)
        total = sum(lines.add(item) for item in items)
        admin = rng.random() < 0.1
        invoiceid = 0
        if total > 0 and not (admin and rng.random() < 0.3):
            invoiceid = self._invoice(batch, oid, client, stamp, total, status, lines.gateway)
        module, output = self._fraud(stamp, status, client, lines.ip) \
            if total > 0 and not admin and rng.random() < 0.75 else ("", "")
        transfers = {i.domain: f"Ep{rng.randrange(10**9):09d}!x" for i in items
                     if i.domaintype == "transfer"}
        batch.orders.append((
            oid, self.new_ordernum(), client.id, 0, 0 if admin else client.id,
            rng.choice((1, 2)) if admin else 0, stamp,
            NAMESERVERS if any(i.kind == "domain" for i in items) else "",
            php_serialize(transfers) if transfers else "", "", EMPTY_RENEWALS,
            promo.code if promo else "", promo.type if promo else "",
            promo.value if promo else 0, "", total, lines.gateway, invoiceid, status,
            lines.ip, module, output, "", "", random_note(rng),
        ))
        self.orders_by_client[client.id] = self.orders_by_client.get(client.id, 0) + 1

    def _invoice(self, batch: Batch, oid: int, client: Client, stamp: str, total: int,
                 status: str, gateway: str) -> int:
        rng = self.rng
        if status == "Active":
            state = "Paid"
        elif status in ("Cancelled", "Fraud"):
            state = "Refunded" if status == "Cancelled" and rng.random() < 0.1 else "Cancelled"
        else:
            state = "Paid" if rng.random() < 0.15 else "Unpaid"
        invoiceid = self.next_id("invoices")
        paid = stamp if state in ("Paid", "Refunded") else "0000-00-00 00:00:00"
        batch.invoices.append((invoiceid, client.id, oid, stamp[:10], stamp[:10], paid, total,
                               state, gateway, total))
        return invoiceid

    def _fraud(self, stamp: str, status: str, client: Client, ip: str) -> tuple[str, str]:
        rng = self.rng
        if status == "Fraud":
            score, country = rng.uniform(70, 99.9), rng.choice(FRAUD_COUNTRIES)
        elif status == "In Review":
            score, country = rng.uniform(40, 80), client.country
        else:
            score, country = min(rng.expovariate(1 / 9), 69.0), client.country
        if stamp[:10] < self.fraud_switch:
            return "maxmind", json.dumps({
                "riskScore": f"{score:.2f}", "ip_country": country, "ip_address": ip,
                "ip_isp": rng.choice(("Comcast Cable", "Deutsche Telekom AG", "BT",
                                      "Orange S.A.", "OVH SAS")),
                "freeMail": rng.choice(("No", "No", "Yes")),
                "countryMatch": "Yes" if country == client.country else "No",
                "anonymousProxy": "Yes" if score > 85 else "No"})
        points = round(score)
        verdict = "APPROVE" if points < 40 else ("REVIEW" if points < 70 else "REJECT")
        return "fraudlabs", json.dumps({
            "fraudlabspro_id": f"{rng.randrange(16**12):012X}",
            "fraudlabspro_score": str(points), "fraudlabspro_status": verdict,
            "ip_country": country, "is_proxy_ip_address": "Y" if points > 85 else "N",
            "is_country_match": "Y" if country == client.country else "N",
            "fraudlabspro_credits": str(rng.randrange(100, 5000))})


def line_status(order_status: str, age_days: float, rng: random.Random) -> str:
    """A service's status given its order's status and age (old services churn)."""
    if order_status in ("Pending", "In Review"):
        return "Pending"
    if order_status in ("Cancelled", "Fraud"):
        return order_status
    if age_days > 365:
        roll = rng.random()
        if roll < 0.2:
            return "Terminated"
        if roll < 0.28:
            return "Cancelled"
        if roll < 0.32:
            return "Suspended"
    return "Active"


class _Lines:
    """Turns one order's items into service, addon and domain rows; returns amounts."""

    def __init__(self, factory: OrderFactory, oid: int, client: Client, stamp: str,
                 status: str, age: float, promo: Promotion | None, batch: Batch) -> None:
        rng = factory.rng
        self.f, self.oid, self.client, self.stamp = factory, oid, client, stamp
        self.status, self.age, self.promo, self.batch = status, age, promo, batch
        self.gateway = rng.choices(_GATEWAY_NAMES, cum_weights=_GATEWAY_CUM)[0]
        self.ip = client.ip if rng.random() < 0.8 else random_ip(rng, client.country)
        if status == "Fraud":
            self.ip = random_ip(rng, None)

    def add(self, item: _Item) -> int:
        return self._product(item) if item.kind == "product" else self._domain(item)

    def _product(self, item: _Item) -> int:
        f, cur = self.f, self.client.currency
        price, setup = f.pricing.product(item.pid, cur, item.cycle) or (0, 0)
        price += sum(f.pricing.config(sub, cur, item.cycle) * qty
                     for sub, qty in item.configs.values())
        recurring = price
        if self.promo and self.promo.applies(item.pid, item.cycle):
            price, setup = self.promo.discount(price, setup)
            recurring = price if self.promo.recurring else recurring
        total = 0
        for _ in range(item.qty):
            sid = f.next_id("hosting")
            self.batch.hosting.append((
                sid, self.oid, self.client.id, item.pid, item.domain, CYCLE_LABELS[item.cycle],
                price + setup, recurring, line_status(self.status, self.age, f.rng),
                self.stamp[:10], self.gateway, self.promo.id if self.promo else 0))
            self.batch.configvalues.extend((sid, cid, sub, qty)
                                           for cid, (sub, qty) in item.configs.items())
            total += price + setup
        for addonid in item.addons:
            addon_price, addon_setup = f.pricing.addon(addonid, cur, item.cycle)
            self.batch.addons.append((
                f.next_id("addons"), self.oid, sid, addonid, CYCLE_LABELS[item.cycle],
                addon_price + addon_setup, addon_price,
                line_status(self.status, self.age, f.rng), self.stamp[:10]))
            total += addon_price + addon_setup
        return total

    def _domain(self, item: _Item) -> int:
        f = self.f
        prices = f.pricing.tld(tld_of(item.domain) or ".com", self.client.currency)
        assert prices is not None
        register, transfer, renew = prices
        amount = register * item.years if item.domaintype == "register" else transfer
        state = line_status(self.status, self.age, f.rng)
        if state == "Terminated":
            state = "Expired"
        self.batch.domains.append((
            f.next_id("domains"), self.oid, self.client.id, item.domaintype.capitalize(),
            item.domain, item.years, amount, renew, state, self.stamp[:10],
            int(f.rng.random() < 0.3), int(f.rng.random() < 0.1), int(f.rng.random() < 0.4)))
        return amount
