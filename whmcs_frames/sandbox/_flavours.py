"""Flavours and quirks: which WHMCS the sandbox imitates, on the wire.

Every answer passes through :func:`shape` (and :func:`notices`) after its handler
built it with native ints and two-decimal money strings, so an action added later
gets every flavour and quirk without code of its own.

Flavours
--------
``"8"`` (the default)
    The shapes of the current WHMCS 8.x reference: ``totalresults``, ``startnumber``,
    ``numreturned``, ids and counts as JSON integers; AddOrder's ``orderid`` and
    ``invoiceid`` as strings and no ``productids`` (the reference's example answer);
    GetPromotions' ``value`` a number; a configurable option's ``type`` a string.
``"7"``
    Every integer as a string, as older installations send (MySQL rows passed on
    verbatim), and AddOrder's ``productids`` beside ``serviceids``.
``"quirks"``
    ``"7"``'s strings with every quirk below switched on.

Quirks
------
Each is also a switch for a single test: ``box.faults.quirk("lone_object")``.

``empty_as_string``
    An empty double-wrapped list is ``""`` instead of ``{"order": []}``.
``missing_empty``
    An empty double-wrapped list's key is left out.
``empty_as_array``
    An empty double-wrapped list is ``[]``.

    With more than one of these three on, the empty lists of one answer take their
    shapes in turn (missing, ``""``, ``[]``, missing, …), so every shape shows up.
``lone_object``
    A one-item list is the item itself: ``{"order": {...}}``.
``status_not_result``
    Errors say ``"status": "error"`` where ``"result"`` belongs.
``warning_key``
    Successful answers carry a ``"warning"`` beside ``"result"``.
``flags_as_words``
    GetPromotions' flags (``recurring``, ``applyonce``, …) are ``"on"`` / ``""``
    instead of ``1`` / ``0``.
``formatted_amounts``
    Order and line item amounts carry their currency: ``"$1,234.50 USD"`` (EUR is
    written ``"€1.234,50 EUR"``).
``html_entities``
    Text people typed or named (``name``, ``notes``, ``product``, ``description``,
    ``companyname``) has its non-ASCII letters as HTML entities, as PHP's
    ``htmlentities()`` writes them (``Zo&euml;``), on top of the ``&amp;`` and
    ``&#039;`` WHMCS stores anyway.
``zero_dates``
    Orders whose id is a multiple of 13 have lost their date: ``0000-00-00 00:00:00``.
``php_notices``
    PHP notices and deprecation warnings (``display_errors=On``) precede the body.
"""

from __future__ import annotations

import html.entities
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from ._common import stringify

FLAVOURS = ("8", "7", "quirks")
QUIRKS = ("empty_as_string", "missing_empty", "empty_as_array", "lone_object",
          "status_not_result", "warning_key", "flags_as_words", "formatted_amounts",
          "html_entities", "zero_dates", "php_notices")
#: The shapes an empty list takes, in the order they rotate when several are on.
_EMPTY_SHAPES = ("missing_empty", "empty_as_string", "empty_as_array")
_LIST_QUIRKS = frozenset({*_EMPTY_SHAPES, "lone_object"})
_PROMOTION_FLAGS = frozenset({"recurring", "requiresexisting", "lifetimepromo", "applyonce",
                              "newsignups", "existingclient", "onceperclient", "upgrades"})
WARNING = ("The username and password parameters are deprecated for API credentials; "
           "use identifier and secret")
_TEXT_KEYS = frozenset({"name", "notes", "product", "description", "companyname"})
ZERO_DATETIME = "0000-00-00 00:00:00"


def check_flavour(flavour: str | None, numbers_as_strings: bool | None = None) -> str:
    """The flavour to use; ``numbers_as_strings`` is the old spelling of ``"7"``/``"8"``.

    Examples
    --------
    >>> check_flavour(None), check_flavour(None, True), check_flavour("quirks")
    ('8', '7', 'quirks')
    """
    if numbers_as_strings is not None:
        implied = "7" if numbers_as_strings else "8"
        if flavour is not None and str(flavour) != implied and not (
                numbers_as_strings and str(flavour) == "quirks"):
            raise ValueError(f"numbers_as_strings={numbers_as_strings} contradicts "
                             f"flavour={flavour!r}; pass flavour alone")
        flavour = implied if flavour is None else flavour
    flavour = "8" if flavour is None else str(flavour)
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; expected one of {', '.join(FLAVOURS)}")
    return flavour


