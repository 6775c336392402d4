"""The machinery under :mod:`whmcs_frames.actions`: validate, check, audit, send once.

:func:`perform` is the one path every write takes:

1. (the caller has validated every argument: :func:`order_params`,
   :func:`add_order_params`);
2. a dry run sends no write: it reads the one order (``GetOrders id=…``) when the
   action has status rules, writes one ``"dry-run"`` audit record saying what would
   happen, and raises what the real run would (:class:`PreconditionFailed`,
   :class:`OrderNotFound`) where the write would be refused;
3. the attempt's first audit record is written and fsynced — if it cannot be,
   :class:`AuditLogError` and nothing is sent;
4. the one order is read fresh (``GetOrders id=…``, never the memo) and the write is
   refused where WHMCS would refuse it (:data:`STATUS_RULES`);
5. the write is sent once (the transport never retries a write that may have reached
   WHMCS) and the final record says success, error or unknown.
"""

from __future__ import annotations

import numbers
import re
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .._api.decode import decode_text
from .._api.registry import ACTIONS, ORDER_ACTIONS, ActionSpec, spec_for
from .._api.secrets import secret_text
from .._api.shapes import unwrap_list
from .._exceptions import (
    ApiError,
    OrderNotFound,
    PreconditionFailed,
    TransportError,
    ValidationError,
)
from .._validate import flag, id_list, ip_address, positive_int, text, whmcs_id
from ._audit import Attempt, secret_values
from ._items import ITEM_PARAMS, item_arrays
from ._protocol import Client

__all__ = [
    "BULK_ACTIONS",
    "STATUS_RULES",
    "add_order_params",
    "audited_call",
    "bulk_action",
    "first_id",
    "fraud_results",
    "ids",
    "order_ids",
    "order_params",
    "perform",
]

#: Statuses each order action needs; empty: any status, but the order must exist.
#: A view of the registry's ``allowed_from``.
STATUS_RULES: dict[str, tuple[str, ...]] = {
    spec.name: spec.allowed_from for spec in ORDER_ACTIONS.values()
    if spec.allowed_from is not None}
#: bulk()'s short action names → our action names (a view of the registry).
BULK_ACTIONS = {short: spec.name for short, spec in ORDER_ACTIONS.items()}
_ORDERABLE = ("domainrenewals", "servicerenewals", "addonrenewals", "addonid", "addonids")


# -- validation ------------------------------------------------------------------------

#: A domain name: dot-separated labels of letters (any script), digits and inner
#: hyphens. Anything else in an array key, "]" or NUL above all, PHP cuts or re-reads.
_LABEL = r"(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)"
_DOMAIN_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")


def _domain(name: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) > 253 or not _DOMAIN_RE.fullmatch(value):
        raise ValidationError(name, "domain names such as example.com as keys", got=value)
    return value


def _renewals(name: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping) or not value:
        raise ValidationError(name, "a mapping of domain name to years", got=value)
    out = {_domain(name, k): positive_int(f"{name}[{k}]", v) for k, v in value.items()}
    if any(years > 10 for years in out.values()):
        raise ValidationError(name, "renewal periods of 1 to 10 years", got=value)
    return out


_PARAM_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    **dict.fromkeys(("orderid", "serverid", "clientid", "affid", "contactid", "addonid",
                     "serviceid"), whmcs_id),
    "addonidqty": positive_int,
    **dict.fromkeys(("serviceusername", "registrar", "paymentmethod", "promocode",
                     "nameserver1", "nameserver2", "nameserver3", "nameserver4",
                     "nameserver5"), text),
    **dict.fromkeys(("sendregistrar", "autosetup", "sendemail", "cancelsub", "noemail",
                     "promooverride", "noinvoice", "noinvoiceemail"), flag),
    **dict.fromkeys(("servicerenewals", "addonrenewals", "addonids", "addonidsqty",
                     "serviceids"), id_list),
    "servicepassword": secret_text, "ipaddress": ip_address,
    "clientip": ip_address, "domainrenewals": _renewals,
}


