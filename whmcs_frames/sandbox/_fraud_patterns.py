"""Seeded fraud patterns: what an analyst finds across orders and the fraud module misses.

Sandboxes of :data:`MIN_ORDERS` orders or more hold, among their ``orders``, these
orders (all deterministic from the seed; ``E`` is the timeline's end):

=====================  =========================  ========================================
pattern                when                       what
=====================  =========================  ========================================
ring, decided          ``E`` - 150 days, 6 h      6 new clients on two shared IPs
                                                  (``203.0.113.7`` x4, ``203.0.113.58``
                                                  x2), every one using ``WELCOME10``; two
                                                  pairs share a name (Alex Morgan, Sam
                                                  Carter). 4 Fraud, 1 Cancelled, 1 Active
                                                  (one that got through); module scores
                                                  only 6-40.
ring, pending          the last 20 h              6 new clients, ``WELCOME10`` again, on
                                                  ``198.51.100.23`` x4 and ring A's
                                                  ``203.0.113.7`` x2; one is another Alex
                                                  Morgan. All Pending, scores 9-88.
burst, decided         ``E`` - 90 days, 2 h       one new client, 5 orders: 4 Fraud,
                                                  1 Cancelled.
burst, pending         the last 6 h               one new client, 4 Pending orders, one
                                                  scored 81.
high first order       ``E`` - 200 days           a new client's first order is 5 Cloud
                                                  VPS L with every option: Fraud (score 35).
                       the last 12 h              two more, 4 Cloud VPS L and 6 Cloud
                                                  VPS S: Pending (scores 30 and 74).
                       ``E`` - 300 days           a genuine one: an agency's 4 Cloud VPS L,
                                                  Active (the signal's false positive).
shared office IP       ``E`` - 60 days            3 colleagues' first orders from
                                                  ``192.0.2.10`` in one day, all Active.
=====================  =========================  ========================================

Fraudulent orders' module output carries proxy flags (most), country mismatches (IP in
NG/RU/VN/… against a US/GB/DE billing address) and large distances. Pattern clients get
ids after the generated ones; the orders take ids in date order among the others.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field

from ._orders import NAMESERVERS, Batch, OrderFactory, _Item, _Lines
from ._people import COUNTRIES, Client, ascii_slug, random_domain
from ._pricing import Pricing

#: Sandboxes smaller than this hold no seeded patterns (and generate as before).
MIN_ORDERS = 500
RING_IP, RING_IP_2, RING_B_IP, OFFICE_IP = ("203.0.113.7", "203.0.113.58", "198.51.100.23",
                                            "192.0.2.10")
FARMED_PROMO = "WELCOME10"


@dataclass
class Planned:
    """One seeded order: who, when, what, and what the fraud module said."""

    when: dt.datetime
    client: Client
    items: list[_Item]
    status: str
    ip: str
    score: float
    ip_country: str
    proxy: bool = False
    promo: str = ""
    note: str = field(default="")


class FraudPatterns(OrderFactory):
    """Plans the seeded orders for one database and builds them into a batch.

    Parameters
    ----------
    seed : int
        The sandbox's seed (its own random stream, so generated orders are unaffected).
    end : datetime
        The timeline's end.
    pricing : Pricing
        Prices and promotions.
    first_client_id : int
        The id the first pattern client gets.
    base : OrderFactory
        The generator whose ids, order numbers and promotion counts are shared.
    """

    def __init__(self, seed: int, end: dt.datetime, pricing: Pricing, first_client_id: int,
                 base: OrderFactory) -> None:
        super().__init__(pricing, [], random.Random(f"fraud-patterns:{seed}"), end, base.ids)
        self.ordernums = base.ordernums
        self.promo_uses = base.promo_uses
        self._next_client = first_client_id
        self.planned: list[Planned] = []
        self._plan()
        self.planned.sort(key=lambda p: p.when)

    # -- clients and timestamps ------------------------------------------------------

    def _client(self, first: str, last: str, country: str, ip: str, company: str = "") -> Client:
        cid = self._next_client
        self._next_client += 1
        email = f"{ascii_slug(first)}{ascii_slug(last)}{cid}@mail.example"
        client = Client(cid, first, last, company, email, country, COUNTRIES[country][0],
                        "Active", ip)
        self.clients.append(client)
        return client

    def _at(self, days_before_end: float, spread_hours: float) -> dt.datetime:
        offset = dt.timedelta(days=days_before_end,
                              seconds=self.rng.uniform(0, spread_hours * 3600))
        return self.end - offset

    def _hosting(self, pid: int, client: Client, *, qty: int = 1, full: bool = False) -> _Item:
        item = _Item("product", pid=pid, cycle="monthly", qty=qty,
                     domain=random_domain(self.rng, client.country))
        if full:  # every paid option: the biggest invoice the product allows
            item.configs = {1: (3, 1), 2: (7, 1), 3: (8, 8), 4: (9, 1)}
        return item

    # -- the plan ------------------------------------------------------------------

    def _ring(self, days: float, hours: float, members: list[tuple], status_scores: list) -> None:
        for (first, last, country, ip), (status, score) in zip(members, status_scores,
                                                              strict=True):
            client = self._client(first, last, country, ip)
            self.planned.append(Planned(
                self._at(days, hours), client, [self._hosting(2, client)], status, ip, score,
                self.rng.choice(("NG", "RU", "VN", "ID")), proxy=score > 20,
                promo=FARMED_PROMO))

    def _plan(self) -> None:
        self._ring(150, 6, [("Alex", "Morgan", "US", RING_IP), ("Sam", "Carter", "GB", RING_IP),
                            ("Alex", "Morgan", "US", RING_IP), ("Jordan", "Reyes", "US", RING_IP),
                            ("Sam", "Carter", "DE", RING_IP_2), ("Casey", "Doyle", "GB",
                                                                 RING_IP_2)],
                   [("Fraud", 6.0), ("Fraud", 22.0), ("Fraud", 31.0), ("Cancelled", 14.0),
                    ("Fraud", 40.0), ("Active", 9.0)])
        self._ring(0, 20, [("Alex", "Morgan", "US", RING_B_IP), ("Riley", "Quinn", "GB", RING_B_IP),
                           ("Taylor", "Brooks", "US", RING_B_IP), ("Drew", "Hale", "DE",
                                                                   RING_B_IP),
                           ("Morgan", "Ellis", "US", RING_IP), ("Avery", "Stone", "GB", RING_IP)],
                   [("Pending", 9.0), ("Pending", 24.0), ("Pending", 38.0), ("Pending", 55.0),
                    ("Pending", 74.0), ("Pending", 88.0)])
        self._burst(90, 2, "Kim", "Novak", "US", ["Fraud"] * 4 + ["Cancelled"],
                    [12.0, 18.0, 25.0, 33.0, 15.0])
        self._burst(0, 6, "Lee", "Marsh", "GB", ["Pending"] * 4, [21.0, 44.0, 81.0, 36.0])
        self._high(200, "Vic", "Lorne", "US", 5, 5, "Fraud", 35.0, proxy=True)
        self._high(0.1, "Pat", "Crane", "US", 5, 4, "Pending", 30.0, proxy=True)
        self._high(0.2, "Rowan", "Vale", "GB", 4, 6, "Pending", 74.0, proxy=False)
        agency = self._client("Greta", "Lindqvist", "DE", "91.44.12.7", "Lindqvist Digital GmbH")
        self.planned.append(Planned(self._at(300, 8), agency,
                                    [self._hosting(5, agency, qty=4, full=True)], "Active",
                                    agency.ip, 4.0, "DE"))
        for first, last in (("Ines", "Okafor"), ("Tomas", "Berg"), ("Mira", "Falk")):
            client = self._client(first, last, "NL", OFFICE_IP, "Falk &amp; Berg Studio")
            self.planned.append(Planned(self._at(60, 9), client, [self._hosting(1, client)],
                                        "Active", OFFICE_IP, 3.0, "NL"))

    def _burst(self, days: float, hours: float, first: str, last: str, country: str,
               statuses: list[str], scores: list[float]) -> None:
        ip = f"185.220.{self.rng.randrange(100, 200)}.{self.rng.randrange(1, 255)}"
        client = self._client(first, last, country, ip)
        for status, score in zip(statuses, scores, strict=True):
            item = _Item("product", pid=7, cycle="onetime", domain="")
            self.planned.append(Planned(self._at(days, hours), client, [item], status, ip,
                                        score, "RU", proxy=True))

    def _high(self, days: float, first: str, last: str, country: str, pid: int, qty: int,
              status: str, score: float, *, proxy: bool) -> None:
        ip = f"102.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"
        client = self._client(first, last, country, ip)
        self.planned.append(Planned(self._at(days, 3), client,
                                    [self._hosting(pid, client, qty=qty, full=True)], status,
                                    ip, score, "NG", proxy=proxy))

    # -- building -------------------------------------------------------------------

    def build(self, plan: Planned, oid: int, batch: Batch) -> None:
        """Append ``plan`` as order ``oid`` (with invoice and services) to ``batch``."""
        stamp = plan.when.strftime("%Y-%m-%d %H:%M:%S")
        age = (self.end - plan.when).total_seconds() / 86400
        promo = next((p for p in self.pricing.promotions if p.code == plan.promo), None)
        if promo is not None:
            self.promo_uses[promo.code] = self.promo_uses.get(promo.code, 0) + 1
        lines = _Lines(self, oid, plan.client, stamp, plan.status, age, promo, batch)
        total = sum(lines.add(item) for item in plan.items)
        invoiceid = self._invoice(batch, oid, plan.client, stamp, total, plan.status,
                                  lines.gateway)
        module, output = self._output(stamp, plan)
        batch.orders.append((
            oid, self.new_ordernum(), plan.client.id, 0, plan.client.id, 0, stamp,
            NAMESERVERS if any(i.domain for i in plan.items) else "", "", "",
            json.dumps({"domains": [], "services": [], "addons": []}),
            promo.code if promo else "", promo.type if promo else "",
            promo.value if promo else 0, "", total, lines.gateway, invoiceid, plan.status,
            plan.ip, module, output, "", "", plan.note))

    def _output(self, stamp: str, plan: Planned) -> tuple[str, str]:
        match = plan.ip_country == plan.client.country
        distance = 12 if match else 6100 + round(plan.score * 40)
        if stamp[:10] < self.fraud_switch:
            return "maxmind", json.dumps({
                "riskScore": f"{plan.score:.2f}", "ip_country": plan.ip_country,
                "ip_address": plan.ip, "ip_isp": "Hosting Provider" if plan.proxy else "BT",
                "anonymousProxy": "Yes" if plan.proxy else "No", "freeMail": "Yes",
                "countryMatch": "Yes" if match else "No", "distance": str(distance)})
        points = round(plan.score)
        verdict = "APPROVE" if points < 40 else ("REVIEW" if points < 70 else "REJECT")
        return "fraudlabs", json.dumps({
            "fraudlabspro_id": f"{self.rng.randrange(16**12):012X}",
            "fraudlabspro_score": str(points), "fraudlabspro_status": verdict,
            "ip_country": plan.ip_country, "is_proxy_ip_address": "Y" if plan.proxy else "N",
            "is_free_email": "Y", "is_country_match": "Y" if match else "N",
            "distance_in_km": str(distance), "fraudlabspro_credits": "812"})


def seeded_patterns(orders: int, seed: int, end: dt.datetime, pricing: Pricing,
                    first_client_id: int, base: OrderFactory) -> FraudPatterns | None:
    """The patterns for a database of ``orders`` orders, or None below :data:`MIN_ORDERS`."""
    if orders < MIN_ORDERS:
        return None
    return FraudPatterns(seed, end, pricing, first_client_id, base)
