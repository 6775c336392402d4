"""The :class:`Client` facade and :func:`connect`: they wire the layers, nothing more."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from . import frames
from ._client_writes import OrderWritesMixin
from ._config import Settings, mask, resolve_settings, warn_if_insecure
from ._exceptions import ValidationError
from ._fetch import DEFAULT_PAGE_SIZE, fetch_orders, iter_order_pages, order_filters
from ._registry import spec_for
from ._transport import Transport

__all__ = ["Client", "connect", "default_audit_log_path"]

AUDIT_LOG_ENV = "WHMCS_FRAMES_AUDIT_LOG"


def default_audit_log_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where write attempts are logged: argument, else env, else the user's data dir.

    Examples
    --------
    >>> default_audit_log_path("/tmp/audit.jsonl")
    PosixPath('/tmp/audit.jsonl')
    """
    if explicit is not None:
        return Path(explicit).expanduser()
    from_env = os.environ.get(AUDIT_LOG_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("whmcs-frames", appauthor=False)) / "audit.jsonl"


class Client(OrderWritesMixin):
    """A connection to one WHMCS installation.

    Made by :func:`connect`; use it as a context manager (or call :meth:`close`) to
    release pooled connections.

    Examples
    --------
    >>> with wf.sandbox.serve(orders=20) as box, box.client() as client:  # doctest: +SKIP
    ...     client.call("GetOrders", limitnum=5)["numreturned"]
    '5'
    """

    def __init__(self, settings: Settings, *,
                 audit_log: str | os.PathLike[str] | None = None) -> None:
        self.settings = settings
        self.audit_log = default_audit_log_path(audit_log)
        self._transport = Transport(settings)
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._memo_lock = threading.Lock()
        # Last order count per filters: only a hint for sizing the next read, so
        # writes leave it alone.
        self._order_totals: dict[tuple[Any, ...], int] = {}

    @property
    def url(self) -> str:
        """The API endpoint (``…/includes/api.php``)."""
        return self.settings.url

    @property
    def host(self) -> str:
        """The WHMCS host name."""
        return self.settings.host

    def call(self, action: str, /, **params: Any) -> dict[str, Any]:
        """Call any WHMCS API action and return its JSON answer as a dict.

        Lists and dicts are flattened to PHP arrays, booleans sent as ``1``/``0`` and
        ``None`` values dropped. Reads (``Get…``) are retried on transient failures;
        writes never are once sent.

        Parameters
        ----------
        action : str
            The WHMCS action name, e.g. ``"GetOrders"`` (case-insensitive, as in WHMCS).
        **params
            The action's parameters.

        Returns
        -------
        dict
            The decoded response; ``result`` is always ``"success"``.

        Raises
        ------
        WhmcsError
            A subclass saying what went wrong; see :mod:`whmcs_frames`.

        Examples
        --------
        >>> client.call("GetOrders", status="Pending", limitnum=5)  # doctest: +SKIP
        """
        if spec_for(action).is_read:
            return self._transport.call(action, params)
        try:
            return self._transport.call(action, params)
        finally:
            # Whatever the outcome, the server may have changed: forget earlier reads.
            self.clear_cache()

    def clear_cache(self) -> None:
        """Forget memoised reads, so the next read asks WHMCS again."""
        with self._memo_lock:
            self._memo.clear()

    def _memoised(self, key: tuple[Any, ...], read: Callable[[], Any], refresh: bool) -> Any:
        with self._memo_lock:
            if not refresh and key in self._memo:
                return self._memo[key]
        value = read()
        with self._memo_lock:
            self._memo[key] = value
        return value

    # -- orders ---------------------------------------------------------------------

    def _order_records(self, filters: dict[str, Any], page_size: int | None,
                       workers: int | None, progress: bool,
                       refresh: bool) -> list[dict[str, Any]]:
        checked = order_filters(**filters)
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
               progress: bool = True, refresh: bool = False) -> pd.DataFrame:
        """Every matching order as a typed DataFrame, one row per order.

        Pages are read concurrently and reconciled if orders shift while they are
        read; the result is memoised per filters until ``refresh=True`` or a write.

        Parameters
        ----------
        status : str, optional
            An order status, custom ones included (``"Pending"``, ``"Fraud"``…).
        userid, id, requestor_id : int, optional
            GetOrders' other filters.
        page_size : int, optional
            Orders per request (default 250).
        workers : int, optional
            Concurrent requests (default: ``connect(workers=...)``, 4).
        progress : bool
            Show a progress bar counting orders.
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
                    progress: bool = True, refresh: bool = False) -> pd.DataFrame:
        """Every line item of the matching orders, one row each, with its ``orderid``.

        Takes the filters of :meth:`orders` and shares its memo, so ``orders()`` then
        ``order_lines()`` reads WHMCS once.

        Examples
        --------
        >>> client.order_lines("Active").groupby("product").size()  # doctest: +SKIP
        """
        records = self._order_records(
            {"status": status, "userid": userid, "id": id, "requestor_id": requestor_id},
            page_size, workers, progress, refresh)
        return frames.order_lines_frame(records)

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

    def close(self) -> None:
        """Release every pooled connection."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        who = self.settings.auth.get("identifier") or self.settings.auth.get("username")
        return f"<whmcs_frames.Client {self.url} as {mask(who)}>"


