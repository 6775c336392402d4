"""The :class:`Client` facade and :func:`connect`: they wire the layers, nothing more."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .. import sandbox
from .._api.config import Settings, mask, resolve_settings, warn_if_insecure
from .._api.registry import spec_for
from .._api.secrets import Secret, hide_secret_params
from .._api.transport import Transport
from .._store.billing import BillingStore
from .._store.orders import OrderStore
from ..actions._audit import default_audit_log_path
from ..actions._perform import audited_call
from .billing import BillingReadsMixin
from .reads import OrderReadsMixin
from .stored import STORE_ENV, StoredOrdersMixin, full_every, open_store
from .writes import OrderWritesMixin

__all__ = ["Client", "connect", "connect_or_sandbox"]


class Client(OrderReadsMixin, BillingReadsMixin, StoredOrdersMixin, OrderWritesMixin):
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
                 audit_log: str | os.PathLike[str] | None = None,
                 store: OrderStore | None = None, full_sync_days: float | None = None) -> None:
        self.settings = settings
        self.audit_log = default_audit_log_path(audit_log)
        self._transport = Transport(settings)
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._memo_lock = threading.Lock()
        # Bumped by every clear: a read that started before a write must not memoise
        # what it saw, or the next read would show the order as it was before the write.
        self._memo_generation = 0
        self._order_store = store
        # client details and the service history: beside the orders, or in memory
        self._billing_store = BillingStore(None if store is None else store.path)
        self._full_every = full_every(full_sync_days)
        self._synced = False  # with a store: has this client synced it yet?
        self._sync_lock = threading.Lock()
        self._last_sync: Any = None
        # Last order count per filters: only a hint for sizing the next read, so
        # writes leave it alone.
        self._order_totals: dict[tuple[Any, ...], int] = {}
        # Product names already warned about: one warning each, not one per read.
        self._warned_products: set[str] = set()
        #: The sandbox serving this client, when :func:`connect_or_sandbox` started one.
        self.sandbox: Any = None

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
        writes (every other action) are appended to the audit log before and after
        they are sent, exactly as given, and never retried once sent. The write
        methods (``client.accept_order``…) also validate and check the order's status.

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
        # Held masked from here on, so no traceback with locals shows them.
        params = hide_secret_params(params)
        if spec_for(action).is_read:
            return self._send(action, params)
        # A write (known, or any action not known to be a read) is audited like the
        # client's write methods: start record first, never retried.
        return audited_call(self, action, params)

    def _send(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One call through the transport; the caller audits a write."""
        writes = not spec_for(action).is_read
        try:
            return self._transport.call(action, params)
        finally:
            if writes:  # whatever the outcome, the server may have changed
                self.clear_cache()

    def clear_cache(self) -> None:
        """Forget memoised reads, so the next read asks WHMCS (or syncs the store) again."""
        with self._memo_lock:
            self._memo.clear()
            self._memo_generation += 1
            self._synced = False

    def _memoised(self, key: tuple[Any, ...], read: Callable[[], Any], refresh: bool) -> Any:
        with self._memo_lock:
            if not refresh and key in self._memo:
                return self._memo[key]
            generation = self._memo_generation
        value = read()
        with self._memo_lock:
            if generation == self._memo_generation:  # no write since the read began
                self._memo[key] = value
        return value

    def close(self) -> None:
        """Release every pooled connection (and close the store's file)."""
        self._transport.close()
        self._billing_store.close()
        if self._order_store is not None:
            self._order_store.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        who = self.settings.auth.get("identifier") or self.settings.auth.get("username")
        return f"<whmcs_frames.Client {self.url} as {mask(who)}>"


def connect(
    url: str | None = None,
    *,
    identifier: str | Secret | None = None,
    secret: str | Secret | None = None,
    accesskey: str | Secret | None = None,
    username: str | None = None,
    password: str | Secret | None = None,
    timeout: float | tuple[float, float] = 30,
    verify: bool | str = True,
    audit_log: str | os.PathLike[str] | None = None,
    retries: int = 3,
    backoff_factor: float = 0.5,
    workers: int = 4,
    store: bool | str | os.PathLike[str] | None = None,
    full_sync_days: float | None = None,
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
        Concurrent requests a paginated read may make (1 to 8).
    store : bool or path, optional
        Keep orders in a local SQLite store and sync it instead of re-reading WHMCS:
        True for one file per URL and identity in the user's cache directory, or a
        file path. Default: ``WHMCS_FRAMES_STORE`` (``1`` or a path), else none. The
        file holds customer names and IP addresses; it is created 0600.
    full_sync_days : float, optional
        A sync reads every order when the last full read is older (default 7).

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
    # Held masked from here on, so a traceback with locals shows Secret('***').
    identifier, secret, accesskey, password = (
        Secret(v) if isinstance(v, str) else v for v in (identifier, secret, accesskey, password))
    settings = resolve_settings(
        url, identifier=identifier, secret=secret, accesskey=accesskey, username=username,
        password=password, timeout=timeout, verify=verify, retries=retries,
        backoff_factor=backoff_factor, workers=workers)
    warn_if_insecure(settings)
    return Client(settings, audit_log=audit_log, store=open_store(store, settings),
                  full_sync_days=full_sync_days)


def connect_or_sandbox(*, orders: int = 2000, seed: int = 7, **connect_kwargs: Any) -> Client:
    """Connect to the configured WHMCS, or, when ``WHMCS_API_URL`` is not set, a sandbox.

    Meant for the first cell of a notebook: the same notebook runs against production
    and as a demo. The sandbox (if any) lives as long as the Python process and is
    reachable as ``client.sandbox``; it is ``None`` for a real WHMCS.

    Parameters
    ----------
    orders, seed : int
        The sandbox's synthetic data, when one is started.
    store : bool or path, optional
        As for :func:`connect`; with a sandbox, ``True`` (or ``WHMCS_FRAMES_STORE=1``)
        means a temporary store deleted when the process ends.
    **connect_kwargs
        Passed to :func:`connect` (``audit_log``, ``timeout``, …).

    Examples
    --------
    >>> client = wf.connect_or_sandbox()  # doctest: +SKIP
    >>> print("sandbox" if client.sandbox else client.host)  # doctest: +SKIP
    """
    if os.environ.get("WHMCS_API_URL", "").strip():
        client = connect(**connect_kwargs)
        client.sandbox = None
        return client
    box = sandbox.Sandbox(orders=orders, seed=seed)
    store = connect_kwargs.pop("store", None)
    if store is None:
        store = os.environ.get(STORE_ENV, "").strip() or False
        store = True if str(store).lower() in {"1", "true", "yes", "on"} else store
        store = False if str(store).lower() in {"0", "false", "no", "off"} else store
    if store is True:
        # a sandbox's data lives as long as the process: so does its store
        folder = tempfile.mkdtemp(prefix="whmcs-frames-store-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        store = os.path.join(folder, "orders.sqlite")
    client = box.client(store=store, **connect_kwargs)
    client.sandbox = box
    return client
