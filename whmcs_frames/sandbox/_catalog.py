"""The sandbox's shop: currencies, gateways, products, pricing, addons, TLDs, promotions.

Money is held in integer cents throughout the sandbox so sums never drift; ``-100``
cents is WHMCS's ``-1.00`` ("this billing cycle is not offered"). Everything here is
fixed except the promotions' dates, which follow the synthetic timeline's end so
that the same seed always yields the same catalog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from .._api.php import php_serialize

NOT_OFFERED = -100

#: Recurring cycles in WHMCS's pricing-slot order (monthly slot doubles as one-time).
CYCLES = ("monthly", "quarterly", "semiannually", "annually", "biennially", "triennially")
SETUP_KEYS = ("msetupfee", "qsetupfee", "ssetupfee", "asetupfee", "bsetupfee", "tsetupfee")
#: Every billing cycle AddOrder accepts, as the API spells them.
API_CYCLES = ("free", "onetime", *CYCLES)
#: How WHMCS stores and displays each cycle.
CYCLE_LABELS = {
    "free": "Free Account", "onetime": "One Time", "monthly": "Monthly",
    "quarterly": "Quarterly", "semiannually": "Semi-Annually", "annually": "Annually",
    "biennially": "Biennially", "triennially": "Triennially",
}
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "semiannually": 6, "annually": 12,
                "biennially": 24, "triennially": 36}


@dataclass(frozen=True)
class Currency:
    """A currency with WHMCS's display prefix/suffix and a rate against USD."""

    id: int
    code: str
    prefix: str
    suffix: str
    rate: float


CURRENCIES = (
    Currency(1, "USD", "$", " USD", 1.0),
    Currency(2, "EUR", "€", " EUR", 0.92),
    Currency(3, "GBP", "£", " GBP", 0.79),
)
CURRENCY_BY_ID = {c.id: c for c in CURRENCIES}

#: (system name, display name), in the order WHMCS lists active gateways.
PAYMENT_METHODS = (
    ("stripe", "Credit Card"),
    ("paypal", "PayPal"),
    ("banktransfer", "Bank Transfer"),
    ("mailin", "Mail In Payment"),
)

#: (title, colour): the four built-in statuses, then this installation's custom one.
ORDER_STATUSES = (
    ("Pending", "#cc0000"), ("Active", "#779500"), ("Cancelled", "#888888"),
    ("Fraud", "#000000"), ("In Review", "#f0ad4e"),
)

PRODUCT_GROUPS = ((1, "Web Hosting", "web-hosting"), (2, "VPS &amp; Servers", "vps-servers"),
                  (3, "Extras", "extras"))
PRODUCT_TYPE_LABELS = {"hostingaccount": "Shared Hosting", "reselleraccount": "Reseller Hosting",
                       "server": "Dedicated/VPS Server",
                       "other": "Other Product/Service"}  # the GetOrders reference's label


@dataclass(frozen=True)
class Product:
    """A product with USD prices per cycle (``None`` = not offered) and setup fees."""

    pid: int
    gid: int
    type: str
    name: str
    slug: str
    module: str
    paytype: str
    allowqty: int
    stock: int
    description: str
    usd: tuple[int | None, ...]
    setup: tuple[int, ...] = (0, 0, 0, 0, 0, 0)
    not_in: tuple[str, ...] = ()


_N = None
PRODUCTS = (
    Product(1, 1, "hostingaccount", "Starter", "starter", "cpanel", "recurring", 0, 0,
            "Perfect for blogs &amp; portfolios<br />\n1 website, 10 GB NVMe",
            (499, 1449, 2799, 4788, 8976, 12564)),
    Product(2, 1, "hostingaccount", "Business", "business", "cpanel", "recurring", 0, 0,
            "Unlimited sites, daily backups &amp; free SSL<br />\n50 GB NVMe",
            (999, 2899, 5599, 9588, 17976, 25164)),
    Product(3, 1, "reselleraccount", "Reseller Pro", "reseller-pro", "cpanel", "recurring",
            0, 0, "White-label hosting for 50 client accounts",
            (2495, 7200, _N, 26900, _N, _N)),
    Product(4, 2, "server", "Cloud VPS S", "cloud-vps-s", "virtualizor", "recurring", 1, 0,
            "2 vCPU, 2 GB RAM, 40 GB NVMe &mdash; root access",
            (1900, 5500, _N, 19900, _N, _N), (1000, 1000, 0, 0, 0, 0)),
    Product(5, 2, "server", "Cloud VPS L", "cloud-vps-l", "virtualizor", "recurring", 1, 0,
            "8 vCPU, 16 GB RAM, 320 GB NVMe &mdash; root access",
            (4900, 14400, 28200, 52900, _N, _N), (1000, 1000, 0, 0, 0, 0)),
    Product(6, 2, "server", "Bare Metal E3", "bare-metal-e3", "", "recurring", 0, 3,
            "Xeon E3, 32 GB ECC, 2&times;1 TB SSD (US &amp; EU racks only)",
            (12900, _N, _N, 139900, _N, _N), (9900, 0, 0, 0, 0, 0), ("GBP",)),
    Product(7, 3, "other", "SSL Certificate (DV)", "ssl-dv", "", "onetime", 1, 0,
            "Domain-validated certificate, issued in minutes", (3900, _N, _N, _N, _N, _N)),
    Product(8, 3, "hostingaccount", "Free Trial Hosting", "free-trial", "cpanel", "free", 0,
            0, "30 days on us &mdash; no card needed", (_N, _N, _N, _N, _N, _N)),
)
PRODUCT_BY_ID = {p.pid: p for p in PRODUCTS}