def check_quirks(names: Iterable[str]) -> frozenset[str]:
    """The quirk names, validated (ValueError names the unknown one and the choices)."""
    chosen = frozenset(str(name) for name in names)
    unknown = sorted(chosen - set(QUIRKS))
    if unknown:
        raise ValueError(f"unknown quirk {unknown[0]!r}; expected one of {', '.join(QUIRKS)}")
    return chosen


def numbers_as_strings(flavour: str) -> bool:
    """Whether the flavour sends integers as strings."""
    return flavour != "8"


def shape(payload: dict[str, Any], action: str, flavour: str,
          quirks: frozenset[str]) -> dict[str, Any]:
    """The payload as the flavour and quirks put it on the wire (never mutates cached rows).

    Examples
    --------
    >>> shape({"result": "success", "totalresults": 1, "orders": {"order": []}},
    ...       "GetOrders", "7", frozenset({"empty_as_string"}))
    {'result': 'success', 'totalresults': '1', 'orders': ''}
    """
    if payload.get("result") == "error":
        if "status_not_result" in quirks:
            return {("status" if k == "result" else k): v for k, v in payload.items()}
        return payload
    if flavour == "8":
        reference = _REFERENCE_SHAPES.get(action.lower())
        if reference is not None:
            payload = reference(payload)
    else:
        payload = stringify(payload)
    if quirks & _VALUE_QUIRKS:
        payload = _values(payload, quirks)
    if quirks & _LIST_QUIRKS:
        shapes = [name for name in _EMPTY_SHAPES if name in quirks]
        payload = _lists(payload, quirks, _Rotation(shapes))
    if "warning_key" in quirks:
        payload = {**payload, "warning": WARNING}
    return payload


_NOTICES = (
    "<br />\n<b>Deprecated</b>:  Creation of dynamic property "
    "WHMCS\\Module\\Gateway::$legacyParams is deprecated in "
    "<b>/home/billing/public_html/vendor/whmcs/whmcs-foundation/lib/Module/Gateway.php</b> "
    "on line <b>118</b><br />\n"
    "<br />\n<b>Warning</b>:  Undefined array key \"limitnum\" in "
    "<b>/home/billing/public_html/includes/hooks/order_report.php</b> on line <b>27</b>"
    "<br />\n"
)


def notices(quirks: frozenset[str]) -> bytes:
    """What PHP prints before the body with ``display_errors=On`` (empty without it)."""
    return _NOTICES.encode("ascii") if "php_notices" in quirks else b""


# -- the 8.x reference's shapes ------------------------------------------------------------

def _number(money: Any) -> Any:
    """``"10.00"`` -> 10, ``"12.50"`` -> 12.5: a promotion's value as the reference types it."""
    try:
        value = Decimal(str(money))
    except InvalidOperation:
        return money
    return int(value) if value == value.to_integral_value() else float(value)


def _promotions(payload: dict[str, Any]) -> dict[str, Any]:
    for promo in (payload.get("promotions") or {}).get("promotion", []):
        promo["value"] = _number(promo["value"])
    return payload


def _products(payload: dict[str, Any]) -> dict[str, Any]:
    for product in (payload.get("products") or {}).get("product", []):
        for option in (product.get("configoptions") or {}).get("configoption", []):
            option["type"] = str(option["type"])
    return payload


def _add_order(payload: dict[str, Any]) -> dict[str, Any]:
    payload = {k: v for k, v in payload.items() if k != "productids"}  # renamed in 7.8
    for key in ("orderid", "invoiceid"):
        if key in payload:
            payload[key] = str(payload[key])
    return payload


_REFERENCE_SHAPES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "getpromotions": _promotions,
    "getproducts": _products,
    "addorder": _add_order,
}


# -- quirks on values -----------------------------------------------------------------------

_VALUE_QUIRKS = frozenset({"formatted_amounts", "zero_dates", "html_entities",
                           "flags_as_words"})