def _checked(spec: ActionSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        allowed = ", ".join(p for p in spec.params if p not in ITEM_PARAMS)
        raise ValidationError(unknown[0], f"one of {spec.whmcs}'s parameters: {allowed}")
    return {k: _PARAM_CHECKS[k](k, v) for k, v in params.items() if v is not None}


def order_params(name: str, orderid: Any, options: Mapping[str, Any]) -> dict[str, Any]:
    """An order action's parameters, checked; raises :class:`ValidationError`."""
    return {"orderid": whmcs_id("orderid", orderid), **_checked(ACTIONS[name], options)}


def _same_length(params: Mapping[str, Any], name: str, other: str) -> None:
    if name in params and other in params and len(params[name]) != len(params[other]):
        raise ValidationError(name, f"one entry per entry of {other}", got=params[name])


def add_order_params(clientid: Any, paymentmethod: Any, items: Iterable[Any],
                     other: Mapping[str, Any]) -> dict[str, Any]:
    """AddOrder's parameters: order-wide ones checked, items as aligned arrays."""
    misplaced = sorted(ITEM_PARAMS.intersection(other))
    if misplaced:
        raise ValidationError(misplaced[0], "given through items=[wf.Product(...), "
                              "wf.Domain(...)], which keeps WHMCS's arrays aligned")
    checked = _checked(ACTIONS["add_order"],
                       {"clientid": clientid, "paymentmethod": paymentmethod, **other})
    for name in ("clientid", "paymentmethod"):
        if name not in checked:
            raise ValidationError(name, "a value (AddOrder requires it)")
    _same_length(checked, "addonidsqty", "addonids")
    _same_length(checked, "serviceids", "addonids")
    arrays = item_arrays(items)
    if not arrays and not any(name in checked for name in _ORDERABLE):
        raise ValidationError("items", "at least one wf.Product or wf.Domain, or one of "
                              + ", ".join(_ORDERABLE))
    head = {k: checked.pop(k) for k in ("clientid", "paymentmethod")}
    return {**head, **arrays, **checked}


# -- one attempt -------------------------------------------------------------------------

def _check_status(client: Client, spec: ActionSpec, orderid: int) -> None:
    answer = client.call("GetOrders", id=orderid)
    for order in unwrap_list(answer.get("orders"), "order"):
        if isinstance(order, Mapping) and str(order.get("id", "")).strip() == str(orderid):
            status = str(order.get("status") or "")
            allowed = STATUS_RULES[spec.name]
            if allowed and status.casefold() not in {s.casefold() for s in allowed}:
                raise PreconditionFailed(spec.whmcs, orderid, status, allowed)
            return
    raise OrderNotFound(spec.whmcs, orderid)


def _predict(client: Client, spec: ActionSpec, params: Mapping[str, Any], attempt: Attempt,
             *, check: bool) -> None:
    """A dry run: read the order as the real run would, audit what would happen."""
    attempt.check()  # an unwritable log stops even the read
    if check and spec.name in STATUS_RULES:
        try:
            _check_status(client, spec, params["orderid"])
        except PreconditionFailed as exc:
            attempt.finish("dry-run", f"dry run: nothing sent; would be refused: {exc}",
                           sent=False, error=type(exc).__name__, strict=True)
            raise
    attempt.finish("dry-run", "dry run: nothing sent", sent=False, strict=True)


def _outcome(exc: BaseException, sent: bool) -> tuple[str, bool]:
    """(audit outcome, whether the write may have reached WHMCS) for a failure."""
    if not sent or isinstance(exc, TransportError | ValidationError):
        return "error", False  # the transport raises these only for requests never sent
    if isinstance(exc, ApiError):
        return "error", True
    return "unknown", True  # OutcomeUnknown, an odd answer, Ctrl+C mid-request…


def error_message(exc: BaseException) -> str:
    """WHMCS's own words for an :class:`ApiError`, else the exception's message."""
    return exc.message if isinstance(exc, ApiError) else (str(exc) or type(exc).__name__)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def perform(client: Client, name: str, params: dict[str, Any], *, orderid: int | None,
            dry_run: bool, check: bool,
            created: Callable[[Mapping[str, Any]], int | None] | None = None,
            ) -> dict[str, Any] | None:
    """Audit and send one validated write; returns WHMCS's answer (None for a dry run).

    ``created`` picks the new order's id out of the answer for the final record.
    """
    spec = ACTIONS[name]
    dry_run, check = flag("dry_run", dry_run), flag("check", check)
    attempt = Attempt(Path(client.audit_log), client.host, spec.whmcs, orderid, params,
                      scrub=secret_values(params) + client.settings.secret_values)
    if dry_run:
        _predict(client, spec, params, attempt, check=check)
        return None
    before = partial(_check_status, client, spec, params["orderid"]) if (
        check and name in STATUS_RULES) else None
    return _send_audited(client, attempt, spec.whmcs, params, before=before,
                         created=created)


def _send_audited(client: Client, attempt: Attempt, action: str, params: Mapping[str, Any],
                  *, before: Callable[[], None] | None = None,
                  created: Callable[[Mapping[str, Any]], int | None] | None = None,
                  ) -> dict[str, Any]:
    attempt.start()  # raises AuditLogError, and then nothing is sent
    started, sent = time.perf_counter(), False
    try:
        if before is not None:
            before()
        sent = True
        answer = client._send(action, params)
    except BaseException as exc:
        outcome, reached = _outcome(exc, sent)
        attempt.finish(outcome, error_message(exc), sent=reached, error=type(exc).__name__,
                       duration_ms=_ms(started))
        raise
    if created is not None:
        attempt.orderid = created(answer)
    attempt.finish("success", str(answer.get("message") or ""), sent=True,
                   duration_ms=_ms(started))
    return answer


def audited_call(client: Client, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Send a write exactly as given (``client.call``), audited and never retried.

    The start record is fsynced before anything is sent, as for every write. The
    arguments of a known order action are checked as its method checks them; the
    order's status is not read (the client's methods, e.g. ``client.delete_order``,
    do that).
    """
    spec = spec_for(action)
    if spec.name in STATUS_RULES:  # a known order action: its arguments are checked too
        rest = {k: v for k, v in params.items() if k != "orderid"}
        params = order_params(spec.name, params.get("orderid"), rest)
    orderid = params.get("orderid")
    attempt = Attempt(Path(client.audit_log), client.host, spec.whmcs,
                      orderid if isinstance(orderid, int) and orderid > 0 else None, params,
                      scrub=secret_values(params) + client.settings.secret_values)
    return _send_audited(client, attempt, action, params)


# -- parsing answers ---------------------------------------------------------------------

def ids(value: Any) -> list[int]:
    """Ids from ``"1,2"``, ``5``, ``["1", 2]``; blanks, zeros and garbage are skipped.

    Examples
    --------
    >>> ids("3, 4,,x"), ids(None), ids(0)
    ([3, 4], [], [])
    """
    if value is None or isinstance(value, bool):
        return []
    tokens = value if isinstance(value, list | tuple) else str(value).split(",")
    out = []
    for token in tokens:
        try:
            number = int(str(token).strip())
        except ValueError:
            continue
        if number > 0:
            out.append(number)
    return out


def first_id(value: Any) -> int | None:
    """The first id in ``value``, or None."""
    found = ids(value)
    return found[0] if found else None


def fraud_results(value: Any) -> Any:
    """Decode a fraud module's details: PHP serialized, base64 of it, or JSON.

    Anything else comes back as the raw text, absent as None
    (:func:`whmcs_frames._api.decode.decode_text`).

    Examples
    --------
    >>> fraud_results('a:1:{s:5:"score";d:1.5;}'), fraud_results('{"a": 1}')
    ({'score': 1.5}, {'a': 1})
    >>> fraud_results("<html>"), fraud_results("")
    ('<html>', None)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return decode_text(value, base64=True, default=value)


# -- bulk inputs -------------------------------------------------------------------------

def bulk_action(action: Any) -> str:
    """Our action name for ``"accept"``, ``"accept_order"``, ``"AcceptOrder"``, ``"fraud-check"``…

    Examples
    --------
    >>> bulk_action("fraud-check"), bulk_action("DeleteOrder")
    ('order_fraud_check', 'delete_order')
    """
    key = str(action).strip().replace("-", "_")
    for short, name in BULK_ACTIONS.items():
        if key.lower() in (short, name, ACTIONS[name].whmcs.lower()):
            return name
    raise ValidationError("action", "one of " + ", ".join(BULK_ACTIONS), got=action)


def _bulk_id(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # ids read into a float column
    return whmcs_id("orders", value)


def order_ids(orders: Any) -> list[int]:
    """Distinct order ids, in order, from a DataFrame (``id`` column, else ``orderid`` as
    line items have it, else the index), a Series, an Index, a list or a single id."""
    if isinstance(orders, pd.DataFrame):
        column = next((c for c in ("id", "orderid") if c in orders.columns), None)
        if column is None and isinstance(orders.index, pd.RangeIndex):
            # 0, 1, 2… are row numbers, not order ids: say what is missing instead.
            raise ValidationError("orders", "a frame with an 'id' or 'orderid' column, or "
                                  "order ids as its index",
                                  got_text=f"columns {list(map(str, orders.columns))}")
        values: Iterable[Any] = orders.index if column is None else orders[column]
    elif isinstance(orders, numbers.Integral):
        values = [orders]
    elif isinstance(orders, str | bytes | Mapping) or not isinstance(orders, Iterable):
        raise ValidationError("orders", "a DataFrame, Series or list of order ids",
                              got_text=f"a {type(orders).__name__}")
    else:
        values = orders
    return list(dict.fromkeys(_bulk_id(v) for v in values))
