"""The Client's reads beyond orders: clients, services, invoices, transactions and
cancellation requests, with the guarantees of the order reads where WHMCS allows them.

- GetClients and GetInvoices are asked for id order, newest first (``orderby=id``;
  without it WHMCS sorts by name and by due date), so their pages are proven to chain
  like GetOrders'.
- GetClientsProducts and GetCancelledPackages take no order parameter: they are proven
  by whole passes (totals and id sets; see :mod:`whmcs_frames._fetch.billing`).
- GetTransactions is not paginated: one answer holds every match, checked against its
  counts.

Every read validates its filters before sending, is memoised per filters until
``refresh=True`` or a write, and carries ``frame.attrs`` (``proof`` says which of the
three above). Service credentials are dropped from each record as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import frames
from .._exceptions import ValidationError
from .._fetch import billing as listings
from .._fetch.listing import Listing, as_int
from .._fetch.pages import DEFAULT_PAGE_SIZE, check_paging
from .._fetch.proven import ReadResult, fetch_all, progress_bar
from .._store.billing import BillingStore
from .._validate import date_range, text, whmcs_id
from .billing_filters import (
    CLIENT_STATUSES,
    INVOICE_STATUSES,
    dated,
    scrub_service,
    status_named,
    wire,
)

if TYPE_CHECKING:
    from .._api.config import Settings

__all__ = ["BillingReadsMixin"]

When = str | date | datetime | None
#: Up to this many orders behind a services read are read by id, not with every order.
_FEW_ORDERS = 5


def _framed(frame: pd.DataFrame, result: ReadResult) -> pd.DataFrame:
    frame.attrs.update(result.attrs())
    return frame


class BillingReadsMixin:
    """``clients``, ``services``, ``invoices``, ``transactions``, ``cancellations`` and
    ``service_history`` for :class:`whmcs_frames.Client`."""

    settings: Settings
    _billing_store: BillingStore

    if TYPE_CHECKING:  # provided by Client and the order reads
        def call(self, action: str, /, **params: Any) -> dict[str, Any]: ...

        def _memoised(self, key: tuple[Any, ...], read: Callable[[], Any],
                      refresh: bool) -> Any: ...

        def orders(self, status: str | None = None, *, userid: int | None = None,
                   id: int | None = None, requestor_id: int | None = None,
                   since: str | date | datetime | None = None,
                   until: str | date | datetime | None = None,
                   page_size: int | None = None, workers: int | None = None,
                   progress: bool | None = None, refresh: bool = False) -> pd.DataFrame: ...

    # -- plumbing ---------------------------------------------------------------------

    def _paging(self, page_size: int | None, workers: int | None) -> tuple[int, int]:
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        concurrency = self.settings.workers if workers is None else workers
        check_paging(size, concurrency)
        return size, concurrency

    def _proven(self, listing: Listing, params: dict[str, Any], *, since: datetime | None,
                page_size: int | None, workers: int | None, progress: bool | None,
                refresh: bool) -> ReadResult:
        size, concurrency = self._paging(page_size, workers)
        return self._memoised(
            (listing.action, *sorted(params.items()), ("since", since)),
            lambda: fetch_all(self.call, listing, params, page_size=size,
                              workers=concurrency, progress=progress, since=since),
            refresh)

    def _unordered(self, listing: Listing, params: dict[str, Any], *,
                   page_size: int | None, workers: int | None, progress: bool | None,
                   refresh: bool, scrub: Callable[[Mapping[str, Any]], dict[str, Any]] = dict,
                   ) -> ReadResult:
        size, concurrency = self._paging(page_size, workers)

        def read() -> ReadResult:
            result = listings.fetch_unordered(self.call, listing, params, page_size=size,
                                              workers=concurrency, progress=progress)
            result.records = [scrub(r) for r in result.records]
            return result

        return self._memoised((listing.action, *sorted(params.items())), read, refresh)

    # -- clients ----------------------------------------------------------------------

    def clients(self, *, status: str | None = None, search: str | None = None,
                details: bool = False, since: When = None, until: When = None,
                page_size: int | None = None, workers: int | None = None,
                progress: bool | None = None, refresh: bool = False) -> pd.DataFrame:
        """Clients (GetClients) as a DataFrame, one row per client, proven complete.

        Asked for in id order, newest first (``orderby=id``, ``sorting=DESC``, WHMCS
        8.2+), so every page boundary is proven as for :meth:`orders`. The e-mail
        address is kept as its domain only. ``country`` and ``currency`` are not in
        GetClients: ``details=True`` asks GetClientsDetails for each client (one
        request per client, ``connect(workers=...)`` at a time) and keeps only those two
        fields — in the local store when the client has one, so each client's details
        are paid once; otherwise for the life of this client.

        Parameters
        ----------
        status : {"Active", "Inactive", "Closed"}, optional
            The clients' status.
        search : str, optional
            Clients whose e-mail, first name, last name, full name or company starts
            with this text (WHMCS's own match).
        details : bool
            Fill ``country`` and ``currency`` from GetClientsDetails.
        since, until : date, datetime or ISO string, optional
            Clients created from ``since`` up to ``until`` (a whole day is included).
        page_size, workers, progress, refresh
            As for :meth:`orders`.

        Returns
        -------
        pandas.DataFrame
            See :func:`whmcs_frames.frames.clients_frame`.

        Examples
        --------
        >>> client.clients(status="Active", details=True).groupby("country").size()
        ... # doctest: +SKIP
        """
        params = wire("clients", {
            "status": None if status is None else status_named("status", status, CLIENT_STATUSES),
            "search": None if search is None else text("search", search),
            "orderby": "id", "sorting": "DESC"})
        if not isinstance(details, bool):
            raise ValidationError("details", "True or False", got=details)
        start, before = date_range(since, until)
        result = self._proven(listings.CLIENTS, params, since=start, page_size=page_size,
                              workers=workers, progress=progress, refresh=refresh)
        records = dated(result.records, listings.CLIENTS.date_field, start, before)
        found = self._client_details(records, workers, progress) if details else None
        return _framed(frames.clients_frame(records, details=found), result)

    def _client_details(self, records: Iterable[Mapping[str, Any]], workers: int | None,
                        progress: bool | None) -> list[dict[str, Any]]:
        """Country and currency of these clients: the store's, then GetClientsDetails'."""
        ids = {i for r in records if (i := as_int(r.get("id"))) is not None}
        kept = self._billing_store.details(ids)
        missing = sorted(ids - set(kept))
        if missing:
            _, concurrency = self._paging(None, workers)
            with ThreadPoolExecutor(concurrency, thread_name_prefix="whmcs-frames") as pool, \
                    progress_bar(progress, "GetClientsDetails") as bar:
                bar.total = len(missing)

                def one(cid: int) -> dict[str, Any]:
                    answer = self.call("GetClientsDetails",
                                       **wire("client_details", {"clientid": cid}))
                    bar.update(1)
                    inner = answer.get("client")
                    client = inner if isinstance(inner, Mapping) else answer
                    # only what is kept: the answer also holds addresses and phones
                    return {"id": cid, "countrycode": client.get("countrycode")
                            or client.get("country"), "currency_code":
                            client.get("currency_code")}

                self._billing_store.save_details(pool.map(one, missing))
            kept = self._billing_store.details(ids)
        return list(kept.values())

    # -- services ---------------------------------------------------------------------

    def services(self, *, userid: int | None = None, pid: int | None = None,
                 serviceid: int | None = None, domain: str | None = None,
                 since: When = None, until: When = None, page_size: int | None = None,
                 workers: int | None = None, progress: bool | None = None,
                 refresh: bool = False) -> pd.DataFrame:
        """Services (GetClientsProducts), one row per service, without credentials.

        GetClientsProducts takes no order parameter and WHMCS documents none, so its
        pages cannot be proven to chain: the read is proven by totals and id sets
        instead (a pass counts only if every page reports the same total, no id repeats
        and the ids number the total; up to five passes, then
        :class:`~whmcs_frames.InconsistentReadError`). On a book that changes between
        every two requests that fails loudly rather than settling. ``frame.attrs``
        says ``proof: "totals and id sets"``.

        Each service's ``password`` (sent in clear by WHMCS) and login are dropped as the
        answer arrives: they are never memoised, stored, framed, logged or exported.
        ``currency`` comes from the service's order (GetClientsProducts has none), read
        with :meth:`orders` (memoised; by id when five orders or fewer are behind the
        services read). Each read records status and amount changes in
        :meth:`service_history`.

        Parameters
        ----------
        userid : int, optional
            The client (``clientid`` on the wire).
        pid, serviceid : int, optional
            The product; one service.
        domain : str, optional
            The service's domain.
        since, until : date, datetime or ISO string, optional
            Services registered (``regdate``) from ``since`` up to ``until``, kept from
            the whole read (GetClientsProducts has no date filter).
        page_size, workers, progress, refresh
            As for :meth:`orders`.

        Returns
        -------
        pandas.DataFrame
            See :func:`whmcs_frames.frames.services_frame`.

        Examples
        --------
        >>> wf.reports.mrr(client.services())  # doctest: +SKIP
        """
        params = wire("services", {
            "clientid": None if userid is None else whmcs_id("userid", userid),
            "pid": None if pid is None else whmcs_id("pid", pid),
            "serviceid": None if serviceid is None else whmcs_id("serviceid", serviceid),
            "domain": None if domain is None else text("domain", domain)})
        start, before = date_range(since, until)
        result = self._unordered(listings.SERVICES, params, page_size=page_size,
                                 workers=workers, progress=progress, refresh=refresh,
                                 scrub=scrub_service)
        self._billing_store.record_services(result.records)
        orders = self._orders_of(result.records, params.get("clientid"), progress)
        records = dated(result.records, listings.SERVICES.date_field, start, before)
        return _framed(frames.services_frame(records, orders=orders), result)

    def _orders_of(self, services: list[dict[str, Any]], userid: int | None,
                   progress: bool | None) -> pd.DataFrame:
        """The orders the services came from: one by one when few, else all (or the
        client's), so ``services(serviceid=...)`` does not read every order."""
        ids = {i for s in services if (i := as_int(s.get("orderid")))}
        if len(ids) <= _FEW_ORDERS:
            found = [self.orders(id=i, progress=False) for i in sorted(ids)]
            return pd.concat(found, ignore_index=True) if found else \
                frames.orders_frame([])
        return self.orders(userid=userid, progress=progress)

    def service_history(self) -> pd.DataFrame:
        """What each read of :meth:`services` saw: one row per status or amount change.

        ``seen_at`` is when the read ran (UTC), not when the change happened in WHMCS
        (which WHMCS does not record). Kept in the local store when the client has one
        (so it grows from sync to sync); otherwise it covers this client's reads only.
        :func:`whmcs_frames.reports.churn` and :func:`~whmcs_frames.reports.mrr_movements`
        take it as ``history=``.

        Examples
        --------
        >>> wf.reports.churn(client.services(), history=client.service_history())
        ... # doctest: +SKIP
        """
        return frames.service_history_frame(self._billing_store.history())

    # -- invoices, transactions, cancellations ------------------------------------

    def invoices(self, *, userid: int | None = None, status: str | None = None,
                 since: When = None, until: When = None, page_size: int | None = None,
                 workers: int | None = None, progress: bool | None = None,
                 refresh: bool = False) -> pd.DataFrame:
        """Invoices (GetInvoices), one row per invoice, proven complete.

        Asked for in id order, newest first (``orderby=id``, ``order=desc``, WHMCS
        7.7+; the default order is not by id), so page boundaries are proven as for
        :meth:`orders`.

        Parameters
        ----------
        userid : int, optional
            The client.
        status : str, optional
            Draft, Unpaid, Paid, Cancelled, Refunded, Collections, Payment Pending or
            Overdue (Unpaid and past due).
        since, until : date, datetime or ISO string, optional
            Invoices dated (``date``) from ``since`` up to ``until``.
        page_size, workers, progress, refresh
            As for :meth:`orders`.

        Examples
        --------
        >>> wf.reports.invoice_ageing(client.invoices(status="Unpaid"))  # doctest: +SKIP
        """
        params = wire("invoices", {
            "userid": None if userid is None else whmcs_id("userid", userid),
            "status": None if status is None else status_named("status", status,
                                                          INVOICE_STATUSES),
            "orderby": "id", "order": "desc"})
        start, before = date_range(since, until)
        result = self._proven(listings.INVOICES, params, since=start, page_size=page_size,
                              workers=workers, progress=progress, refresh=refresh)
        records = dated(result.records, listings.INVOICES.date_field, start, before)
        return _framed(frames.invoices_frame(records), result)

    def transactions(self, *, userid: int | None = None, invoiceid: int | None = None,
                     transid: str | None = None, since: When = None, until: When = None,
                     refresh: bool = False) -> pd.DataFrame:
        """Payments and refunds (GetTransactions), one row each.

        GetTransactions is **not paginated**: one request returns every match, so on a
        big installation an unfiltered read is one large answer (about 300 bytes a
        transaction: 100,000 payments are some 30 MB built in one PHP request, which may
        hit the server's memory or time limit). Filter by ``userid``, ``invoiceid`` or
        ``transid`` where you can. The answer is checked to hold every match
        (``numreturned`` and ``totalresults`` equal the records sent).

        ``currency`` is each transaction's invoice's (read with :meth:`invoices`,
        memoised; for the clients of the transactions when filtered by invoice or
        transaction id).

        Parameters
        ----------
        userid : int, optional
            The client (``clientid`` on the wire).
        invoiceid : int, optional
            The invoice paid or refunded.
        transid : str, optional
            The gateway's transaction id.
        since, until : date, datetime or ISO string, optional
            Transactions dated from ``since`` up to ``until``, kept from the one answer
            (GetTransactions has no date filter).
        refresh : bool
            Ignore the memo.

        Examples
        --------
        >>> wf.reports.cash_by_month(client.transactions())  # doctest: +SKIP
        """
        params = wire("transactions", {
            "clientid": None if userid is None else whmcs_id("userid", userid),
            "invoiceid": None if invoiceid is None else whmcs_id("invoiceid", invoiceid),
            "transid": None if transid is None else text("transid", transid)})
        start, before = date_range(since, until)
        result = self._memoised(
            ("GetTransactions", *sorted(params.items())),
            lambda: listings.fetch_one_answer(self.call, listings.TRANSACTIONS, params),
            refresh)
        records = dated(result.records, listings.TRANSACTIONS.date_field, start, before)
        return _framed(frames.transactions_frame(
            records, invoices=self._invoices_for(records, params)), result)

    def _invoices_for(self, records: list[dict[str, Any]],
                      params: Mapping[str, Any]) -> pd.DataFrame | None:
        if not records:
            return None
        if "invoiceid" not in params and "transid" not in params:
            return self.invoices(userid=params.get("clientid"), progress=False)
        users = sorted({u for r in records if (u := as_int(r.get("userid")))})
        found = [self.invoices(userid=u, progress=False) for u in users]
        return pd.concat(found, ignore_index=True) if found else None

    def cancellations(self, *, since: When = None, until: When = None,
                      page_size: int | None = None, workers: int | None = None,
                      progress: bool | None = None, refresh: bool = False) -> pd.DataFrame:
        """Cancellation requests (GetCancelledPackages), one row each.

        The only dated record WHMCS keeps of a service leaving. The action takes no
        filter and no order parameter, so it is read whole and proven by totals and id
        sets, like :meth:`services`; ``since``/``until`` (on the request's ``date``)
        filter what came back.

        Examples
        --------
        >>> wf.reports.churn(client.services(), cancellations=client.cancellations())
        ... # doctest: +SKIP
        """
        start, before = date_range(since, until)
        result = self._unordered(listings.CANCELLATIONS, wire("cancellations", {}),
                                 page_size=page_size, workers=workers, progress=progress,
                                 refresh=refresh)
        records = dated(result.records, listings.CANCELLATIONS.date_field, start, before)
        return _framed(frames.cancellations_frame(records), result)
