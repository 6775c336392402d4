"""WHMCS fields that need more than a dtype: currency codes, fraud results, id lists,
PHP-serialised settings and product pricing blocks.

Each reader takes raw values as WHMCS sends them and never raises on untidy input:
what cannot be read becomes None or NaN, because one odd order must not stop a frame.

Example
-------
>>> currency_code("$", " USD"), int_list("1, 4,x")
('USD', [1, 4])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._api.decode import decode_text
from ._dtypes import (
    Column,
    flag_value,
    is_missing,
    number,
    object_array,
    text_value,
    to_category,
)

__all__ = [
    "FRAUD_FLAG_COLUMNS",
    "currency_code",
    "currency_codes",
    "fraud_columns",
    "fraud_fields",
    "int_list",
    "pricing_rows",
    "unserialized_or_none",
]


# Symbols WHMCS installs commonly use as a currency prefix or suffix. Ambiguous ones
# ("kr", "Fr") are left out on purpose: a wrong currency is worse than NA.
_SYMBOL_CODES = {
    "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "Rs": "INR",
    "R$": "BRL", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD",
    "HK$": "HKD", "S$": "SGD", "₽": "RUB", "₺": "TRY", "₩": "KRW", "₪": "ILS", "₫": "VND",
    "฿": "THB", "₱": "PHP", "₦": "NGN", "₴": "UAH", "zł": "PLN", "Kč": "CZK", "R": "ZAR",
    "Rp": "IDR", "RM": "MYR", "лв": "BGN", "lei": "RON", "Ft": "HUF",
}


def _iso_code(text: str) -> str | None:
    # Upper case only: a lower-case "lei" or "kr" is a symbol, not an ISO code.
    code = text.strip()
    is_code = len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()
    return code if is_code else None


def currency_code(prefix: Any, suffix: Any) -> str | None:
    """ISO 4217 code from a WHMCS currency prefix/suffix pair, or None if unsure.

    A suffix that is a code (``"USD"``, ``" USD"``) wins; then a prefix that is a code;
    then a known symbol in the prefix, then in the suffix.

    Examples
    --------
    >>> currency_code("$", " USD"), currency_code("&pound;", ""), currency_code("kr", "")
    ('USD', 'GBP', None)
    """
    pre, suf = text_value(prefix) or "", text_value(suffix) or ""
    code = _iso_code(suf) or _iso_code(pre)
    if code:
        return code
    return _SYMBOL_CODES.get(pre.strip()) or _SYMBOL_CODES.get(suf.strip())


def currency_codes(prefixes: Column, suffixes: Column) -> pd.Categorical:
    """:func:`currency_code` for whole columns, as a categorical.

    Orders use a handful of prefix/suffix pairs, so each distinct pair is looked up once.
    """
    try:
        pre_codes, pre_uniques = pd.factorize(object_array(prefixes))
        suf_codes, suf_uniques = pd.factorize(object_array(suffixes))
    except TypeError:  # an unhashable prefix or suffix: the slow, sure way
        return to_category([currency_code(p, s)
                            for p, s in zip(prefixes, suffixes, strict=True)])
    width = len(suf_uniques) + 1
    pairs = (pre_codes + 1) * width + (suf_codes + 1)  # code -1 (missing) lands on slot 0
    distinct, inverse = np.unique(pairs, return_inverse=True)
    pre_lookup, suf_lookup = [None, *pre_uniques], [None, *suf_uniques]
    codes = np.array([currency_code(pre_lookup[pair // width], suf_lookup[pair % width])
                      for pair in distinct.tolist()], dtype=object)
    return to_category(codes[inverse.reshape(-1)])


def _dig(doc: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(key)
    return doc


#: The module flags parsed beside the score: (proxy, free e-mail, IP country matches the
#: billing country, km between the IP's location and the billing address).
FRAUD_FLAG_COLUMNS = ("fraud_proxy", "fraud_free_email", "fraud_country_match",
                      "fraud_distance_km")
_NO_READING = (math.nan, None, None, None, None, None, math.nan)


def _first(doc: Mapping[str, Any], *paths: tuple[str, ...]) -> Any:
    for path in paths:
        value = _dig(doc, *path)
        if value is not None and value != "":
            return value
    return None


def _fraudlabs(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    # FraudLabs Pro v1 is flat ("Y"/"N"/"NA" flags); v2 nests them (JSON booleans).
    country = doc.get("ip_country") or _dig(doc, "ip_geolocation", "country_code")
    return (doc.get("fraudlabspro_score"), doc.get("fraudlabspro_status"), country,
            _first(doc, ("is_proxy_ip_address",), ("ip_geolocation", "is_proxy")),
            _first(doc, ("is_free_email",), ("email_address", "is_free")),
            _first(doc, ("is_country_match",), ("billing_address", "is_ip_country_match")),
            _first(doc, ("distance_in_km",), ("billing_address", "ip_distance_in_km")))


def _maxmind(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    # minFraud v2 (Score/Insights/Factors) says risk_score and nests the IP country;
    # the legacy v1 API said riskScore and countryCode (the IP's country).
    score = doc.get("risk_score", doc.get("riskScore"))
    status = _dig(doc, "disposition", "action")
    country = (_dig(doc, "ip_address", "country", "iso_code") or doc.get("ip_country")
               or doc.get("countryCode"))
    traits = ("ip_address", "traits")
    proxy = _first(doc, ("anonymousProxy",), (*traits, "is_anonymous"),
                   (*traits, "is_anonymous_vpn"), (*traits, "is_anonymous_proxy"))
    return (score, status, country, proxy,
            _first(doc, ("freeMail",), ("email", "is_free")),
            _first(doc, ("countryMatch",), ("billing_address", "is_in_ip_country")),
            _first(doc, ("distance",), ("billing_address", "distance_to_ip_location")))


def _reader_for(module: str, doc: Mapping[str, Any]) -> Callable[..., tuple[Any, ...]] | None:
    name = module.strip().lower()
    if name.startswith("fraudlabs"):
        return _fraudlabs
    if "maxmind" in name or "minfraud" in name:
        return _maxmind
    if not name:  # module not recorded: recognise the output by its own keys
        if "fraudlabspro_score" in doc:
            return _fraudlabs
        if "risk_score" in doc or "riskScore" in doc:
            return _maxmind
    return None


def _finite(value: Any) -> float:
    try:
        value = number(value)
    except OverflowError:  # an integer too large for a float is no usable number
        return math.nan
    return value if math.isfinite(value) else math.nan


def _flag(value: Any) -> bool | None:
    # A flag the module left out ("", "NA", null) is unknown, never False.
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return flag_value(value)


def _fraud_reading(module: Any, output: Any) -> tuple[Any, ...]:
    """Score, status, IP country, then the :data:`FRAUD_FLAG_COLUMNS` values."""
    doc = decode_text(output)
    reader = _reader_for(text_value(module) or "", doc) if isinstance(doc, Mapping) else None
    if reader is None:
        return _NO_READING
    score, status, country, proxy, free, match, distance = reader(doc)
    distance = _finite(distance)
    return (_finite(score), text_value(status, empty_is_na=True),
            text_value(country, empty_is_na=True), _flag(proxy), _flag(free), _flag(match),
            distance if distance >= 0 else math.nan)


def fraud_fields(module: Any, output: Any) -> tuple[float, str | None, str | None]:
    """``(score, status, ip_country)`` from one order's ``fraudmodule``/``fraudoutput``.

    Known modules are FraudLabs Pro and MaxMind; anything else, or output that is not a
    readable document (JSON or PHP serialized), gives ``(nan, None, None)``. Never
    raises on what WHMCS sends.

    Examples
    --------
    >>> fraud_fields("fraudlabs", '{"fraudlabspro_score": "14", "ip_country": "US"}')
    (14.0, None, 'US')
    """
    return _fraud_reading(module, output)[:3]


def fraud_columns(modules: Sequence[Any], outputs: Sequence[Any]) -> list[list[Any]]:
    """Score, status, country, proxy, free e-mail, country match and distance columns.

    Only non-empty outputs are parsed; a flag the module did not report is None.
    """
    n = len(outputs)
    columns: list[list[Any]] = [list(_NO_READING[k:k + 1]) * n for k in range(7)]
    for i in [i for i, out in enumerate(outputs) if out]:
        for column, value in zip(columns, _fraud_reading(modules[i], outputs[i]), strict=True):
            column[i] = value
    return columns


def int_list(value: Any) -> list[int] | None:
    """``"1,2, 3"`` → ``[1, 2, 3]``; ``""`` → ``[]``; missing → None; junk items dropped."""
    if is_missing(value):
        return None
    if isinstance(value, str):
        parts: Any = value.split(",")
    elif isinstance(value, list | tuple):
        parts = value
    else:
        parts = [value]
    out = [number(p) for p in parts]
    return [int(x) for x in out if math.isfinite(x) and x == int(x)]


def unserialized_or_none(value: Any) -> Any:
    """PHP ``serialize`` text → Python value; empty or malformed → None, never raises."""
    # WHMCS sometimes stores the text entity-encoded (&quot;), which breaks the lengths.
    return decode_text(value, formats=("php",), unescape=True)


# (cycle, price key, setup-fee key) in WHMCS's pricing block.
_CYCLES = (("monthly", "monthly", "msetupfee"), ("quarterly", "quarterly", "qsetupfee"),
           ("semiannually", "semiannually", "ssetupfee"), ("annually", "annually", "asetupfee"),
           ("biennially", "biennially", "bsetupfee"), ("triennially", "triennially", "tsetupfee"))


def pricing_rows(product: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    """``(pid, currency, cycle, price, setup_fee)`` for each cycle a product offers.

    Examples
    --------
    >>> list(pricing_rows({"pid": 4, "paytype": "onetime", "pricing": {"EUR": {
    ...     "monthly": "20.00", "msetupfee": "0.00", "annually": "-1.00"}}}))
    [(4, 'EUR', 'onetime', 20.0, 0.0)]
    """
    pricing = product.get("pricing")
    if not isinstance(pricing, Mapping):
        return
    paytype = str(product.get("paytype") or "").strip().lower()
    for code, block in pricing.items():
        if not isinstance(block, Mapping):
            continue
        currency = currency_code(code, None) or currency_code(block.get("prefix"),
                                                              block.get("suffix"))
        if paytype == "free":
            yield product.get("pid"), currency, "free", 0.0, 0.0
            continue
        # One-time products keep their single price in the monthly slot.
        cycles = (("onetime", "monthly", "msetupfee"),) if paytype == "onetime" else _CYCLES
        for cycle, price_key, setup_key in cycles:
            price = number(block.get(price_key))
            if math.isnan(price) or price == -1:  # -1.00: the cycle is not offered
                continue
            setup = number(block.get(setup_key))
            yield product.get("pid"), currency, cycle, price, math.nan if setup == -1 else setup
