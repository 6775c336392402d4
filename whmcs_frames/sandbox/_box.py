"""The box: one sandbox server with its database, credentials, faults and test helpers."""

from __future__ import annotations

import hashlib
import ipaddress
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._faults import Faults
from ._flavours import QUIRKS, check_flavour
from ._flavours import numbers_as_strings as _sends_strings
from ._server import API_PATH, LoopbackServer
from ._store import Store

RequestHook = Callable[["Sandbox", str, dict[str, Any]], object]
ClientFactory = Callable[..., Any]
_CLIENT_FACTORY: list[ClientFactory] = []


def set_client_factory(factory: ClientFactory | None) -> None:
    """Register what :meth:`Sandbox.client` builds clients with (None unregisters).

    The sandbox sits below the client layer and never imports it; the package's
    top level hands it ``whmcs_frames.connect`` instead.

    Examples
    --------
    >>> set_client_factory(lambda url, **kw: (url, sorted(kw)))
    >>> set_client_factory(None)
    """
    _CLIENT_FACTORY.clear()
    if factory is not None:
        _CLIENT_FACTORY.append(factory)


def _derived(seed: int, what: str, length: int) -> str:
    return hashlib.sha256(f"whmcs-frames-sandbox:{seed}:{what}".encode()).hexdigest()[:length]


def _loopback(host: str) -> tuple[str, socket.AddressFamily]:
    if host == "localhost":
        return "127.0.0.1", socket.AF_INET
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise ValueError(f"the sandbox listens on loopback only; {host!r} is not a loopback "
                         "address (use 127.0.0.1, ::1 or localhost)")
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    return str(address), family


