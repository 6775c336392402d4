"""Bring the local order store up to date with WHMCS, asking only for what changed.

One sync, all inside one store transaction (a killed sync leaves the previous state;
a second process waits for the first and then finds little to do):

1. ``GetOrderStatuses``: how many orders each status holds now.
2. **New orders**: a proven walk from the newest order down, until it reaches the
   newest id already held (one request when fewer than a page arrived), continued
   back ``recheck_days`` from the newest order's date when payment statuses are to be
   re-checked (a payment changes no order status, so no count shows it).
3. **Changed orders**: every status whose count differs from the store's is read
   again (proven, filtered by status); Pending always is — the review queue must be
   current. An order held under a re-read status that is not in it any more has moved
   or was deleted: it is looked up by id.
4. **Deleted orders**: statuses not re-read whose held count still differs from
   WHMCS's (a deletion hidden by an order moving in) are re-read too, until the counts
   agree.

A **full reconcile** (every order read, everything not seen removed) runs on
``full=True``, on an empty store, and when the last one is older than ``full_every``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .._api.shapes import unwrap_list
from .._fetch.listing import ORDERS, as_int, record_time
from .._fetch.proven import fetch_all
from .._fetch.walk import walk_pages
from .._store.orders import OrderStore

__all__ = ["FULL_EVERY", "RECHECK_DAYS", "SyncReport", "sync_orders"]

#: Days back from the newest order whose payment status each sync re-checks.
RECHECK_DAYS = 30
#: A full reconcile when the last one is older than this.
FULL_EVERY = timedelta(days=7)
#: More orders than this gone from re-read statuses: cheaper to read everything.
_MAX_LOOKUPS = 50

Call = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class SyncReport:
    """What a sync did: orders ``new``, ``changed`` and ``deleted`` in the store, the
    ``requests`` it sent, the ``seconds`` it took and whether it was a ``full``
    reconcile.
    """

    new: int
    changed: int
    deleted: int
    requests: int
    seconds: float
    full: bool = False

    def __str__(self) -> str:
        kind = "full reconcile" if self.full else "sync"
        return (f"{kind}: {self.new} new, {self.changed} changed, {self.deleted} deleted "
                f"orders; {self.requests} requests in {self.seconds:.2f} s")


class _Counted:
    def __init__(self, call: Call) -> None:
        self.call, self.requests = call, 0

    def __call__(self, action: str, /, **params: Any) -> dict[str, Any]:
        self.requests += 1
        return self.call(action, **params)


@dataclass
class _Tally:
    new: set[int]
    changed: set[int]
    deleted: int = 0
    full: bool = False

    def add(self, result: tuple[set[int], set[int]]) -> None:
        new, changed = result
        self.new |= new
        self.changed |= changed - self.new


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _due_full(store: OrderStore, full_every: timedelta) -> bool:
    last = store.meta("last_full")
    if last is None or store.count() == 0:
        return True
    return datetime.now(timezone.utc) - datetime.fromisoformat(last) > full_every


def _server_counts(call: Call) -> tuple[dict[str, int], dict[str, str]]:
    """Orders per status (keyed in lower case) and each status's title as WHMCS spells it."""
    statuses = unwrap_list(call("GetOrderStatuses").get("statuses"), "status")
    titles = {str(s.get("title", "")).lower(): str(s.get("title", "")) for s in statuses}
    counts = {str(s.get("title", "")).lower(): as_int(s.get("count")) or 0 for s in statuses}
    return counts, {"pending": "Pending", **titles}


def _full(call: Call, store: OrderStore, tally: _Tally, page_size: int, workers: int,
          progress: bool) -> None:
    result = fetch_all(call, ORDERS, {}, page_size=page_size, workers=workers,
                       progress=progress)
    tally.add(store.upsert(result.records))
    seen = {as_int(r.get("id")) for r in result.records}
    tally.deleted += store.delete(store.ids() - seen)
    tally.full = True
    store.set_meta("last_full", _now())


