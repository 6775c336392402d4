"""The Client's local order store: which file, syncing it, and answering from it."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import ConfigError
from .._fetch.pages import DEFAULT_PAGE_SIZE, ReadResult
from .._store.orders import OrderStore, StoreInfo, default_store_path
from .._validate import positive_int, seconds
from .sync import FULL_EVERY, RECHECK_DAYS, SyncReport, sync_orders

if TYPE_CHECKING:
    from .._api.config import Settings

__all__ = ["STORE_ENV", "StoredOrdersMixin", "full_every", "open_store"]

#: ``1``/``true`` for the default file, a path for that file, ``0``/empty for none.
STORE_ENV = "WHMCS_FRAMES_STORE"
_YES, _NO = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def open_store(store: bool | str | os.PathLike[str] | None, settings: Settings
               ) -> OrderStore | None:
    """The store ``connect(store=...)`` asks for; None (the default) reads the env.

    Examples
    --------
    >>> open_store(False, settings) is None  # doctest: +SKIP
    True
    """
    if store is None:
        raw = os.environ.get(STORE_ENV, "").strip()
        if raw.lower() in _NO:
            return None
        store = True if raw.lower() in _YES else raw
    if store is False:
        return None
    if store is True:
        who = settings.auth.get("identifier") or settings.auth.get("username") or ""
        return OrderStore(default_store_path(settings.url, who))
    if isinstance(store, str | os.PathLike) and str(store).strip():
        return OrderStore(Path(store))
    raise ConfigError(f"store: expected True, False or a file path, got {store!r} "
                      f"(or set {STORE_ENV} to 1 or a path)")


class StoredOrdersMixin:
    """``client.store``, ``client.sync()`` and the store-backed order reads."""

    settings: Settings
    _order_store: OrderStore | None
    _full_every: timedelta
    _synced: bool
    _sync_lock: threading.Lock
    _last_sync: SyncReport | None

    if TYPE_CHECKING:  # provided by Client
        def call(self, action: str, /, **params: Any) -> dict[str, Any]: ...

        def clear_cache(self) -> None: ...

    @property
    def store(self) -> StoreInfo | None:
        """The local order store: ``path``, ``orders`` held, ``last_sync``; None if off.

        Examples
        --------
        >>> client.store.orders  # doctest: +SKIP
        104233
        """
        return None if self._order_store is None else self._order_store.info()

    def sync(self, *, full: bool = False, recheck_days: int | None = None,
             progress: bool = True) -> SyncReport:
        """Bring the local order store up to date with WHMCS.

        New orders are read from the top until the newest stored one; statuses whose
        counts changed (and Pending, always) are read again; payment statuses of the
        orders placed in the last ``recheck_days`` days (counted back from the newest
        order) are re-checked; deletions are found through the counts. A full read
        runs on ``full=True`` or when the last one is older than ``full_sync_days``.

        Parameters
        ----------
        full : bool
            Read every order and drop what WHMCS no longer has.
        recheck_days : int, optional
            Days of payment-status re-check (default 30; 0 turns it off).
        progress : bool
            Show a progress bar on a full read.

        Returns
        -------
        SyncReport
            ``new``, ``changed``, ``deleted``, ``requests``, ``seconds``, ``full``.

        Raises
        ------
        ConfigError
            When the client has no store (``connect(store=True)``).

        Examples
        --------
        >>> client.sync(recheck_days=0)  # doctest: +SKIP
        SyncReport(new=12, changed=3, deleted=0, requests=4, seconds=0.3, full=False)
        """
        if self._order_store is None:
            raise ConfigError("This client has no order store: connect(store=True) or "
                              f"set {STORE_ENV}=1.")
        days = RECHECK_DAYS if recheck_days is None else positive_int(
            "recheck_days", recheck_days, minimum=0)
        with self._sync_lock:
            report = sync_orders(self.call, self._order_store, full=full, recheck_days=days,
                                 full_every=self._full_every, page_size=DEFAULT_PAGE_SIZE,
                                 workers=self.settings.workers, progress=progress)
            self.clear_cache()  # what reads answer changed
            self._synced, self._last_sync = True, report
        return report

    def _stored_read(self, filters: dict[str, Any], since: datetime | None,
                     requests: int) -> ReadResult:
        """Answer from the store; ``requests`` is what the sync just before it sent."""
        assert self._order_store is not None
        started = datetime.now(timezone.utc)
        records = self._order_store.records(filters, since=since)
        return ReadResult(records, started, datetime.now(timezone.utc), requests, [],
                          "store", None)


def full_every(days: float | None) -> timedelta:
    """``connect(full_sync_days=...)`` as a timedelta; 0 makes every sync a full read.

    Examples
    --------
    >>> full_every(7)
    datetime.timedelta(days=7)
    """
    return FULL_EVERY if days is None else timedelta(days=seconds("full_sync_days", days))


