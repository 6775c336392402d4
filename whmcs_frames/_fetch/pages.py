"""GetOrders through the generic proven reads: filters, paging limits, and the two
entry points the client uses (:func:`fetch_orders`, :func:`iter_order_pages`).

The machinery lives beside this module: :mod:`.listing` (what a page is),
:mod:`.boundaries` (proving pages chain), :mod:`.proven` (the concurrent read),
:mod:`.walk` (the lazy one) and :mod:`.passes` (the fallback for an unsorted server).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from .._exceptions import ValidationError
from .._validate import positive_int, whmcs_id
from .listing import ORDERS, Call
from .proven import ReadResult, fetch_all, first_round_size
from .walk import walk_pages

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_WORKERS", "ReadResult", "check_paging", "fetch_orders",
           "first_round_size", "iter_order_pages", "order_filters"]

#: Measured with bench/fetch.py (see the README); peers page at 250 too.
DEFAULT_PAGE_SIZE = 250
#: Concurrent requests one read may put on somebody's billing system.
MAX_WORKERS = 8


def order_filters(**filters: Any) -> dict[str, Any]:
    """Validate GetOrders filters; ``None`` values are dropped.

    WHMCS ignores a parameter it does not know, so a misspelt filter would silently
    return every order: names are checked here, before any request.

    Examples
    --------
    >>> order_filters(status="Pending", userid=None)
    {'status': 'Pending'}
    """
    allowed = {"status", "userid", "id", "requestor_id"}
    checked: dict[str, Any] = {}
    for name, value in filters.items():
        if name not in allowed:
            raise ValidationError(name, "one of the GetOrders filters " + ", ".join(sorted(
                allowed)))
        if value is None:
            continue
        if name == "status":
            if not isinstance(value, str) or not value.strip():
                raise ValidationError("status", "an order status name such as 'Pending'",
                                      got=value)
            checked[name] = value.strip()
        else:
            checked[name] = whmcs_id(name, value)
    return checked


def check_paging(page_size: int, workers: int) -> None:
    """``page_size`` positive; ``workers`` from 1 to :data:`MAX_WORKERS`.

    Examples
    --------
    >>> check_paging(250, 64)
    Traceback (most recent call last):
    ...
    whmcs_frames._exceptions.ValidationError: workers: expected an integer from 1 to 8, got 64
    """
    positive_int("page_size", page_size)
    positive_int("workers", workers, maximum=MAX_WORKERS)


def fetch_orders(call: Call, filters: Mapping[str, Any], *,
                 page_size: int = DEFAULT_PAGE_SIZE, workers: int = 4, progress: bool = True,
                 expected_total: int | None = None,
                 since: datetime | None = None) -> ReadResult:
    """Every order matching ``filters``, proven complete, read concurrently.

    See :func:`whmcs_frames._fetch.proven.fetch_all` for the guarantee and the
    parameters.

    Examples
    --------
    >>> result = fetch_orders(client.call, {"status": "Pending"})  # doctest: +SKIP
    >>> result.records[0]["id"], result.attrs()["requests"]  # doctest: +SKIP
    """
    check_paging(page_size, workers)
    return fetch_all(call, ORDERS, filters, page_size=page_size, workers=workers,
                     progress=progress, expected_total=expected_total, since=since)


def iter_order_pages(call: Call, filters: Mapping[str, Any], *,
                     page_size: int = DEFAULT_PAGE_SIZE,
                     since: datetime | None = None) -> Iterator[list[dict[str, Any]]]:
    """Yield orders page by page, lazily, each at most once, boundaries proven.

    Examples
    --------
    >>> for page in iter_order_pages(client.call, {}):  # doctest: +SKIP
    ...     print(len(page))
    """
    check_paging(page_size, 1)
    return walk_pages(call, ORDERS, filters, page_size=page_size, since=since)