def _product_params(pid: int | list[int] | None, gid: int | None,
                    module: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if pid is not None:
        pids = [pid] if not isinstance(pid, list | tuple) else list(pid)
        for one in pids:
            if isinstance(one, bool) or not isinstance(one, int) or one < 1:
                raise ValidationError("pid", "a positive integer or a list of them", got=pid)
        params["pid"] = ",".join(str(p) for p in pids)  # GetProducts takes a comma list
    if gid is not None:
        if isinstance(gid, bool) or not isinstance(gid, int) or gid < 1:
            raise ValidationError("gid", "a positive integer", got=gid)
        params["gid"] = gid
    if module is not None:
        if not isinstance(module, str) or not module.strip():
            raise ValidationError("module", "a module name such as 'cpanel'", got=module)
        params["module"] = module.strip()
    return params


def connect(
    url: str | None = None,
    *,
    identifier: str | None = None,
    secret: str | None = None,
    accesskey: str | None = None,
    username: str | None = None,
    password: str | None = None,
    timeout: float | tuple[float, float] = 30,
    verify: bool | str = True,
    audit_log: str | os.PathLike[str] | None = None,
    retries: int = 3,
    backoff_factor: float = 0.5,
    workers: int = 4,
) -> Client:
    """Connect to a WHMCS installation's API.

    Every argument left out is read from the environment: ``WHMCS_API_URL``,
    ``WHMCS_API_IDENTIFIER`` + ``WHMCS_API_SECRET`` (API credentials) or
    ``WHMCS_API_USERNAME`` + ``WHMCS_API_PASSWORD`` (admin login; the plain password,
    hashed with MD5 here as WHMCS wants), and optionally ``WHMCS_API_ACCESSKEY``.

    Parameters
    ----------
    url : str, optional
        The API endpoint, or the WHMCS base URL (``/includes/api.php`` is appended).
    identifier, secret : str, optional
        API credentials.
    accesskey : str, optional
        Lets calls through from an IP that is not on WHMCS's allow-list.
    username, password : str, optional
        Legacy admin login, used when no identifier/secret is given.
    timeout : float or (float, float)
        Seconds; a single number is the read timeout and caps the connect timeout at 10.
    verify : bool or str
        TLS verification (on by default), or the path of a CA bundle.
    audit_log : path, optional
        Where write attempts are logged; default ``WHMCS_FRAMES_AUDIT_LOG`` or the
        user's data directory.
    retries : int
        Retries of a failed read; writes are never retried once sent.
    backoff_factor : float
        Seconds of the first retry's backoff; doubles each retry, with jitter.
    workers : int
        Concurrent requests a paginated read may make.

    Returns
    -------
    Client

    Raises
    ------
    ConfigError
        When the URL or the credentials are missing or half given.

    Examples
    --------
    >>> import whmcs_frames as wf
    >>> client = wf.connect()  # doctest: +SKIP
    >>> client = wf.connect("https://billing.example.com", identifier="…", secret="…")
    ... # doctest: +SKIP
    """
    settings = resolve_settings(
        url, identifier=identifier, secret=secret, accesskey=accesskey, username=username,
        password=password, timeout=timeout, verify=verify, retries=retries,
        backoff_factor=backoff_factor, workers=workers)
    warn_if_insecure(settings)
    return Client(settings, audit_log=audit_log)
