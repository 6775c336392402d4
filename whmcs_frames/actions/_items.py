"""AddOrder's items: :class:`Product` and :class:`Domain`, and WHMCS's parallel arrays.

WHMCS takes an order's items as parallel PHP arrays (``pid[0]``, ``billingcycle[0]``,
``domain[0]``…). Getting one index wrong silently gives a customer another product's
options, so the arrays are only ever built here, from whole items:

- product *i* (in the order products appear in ``items``) has every one of its values at
  index *i*: ``pid[i]``, ``billingcycle[i]``, ``domain[i]``, ``customfields[i]``…;
- ``domain[]`` is shared by products and domain registrations, and the domain arrays
  (``domaintype[]``, ``regperiod[]``, ``eppcode[]``…) are indexed like ``domain[]``.
  A :class:`Domain` whose name is a product's domain rides on that product's index (the
  documented "hosting plus its domain" form); every other domain item follows the
  products, at indexes *P*, *P+1*…;
- only values that were given are sent, at their item's index (PHP arrays may have
  gaps), so no placeholder can be misread as a value — an empty ``priceoverride`` is
  never a price of 0.

Example
-------
>>> arrays = item_arrays([Product(1, "monthly", domain="example.com"),
...                       Domain("example.com"), Domain("example.org", regperiod=2)])
>>> arrays["domain"], arrays["domaintype"], arrays["regperiod"]
({0: 'example.com', 1: 'example.org'}, {0: 'register', 1: 'register'}, {0: 1, 1: 2})
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._api.php import encode_serialized
from .._api.registry import ACTIONS
from .._api.secrets import secret_text
from .._exceptions import ValidationError
from .._validate import choice, flag, id_list, money, positive_int, text, whmcs_id
from ..frames._lines import CYCLE_KEYS

__all__ = [
    "BILLING_CYCLES",
    "DOMAIN_TYPES",
    "ITEM_PARAMS",
    "Domain",
    "Product",
    "item_arrays",
]

BILLING_CYCLES = CYCLE_KEYS  # AddOrder takes the same keys product_pricing uses
DOMAIN_TYPES = ("register", "transfer")
#: AddOrder parameters only :class:`Product`/:class:`Domain` items may fill.
ITEM_PARAMS = frozenset({
    "pid", "qty", "domain", "billingcycle", "hostname", "ns1prefix", "ns2prefix", "rootpw",
    "priceoverride", "customfields", "configoptions", "addons", "addonsqty", "domaintype",
    "regperiod", "idnlanguage", "eppcode", "dnsmanagement", "emailforwarding",
    "idprotection", "domainfields", "domainpriceoverride", "domainrenewoverride",
})
_ARRAY_ORDER = [name for name in ACTIONS["add_order"].params if name in ITEM_PARAMS]


def _field_map(name: str, value: Any) -> dict[int | str, str | int | float | bool]:
    if not isinstance(value, Mapping):
        raise ValidationError(name, "a mapping of field id to value", got=value)
    for key, item in value.items():
        if isinstance(key, bool) or not isinstance(key, int | str) or key == "":
            raise ValidationError(name, "field ids as int or str keys", got=key)
        if not isinstance(item, str | int | float | bool):
            raise ValidationError(f"{name}[{key}]", "a str, int, float or bool", got=item)
        if isinstance(item, float) and not math.isfinite(item):
            # serialize() would write d:NAN; which PHP's unserialize() refuses, and
            # WHMCS would then drop every field of the item.
            raise ValidationError(f"{name}[{key}]", "a finite number", got=item)
    return dict(value)


def _set(item: Any, name: str, value: Any) -> None:
    object.__setattr__(item, name, value)  # normalise a frozen dataclass's field


def _optional(item: Any, check: Any, names: Sequence[str], **kwargs: Any) -> None:
    for name in names:
        value = getattr(item, name)
        if value is not None:
            _set(item, name, check(name, value, **kwargs))


@dataclass(frozen=True)
class Product:
    """One product line of an order (AddOrder's per-product arrays).

    Parameters
    ----------
    pid : int
        The product id.
    billingcycle : str
        free, onetime, monthly, quarterly, semiannually, annually, biennially or
        triennially.
    qty : int, optional
        Quantity (WHMCS 8.12+).
    domain : str, optional
        The domain the service is for; add a :class:`Domain` of the same name to
        register or transfer it in the same order.
    customfields, configoptions : mapping, optional
        Field or option id → value; sent as base64 PHP-serialized maps.
    priceoverride : float, optional
        A price replacing the product's.
    addons : list of int, optional
        Addon ids to order with the product.
    addonsqty : list of int, optional
        A quantity per addon, in the order of ``addons``.
    hostname, ns1prefix, ns2prefix : str, optional
        For VPS and dedicated servers.
    rootpw : str, optional
        The server's root password (a secret: never shown or logged).

    Examples
    --------
    >>> Product(1, "Monthly", customfields={5: "Zoë"}).billingcycle
    'monthly'
    """

    pid: int
    billingcycle: str
    qty: int | None = None
    domain: str | None = None
    customfields: Mapping[int | str, str | int | float | bool] = field(
        default_factory=dict, hash=False)
    configoptions: Mapping[int | str, str | int | float | bool] = field(
        default_factory=dict, hash=False)
    priceoverride: float | None = None
    addons: Sequence[int] | None = field(default=None, hash=False)
    addonsqty: Sequence[int] | None = field(default=None, hash=False)
    hostname: str | None = None
    ns1prefix: str | None = None
    ns2prefix: str | None = None
    rootpw: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _set(self, "pid", whmcs_id("pid", self.pid))
        _set(self, "billingcycle", choice("billingcycle", self.billingcycle, BILLING_CYCLES))
        _optional(self, positive_int, ["qty"])
        _optional(self, text, ["domain", "hostname", "ns1prefix", "ns2prefix"])
        _optional(self, secret_text, ["rootpw"])
        _optional(self, money, ["priceoverride"])
        _optional(self, id_list, ["addons", "addonsqty"])
        _set(self, "customfields", _field_map("customfields", self.customfields))
        _set(self, "configoptions", _field_map("configoptions", self.configoptions))
        if self.addonsqty is not None and len(self.addonsqty) != len(self.addons or ()):
            raise ValidationError("addonsqty", "one quantity per addon in addons",
                                  got=self.addonsqty)

    def wire(self) -> dict[str, Any]:
        """This product's values by AddOrder array name (only the ones given)."""
        values: dict[str, Any] = {
            "pid": self.pid, "billingcycle": self.billingcycle, "qty": self.qty,
            "domain": self.domain, "priceoverride": self.priceoverride,
            "hostname": self.hostname, "ns1prefix": self.ns1prefix,
            "ns2prefix": self.ns2prefix, "rootpw": self.rootpw,
            "customfields": _serialized(self.customfields),
            "configoptions": _serialized(self.configoptions),
            "addons": _comma(self.addons), "addonsqty": _comma(self.addonsqty),
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Domain:
    """One domain registration or transfer (AddOrder's per-domain arrays).

    Parameters
    ----------
    name : str
        The domain name.
    domaintype : {"register", "transfer"}
    regperiod : int
        Years, 1 to 10.
    eppcode : str, optional
        The transfer authorisation code (a secret: never shown or logged).
    idnlanguage : str, optional
        Language code of an internationalised name (WHMCS 8.0+).
    dnsmanagement, emailforwarding, idprotection : bool, optional
        Domain addons.
    domainfields : mapping, optional
        TLD-specific field id → value; sent base64 PHP-serialized.
    domainpriceoverride, domainrenewoverride : float, optional
        Registration and renewal prices replacing the TLD's.

    Examples
    --------
    >>> Domain("example.com", domaintype="transfer", eppcode="x")
    Domain(name='example.com', domaintype='transfer', regperiod=1, idnlanguage=None, dnsmanagement=None, emailforwarding=None, idprotection=None, domainfields=None, domainpriceoverride=None, domainrenewoverride=None)
    """  # noqa: E501

    name: str
    domaintype: str = "register"
    regperiod: int = 1
    eppcode: str | None = field(default=None, repr=False)
    idnlanguage: str | None = None
    dnsmanagement: bool | None = None
    emailforwarding: bool | None = None
    idprotection: bool | None = None
    domainfields: Mapping[int | str, str | int | float | bool] | None = field(
        default=None, hash=False)
    domainpriceoverride: float | None = None
    domainrenewoverride: float | None = None

    def __post_init__(self) -> None:
        _set(self, "name", text("name", self.name))
        _set(self, "domaintype", choice("domaintype", self.domaintype, DOMAIN_TYPES))
        period = positive_int("regperiod", self.regperiod)
        if period > 10:
            raise ValidationError("regperiod", "1 to 10 years", got=period)
        _set(self, "regperiod", period)
        _optional(self, secret_text, ["eppcode"])
        _optional(self, text, ["idnlanguage"])
        _optional(self, flag, ["dnsmanagement", "emailforwarding", "idprotection"])
        _optional(self, money, ["domainpriceoverride", "domainrenewoverride"])
        _optional(self, _field_map, ["domainfields"])

    def wire(self) -> dict[str, Any]:
        """This domain's values by AddOrder array name (only the ones given)."""
        values: dict[str, Any] = {
            "domain": self.name, "domaintype": self.domaintype, "regperiod": self.regperiod,
            "eppcode": self.eppcode, "idnlanguage": self.idnlanguage,
            "dnsmanagement": self.dnsmanagement, "emailforwarding": self.emailforwarding,
            "idprotection": self.idprotection,
            "domainfields": _serialized(self.domainfields or {}),
            "domainpriceoverride": self.domainpriceoverride,
            "domainrenewoverride": self.domainrenewoverride,
        }
        return {k: v for k, v in values.items() if v is not None}


def _serialized(mapping: Mapping[Any, Any]) -> str | None:
    return encode_serialized(mapping) if mapping else None


def _comma(ids: Sequence[int] | None) -> str | None:
    return ",".join(str(i) for i in ids) if ids else None


def _domain_slots(products: list[Product], domains: list[Domain]) -> list[int]:
    """The ``domain[]`` index of each domain item (see the module docstring)."""
    on_product: dict[str, int] = {}
    for index, product in enumerate(products):
        if product.domain:
            on_product.setdefault(product.domain.casefold(), index)
    seen: set[str] = set()
    slots: list[int] = []
    next_free = len(products)
    for domain in domains:
        key = domain.name.casefold()
        if key in seen:
            raise ValidationError("items", "each domain at most once", got=domain.name)
        seen.add(key)
        if key in on_product:
            slots.append(on_product[key])
        else:
            slots.append(next_free)
            next_free += 1
    return slots


def item_arrays(items: Iterable[Product | Domain]) -> dict[str, dict[int, Any]]:
    """Products and domains as AddOrder's parallel arrays: name → {index: value}.

    Raises
    ------
    ValidationError
        For anything that is not a :class:`Product` or :class:`Domain`, or a domain
        listed twice.

    Examples
    --------
    >>> item_arrays([Domain("a.com"), Product(3, "annually")])["pid"]
    {0: 3}
    """
    if isinstance(items, Product | Domain):
        items = [items]
    products: list[Product] = []
    domains: list[Domain] = []
    for item in items:
        if isinstance(item, Product):
            products.append(item)
        elif isinstance(item, Domain):
            domains.append(item)
        else:
            raise ValidationError("items", "wf.Product or wf.Domain objects",
                                  got_text=f"a {type(item).__name__}")
    arrays: dict[str, dict[int, Any]] = {}
    indexed: list[tuple[int, Product | Domain]] = [
        *enumerate(products), *zip(_domain_slots(products, domains), domains, strict=True)]
    for index, entry in indexed:
        for name, value in entry.wire().items():
            # setdefault: a product and its own domain item share "domain"; first wins
            arrays.setdefault(name, {}).setdefault(index, value)
    # WHMCS's documented parameter order, so the wire (and the audit log) reads the same
    # whatever order the items came in
    return {name: dict(sorted(arrays[name].items())) for name in _ARRAY_ORDER
            if name in arrays}