def _new_and_recent(call: Call, store: OrderStore, tally: _Tally, page_size: int,
                    recheck_days: int, arrived: int) -> None:
    newest = store.newest()
    assert newest is not None  # an empty store gets a full read instead
    newest_id, cutoff = newest[0], None
    # The counts say about how many arrived: a page just big enough costs the server
    # less (its cost grows with the page); if the guess is short the walk goes on.
    size = page_size if recheck_days else max(25, min(page_size, arrived + 10))
    for page in walk_pages(call, ORDERS, {}, page_size=size):
        tally.add(store.upsert(page))
        if recheck_days and cutoff is None:
            top = record_time(page[0], ORDERS.date_field)
            cutoff = None if top is None else top - timedelta(days=recheck_days)
        lowest = min(as_int(r.get("id")) or 0 for r in page)
        oldest = min((t for r in page if (t := record_time(r, ORDERS.date_field))),
                     default=None)
        if lowest <= newest_id and (cutoff is None or (oldest is not None and oldest < cutoff)):
            return


def _reread_status(call: Call, store: OrderStore, tally: _Tally, status: str,
                   page_size: int, workers: int, expected: int | None) -> set[int]:
    """Read ``status`` again; the held ids under it that WHMCS no longer lists."""
    result = fetch_all(call, ORDERS, {"status": status}, page_size=page_size,
                       workers=workers, progress=False, expected_total=expected)
    held = store.ids(status)
    tally.add(store.upsert(result.records))
    return held - {as_int(r.get("id")) for r in result.records}


def _look_up(call: Call, store: OrderStore, tally: _Tally, ids: set[int]) -> None:
    for orderid in sorted(ids):
        found = unwrap_list(call("GetOrders", id=orderid).get("orders"), "order")
        found = [r for r in found if as_int(r.get("id")) == orderid]
        if found:
            tally.add(store.upsert(found))
        else:
            tally.deleted += store.delete([orderid])


def _statuses(call: Call, store: OrderStore, tally: _Tally,
              server: tuple[dict[str, int], dict[str, str]], page_size: int, workers: int,
              progress: bool) -> None:
    counts, titles = server
    done: set[str] = set()
    todo = {"pending"} | {s for s, n in counts.items() if store.count(s) != n}
    while todo:
        moved: set[int] = set()
        for status in sorted(todo):
            moved |= _reread_status(call, store, tally, titles.get(status, status),
                                    page_size, workers, counts.get(status))
        done |= todo
        if len(moved) > _MAX_LOOKUPS:
            _full(call, store, tally, page_size, workers, progress)
            return
        _look_up(call, store, tally, moved)
        held = store.status_counts()
        todo = {s for s in set(held) | set(counts)
                if s not in done and held.get(s, 0) != counts.get(s, 0)}


def sync_orders(call: Call, store: OrderStore, *, full: bool = False,
                recheck_days: int = RECHECK_DAYS, full_every: timedelta = FULL_EVERY,
                page_size: int = 250, workers: int = 4, progress: bool = True) -> SyncReport:
    """Bring ``store`` up to date with WHMCS; see the module's docstring for how.

    Examples
    --------
    >>> sync_orders(client.call, store, recheck_days=0)  # doctest: +SKIP
    SyncReport(new=100, changed=3, deleted=0, requests=4, seconds=0.21, full=False)
    """
    started = time.monotonic()
    counted = _Counted(call)
    tally = _Tally(set(), set())
    with store.transaction():
        if full or _due_full(store, full_every):
            _full(counted, store, tally, page_size, workers, progress)
        else:
            server = _server_counts(counted)
            arrived = sum(server[0].values()) - store.count()
            _new_and_recent(counted, store, tally, page_size, recheck_days, arrived)
            _statuses(counted, store, tally, server, page_size, workers, progress)
        store.set_meta("last_sync", _now())
    return SyncReport(len(tally.new), len(tally.changed - tally.new), tally.deleted,
                      counted.requests, round(time.monotonic() - started, 3), tally.full)
