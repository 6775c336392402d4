"""Paginated reads of GetOrders: complete or loud, concurrent, with a progress bar.

A pass reads the first ``workers`` pages at once (page 0 gives ``totalresults``; the
others are a guess that saves a round trip on big reads), then the remaining pages in a
bounded thread pool. A pass is *clean* when every page reports the same total, every
page is as long as that total implies, no order shows up on two pages (a shifted
boundary) and the unique ids number exactly the total. An unclean pass is thrown away
and the read starts again, up to ``max_passes``; then :class:`InconsistentReadError`
says what was seen.

Nothing here depends on the order WHMCS sorts by, only on it being the same from one
request to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .._api.shapes import unwrap_list
from .._exceptions import InconsistentReadError, PaginationShiftWarning, ValidationError, warn
from .._validate import positive_int, whmcs_id
from .._validate import progress as progress_wanted

__all__ = ["DEFAULT_PAGE_SIZE", "fetch_orders", "iter_order_pages", "order_filters"]

Call = Callable[..., dict[str, Any]]

#: Measured with bench/fetch.py (see the README); peers page at 250 too.
DEFAULT_PAGE_SIZE = 250
MAX_PASSES = 5


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


def _check_paging(page_size: int, workers: int) -> None:
    positive_int("page_size", page_size)
    positive_int("workers", workers)


@dataclass
class _Page:
    offset: int
    total: int
    orders: list[dict[str, Any]]

    @property
    def ids(self) -> list[str]:
        return [str(o.get("id")) for o in self.orders]


def _read_page(call: Call, filters: Mapping[str, Any], offset: int, size: int) -> _Page:
    answer = call("GetOrders", limitstart=offset, limitnum=size, **filters)
    orders = unwrap_list(answer.get("orders"), "order")
    return _Page(offset, int(answer.get("totalresults") or 0), orders)


@dataclass
class _Pass:
    pages: list[_Page]
    problems: list[str] = field(default_factory=list)

    def check(self, page_size: int) -> None:
        total = self.pages[0].total
        for page in self.pages:
            if page.total != total:
                self.problems.append(f"totalresults went from {total} to {page.total}")
            expected = max(0, min(page_size, total - page.offset))
            if len(page.orders) != expected:
                self.problems.append(f"page at offset {page.offset} held {len(page.orders)} "
                                     f"orders, expected {expected}")
        ids = [i for page in self.pages for i in page.ids]
        unique = len(set(ids))
        if unique != len(ids):
            self.problems.append(f"{len(ids) - unique} order(s) appeared on two pages")
        if unique != total:
            self.problems.append(f"{unique} unique orders read, totalresults {total}")

    def orders(self) -> list[dict[str, Any]]:
        return [order for page in self.pages for order in page.orders]


def _progress(enabled: bool | None) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=None, unit="orders", desc="GetOrders",
                disable=not progress_wanted("progress", enabled), leave=False)


def first_round_size(filters: Mapping[str, Any], page_size: int, workers: int,
                     expected_total: int | None) -> int:
    """How many pages to ask for before ``totalresults`` is known.

    Guessing right saves a whole round trip on a big read; guessing wrong costs cheap
    empty pages. So guess from the last total seen for these filters, else only for an
    unfiltered read (the whole order table, the big one), else not at all.
    """
    if expected_total is not None:
        return max(1, min(workers, -(-expected_total // page_size)))
    return 1 if filters else workers


def _read_pass(call: Call, filters: Mapping[str, Any], page_size: int,
               pool: ThreadPoolExecutor, guesses: int, progress: bool | None) -> _Pass:
    with _progress(progress) as bar:

        def read(offset: int) -> _Page:
            page = _read_page(call, filters, offset, page_size)
            bar.update(len(page.orders))
            return page

        first_round = [pool.submit(read, k * page_size) for k in range(guesses)]
        first = first_round[0].result()
        bar.total = first.total
        bar.refresh()
        rest = pool.map(read, range(guesses * page_size, first.total, page_size))
        result = _Pass([first, *(f.result() for f in first_round[1:]), *rest])
    result.check(page_size)
    return result


def fetch_orders(call: Call, filters: Mapping[str, Any], *,
                 page_size: int = DEFAULT_PAGE_SIZE, workers: int = 4,
                 progress: bool | None = None,
                 max_passes: int = MAX_PASSES,
                 expected_total: int | None = None) -> list[dict[str, Any]]:
    """Every order matching ``filters``, exactly once, read concurrently.

    Parameters
    ----------
    call : callable
        ``call(action, **params) -> dict``, e.g. ``client.call``.
    filters : mapping
        Validated GetOrders filters (see :func:`order_filters`).
    page_size, workers : int
        Orders per request and concurrent requests.
    progress : bool or None
        Show a tqdm progress bar counting orders; None: only if stderr is a terminal.
    max_passes : int
        Whole re-reads allowed while pages shift under a concurrent writer.
    expected_total : int, optional
        The last total seen for these filters; sizes the first round of requests.

    Returns
    -------
    list of dict
        Raw order records as WHMCS sent them.

    Raises
    ------
    InconsistentReadError
        When no pass came out clean within ``max_passes``.

    Examples
    --------
    >>> orders = fetch_orders(client.call, {"status": "Pending"})  # doctest: +SKIP
    """
    _check_paging(page_size, workers)
    seen_problems: list[str] = []
    with ThreadPoolExecutor(workers, thread_name_prefix="whmcs-frames") as pool:
        for attempt in range(1, max_passes + 1):
            guesses = first_round_size(filters, page_size, workers, expected_total)
            result = _read_pass(call, filters, page_size, pool, guesses, progress)
            expected_total = result.pages[0].total
            if not result.problems:
                if seen_problems:
                    warn(f"Orders shifted while being read ({seen_problems[0]}); re-read "
                         f"{attempt - 1} time(s) until the result was consistent.",
                         PaginationShiftWarning)
                return result.orders()
            seen_problems.extend(result.problems)
    raise InconsistentReadError(
        f"GetOrders never settled in {max_passes} passes: orders keep changing on the "
        f"server. Seen: {'; '.join(dict.fromkeys(seen_problems))}")


def iter_order_pages(call: Call, filters: Mapping[str, Any], *,
                     page_size: int = DEFAULT_PAGE_SIZE,
                     max_passes: int = MAX_PASSES) -> Iterator[list[dict[str, Any]]]:
    """Yield orders page by page, lazily, each order at most once.

    Memory holds one page and the ids seen. If the pages shift during the walk, it
    walks again, yielding only orders not yet seen, so none is lost; an order deleted
    after it was yielded stays yielded. Use :func:`fetch_orders` for a reconciled result.

    Examples
    --------
    >>> for page in iter_order_pages(client.call, {}):  # doctest: +SKIP
    ...     print(len(page))
    """
    _check_paging(page_size, 1)
    seen: set[str] = set()
    for _ in range(max_passes):
        shifted = yield from _walk_once(call, filters, page_size, seen)
        if not shifted:
            return
    raise InconsistentReadError(
        f"GetOrders never settled in {max_passes} passes while iterating; "
        f"{len(seen)} orders were yielded.")


def _walk_once(call: Call, filters: Mapping[str, Any], page_size: int,
               seen: set[str]) -> Generator[list[dict[str, Any]], None, bool]:
    """One serial walk, yielding unseen orders; returns whether the pages shifted."""
    first = _read_page(call, filters, 0, page_size)
    page, walked, read = first, set(first.ids), len(first.ids)
    shifted = False
    while True:
        fresh = [o for o in page.orders if str(o.get("id")) not in seen]
        seen.update(str(o.get("id")) for o in fresh)
        if fresh:
            yield fresh
        next_offset = page.offset + page_size
        if len(page.orders) < page_size or next_offset >= first.total:
            break
        page = _read_page(call, filters, next_offset, page_size)
        shifted |= page.total != first.total
        walked.update(page.ids)
        read += len(page.ids)
    return shifted or len(walked) != first.total or read != len(walked)
