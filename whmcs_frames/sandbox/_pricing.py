"""Price look-ups shared by the order generator and AddOrder.

One place decides what a product, configurable option, addon or domain costs in a
currency on a billing cycle, so generated history and orders placed through the API
follow exactly the same rules as the pricing GetProducts publishes.
"""

from __future__ import annotations

from ._catalog import (
    ADDONS,
    CONFIG_OPTIONS,
    CONFIG_SUBS,
    CURRENCIES,
    CYCLES,
    NOT_OFFERED,
    PRODUCT_BY_ID,
    PRODUCTS,
    TLDS,
    Promotion,
    convert,
    product_prices,
    scaled_prices,
)

Cents = int


def money(cents: int) -> str:
    """Cents as WHMCS's two-decimal string: ``money(-100) == "-1.00"``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


class Pricing:
    """Every price in the shop, per currency id, plus the promotions by code.

    Parameters
    ----------
    promotions : list of Promotion
        The shop's promotions (their dates depend on the timeline).
    """

    def __init__(self, promotions: list[Promotion]) -> None:
        self.promotions = promotions
        self.promo_by_code = {p.code.upper(): p for p in promotions}
        self._products = {(p.pid, c.id): product_prices(p, c) for p in PRODUCTS
                          for c in CURRENCIES}
        self._subs = {(s[0], c.id): scaled_prices(s[3], 0, c)[0] for s in CONFIG_SUBS
                      for c in CURRENCIES}
        self._addons = {(a[0], c.id): scaled_prices(a[4], a[5], c) for a in ADDONS
                        for c in CURRENCIES}
        self._tlds = {(ext, c.id): tuple(convert(v, c) for v in usd)
                      for ext, usd in TLDS.items() for c in CURRENCIES}
        self.sub_config = {s[0]: s[1] for s in CONFIG_SUBS}
        self.config_pids = {o[0]: set(o[5]) for o in CONFIG_OPTIONS}
        self.config_type = {o[0]: o[2] for o in CONFIG_OPTIONS}
        self._offered = {(p.pid, c.id): [cycle for cycle in ("free", "onetime", *CYCLES)
                                         if self.product(p.pid, c.id, cycle) is not None]
                         for p in PRODUCTS for c in CURRENCIES}

    def product(self, pid: int, currency: int, cycle: str) -> tuple[Cents, Cents] | None:
        """(price, setup fee) for an API cycle name, or None when not offered."""
        product = PRODUCT_BY_ID.get(pid)
        if product is None:
            return None
        if product.paytype == "free":
            return (0, 0) if cycle == "free" else None
        prices, setups = self._products[(pid, currency)]
        if product.paytype == "onetime":
            slot = 0 if cycle == "onetime" else None
        else:
            slot = CYCLES.index(cycle) if cycle in CYCLES else None
        if slot is None or prices[slot] == NOT_OFFERED:
            return None
        return prices[slot], setups[slot]

    def offered_cycles(self, pid: int, currency: int) -> list[str]:
        """The API cycle names product ``pid`` may be ordered on in ``currency``."""
        return self._offered.get((pid, currency), [])

    def config(self, subid: int, currency: int, cycle: str) -> Cents:
        """Recurring price of one configurable-option choice (0 for one-time/free)."""
        if cycle not in CYCLES:
            return 0
        return self._subs[(subid, currency)][CYCLES.index(cycle)]

    def addon(self, addonid: int, currency: int, cycle: str) -> tuple[Cents, Cents]:
        """(price, setup) of an addon on its parent's cycle (monthly for one-time)."""
        prices, setups = self._addons[(addonid, currency)]
        slot = CYCLES.index(cycle) if cycle in CYCLES else 0
        return prices[slot], setups[slot]

    def tld(self, extension: str, currency: int) -> tuple[Cents, Cents, Cents] | None:
        """(register, transfer, renew) for one year, or None for an unknown TLD."""
        return self._tlds.get((extension, currency))  # type: ignore[return-value]


def pricing_rows(kind: str, relid: int, currency: int, prices: list[int],
                 setups: list[int]) -> tuple:
    """One ``pricing`` table row: kind, relid, currency, six setup fees, six prices."""
    return (kind, relid, currency, *setups, *prices)


def catalog_pricing_rows(pricing: Pricing) -> list[tuple]:
    """Every pricing row GetProducts publishes (products and config-option choices)."""
    rows = []
    for (pid, currency), (prices, setups) in pricing._products.items():
        if PRODUCT_BY_ID[pid].paytype == "free":
            prices, setups = [NOT_OFFERED] * 6, [0] * 6
        rows.append(pricing_rows("product", pid, currency, prices, setups))
    for (subid, currency), prices in pricing._subs.items():
        rows.append(pricing_rows("configoptions", subid, currency, prices, [0] * 6))
    return rows