def _values(value: Any, quirks: frozenset[str]) -> Any:
    """A copy with the value quirks applied to every record inside ``value``."""
    if isinstance(value, list):
        return [_values(item, quirks) for item in value]
    if not isinstance(value, dict):
        return value
    record = {k: _values(v, quirks) for k, v in value.items()}
    if "flags_as_words" in quirks and "code" in record and "upgradeconfig" in record:
        for key in _PROMOTION_FLAGS.intersection(record):  # a promotion
            record[key] = "on" if str(record[key]) not in ("", "0") else ""
    if "html_entities" in quirks:
        for key in _TEXT_KEYS.intersection(record):
            if isinstance(record[key], str):
                record[key] = htmlentities(record[key])
    if "currencyprefix" in record:  # an order: its amounts and its line items'
        if "formatted_amounts" in quirks:
            _format_amounts(record)
        if "zero_dates" in quirks and "date" in record and _multiple_of_13(record.get("id")):
            record["date"] = ZERO_DATETIME
    return record


def htmlentities(text: str) -> str:
    """Non-ASCII letters as HTML entities, the way PHP's ``htmlentities()`` writes them.

    Examples
    --------
    >>> htmlentities("Zoë\u2019s Müller &amp; Co")
    'Zo&euml;&rsquo;s M&uuml;ller &amp; Co'
    """
    return "".join(ch if ord(ch) < 128 else
                   f"&{html.entities.codepoint2name[ord(ch)]};"
                   if ord(ch) in html.entities.codepoint2name else f"&#{ord(ch)};"
                   for ch in text)


def _multiple_of_13(oid: Any) -> bool:
    try:
        return int(oid) % 13 == 0
    except (TypeError, ValueError):
        return False


def _format_amounts(order: dict[str, Any]) -> None:
    prefix, suffix = str(order["currencyprefix"]), str(order.get("currencysuffix", ""))
    order["amount"] = format_money(order.get("amount"), prefix, suffix)
    items = order.get("lineitems")
    if isinstance(items, dict) and isinstance(items.get("lineitem"), list):
        order["lineitems"] = {"lineitem": [
            {**line, "amount": format_money(line.get("amount"), prefix, suffix)}
            if isinstance(line, dict) else line for line in items["lineitem"]]}


def format_money(amount: Any, prefix: str, suffix: str) -> Any:
    """``"1234.50"`` as WHMCS shows it with its currency: ``"$1,234.50 USD"``.

    Examples
    --------
    >>> format_money("1234.50", "$", " USD"), format_money("-5.00", "€", " EUR")
    ('$1,234.50 USD', '-€5,00 EUR')
    """
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return amount
    text = f"{abs(value):,.2f}"
    if suffix.strip() == "EUR":  # WHMCS's currency format 3: 1.234,56
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{'-' if value < 0 else ''}{prefix}{text}{suffix}"


# -- quirks on lists ------------------------------------------------------------------------

def _wrapped_list(value: Any) -> tuple[str, list[Any]] | None:
    """(inner key, items) when ``value`` is WHMCS's ``{"order": [...]}`` wrapping."""
    if isinstance(value, dict) and len(value) == 1:
        key, items = next(iter(value.items()))
        if isinstance(items, list) and all(isinstance(item, dict) for item in items):
            return key, items
    return None


class _Rotation:
    """Which shape the next empty list of an answer takes (see the module docstring)."""

    def __init__(self, shapes: list[str]) -> None:
        self.shapes, self.seen = shapes, 0

    def next(self) -> str | None:
        if not self.shapes:
            return None
        shape = self.shapes[self.seen % len(self.shapes)]
        self.seen += 1
        return shape


_MISSING = object()


def _lists(value: Any, quirks: frozenset[str], empty: _Rotation) -> Any:
    if isinstance(value, list):
        return [_lists(item, quirks, empty) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        item = _lists(item, quirks, empty)
        wrapped = _wrapped_list(item)
        if wrapped is not None:
            inner, items = wrapped
            if not items:
                item = {"missing_empty": _MISSING, "empty_as_string": "",
                        "empty_as_array": [], None: item}[empty.next()]
            elif len(items) == 1 and "lone_object" in quirks:
                item = {inner: items[0]}
        if item is not _MISSING:
            out[key] = item
    return out
