"""A lazy serial walk with the same guarantee as :func:`~.proven.fetch_all`.

Each page is yielded only once it chains with the page above (its first id at or
above the last id already proven), so the walk proves its boundaries as it goes; a
page that does not chain is read again from an earlier offset, with a growing window,
before anything under it is yielded. Memory holds one page and the ids yielded. A
record is yielded at most once (the first copy read: a lazy stream cannot take back
what it gave).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any

from .._exceptions import InconsistentReadError, PaginationShiftWarning, warn
from .boundaries import growth
from .listing import Call, Listing, Page, PageReader, record_time
from .passes import walk_whole_passes
from .proven import MAX_REREADS, default_overlap

__all__ = ["walk_pages"]


def _chains(above: Page, page: Page) -> bool:
    if page.offset == 0:
        return True
    if not page.records:
        return False  # the list got shorter than where this page starts: rows moved up
    return page.top >= above.last  # type: ignore[operator]


def _next_page(reader: PageReader, above: Page, *, page_size: int, overlap: int,
               max_rereads: int) -> Page:
    anchor = above.offset + len(above.records) - overlap
    for attempt in range(max_rereads + 1):
        grow = growth(attempt, page_size=page_size, overlap=overlap)
        start = max(0, anchor - grow)
        page = reader.read(start, page_size + overlap + (anchor - start) + grow)
        if not page.descending or (_chains(above, page) and (
                page.is_end or page.last < above.last)):  # type: ignore[operator]
            return page
    raise InconsistentReadError(
        f"{reader.listing.action}: could not prove the page boundary below id {above.last} "
        f"(offset {anchor}) after {max_rereads} re-reads: records above it kept moving "
        f"(totalresults now {page.total}).")


def walk_pages(call: Call, listing: Listing, filters: Mapping[str, Any], *,
               page_size: int, overlap: int | None = None, max_rereads: int = MAX_REREADS,
               since: datetime | None = None) -> Iterator[list[dict[str, Any]]]:
    """Yield records page by page, newest first, each at most once, proven as it goes.

    With ``since``, the walk stops after a page whose records are all older (while
    dates are seen to fall with ids); older records may still be yielded: filter them.

    Examples
    --------
    >>> for page in walk_pages(client.call, ORDERS, {}, page_size=250):  # doctest: +SKIP
    ...     print(len(page))
    """
    overlap = default_overlap(page_size) if overlap is None else overlap
    reader = PageReader(call, listing, filters, since=since)
    seen: set[Any] = set()
    page = reader.read(0, page_size)
    last_time: datetime | None = None
    while page.descending:
        fresh = [r for i, r in zip(page.ids, page.records, strict=True) if i not in seen]
        seen.update(page.ids)
        if fresh:
            yield fresh
        times = [t for r in page.records if (t := record_time(r, listing.date_field))]
        if since is not None and (any(a < b for a, b in pairwise(times))
                                  or (last_time and times and times[0] > last_time)):
            since = reader.since = None  # dates do not fall with ids here: walk to the end
        last_time = times[-1] if times else last_time
        if page.is_end or (since is not None and page.all_older):
            return
        page = _next_page(reader, page, page_size=page_size, overlap=overlap,
                          max_rereads=max_rereads)
    warn(f"{listing.action} pages on this server are not sorted newest first; the walk "
         "checks whole passes instead.", PaginationShiftWarning)
    reader.since = None
    yield from walk_whole_passes(reader, page_size=page_size, seen={str(i) for i in seen})
