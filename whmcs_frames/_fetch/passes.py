"""The fallback for a server that does not sort newest first: whole passes.

Without a verified order, a boundary cannot be proven on its own, so a pass of plain
pages (offset ``k * page_size``) counts only when it looks like one snapshot: every
page reports the same total, every page is as long as that total implies, no record
shows up twice and the unique ids number exactly the total. An unclean pass is
thrown away, up to ``max_passes``. This cannot settle on a busy book; the caller
warns that the server's order could not be used.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from .._exceptions import InconsistentReadError
from .listing import Page, PageReader

__all__ = ["MAX_PASSES", "read_whole_passes", "walk_whole_passes"]

MAX_PASSES = 5


def _problems(pages: list[Page], page_size: int, id_field: str) -> list[str]:
    total = pages[0].total or 0
    found: list[str] = []
    for page in pages:
        if page.total != total:
            found.append(f"totalresults went from {total} to {page.total}")
        expected = max(0, min(page_size, total - page.offset))
        if len(page.records) != expected:
            found.append(f"page at offset {page.offset} held {len(page.records)} records, "
                         f"expected {expected}")
    ids = [str(r.get(id_field)) for page in pages for r in page.records]
    unique = len(set(ids))
    if unique != len(ids):
        found.append(f"{len(ids) - unique} record(s) appeared on two pages")
    if unique != total:
        found.append(f"{unique} unique records read, totalresults {total}")
    return found


def read_whole_passes(reader: PageReader, pool: ThreadPoolExecutor, *, page_size: int,
                      max_passes: int = MAX_PASSES) -> list[Page]:
    """Pages of the first clean pass; InconsistentReadError after ``max_passes``."""
    seen: list[str] = []
    for _ in range(max_passes):
        first = reader.read(0, page_size)
        rest = list(pool.map(lambda o: reader.read(o, page_size),
                             range(page_size, first.total or 0, page_size)))
        pages = [first, *rest]
        problems = _problems(pages, page_size, reader.listing.id_field)
        if not problems:
            return pages
        seen.extend(problems)
    raise InconsistentReadError(
        f"{reader.listing.action} never settled in {max_passes} whole passes (the server "
        f"does not sort newest first, so boundaries cannot be proven one by one). Seen: "
        f"{'; '.join(dict.fromkeys(seen))}")


def walk_whole_passes(reader: PageReader, *, page_size: int, seen: set[int | str],
                      max_passes: int = MAX_PASSES) -> Iterator[list[dict]]:
    """Serial walks yielding records not yet in ``seen`` until a walk saw no shift."""
    id_field = reader.listing.id_field
    for _ in range(max_passes):
        pages = [reader.read(0, page_size)]
        while True:
            page = pages[-1]
            fresh = [r for r in page.records if str(r.get(id_field)) not in seen]
            seen.update(str(r.get(id_field)) for r in fresh)
            if fresh:
                yield fresh
            if len(page.records) < page_size or page.offset + page_size >= (pages[0].total or 0):
                break
            pages.append(reader.read(page.offset + page_size, page_size))
        if not _problems(pages, page_size, id_field):
            return
    raise InconsistentReadError(
        f"{reader.listing.action} never settled in {max_passes} passes while iterating; "
        f"{len(seen)} records were yielded.")
