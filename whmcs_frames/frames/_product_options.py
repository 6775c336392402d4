"""A product's custom fields and configurable options, from raw ``GetProducts`` records.

``client.products()`` keeps only their names; the form needs ids, required flags,
sub-options and their prices, which only the raw record has. Pure functions.

Example
-------
>>> missing_required(custom_fields({"customfields": {"customfield": [
...     {"id": "4", "name": "Label", "required": "on"}]}}), {})
['Label']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .._api.shapes import unwrap_list
from ._dtypes import number, text_value
from ._fields import currency_code

__all__ = ["config_options", "config_price", "custom_fields", "missing_required"]

# Pricing-block keys (price, setup fee) of each cycle; one-time uses the monthly slot.
_SLOTS = {"onetime": ("monthly", "msetupfee"), "monthly": ("monthly", "msetupfee"),
          "quarterly": ("quarterly", "qsetupfee"), "semiannually": ("semiannually", "ssetupfee"),
          "annually": ("annually", "asetupfee"), "biennially": ("biennially", "bsetupfee"),
          "triennially": ("triennially", "tsetupfee")}


def custom_fields(raw_product: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A raw GetProducts record's custom fields: ``id, name, description, required``.

    Examples
    --------
    >>> custom_fields({"customfields": {"customfield": [
    ...     {"id": "4", "name": "Label", "description": "", "required": "on"}]}})
    [{'id': 4, 'name': 'Label', 'description': '', 'required': True}]
    """
    fields = []
    for item in unwrap_list(raw_product.get("customfields"), "customfield"):
        required = str(item.get("required") or "").strip().lower() in ("on", "1", "true", "yes")
        fields.append({"id": int(number(item.get("id"))), "name": text_value(item.get("name")),
                       "description": text_value(item.get("description")) or "",
                       "required": required})
    return fields


def config_options(raw_product: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A raw GetProducts record's configurable options.

    Each is ``id, name, type`` (1 dropdown, 2 radio, 3 yes/no, 4 quantity), ``minqty,
    maxqty`` and ``options``: ``(sub-option id, name)`` pairs.

    Examples
    --------
    >>> config_options({"configoptions": {"configoption": [{"id": "1", "name": "RAM",
    ...     "type": "1", "options": {"option": [{"id": "2", "name": "4 GB"}]}}]}})
    [{'id': 1, 'name': 'RAM', 'type': 1, 'minqty': 0, 'maxqty': 0, 'options': [(2, '4 GB')]}]
    """
    found = []
    for item in unwrap_list(raw_product.get("configoptions"), "configoption"):
        subs = unwrap_list(item.get("options"), "option")
        found.append({
            "id": int(number(item.get("id"))), "name": text_value(item.get("name")),
            "type": int(number(item.get("type"))),
            "minqty": _int_or_zero(item.get("minqty")), "maxqty": _int_or_zero(item.get("maxqty")),
            "options": [(int(number(s.get("id"))), text_value(s.get("name"))) for s in subs]})
    return found


def _int_or_zero(value: Any) -> int:
    parsed = number(value)
    return 0 if math.isnan(parsed) else int(parsed)


def missing_required(fields: Iterable[Mapping[str, Any]],
                     values: Mapping[int, Any]) -> list[str]:
    """Names of the required custom fields left empty.

    Examples
    --------
    >>> missing_required([{"id": 4, "name": "Label", "required": True}], {4: "  "})
    ['Label']
    """
    return [str(f["name"]) for f in fields
            if f["required"] and not str(values.get(f["id"]) or "").strip()]


def _block(pricing: Any, currency: str) -> Mapping[str, Any]:
    if not isinstance(pricing, Mapping):
        return {}
    for code, block in pricing.items():
        if isinstance(block, Mapping) and (currency_code(code, None) or currency_code(
                block.get("prefix"), block.get("suffix"))) == currency:
            return block
    return {}


def _slot_price(pricing: Any, currency: str, cycle: str) -> tuple[float, float]:
    if cycle not in _SLOTS:
        return 0.0, 0.0  # free
    block = _block(pricing, currency)
    price, setup = (number(block.get(key)) for key in _SLOTS[cycle])
    return (0.0 if math.isnan(price) or price < 0 else price,
            0.0 if math.isnan(setup) or setup < 0 else setup)


def config_price(raw_product: Mapping[str, Any], choices: Mapping[int, int], currency: str,
                 cycle: str) -> tuple[float, float]:
    """(price, setup fee) the chosen configurable options add, per unit of the product.

    ``choices`` maps option id → sub-option id (dropdown, radio) or a count (yes/no,
    quantity), as AddOrder's ``configoptions`` does.

    Examples
    --------
    >>> raw = {"configoptions": {"configoption": [{"id": "3", "type": "4", "options":
    ...     {"option": [{"id": "8", "pricing": {"USD": {"monthly": "2.00"}}}]}}]}}
    >>> config_price(raw, {3: 2}, "USD", "monthly")
    (4.0, 0.0)
    """
    price = setup = 0.0
    for item in unwrap_list(raw_product.get("configoptions"), "configoption"):
        chosen = choices.get(int(number(item.get("id"))))
        subs = unwrap_list(item.get("options"), "option")
        if not chosen or not subs:
            continue
        if int(number(item.get("type"))) in (3, 4):  # yes/no and quantity: a count
            sub, count = subs[0], int(chosen)
        else:
            sub = next((s for s in subs if int(number(s.get("id"))) == int(chosen)), None)
            count = 1
        if sub is not None:
            one, fee = _slot_price(sub.get("pricing"), currency, cycle)
            price, setup = price + one * count, setup + fee * count
    return price, setup