#: (id, pid, name, description, fieldtype, options, required, showorder)
CUSTOM_FIELDS = (
    (1, 1, "Website purpose", "What will you host?", "dropdown", "Blog,Shop,Portfolio,Other",
     "", "on"),
    (2, 2, "Website purpose", "", "dropdown", "Blog,Shop,Portfolio,Other", "", "on"),
    (3, 2, "Migrate my site", "We move your site for free", "tickbox", "", "", "on"),
    (4, 4, "Server label", "Shown in your control panel", "text", "", "on", "on"),
    (5, 4, "Provisioning notes", "Staff only", "textarea", "", "", ""),
    (6, 5, "Server label", "Shown in your control panel", "text", "", "on", "on"),
    (7, 6, "Company VAT number", "EU business customers", "text", "", "on", "on"),
    (8, 6, "Rack preference", "", "dropdown", "Any,Frankfurt,Dallas", "", "on"),
    (9, 7, "Common name", "e.g. www.example.com", "text", "", "on", "on"),
)

#: (id, name, type, minqty, maxqty, pids); types: 1 dropdown, 2 radio, 3 yes/no, 4 quantity.
CONFIG_OPTIONS = (
    (1, "Memory", 1, 0, 0, (4, 5)),
    (2, "Operating System", 2, 0, 0, (4, 5, 6)),
    (3, "Extra IPv4 addresses", 4, 0, 8, (4, 5, 6)),
    (4, "Managed backups", 3, 0, 0, (4, 5)),
)
#: (id, configid, name, USD monthly cents)
CONFIG_SUBS = (
    (1, 1, "2 GB", 0), (2, 1, "4 GB", 800), (3, 1, "8 GB", 2000),
    (4, 2, "Ubuntu 24.04", 0), (5, 2, "Debian 12", 0), (6, 2, "AlmaLinux 9", 0),
    (7, 2, "Windows Server 2022", 1500),
    (8, 3, "IP address", 200),
    (9, 4, "Enabled", 500),
)

#: (id, name, description, packages, USD monthly cents, USD setup cents)
ADDONS = (
    (1, "Daily Backups", "Off-site, 30 days retention", "1,2,3", 200, 0),
    (2, "Dedicated IP", "A static IPv4 address", "1,2,3,4,5", 300, 0),
    (3, "Managed Support", "We patch &amp; monitor for you", "4,5,6", 2500, 2500),
    (4, "SiteLock Malware Scan", "Daily scans", "1,2", 199, 0),
)
ADDON_BY_ID = {a[0]: a for a in ADDONS}

#: extension -> USD cents (register, transfer, renew) for one year.
TLDS = {
    ".com": (1299, 1299, 1499), ".net": (1499, 1499, 1699), ".org": (1349, 1349, 1549),
    ".io": (3900, 3900, 4500), ".de": (899, 899, 899), ".co.uk": (949, 0, 949),
    ".eu": (799, 799, 899), ".fr": (1099, 1099, 1199), ".es": (999, 999, 1099),
    ".nl": (999, 999, 999), ".ie": (1999, 1999, 1999),
}


def convert(cents: int, currency: Currency) -> int:
    """A USD amount in another currency, rounded to whole cents (``-1.00`` stays)."""
    if cents == NOT_OFFERED:
        return NOT_OFFERED
    return round(cents * currency.rate)


def product_prices(product: Product, currency: Currency) -> tuple[list[int], list[int]]:
    """(cycle prices, setup fees) in cents for one currency; ``NOT_OFFERED`` marks gaps."""
    if currency.code in product.not_in:
        return [NOT_OFFERED] * 6, [0] * 6
    prices = [NOT_OFFERED if p is None else convert(p, currency) for p in product.usd]
    return prices, [convert(s, currency) for s in product.setup]


def scaled_prices(monthly_usd: int, setup_usd: int, currency: Currency) -> tuple[list[int],
                                                                              list[int]]:
    """Pricing for config options and addons: the monthly price times the cycle's months."""
    prices = [convert(monthly_usd * CYCLE_MONTHS[c], currency) for c in CYCLES]
    return prices, [convert(setup_usd, currency)] * 6


