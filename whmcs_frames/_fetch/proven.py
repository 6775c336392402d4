"""Read a whole paginated list concurrently, proven complete boundary by boundary.

Page *i* asks for ``page_size + overlap`` records from ``i * page_size - overlap``: the
overlap rides inside each request, so a quiet read costs as many requests as plain
paging. Once the planned pages are in, :func:`~.boundaries.find_gaps` says which
boundaries did not chain (the list moved by more than the overlap between two reads);
only those are read again, with a growing window, until the id line is covered or the
bound is reached. Records are merged by id, keeping the copy read last.

The guarantee: every record that matched the filters for the whole read is returned
exactly once; one added, removed or moved in or out of the filters during the read
may or may not be.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import pairwise
from typing import Any, cast

from .._exceptions import InconsistentReadError, PaginationShiftWarning, warn
from .._validate import progress as progress_wanted
from .boundaries import Gap, find_gaps, growth, window_for
from .listing import Call, Listing, Page, PageReader, record_time
from .passes import read_whole_passes

__all__ = ["MAX_REREADS", "ReadResult", "default_overlap", "fetch_all", "first_round_size",
           "progress_bar"]

#: Rounds of boundary re-reads (each doubling the window) before giving up.
MAX_REREADS = 8


def default_overlap(page_size: int) -> int:
    """Records each request repeats from the page above: a fifth of a page, 1 to 10.

    Examples
    --------
    >>> default_overlap(250), default_overlap(10), default_overlap(3)
    (10, 2, 1)
    """
    return max(1, min(10, page_size // 5))


@dataclass
class ReadResult:
    """The records of a proven read and how it went (see :meth:`attrs`)."""

    records: list[dict[str, Any]]
    started: datetime
    finished: datetime
    requests: int
    reread_boundaries: list[str] = field(default_factory=list)
    proof: str = "boundaries"
    total: int | None = None

    def attrs(self) -> dict[str, Any]:
        """What a DataFrame built from this read carries in ``df.attrs``."""
        return {"started": self.started.isoformat(timespec="seconds"),
                "finished": self.finished.isoformat(timespec="seconds"),
                "requests": self.requests,
                "reread_boundaries": list(self.reread_boundaries), "proof": self.proof}


def first_round_size(filters: Mapping[str, Any], page_size: int, workers: int,
                     expected_total: int | None) -> int:
    """How many pages to ask for before ``totalresults`` is known.

    Guessing right saves a whole round trip on a big read; guessing wrong costs cheap
    empty pages. So guess from the last total seen for these filters, else only for an
    unfiltered read (the whole table, the big one), else not at all.
    """
    if expected_total is not None:
        return max(1, min(workers, -(-expected_total // page_size)))
    return 1 if filters else workers


class _Read:
    """One read's state: the pages so far and the pool that reads more."""

    def __init__(self, reader: PageReader, pool: ThreadPoolExecutor, bar: Any, *,
                 page_size: int, overlap: int) -> None:
        self.reader, self.pool, self.bar = reader, pool, bar
        self.size, self.overlap = page_size, overlap
        self.pages: list[Page] = []

    def slot(self, i: int, *, slack: bool = False) -> tuple[int, int]:
        if i == 0:
            return 0, self.size
        return i * self.size - self.overlap, self.size + self.overlap * (2 if slack else 1)

    def read_many(self, slices: list[tuple[int, int]]) -> list[Page]:
        futures = [self.pool.submit(self.reader.read, o, n) for o, n in slices]
        got = [f.result() for f in futures]
        for page in got:
            self.bar.update(len(page.records))
        self.pages.extend(got)
        return got

    @property
    def total(self) -> int:
        return max((p.total or 0) for p in self.pages)


def _plan(read: _Read, guesses: int, workers: int, since: datetime | None) -> None:
    first_round = read.read_many([read.slot(i) for i in range(guesses)])
    read.bar.total = first_round[0].total
    read.bar.refresh()
    pages_needed = max(1, math.ceil(read.total / read.size))
    if since is None:
        read.read_many([read.slot(i, slack=i == pages_needed - 1)
                        for i in range(guesses, pages_needed)])
        return
    # Newest first: stop planning once a whole page is older than since.
    i = guesses
    while i < pages_needed and not any(p.all_older or p.is_end for p in read.pages):
        read.read_many([read.slot(j) for j in range(i, min(i + workers, pages_needed))])
        i += workers


def _dates_descend(pages: list[Page], date_field: str | None) -> bool:
    """Dates never rise as ids fall on the pages read (what makes ``since`` safe)."""
    merged = sorted(((i, r) for p in pages for i, r in zip(p.ids, p.records, strict=True)),
                    key=lambda ir: -(ir[0] or 0))
    times = [t for _, r in merged if (t := record_time(r, date_field)) is not None]
    return all(a >= b for a, b in pairwise(times))


