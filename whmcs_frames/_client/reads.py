"""The Client's read methods: orders, line items and the catalogue as DataFrames.

A mixin so :mod:`whmcs_frames._client` stays the small facade it is meant to be;
every method here only wires ``fetch`` and ``frames`` to the client's memo.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import frames
from .._exceptions import ValidationError
from .._fetch.listing import ORDERS, record_time
from .._fetch.pages import (
    DEFAULT_PAGE_SIZE,
    ReadResult,
    check_paging,
    fetch_orders,
    iter_order_pages,
    order_filters,
)
from .._validate import date_range, whmcs_id

if TYPE_CHECKING:
    from .._api.config import Settings

__all__ = ["OrderReadsMixin"]


class OrderReadsMixin:
    """Reads for :class:`whmcs_frames.Client`, memoised per client and filters."""

    settings: Settings
    _order_totals: dict[tuple[Any, ...], int]
    _order_store: Any
    _synced: bool

    if TYPE_CHECKING:  # provided by Client
        def call(self, action: str, /, **params: Any) -> dict[str, Any]: ...

        def _memoised(self, key: tuple[Any, ...], read: Callable[[], Any],
                      refresh: bool) -> Any: ...

        def _stored_read(self, filters: dict[str, Any], since: datetime | None,
                         requests: int) -> ReadResult: ...

        def sync(self, *, full: bool = False, recheck_days: int | None = None,
                 progress: bool = True) -> Any: ...

    # -- orders ---------------------------------------------------------------------

    def _order_read(self, filters: dict[str, Any], page_size: int | None,
                    workers: int | None, progress: bool, refresh: bool,
                    since: datetime | None) -> ReadResult:
        checked = order_filters(**filters)
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        concurrency = self.settings.workers if workers is None else workers
        check_paging(size, concurrency)
        key = ("orders", *sorted(checked.items()))
        if self._order_store is not None:
            # sync first (it clears the memo), then answer from the store, memoised
            requests = self.sync(progress=False).requests if refresh or not self._synced else 0
            return self._memoised(("stored", *key, ("since", since)),
                                  lambda: self._stored_read(checked, since, requests),
                                  refresh=requests > 0)

        def read() -> ReadResult:
            result = fetch_orders(self.call, checked, page_size=size, workers=concurrency,
                                  progress=progress, since=since,
                                  expected_total=self._order_totals.get(key))
            if since is None:
                self._order_totals[key] = len(result.records)
            return result

        return self._memoised((*key, ("since", since)), read, refresh)

    def _order_frame(self, build: Callable[[list[dict[str, Any]]], pd.DataFrame],
                     filters: dict[str, Any], page_size: int | None, workers: int | None,
                     progress: bool, refresh: bool, since: Any, until: Any) -> pd.DataFrame:
        start, before = date_range(since, until)
        result = self._order_read(filters, page_size, workers, progress, refresh, start)
        frame = build(within(result.records, start, before))
        frame.attrs.update(result.attrs())
        return frame

    def orders(self, status: str | None = None, *, userid: int | None = None,
               id: int | None = None, requestor_id: int | None = None,
               since: str | date | datetime | None = None,
               until: str | date | datetime | None = None,
               page_size: int | None = None, workers: int | None = None,
               progress: bool = True, refresh: bool = False) -> pd.DataFrame:
        """Every matching order as a typed DataFrame, one row per order.

        Every order that matched the filters for the whole read is in it exactly once;
        one added, removed or moved in or out of the filters while it was read may or
        may not be. Pages are read concurrently and proven to chain (WHMCS's
        newest-first order, verified on every page); only a boundary that moved is read
        again. With a store (``connect(store=...)``) the store is synced first and
        answers. The result is memoised per filters until ``refresh=True`` or a write.
        ``frame.attrs`` says when and how it was read (``started``, ``finished``,
        ``requests``, ``reread_boundaries``).

        Parameters
        ----------
        status : str, optional
            An order status, custom ones included (``"Pending"``, ``"Fraud"``…).
        userid, id, requestor_id : int, optional
            GetOrders' other filters.
        since, until : date, datetime or ISO string, optional
            Orders placed from ``since`` up to ``until`` (a whole day is included),
            WHMCS server time. Without a store, reading stops once a whole page is older
            than ``since``.
        page_size : int, optional
            New orders per request (default 250; each request repeats a few orders of
            the page above to prove the boundary).
        workers : int, optional
            Concurrent requests, 1 to 8 (default: ``connect(workers=...)``, 4).
        progress : bool
            Show a progress bar counting orders.
        refresh : bool
            Ignore the memo and read (or sync) again.

        Returns
        -------
        pandas.DataFrame
            See :func:`whmcs_frames.frames.orders_frame` for the columns.

        Examples
        --------
        >>> pending = client.orders("Pending", since="2026-01-01")  # doctest: +SKIP
        >>> pending.groupby("currency", observed=True)["amount"].sum()  # doctest: +SKIP
        """
        return self._order_frame(
            frames.orders_frame,
            {"status": status, "userid": userid, "id": id, "requestor_id": requestor_id},
            page_size, workers, progress, refresh, since, until)

    def order_lines(self, status: str | None = None, *, userid: int | None = None,
                    id: int | None = None, requestor_id: int | None = None,
                    since: str | date | datetime | None = None,
                    until: str | date | datetime | None = None,
                    page_size: int | None = None, workers: int | None = None,
                    progress: bool = True, refresh: bool = False) -> pd.DataFrame:
        """Every line item of the matching orders, one row each, with its ``orderid``.

        Takes the filters of :meth:`orders` and shares its memo, so ``orders()`` then
        ``order_lines()`` reads WHMCS once.

        Examples
        --------
        >>> client.order_lines("Active").groupby("product").size()  # doctest: +SKIP
        """
        return self._order_frame(
            frames.order_lines_frame,
            {"status": status, "userid": userid, "id": id, "requestor_id": requestor_id},
            page_size, workers, progress, refresh, since, until)

    def iter_orders(self, status: str | None = None, *, userid: int | None = None,
                    id: int | None = None, requestor_id: int | None = None,
                    since: str | date | datetime | None = None,
                    until: str | date | datetime | None = None,
                    page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Yield raw order dicts lazily, newest first, a page at a time, each at most once.

        Every order that matched for the whole walk is yielded: each page is proven to
        chain with the one above before it is yielded. Memory stays at one page and
        the ids seen; nothing is memoised, and the store (if any) is not used.

        Examples
        --------
        >>> for order in client.iter_orders(status="Fraud"):  # doctest: +SKIP
        ...     print(order["id"], order["ipaddress"])
        """
        checked = order_filters(status=status, userid=userid, id=id,
                                requestor_id=requestor_id)
        start, before = date_range(since, until)
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        pages = iter_order_pages(self.call, checked, page_size=size, since=start)
        return (order for page in pages for order in within(page, start, before))

    # -- catalogue ------------------------------------------------------------------

    def _product_records(self, pid: int | list[int] | None, gid: int | None,
                         module: str | None, refresh: bool) -> list[dict[str, Any]]:
        params = _product_params(pid, gid, module)

        def read() -> list[dict[str, Any]]:
            return frames.unwrap_list(self.call("GetProducts", **params).get("products"),
                                      "product")

        return self._memoised(("products", *sorted(params.items())), read, refresh)

    def products(self, pid: int | list[int] | None = None, *, gid: int | None = None,
                 module: str | None = None, refresh: bool = False) -> pd.DataFrame:
        """Products (GetProducts) as a DataFrame, one row per product.

        Examples
        --------
        >>> client.products(gid=1)[["pid", "name", "paytype"]]  # doctest: +SKIP
        """
        return frames.products_frame(self._product_records(pid, gid, module, refresh))

    def product_records(self, pid: int | list[int] | None = None, *, gid: int | None = None,
                        module: str | None = None, refresh: bool = False,
                        ) -> list[dict[str, Any]]:
        """The raw GetProducts records behind :meth:`products`, sharing its memo.

        For what the frames only summarise: each product's custom fields and
        configurable options with their ids, required flags and prices (see
        :mod:`whmcs_frames.frames._product_options`). A copy: changing it leaves the
        memo alone.

        Examples
        --------
        >>> client.product_records(pid=4)[0]["customfields"]  # doctest: +SKIP
        """
        return copy.deepcopy(self._product_records(pid, gid, module, refresh))

    def product_pricing(self, pid: int | list[int] | None = None, *, gid: int | None = None,
                        module: str | None = None, refresh: bool = False) -> pd.DataFrame:
        """Prices in long form: ``pid, currency, cycle, price, setup_fee``.

        Cycles a product does not offer (priced ``-1.00`` by WHMCS) are absent.

        Examples
        --------
        >>> client.product_pricing(pid=3).query("currency == 'EUR'")  # doctest: +SKIP
        """
        return frames.product_pricing_frame(self._product_records(pid, gid, module, refresh))

    def promotions(self, code: str | None = None, *, refresh: bool = False) -> pd.DataFrame:
        """Promotions (GetPromotions), all of them or the one ``code``.

        Examples
        --------
        >>> client.promotions()[["code", "type", "value", "expirationdate"]]  # doctest: +SKIP
        """
        if code is not None and (not isinstance(code, str) or not code.strip()):
            raise ValidationError("code", "a promotion code string", got=code)
        params = {} if code is None else {"code": code.strip()}

        def read() -> list[dict[str, Any]]:
            return frames.unwrap_list(self.call("GetPromotions", **params).get("promotions"),
                                      "promotion")

        records = self._memoised(("promotions", *params.items()), read, refresh)
        return frames.promotions_frame(records)

    def order_statuses(self, *, refresh: bool = False) -> pd.DataFrame:
        """Order statuses with their order counts (``title, count``), custom ones included.

        Examples
        --------
        >>> client.order_statuses()  # doctest: +SKIP
        """
        def read() -> list[dict[str, Any]]:
            return frames.unwrap_list(self.call("GetOrderStatuses").get("statuses"), "status")

        return frames.order_statuses_frame(self._memoised(("statuses",), read, refresh))


def _product_params(pid: int | list[int] | None, gid: int | None,
                    module: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if pid is not None:
        pids = [pid] if not isinstance(pid, list | tuple) else list(pid)
        pids = [whmcs_id("pid", one) for one in pids]
        params["pid"] = ",".join(str(p) for p in pids)  # GetProducts takes a comma list
    if gid is not None:
        params["gid"] = whmcs_id("gid", gid)
    if module is not None:
        if not isinstance(module, str) or not module.strip():
            raise ValidationError("module", "a module name such as 'cpanel'", got=module)
        params["module"] = module.strip()
    return params


def within(records: list[dict[str, Any]], since: datetime | None,
           before: datetime | None) -> list[dict[str, Any]]:
    """The records dated ``since <= date < before`` (all of them without bounds)."""
    if since is None and before is None:
        return records
    kept = []
    for record in records:
        when = record_time(record, ORDERS.date_field)
        if when is not None and (since is None or when >= since) and \
                (before is None or when < before):
            kept.append(record)
    return kept