def tld_of(domain: str) -> str | None:
    """The priced extension a domain name ends with (longest match), or None."""
    lowered = domain.lower()
    matches = [ext for ext in TLDS if lowered.endswith(ext) and len(lowered) > len(ext)]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True)
class Promotion:
    """One promotion row; money in cents, dates as WHMCS strings (``0000-00-00`` = none)."""

    id: int
    code: str
    type: str
    value: int
    appliesto: str
    startdate: str = "0000-00-00"
    expirationdate: str = "0000-00-00"
    cycles: str = ""
    recurring: int = 0
    requires: str = ""
    requiresexisting: int = 0
    maxuses: int = 0
    lifetimepromo: int = 0
    applyonce: int = 0
    newsignups: int = 0
    existingclient: int = 0
    onceperclient: int = 0
    recurfor: int = 0
    upgrades: int = 0
    upgradeconfig: str = ""
    notes: str = ""

    @cached_property
    def pids(self) -> frozenset[int]:
        """The product ids ``appliesto`` names."""
        return frozenset(int(p) for p in self.appliesto.split(",") if p.strip().isdigit())

    def live_on(self, day: str) -> bool:
        """Whether the promotion's date window contains ``day`` (``YYYY-MM-DD``)."""
        starts_ok = self.startdate == "0000-00-00" or self.startdate <= day
        ends_ok = self.expirationdate == "0000-00-00" or day <= self.expirationdate
        return starts_ok and ends_ok

    def applies(self, pid: int, cycle: str) -> bool:
        """Whether the promotion discounts product ``pid`` on API cycle ``cycle``."""
        if pid not in self.pids:
            return False
        return not self.cycles or CYCLE_LABELS.get(cycle, cycle) in self.cycles.split(",")

    def discount(self, price: int, setup: int) -> tuple[int, int]:
        """(price, setup) in cents after this promotion."""
        if self.type == "Percentage":
            return round(price * (10000 - self.value) / 10000), setup
        if self.type == "Fixed Amount":
            return max(price - self.value, 0), setup
        if self.type == "Price Override":
            return self.value, setup
        return price, 0  # Free Setup


def _upgrade_config(value: str = "0.00", discounttype: str = "Percentage",
                    configoptions: str = "") -> str:
    return php_serialize({"value": value, "type": "", "discounttype": discounttype,
                          "configoptions": configoptions})


def _black_friday(year: int) -> dt.date:
    november = dt.date(year, 11, 1)
    first_thursday = november + dt.timedelta(days=(3 - november.weekday()) % 7)
    return first_thursday + dt.timedelta(days=22)


def build_promotions(start: dt.date, end: dt.date) -> list[Promotion]:
    """The promotions for a timeline running from ``start`` to ``end``.

    Some have expired by ``end``, some never expire and Black Friday codes exist for
    every November the timeline spans, so promotion analytics have something to show.
    """
    day = dt.date.isoformat
    promos = [
        Promotion(1, "WELCOME10", "Percentage", 1000, "1,2,3", day(start), newsignups=1,
                  onceperclient=1, upgradeconfig=_upgrade_config(),
                  notes="New customer discount"),
        Promotion(2, "SPRING5", "Fixed Amount", 500, "1,2", f"{start.year + 1}-03-01",
                  f"{start.year + 1}-04-30", cycles="Monthly,Quarterly",
                  upgradeconfig=_upgrade_config()),
        Promotion(3, "VPSDEAL", "Price Override", 1400, "4", cycles="Monthly", maxuses=250,
                  upgradeconfig=_upgrade_config(), notes="Cloud VPS S at $14 &amp; up"),
        Promotion(4, "NOSETUP", "Free Setup", 0, "4,5,6", upgradeconfig=_upgrade_config()),
        Promotion(5, "LOYAL15", "Percentage", 1500, "2,3", requires="1", requiresexisting=1,
                  existingclient=1, recurring=1, recurfor=12, upgradeconfig=_upgrade_config(),
                  notes="Upgrade path from Starter &amp; Business"),
        Promotion(6, "RESELL20", "Percentage", 2000, "3", day(end - dt.timedelta(days=200)),
                  day(end + dt.timedelta(days=60)), recurring=1, upgrades=1,
                  upgradeconfig=_upgrade_config("20.00", "Percentage", "1"),
                  notes="O&#039;Reilly partner programme"),
    ]
    for year in range(start.year, end.year + 1):
        friday = _black_friday(year)
        if start <= friday <= end:
            promos.append(Promotion(
                len(promos) + 1, f"BLACKFRIDAY{year % 100:02d}", "Percentage",
                3000 + 500 * (year % 2), "1,2,3,4,5", day(friday),
                day(friday + dt.timedelta(days=3)), maxuses=500, applyonce=1,
                upgradeconfig=_upgrade_config()))
    return promos
