"""The paginated reads beyond orders, and the two that cannot be proven page by page.

GetClients (``orderby=id``, ``sorting=DESC``) and GetInvoices (``orderby=id``,
``order=desc``) can be asked for newest first, so they go through the same proven read
as GetOrders (:func:`~.proven.fetch_all`). GetClientsProducts and GetCancelledPackages
take no order parameter and WHMCS documents none, so no boundary can be proven on its
own: :func:`fetch_unordered` reads whole passes and keeps the first pass that is one
snapshot — every page reports the same ``totalresults``, every page is as long as that
total implies, no id shows up twice and the unique ids number exactly the total — or
raises :class:`~whmcs_frames.InconsistentReadError` after a few passes. That settles on
a quiet book; on one that changes between every two requests it fails loudly.

GetTransactions is not paginated at all: :func:`fetch_one_answer` checks that the one
answer holds every match (``numreturned`` == ``totalresults`` == the records).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

from .._api.shapes import unwrap_list
from .._exceptions import InconsistentReadError
from .listing import Call, Listing, as_int
from .listing import PageReader as _PageReader
from .passes import read_whole_passes
from .proven import ReadResult, progress_bar

__all__ = ["CANCELLATIONS", "CLIENTS", "INVOICES", "SERVICES", "TRANSACTIONS",
           "fetch_one_answer", "fetch_unordered"]

#: GetClients; newest first only with ``orderby=id`` and ``sorting=DESC`` (WHMCS 8.2+).
CLIENTS = Listing("GetClients", "clients", "client", "id", "datecreated")
#: GetInvoices; newest first only with ``orderby=id`` and ``order=desc`` (WHMCS 7.7+).
INVOICES = Listing("GetInvoices", "invoices", "invoice", "id", "date")
#: GetClientsProducts: no order parameter, none documented.
SERVICES = Listing("GetClientsProducts", "products", "product", "id", "regdate")
#: GetCancelledPackages: no order parameter, none documented.
CANCELLATIONS = Listing("GetCancelledPackages", "packages", "package", "id", "date")
#: GetTransactions: one answer, no paging.
TRANSACTIONS = Listing("GetTransactions", "transactions", "transaction", "id", "date")

#: What ``frame.attrs["proof"]`` says of a read proven by whole passes.
WHOLE_PASS_PROOF = "totals and id sets"


class _CountingReader(_PageReader):
    """A page reader that moves a progress bar as records arrive."""

    def __init__(self, call: Call, listing: Listing, filters: Mapping[str, Any],
                 bar: Any) -> None:
        super().__init__(call, listing, filters)
        self._bar = bar

    def read(self, offset: int, limit: int) -> Any:
        page = super().read(offset, limit)
        if self._bar.total is None and page.total is not None:
            self._bar.total = page.total
        self._bar.update(len(page.records))
        return page


def fetch_unordered(call: Call, listing: Listing, filters: Mapping[str, Any], *,
                    page_size: int, workers: int, progress: bool | None = None) -> ReadResult:
    """Every record of a listing WHMCS does not sort, proven by totals and id sets.

    Parameters
    ----------
    call : callable
        ``call(action, **params) -> dict``, e.g. ``client.call``.
    listing : Listing
        :data:`SERVICES` or :data:`CANCELLATIONS`.
    filters : mapping
        Validated filters, sent with every request.
    page_size, workers : int
        Records per request and concurrent requests.
    progress : bool
        Show a tqdm bar counting records.

    Returns
    -------
    ReadResult
        ``proof`` is ``"totals and id sets"``.

    Raises
    ------
    InconsistentReadError
        When no pass was one snapshot within the bound (the list kept changing).

    Examples
    --------
    >>> fetch_unordered(client.call, SERVICES, {"clientid": 7},
    ...                 page_size=250, workers=4).proof  # doctest: +SKIP
    'totals and id sets'
    """
    started = datetime.now(timezone.utc)
    with ThreadPoolExecutor(workers, thread_name_prefix="whmcs-frames") as pool, \
            progress_bar(progress, listing.action) as bar:
        reader = _CountingReader(call, listing, filters, bar)
        pages = read_whole_passes(reader, pool, page_size=page_size)
    records = [r for p in pages for r in p.records]
    return ReadResult(records, started, datetime.now(timezone.utc), reader.requests, [],
                      WHOLE_PASS_PROOF, pages[0].total)


def fetch_one_answer(call: Call, listing: Listing, filters: Mapping[str, Any]) -> ReadResult:
    """The records of an action WHMCS does not paginate, checked to be all of them.

    Raises
    ------
    InconsistentReadError
        When ``totalresults`` or ``numreturned`` disagree with the records sent (a
        version that pages after all, or a truncated answer).

    Examples
    --------
    >>> len(fetch_one_answer(client.call, TRANSACTIONS, {"invoiceid": 5}).records)
    ... # doctest: +SKIP
    2
    """
    started = datetime.now(timezone.utc)
    answer = call(listing.action, **filters)
    records = unwrap_list(answer.get(listing.outer), listing.inner)
    counts = {name: as_int(answer.get(name)) for name in ("totalresults", "numreturned")}
    wrong = {name: n for name, n in counts.items() if n is not None and n != len(records)}
    if wrong:
        said = ", ".join(f"{name} {n}" for name, n in wrong.items())
        raise InconsistentReadError(
            f"{listing.action} answered {len(records)} records but {said}: the answer is "
            "not every match (it takes no limitstart/limitnum to read the rest).")
    return ReadResult(records, started, datetime.now(timezone.utc), 1, [], "one answer",
                      len(records))
