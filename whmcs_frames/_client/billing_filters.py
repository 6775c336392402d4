"""Filters of the reads beyond orders: checked against the action table, and the
records they answer cleaned (service credentials dropped, dates bounded)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .. import frames
from .._api.registry import ACTIONS, without_secrets
from .._exceptions import ValidationError
from .._fetch.listing import record_time
from .._validate import choice

__all__ = ["CLIENT_STATUSES", "INVOICE_STATUSES", "dated", "scrub_service", "status_named",
           "wire"]

#: GetClients' ``status`` values.
CLIENT_STATUSES = ("Active", "Inactive", "Closed")
#: GetInvoices' ``status`` values: the standard invoice statuses plus Overdue.
INVOICE_STATUSES = ("Draft", "Unpaid", "Paid", "Cancelled", "Refunded", "Collections",
                    "Payment Pending", "Overdue")



def status_named(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    """One of ``allowed``, case-insensitively, sent as WHMCS spells it."""
    picked = choice(name, value, [s.lower() for s in allowed])
    return allowed[[s.lower() for s in allowed].index(picked)]


def wire(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` without Nones, checked against the action's documented parameters.

    WHMCS ignores a parameter it does not know, so a misnamed one would widen a read.

    Examples
    --------
    >>> wire("services", {"clientid": 3, "pid": None})
    {'clientid': 3}
    """
    spec = ACTIONS[name]
    sent = {k: v for k, v in params.items() if v is not None}
    unknown = sorted(set(sent) - set(spec.params))
    if unknown:
        raise ValidationError(unknown[0], f"one of {spec.whmcs}'s parameters: "
                              + ", ".join(spec.params))
    return sent


def scrub_service(record: Mapping[str, Any]) -> dict[str, Any]:
    """A service record without its credentials (``password``, ``username``, …).

    Examples
    --------
    >>> scrub_service({"id": 9, "password": "hunter2", "username": "bob", "status": "Active"})
    {'id': 9, 'status': 'Active'}
    """
    return {k: v for k, v in without_secrets(record).items()
            if str(k).lower() not in frames.CREDENTIAL_FIELDS}


def dated(records: list[dict[str, Any]], date_field: str | None, since: datetime | None,
          before: datetime | None) -> list[dict[str, Any]]:
    """The records dated ``since <= date < before`` (all of them without bounds)."""
    if since is None and before is None:
        return records
    return [r for r in records if (when := record_time(r, date_field)) is not None
            and (since is None or when >= since) and (before is None or when < before)]