def _close_gaps(read: _Read, gaps: list[Gap], state: dict[str, Any],
                max_rereads: int) -> None:
    tail = [g for g in gaps if g.below is None and g.above is not None]
    if tail and len(gaps) == 1 and (state["tail"] is None or tail[0].upper < state["tail"]):
        # the list is longer than planned (it grew while being read): go on down
        state["tail"] = tail[0].upper
        above = cast(Page, tail[0].above)  # chosen above for having one
        start = above.offset + len(above.records) - read.overlap
        slices = [(o, read.size + read.overlap)
                  for o in range(start, max(start + 1, read.total), read.size)]
        read.read_many(slices)
        return
    state["loops"] += 1
    slices = []
    for gap in gaps:
        key = (gap.upper, gap.lower)
        attempt = state["attempts"][key] = state["attempts"].get(key, 0) + 1
        if attempt > max_rereads or state["loops"] > 4 * max_rereads:
            raise InconsistentReadError(
                f"{read.reader.listing.action}: could not prove the page boundary "
                f"{gap.describe()} after {attempt - 1} re-reads (window up to "
                f"{growth(attempt - 1, page_size=read.size, overlap=read.overlap)} records "
                f"each side): records kept "
                f"moving by more than that between two requests (totalresults now "
                f"{read.total}).")
        slices.append(window_for(gap, attempt, page_size=read.size, overlap=read.overlap))
        state["reread"][f"below id {gap.upper:.0f}"] = attempt
    read.read_many(slices)


def _rereads(state: dict[str, Any]) -> list[str]:
    return [f"{where} (re-read {n}x)" for where, n in state["reread"].items()]


def merge_newest_first(pages: list[Page], id_field: str) -> list[dict[str, Any]]:
    """Records by id, the copy read last winning; newest (highest id) first."""
    by_id: dict[int, dict[str, Any]] = {}
    for page in sorted(pages, key=lambda p: p.seq):
        for i, record in zip(page.ids, page.records, strict=True):
            if i is not None:
                by_id[i] = record
    return [by_id[i] for i in sorted(by_id, reverse=True)]


def progress_bar(enabled: bool | None, action: str) -> Any:
    """A tqdm bar counting ``action``'s records; shown as :func:`~.._validate.progress` says."""
    from tqdm.auto import tqdm  # tqdm.auto picks a widget or text bar: import cost only when shown

    return tqdm(total=None, unit="records", desc=action, leave=False,
                disable=not progress_wanted("progress", enabled))


def fetch_all(call: Call, listing: Listing, filters: Mapping[str, Any], *,
              page_size: int, workers: int, progress: bool | None = None,
              overlap: int | None = None, max_rereads: int = MAX_REREADS,
              expected_total: int | None = None, since: datetime | None = None) -> ReadResult:
    """Every record of ``listing`` matching ``filters``, proven complete.

    Parameters
    ----------
    call : callable
        ``call(action, **params) -> dict``, e.g. ``client.call``.
    listing : Listing
        Which action and list keys (:data:`~.listing.ORDERS` for GetOrders).
    filters : mapping
        Validated filters, sent with every request.
    page_size, workers : int
        New records per request and concurrent requests.
    progress : bool or None
        Show a tqdm bar counting records; None: only when stderr is a terminal.
    overlap : int, optional
        Records each request repeats from the page above (default: a fifth of a page, 1
        to 10).
    max_rereads : int
        Rounds of boundary re-reads allowed before :class:`InconsistentReadError`.
    expected_total : int, optional
        The last total seen for these filters; sizes the first round of requests.
    since : datetime, optional
        Stop once a whole page is older (needs ``listing.date_field``). The records
        returned may include older ones: filter them.

    Returns
    -------
    ReadResult

    Examples
    --------
    >>> result = fetch_all(client.call, ORDERS, {"status": "Pending"},
    ...                    page_size=250, workers=4)  # doctest: +SKIP
    >>> len(result.records), result.requests  # doctest: +SKIP
    """
    started = datetime.now(timezone.utc)
    overlap = default_overlap(page_size) if overlap is None else overlap
    reader = PageReader(call, listing, filters, since=since)
    # a read bounded by since is usually short: guess nothing before page 1 answers
    guesses = 1 if since is not None else first_round_size(filters, page_size, workers,
                                                           expected_total)
    state: dict[str, Any] = {"loops": 0, "tail": None, "reread": {}, "attempts": {}}
    with ThreadPoolExecutor(workers, thread_name_prefix="whmcs-frames") as pool, \
            progress_bar(progress, listing.action) as bar:
        read = _Read(reader, pool, bar, page_size=page_size, overlap=overlap)
        _plan(read, guesses, workers, since)
        while all(p.descending for p in read.pages):
            if since is not None and not _dates_descend(read.pages, listing.date_field):
                since = reader.since = None  # the stop rule is unsafe here: read to the end
                for page in read.pages:
                    page.all_older = False
            gaps = find_gaps(read.pages)
            if not gaps:
                return ReadResult(merge_newest_first(read.pages, listing.id_field), started,
                                  datetime.now(timezone.utc), reader.requests,
                                  _rereads(state), "boundaries", read.pages[0].total)
            _close_gaps(read, gaps, state, max_rereads)
        warn(f"{listing.action} pages on this server are not sorted newest first, so page "
             "boundaries cannot be proven one by one; the read was checked by whole passes "
             "instead, which cannot settle while records keep changing.",
             PaginationShiftWarning)
        reader.since = None
        pages = read_whole_passes(reader, pool, page_size=page_size)
    records = [r for p in pages for r in p.records]
    return ReadResult(records, started, datetime.now(timezone.utc), reader.requests,
                      _rereads(state), "whole pass", pages[0].total)
