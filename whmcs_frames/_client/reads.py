"""The Client's read methods: orders, line items and the catalogue as DataFrames.

A mixin so :mod:`whmcs_frames._client` stays the small facade it is meant to be;
every method here only wires ``fetch`` and ``frames`` to the client's memo.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import frames
from .._exceptions import ValidationError
from .._fetch.pages import DEFAULT_PAGE_SIZE, fetch_orders, iter_order_pages, order_filters
from .._validate import listed, whmcs_id

if TYPE_CHECKING:
    from .._api.config import Settings

__all__ = ["OrderReadsMixin"]


class OrderReadsMixin:
    """Reads for :class:`whmcs_frames.Client`, memoised per client and filters."""

    settings: Settings
    _order_totals: dict[tuple[Any, ...], int]
    _warned_products: set[str]

    if TYPE_CHECKING:  # provided by Client
        def call(self, action: str, /, **params: Any) -> dict[str, Any]: ...

        def _memoised(self, key: tuple[Any, ...], read: Callable[[], Any],
                      refresh: bool) -> Any: ...

    # -- orders ---------------------------------------------------------------------

    def _order_records(self, filters: dict[str, Any], page_size: int | None,
                       workers: int | None, progress: bool | None,
                       refresh: bool) -> list[dict[str, Any]]:
        checked = order_filters(**filters)
        if "status" in checked:
            checked["status"] = self.known_status(checked["status"])
        key = ("orders", *sorted(checked.items()))

        def read() -> list[dict[str, Any]]:
            records = fetch_orders(
                self.call, checked,
                page_size=DEFAULT_PAGE_SIZE if page_size is None else page_size,
                workers=self.settings.workers if workers is None else workers,
                progress=progress, expected_total=self._order_totals.get(key))
            self._order_totals[key] = len(records)
            return records

        return self._memoised(key, read, refresh)

    def orders(self, status: str | None = None, *, userid: int | None = None,
               id: int | None = None, requestor_id: int | None = None,
               page_size: int | None = None, workers: int | None = None,
               progress: bool | None = None, refresh: bool = False) -> pd.DataFrame:
        """Every matching order as a typed DataFrame, one row per order.

        Pages are read concurrently and reconciled if orders shift while they are
        read; the result is memoised per filters until ``refresh=True`` or a write.

        Parameters
        ----------
        status : str, optional
            An order status, custom ones included (``"Pending"``, ``"Fraud"``…), checked
            against GetOrderStatuses (read once) in any case; a misspelt one raises
            :class:`~whmcs_frames.ValidationError` with the close matches.
        userid, id, requestor_id : int, optional
            GetOrders' other filters.
        page_size : int, optional
            Orders per request (default 250).
        workers : int, optional
            Concurrent requests (default: ``connect(workers=...)``, 4).
        progress : bool, optional
            Show a progress bar counting orders; by default only when stderr is a
            terminal (so none in logs or saved notebooks; pass True in Jupyter).
        refresh : bool
            Ignore the memo and read again.

        Returns
        -------
        pandas.DataFrame
            See :func:`whmcs_frames.frames.orders_frame` for the columns.

        Examples
        --------
        >>> pending = client.orders("Pending")  # doctest: +SKIP
        >>> pending.groupby("currency", observed=True)["amount"].sum()  # doctest: +SKIP
        """
        records = self._order_records(
            {"status": status, "userid": userid, "id": id, "requestor_id": requestor_id},
            page_size, workers, progress, refresh)
        return frames.orders_frame(records)

    def order_lines(self, status: str | None = None, *, userid: int | None = None,
                    id: int | None = None, requestor_id: int | None = None,
                    page_size: int | None = None, workers: int | None = None,
                    progress: bool | None = None, refresh: bool = False) -> pd.DataFrame:
        """Every line item of the matching orders, one row each, with its ``orderid``.

        Takes the filters of :meth:`orders` and shares its memo, so ``orders()`` then
        ``order_lines()`` reads WHMCS once. Each line carries its order's ``date``,
        ``orderstatus``, ``paymentstatus`` and ``currency``, its ``cycle`` as
        :meth:`product_pricing` spells it and, for product lines, the ``pid`` found by
        name in :meth:`products` (``<NA>`` with one :class:`~whmcs_frames.ProductMatchWarning`
        per name when no product, or several, fit), so
        ``lines.merge(client.product_pricing(), on=["pid", "currency", "cycle"])`` works.

        Examples
        --------
        >>> client.order_lines("Active").groupby("product").size()  # doctest: +SKIP
        """
        records = self._order_records(
            {"status": status, "userid": userid, "id": id, "requestor_id": requestor_id},
            page_size, workers, progress, refresh)
        return self._with_pids(frames.order_lines_frame(records))

    def _with_pids(self, lines: pd.DataFrame) -> pd.DataFrame:
        """Each product line's ``pid``, from the memoised GetProducts; a name that fits no
        product (or several) warns once per client."""
        if not len(lines):
            return lines
        lines["pid"], problems = frames.resolve_pids(lines, self.products())
        fresh = [p for p in problems if p not in self._warned_products]
        if fresh:
            self._warned_products.update(fresh)
            frames.warn_unmatched_products(fresh)
        return lines

    def iter_orders(self, status: str | None = None, *, userid: int | None = None,
                    id: int | None = None, requestor_id: int | None = None,
                    page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Yield raw order dicts lazily, a page at a time, each order at most once.

        Memory stays at one page; nothing is memoised.

        Examples
        --------
        >>> for order in client.iter_orders(status="Fraud"):  # doctest: +SKIP
        ...     print(order["id"], order["ipaddress"])
        """
        checked = order_filters(status=status, userid=userid, id=id,
                                requestor_id=requestor_id)
        if "status" in checked:
            checked["status"] = self.known_status(checked["status"])
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        for page in iter_order_pages(self.call, checked, page_size=size):
            yield from page

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

    def known_status(self, status: str) -> str:
        """``status`` spelt as WHMCS lists it (GetOrderStatuses, custom ones included).

        WHMCS answers an unknown status with no orders and no error, so a typo would read
        as "nothing pending". Case is not significant (``"pending"`` → ``"Pending"``).

        Raises
        ------
        ValidationError
            For a status WHMCS does not list, with the close matches.

        Examples
        --------
        >>> client.known_status("in review")  # doctest: +SKIP
        'In Review'
        """
        titles = self.order_statuses()["title"].dropna().tolist()
        return listed("status", status, titles, what="order status")


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