class Sandbox:
    """A running WHMCS-compatible API server on loopback; see :func:`serve`.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:<port>/includes/api.php``.
    identifier, secret : str
        API credentials (derived from the seed unless given).
    username, password : str
        Admin login; on the wire WHMCS expects ``md5(password)``.
    accesskey : str or None
        Bypasses ``allowed_ips`` when sent.
    flavour : str
        Which WHMCS it imitates: ``"8"``, ``"7"`` or ``"quirks"`` (see :func:`serve`).
    faults : Faults
        Latency, fault injection and quirk switches (``box.faults.quirk(...)``).
    server_errors : list of str
        Tracebacks of sandbox bugs answered as HTTP 500 (tests assert it stays empty).
    audit_log : Path
        Where clients from :meth:`client` log write attempts unless given another
        ``audit_log``: the box's own file, deleted with it, never the analyst's log.

    Examples
    --------
    >>> with Sandbox(orders=10, seed=1) as box:
    ...     box.count_orders()
    10
    """

    def __init__(self, orders: int = 2000, seed: int = 7, latency: float = 0.0, *,
                 port: int = 0, host: str = "127.0.0.1", identifier: str | None = None,
                 secret: str | None = None, username: str = "admin",
                 password: str | None = None, accesskey: str | None = None,
                 allowed_ips: Iterable[str] | None = None,
                 denied_actions: Iterable[str] = (), fraud_module: str | None = "maxmind",
                 flavour: str | None = None, numbers_as_strings: bool | None = None) -> None:
        address, family = _loopback(host)
        self.flavour = check_flavour(flavour, numbers_as_strings)
        if int(orders) < 0:
            raise ValueError("orders must be zero or more")
        self.seed = int(seed)
        self.identifier = identifier or _derived(self.seed, "identifier", 32)
        self.secret = secret or _derived(self.seed, "secret", 32)
        self.username = username
        self.password = password or "sandbox-" + _derived(self.seed, "password", 12)
        self.accesskey = accesskey
        # A lone string is one entry, not a sequence of one-character entries.
        if isinstance(allowed_ips, str):
            allowed_ips = [allowed_ips]
        if isinstance(denied_actions, str):
            denied_actions = [denied_actions]
        self.allowed_ips = None if allowed_ips is None else tuple(
            ipaddress.ip_network(ip, strict=False) for ip in allowed_ips)
        self.denied_actions = frozenset(a.lower() for a in denied_actions)
        self.fraud_module = fraud_module
        self.faults = Faults(self.seed, latency,
                             QUIRKS if self.flavour == "quirks" else ())
        self.server_errors: list[str] = []
        self.request_hook: RequestHook | None = None
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._tmp = Path(tempfile.mkdtemp(prefix="whmcs-sandbox-"))
        store = None
        try:
            store = Store(self._tmp / "whmcs.sqlite3", int(orders), self.seed)
            self._server = LoopbackServer((address, int(port)), family, self)
        except BaseException:
            if store is not None:
                store.close()
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise
        self.store = store
        self.audit_log = self._tmp / "audit.jsonl"
        host_part = f"[{address}]" if family == socket.AF_INET6 else address
        self.url = f"http://{host_part}:{self._server.server_address[1]}{API_PATH}"
        # close() waits up to one poll for the serving loop: short, because the test
        # suite starts and closes a box per test (and per flavour).
        self._thread = threading.Thread(target=self._server.serve_forever,
                                         kwargs={"poll_interval": 0.01}, daemon=True,
                                         name=f"whmcs-sandbox-{self.url}")
        self._thread.start()

    def __repr__(self) -> str:
        return f"<Sandbox {self.url} seed={self.seed} flavour={self.flavour}>"

    @property
    def numbers_as_strings(self) -> bool:
        """Whether integers go out as strings (flavours ``"7"`` and ``"quirks"``)."""
        return _sends_strings(self.flavour)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving, hang up on clients and delete the database (idempotent)."""
        if not self._thread.is_alive() and self.store.conn is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        self.store.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    # -- clients and hooks --------------------------------------------------------

    def client(self, **connect_kwargs: Any) -> Any:
        """A client for this box, built by the registered factory.

        Examples
        --------
        >>> with serve(orders=50) as box, box.client() as client:  # doctest: +SKIP
        ...     client.orders()
        """
        if not _CLIENT_FACTORY:
            raise RuntimeError("no client factory registered: import whmcs_frames (which "
                               "registers whmcs_frames.connect) or call "
                               "whmcs_frames.sandbox.set_client_factory(factory)")
        # Demo writes belong in the box's own log, not the analyst's real one (which
        # WHMCS_FRAMES_AUDIT_LOG or the data directory would give).
        if connect_kwargs.get("audit_log") is None:
            connect_kwargs["audit_log"] = self.audit_log
        return _CLIENT_FACTORY[0](self.url, identifier=self.identifier, secret=self.secret,
                                  **connect_kwargs)

    def on_request(self, hook: RequestHook | None) -> None:
        """Call ``hook(box, action, params)`` after auth, before each request is handled.

        Examples
        --------
        >>> box.on_request(lambda box, action, params: box.add_orders(1))  # doctest: +SKIP
        >>> box.on_request(None)  # doctest: +SKIP
        """
        self.request_hook = hook

    # -- state helpers --------------------------------------------------------------

    def add_orders(self, n: int, status: str = "Pending") -> list[int]:
        """Create ``n`` orders with new highest ids (lines, invoice, services included).

        Examples
        --------
        >>> box.add_orders(3, status="Active")  # doctest: +SKIP
        [2061, 2062, 2063]
        """
        return self.store.add_orders(int(n), status)

    def delete_orders(self, ids: Iterable[int]) -> None:
        """Remove orders and everything tied to them, whatever their status.

        Examples
        --------
        >>> box.delete_orders([12, 13])  # doctest: +SKIP
        """
        with self.store.transaction() as conn:
            self.store.delete_orders(conn, [int(i) for i in ids])

    def set_status(self, ids: Iterable[int], status: str) -> None:
        """Set orders' status directly (no rules, no cascade); ValueError if unknown.

        Examples
        --------
        >>> box.set_status([12], "In Review")  # doctest: +SKIP
        """
        self.store.set_status(ids, status)

    def fail_subscription_cancel(self, ids: Iterable[int]) -> None:
        """Make ``cancelsub=1`` fail for these orders, as a refusing gateway would.

        CancelOrder and FraudOrder then answer ``Subscription Cancellation Failed -
        Please check the gateway log for further information`` and change nothing.

        Examples
        --------
        >>> box.fail_subscription_cancel([12])  # doctest: +SKIP
        """
        with self.store.lock:
            self.store.failing_subscriptions.update(int(i) for i in ids)

    def order(self, orderid: int) -> dict[str, Any] | None:
        """The raw order row (``amount`` as a decimal string), or None.

        Examples
        --------
        >>> box.order(12)["status"]  # doctest: +SKIP
        'Pending'
        """
        return self.store.order_row(orderid)

    def count_orders(self, status: str | None = None) -> int:
        """How many orders exist, optionally only in ``status`` (case-insensitive).

        Examples
        --------
        >>> box.count_orders("Pending")  # doctest: +SKIP
        31
        """
        return self.store.count_orders(status)

    # -- request log ------------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request received so far, oldest first.

        Each is ``{"action", "params", "status", "fault"}``: ``status`` is the HTTP
        status answered, 0 when the connection was closed without an answer and None
        while the request is still being handled; ``fault`` names an injected fault.
        """
        with self._log_lock:
            return [dict(entry) for entry in self._log]

    def request_count(self, action: str | None = None) -> int:
        """How many requests arrived (for ``action``, compared case-insensitively).

        Examples
        --------
        >>> box.request_count("GetOrders")  # doctest: +SKIP
        8
        """
        with self._log_lock:
            if action is None:
                return len(self._log)
            return sum(1 for r in self._log if r["action"].lower() == action.lower())

    # -- what the server calls (see _server.ServedBox) -------------------------------

    def record_request(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Log a request as it arrives; the entry is updated as it is answered."""
        entry = {"action": action, "params": params, "status": None, "fault": None}
        with self._log_lock:
            self._log.append(entry)
        return entry

    def update_request(self, entry: dict[str, Any], **changes: Any) -> None:
        """Add what happened (status, fault) to a logged request."""
        with self._log_lock:
            entry.update(changes)

    def report_server_error(self, text: str) -> None:
        """Keep a handler's traceback for the tests to see."""
        with self._log_lock:
            self.server_errors.append(text)


@contextmanager
def serve(orders: int = 2000, seed: int = 7, latency: float = 0.0, *, port: int = 0,
          host: str = "127.0.0.1", identifier: str | None = None, secret: str | None = None,
          username: str = "admin", password: str | None = None,
          accesskey: str | None = None, allowed_ips: Iterable[str] | None = None,
          denied_actions: Iterable[str] = (), fraud_module: str | None = "maxmind",
          flavour: str | None = None, numbers_as_strings: bool | None = None
          ) -> Iterator[Sandbox]:
    """Run a WHMCS-compatible API server on loopback with synthetic data.

    Parameters
    ----------
    orders : int
        How many historical orders to generate (two years' worth).
    seed : int
        Everything generated (data, default credentials) follows from it.
    latency : float
        Seconds added to every request (``box.faults.latency``).
    port : int
        0 picks a free port.
    host : str
        A loopback address (127.x.x.x, ::1, localhost); anything else is a ValueError.
    identifier, secret : str, optional
        API credentials; derived from ``seed`` when omitted.
    username, password : str
        Admin login accepted as ``username`` + ``md5(password)``.
    accesskey : str, optional
        Lets callers outside ``allowed_ips`` in.
    allowed_ips : iterable of str, optional
        IP allow-list (addresses or networks); None allows everyone.
    denied_actions : iterable of str
        Actions the API role may not call.
    fraud_module : str or None
        The active fraud module for OrderFraudCheck; None means none is active.
    flavour : {"8", "7", "quirks"}, optional
        Which WHMCS it imitates on the wire. ``"8"`` (the default): the current
        reference's shapes, ids and counts as JSON integers. ``"7"``: every integer as
        a string, as older installations send. ``"quirks"``: ``"7"`` with every untidy
        shape of :data:`QUIRKS` switched on (empty lists as ``""``, ``[]`` or missing,
        lone objects, ``status`` for ``result``, a ``warning`` key, flags as words,
        formatted amounts, HTML entities, ``0000-00-00`` dates, PHP notices before the
        body); each is also a switch, ``box.faults.quirk(name)``.
    numbers_as_strings : bool, optional
        The old spelling: True is ``flavour="7"``, False ``flavour="8"``.

    Yields
    ------
    Sandbox
        The running box; shut down and deleted on exit.

    Examples
    --------
    >>> import requests
    >>> with serve(orders=50, seed=1) as box:
    ...     answer = requests.post(box.url, data={
    ...         "action": "GetOrderStatuses", "identifier": box.identifier,
    ...         "secret": box.secret, "responsetype": "json"}, timeout=5).json()
    >>> answer["result"]
    'success'
    """
    box = Sandbox(orders, seed, latency, port=port, host=host, identifier=identifier,
                  secret=secret, username=username, password=password, accesskey=accesskey,
                  allowed_ips=allowed_ips, denied_actions=denied_actions,
                  fraud_module=fraud_module, flavour=flavour,
                  numbers_as_strings=numbers_as_strings)
    try:
        yield box
    finally:
        box.close()
