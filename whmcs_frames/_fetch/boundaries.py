"""Proving that pages read at different moments leave no order out.

WHMCS answers a slice of a list sorted newest first (id descending). A page read at
one moment is a contiguous slice of the list *as it was then*, so every order that
matched at that moment with an id between the page's last and first id is on it.
Give each page the id range it vouches for — up to +infinity for the page at offset 0,
down to -infinity for a page that reached the bottom — and the read is complete for
every order that matched for the whole read when those ranges, taken together, cover
every id. Where two neighbouring ranges do not meet (the list moved by more than the
overlap between the two reads) there is a *gap*: only that boundary is read again,
from an earlier offset, with a window that grows until it spans the gap.

This only holds where the order is verified: every page must be strictly descending.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .listing import Page

__all__ = ["Gap", "find_gaps", "growth", "span", "window_for"]

INF = math.inf


def span(page: Page) -> tuple[float, float] | None:
    """The id range ``(high, low)`` ``page`` vouches for, or None if it vouches for none.

    Examples
    --------
    >>> span(Page(0, 10, 3, [{}, {}, {}], 0, [9, 5, 2]))
    (inf, -inf)
    """
    bottom = page.is_end or page.all_older
    if not page.records:
        return (INF, -INF) if page.offset == 0 and bottom else None
    high = INF if page.offset == 0 else float(page.top)  # type: ignore[arg-type]
    low = -INF if bottom else float(page.last)  # type: ignore[arg-type]
    return high, low


@dataclass
class Gap:
    """Ids below ``upper`` (proven down to it by ``above``) not yet proven.

    ``below`` is the page just under the gap, or None when nothing under it is read
    yet (the list is longer than the pages read so far).
    """

    upper: float
    above: Page | None
    below: Page | None

    @property
    def lower(self) -> float | None:
        return None if self.below is None else float(self.below.top)  # type: ignore[arg-type]

    def describe(self) -> str:
        if self.above is None:
            return "the top of the list (no page at offset 0)"
        if self.below is None:
            end = self.above.offset + len(self.above.records)
            return f"below id {self.upper:.0f} (offset {end})"
        return (f"between id {self.upper:.0f} (page at offset {self.above.offset}) and id "
                f"{self.lower:.0f} (page at offset {self.below.offset})")


def find_gaps(pages: list[Page]) -> list[Gap]:
    """The unproven stretches of the id line, top to bottom; [] means complete.

    Examples
    --------
    >>> a = Page(0, 10, 30, [{}] * 10, 0, list(range(100, 90, -1)))
    >>> b = Page(8, 12, 30, [{}] * 12, 1, list(range(85, 73, -1)))
    >>> [g.describe() for g in find_gaps([a, b])][0]
    'between id 91 (page at offset 0) and id 85 (page at offset 8)'
    """
    spans = [(s, p) for p in pages if (s := span(p)) is not None]
    gaps: list[Gap] = []
    reach: float = INF
    reached_by: Page | None = None
    while reach != -INF:
        # a span that starts at or above what is proven and carries it lower
        onward = [(s, p) for s, p in spans if s[0] >= reach and s[1] < reach]
        if onward:
            (_, reach), reached_by = min(onward, key=lambda sp: (sp[0][1], -sp[1].seq))
            continue
        below = [(s, p) for s, p in spans if s[0] < reach]
        if not below:
            gaps.append(Gap(reach, reached_by, None))
            break
        (_, low), page = max(below, key=lambda sp: (sp[0][0], sp[1].seq))
        gaps.append(Gap(reach, reached_by, page))
        reach, reached_by = low, page
    return gaps


def growth(attempt: int, *, page_size: int, overlap: int) -> int:
    """Rows a re-read reaches past a boundary each side: half a page, doubling.

    A round trip costs far more than a few hundred extra rows, so start wide.

    Examples
    --------
    >>> [growth(a, page_size=250, overlap=10) for a in range(4)]
    [0, 125, 250, 500]
    """
    return 0 if attempt == 0 else max(overlap, page_size // 2) * 2 ** (attempt - 1)


def window_for(gap: Gap, attempt: int, *, page_size: int, overlap: int) -> tuple[int, int]:
    """``(limitstart, limitnum)`` to read so that ``gap`` closes.

    The tail continues where the page above ended (overlap included) on a first try.
    A shifted boundary is re-read with :func:`growth` more rows on each side
    of the page under it, so the window spans where both sides moved to (up when
    records above were removed, down when records were added).
    """
    grow = growth(attempt, page_size=page_size, overlap=overlap)
    if gap.above is None:
        return 0, page_size
    if gap.below is None:
        anchor = gap.above.offset + len(gap.above.records) - overlap
        start = max(0, anchor - grow)
        return start, page_size + overlap + (anchor - start) + grow
    start = max(0, gap.below.offset - grow)
    return start, gap.below.limit + (gap.below.offset - start) + grow
