"""Line items tied to the catalogue: billing cycles spelt as pricing spells them, and the
product id of each product line, found by name in GetProducts.

GetOrders' line items name their product (``"Cloud VPS S"``, or ``"Hosting - Starter"``
with the group in front) and their cycle in words (``"Semi-Annually"``, ``"One Time"``;
domains in years, ``"1"``), while GetProducts and the pricing frame use ids and keys
(``semiannually``, ``onetime``). These pure functions bridge the two, so line items merge
with ``product_pricing`` on ``pid, currency, cycle``.

Example
-------
>>> cycle_key("Semi-Annually", "product"), cycle_key("2", "domain")
('semiannually', 'biennially')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._dtypes import object_array, text_value

__all__ = ["CYCLE_KEYS", "cycle_key", "cycle_keys", "resolve_pids"]

#: The billing-cycle keys of ``product_pricing`` (and of AddOrder's ``billingcycle``).
CYCLE_KEYS = ("free", "onetime", "monthly", "quarterly", "semiannually", "annually",
              "biennially", "triennially")
# Line items' words, squeezed to letters and digits, to the pricing key.
_WORDS = {**{key: key for key in CYCLE_KEYS}, "freeaccount": "free", "onetimepayment": "onetime",
          "semiannual": "semiannually", "annual": "annually", "yearly": "annually",
          "biannually": "biennially", "month": "monthly", "quarter": "quarterly"}
# Domains and domain renewals are billed in whole years.
_YEARS = {1: "annually", 2: "biennially", 3: "triennially"}
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_TYPE_LABELS = {"hostingaccount": "shared hosting", "reselleraccount": "reseller hosting",
                "server": "dedicated/vps server", "other": "other"}


def _years(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)(years?|yrs?|\(s\)|years?\(s\)|year\(s\))?", text)
    return int(match.group(1)) if match else None


def cycle_key(billingcycle: Any, line_type: Any = None) -> str | None:
    """One line item's billing cycle as a ``product_pricing`` key, or None if unknown.

    Examples
    --------
    >>> cycle_key("One Time"), cycle_key("Free Account"), cycle_key("1 Year(s)", "domain")
    ('onetime', 'free', 'annually')
    """
    text = text_value(billingcycle, empty_is_na=True)
    if text is None:
        return None
    squeezed = _NOT_WORD.sub("", text.strip().lower())
    if squeezed in _WORDS:
        return _WORDS[squeezed]
    years = _years(text.strip().lower().replace(" ", ""))
    return _YEARS.get(years) if years is not None else None


def cycle_keys(billingcycles: Sequence[Any], line_types: Sequence[Any]
               ) -> pd.api.extensions.ExtensionArray:
    """:func:`cycle_key` for whole columns, as a ``string`` array; each distinct spelling
    is worked out once (the line type does not change a cycle's key)."""
    try:
        codes, uniques = pd.factorize(object_array(billingcycles))
    except TypeError:  # an unhashable value: one at a time
        return pd.array([cycle_key(c, k) for c, k in zip(billingcycles, line_types,
                                                         strict=True)], dtype="string")
    keys = pd.array([cycle_key(u) for u in uniques], dtype="string")
    return keys.take(codes, allow_fill=True)  # code -1 (missing) becomes <NA>


def _squeeze(text: Any) -> str:
    value = text_value(text, empty_is_na=True)
    return " ".join(value.split()).casefold() if value else ""


def _candidates(name: str, by_name: dict[str, list[int]]) -> list[int]:
    if name in by_name:
        return by_name[name]
    # "Group - Product": try the part after each " - ", longest first.
    parts = name.split(" - ")
    for i in range(1, len(parts)):
        found = by_name.get(" - ".join(parts[i:]))
        if found:
            return found
    return []


def resolve_pids(lines: pd.DataFrame, products: pd.DataFrame
                 ) -> tuple[pd.api.extensions.ExtensionArray, list[str]]:
    """The product id of every product line, by name (and type), from a products frame.

    A product line's ``product`` is matched case- and space-insensitively to a product's
    ``name``, or to the part after a ``"Group - "`` prefix. When several products share
    the name, the line's ``producttype`` picks between them; a line still matching
    several, or none, gets ``<NA>`` — a wrong id would be worse than none. Addon, domain
    and other lines have no product id.

    Parameters
    ----------
    lines : pandas.DataFrame
        An order-lines frame (``type``, ``product``, ``producttype``).
    products : pandas.DataFrame
        A products frame (``pid``, ``name``, ``type``).

    Returns
    -------
    (Int64 array, list of str)
        The ids, aligned with ``lines``, and the product names that could not be tied to
        exactly one product (sorted; each with why).

    Examples
    --------
    >>> lines = pd.DataFrame({"type": ["product", "domain"], "product": ["VPS", "Register"],
    ...                       "producttype": ["Server", None]})
    >>> products = pd.DataFrame({"pid": [4], "name": ["VPS"], "type": ["server"]})
    >>> pids, problems = resolve_pids(lines, products)
    >>> pids.tolist(), problems
    ([4, <NA>], [])
    """
    by_name: dict[str, list[int]] = {}
    kind_of: dict[int, str] = {}
    for pid, name, kind in zip(products["pid"], products["name"], products["type"],
                               strict=True):
        if pid is pd.NA or not _squeeze(name):
            continue
        by_name.setdefault(_squeeze(name), []).append(int(pid))
        kind_of[int(pid)] = _squeeze(kind)
    out = np.zeros(len(lines), dtype=np.int64)
    mask = np.ones(len(lines), dtype=bool)
    problems: dict[str, str] = {}
    is_product = lines["type"].astype("string").str.strip().str.casefold().eq("product")
    for i in np.flatnonzero(is_product.fillna(False).to_numpy(dtype=bool)):
        name, label = lines["product"].iat[i], _squeeze(lines["producttype"].iat[i])
        found = _candidates(_squeeze(name), by_name)
        if len(found) > 1 and label:
            found = [p for p in found
                     if label in (kind_of[p], _TYPE_LABELS.get(kind_of[p]))] or found
        if len(found) == 1:
            out[i], mask[i] = found[0], False
        else:
            shown = text_value(name, empty_is_na=True) or "(no name)"
            problems[shown] = f"{len(found)} products" if found else "no product"
    pids = pd.arrays.IntegerArray(out, mask)
    return pids, [f"{name!r} ({why} of that name)" for name, why in sorted(problems.items())]
