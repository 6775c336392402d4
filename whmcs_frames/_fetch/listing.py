"""What a paginated WHMCS list is, and one page of it as read.

Generic on purpose: GetOrders today, GetClients, GetClientsProducts or GetInvoices
tomorrow. A :class:`Listing` names the action, the double-wrapped list keys and the id
field; a :class:`PageReader` asks for one slice (``limitstart``/``limitnum``) and
stamps each answer with the order in which it arrived, so a merge can keep the copy
read last.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._api.shapes import unwrap_list

__all__ = ["ORDERS", "Call", "Listing", "Page", "PageReader", "as_int"]

Call = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Listing:
    """A paginated WHMCS read: ``action`` answers ``{outer: {inner: [...]}}``.

    Examples
    --------
    >>> Listing("GetInvoices", "invoices", "invoice", "id").action
    'GetInvoices'
    """

    action: str
    outer: str
    inner: str
    id_field: str = "id"
    date_field: str | None = None


#: GetOrders, newest first; ``date`` is what ``since``/``until`` look at.
ORDERS = Listing("GetOrders", "orders", "order", "id", "date")


def as_int(value: Any) -> int | None:
    """An id or count sent as a JSON int or a string; None when it is neither.

    Examples
    --------
    >>> as_int("17"), as_int(17), as_int(""), as_int("x")
    (17, 17, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@dataclass
class Page:
    """One answer: where it was asked, what came back, and when (``seq``)."""

    offset: int
    limit: int
    total: int | None
    records: list[dict[str, Any]]
    seq: int
    ids: list[int | None] = field(default_factory=list)
    #: Every record (overlap included) is older than the read's ``since``.
    all_older: bool = False

    @property
    def is_end(self) -> bool:
        """The page reached the bottom of the list as it was when it was read."""
        short = len(self.records) < self.limit
        return short or (self.total is not None and self.offset + len(self.records) >= self.total)

    @property
    def descending(self) -> bool:
        """Ids parse and strictly decrease down the page (WHMCS's newest-first order)."""
        if any(i is None for i in self.ids):
            return False
        return all(a > b for a, b in itertools.pairwise(self.ids))  # type: ignore[operator]

    @property
    def top(self) -> int | None:
        return self.ids[0] if self.ids else None

    @property
    def last(self) -> int | None:
        return self.ids[-1] if self.ids else None


class PageReader:
    """Reads slices of one listing with fixed filters; counts requests, thread-safe."""

    def __init__(self, call: Call, listing: Listing, filters: Mapping[str, Any], *,
                 since: datetime | None = None) -> None:
        self._call = call
        self.listing = listing
        self.filters = dict(filters)
        self.since = since
        self.requests = 0
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def read(self, offset: int, limit: int) -> Page:
        """Ask for ``limit`` records from ``offset`` (0 = the newest)."""
        answer = self._call(self.listing.action, limitstart=offset, limitnum=limit,
                            **self.filters)
        records = unwrap_list(answer.get(self.listing.outer), self.listing.inner)
        with self._lock:
            seq = next(self._seq)
            self.requests += 1
        ids = [as_int(r.get(self.listing.id_field)) if isinstance(r, Mapping) else None
               for r in records]
        page = Page(offset, limit, as_int(answer.get("totalresults")), records, seq, ids)
        page.all_older = bool(records) and self.since is not None and all(
            _older(r, self.listing.date_field, self.since) for r in records)
        return page


def record_time(record: Mapping[str, Any], date_field: str | None) -> datetime | None:
    """A record's date as a naive datetime; None when empty (``0000-00-00``) or bad."""
    if date_field is None:
        return None
    text = str(record.get(date_field) or "").strip()
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _older(record: Mapping[str, Any], date_field: str | None, since: datetime) -> bool:
    when = record_time(record, date_field)
    return when is not None and when < since
