"""The socket end of one request: whether any byte left, and a deadline for all of it.

``requests`` and ``urllib3`` report a TLS error the same way whether it came from the
handshake (nothing sent) or from a stream broken while the answer was read (the write
may have run), and their timeouts bound each socket read, not the exchange: a server
sending a byte every 0.8 s holds a ``timeout=1`` request open for as long as it likes.
So the connections here record, per request on this thread, whether a byte of it was
handed to the socket, and a watchdog shuts the socket down when the request's total
deadline passes.

Example
-------
>>> call = begin(2.0)
>>> call.sent, call.expired
(False, False)
>>> end(call)
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["CallState", "TrackedAdapter", "begin", "end"]

_CURRENT = threading.local()


class CallState:
    """One request on one thread: bytes sent yet, and its deadline watchdog.

    Attributes
    ----------
    total : float
        Seconds one attempt (connect, send, the whole answer) may take.
    sent : bool
        Whether any byte of the request was handed to a socket.
    expired : bool
        Whether the watchdog had to cut the latest attempt off.
    """

    def __init__(self, total: float) -> None:
        self.total = total
        self.sent = False
        self.expired = False
        self._timer: threading.Timer | None = None
        self._conn: Any = None
        self._lock = threading.Lock()

    def arm(self, conn: Any) -> None:
        """Start (or restart, for a retry) the deadline of an attempt on ``conn``."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            # A retried read starts afresh: only the attempt that ends the request counts.
            self._conn, self.expired = conn, False
            self._timer = threading.Timer(self.total, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sock = getattr(self._conn, "sock", None)
        if sock is not None:
            # The plain socket's shutdown, not SSLSocket's, which would tear the TLS
            # object away from under the thread reading it.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        """Stop the watchdog; the request is over."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer, self._conn = None, None


def begin(total: float) -> CallState:
    """Make a new request this thread's current one."""
    state = CallState(total)
    _CURRENT.state = state
    return state


def end(state: CallState) -> None:
    """The request is over: stop its watchdog and forget it."""
    state.cancel()
    if getattr(_CURRENT, "state", None) is state:
        _CURRENT.state = None


def _current() -> CallState | None:
    return getattr(_CURRENT, "state", None)


class _Tracked:
    """Mixed into urllib3's connections: arm the deadline, note the first byte sent."""

    sock: Any

    def connect(self) -> None:
        state = _current()
        if state is not None:
            state.arm(self)  # a handshake that trickles is bounded too
        super().connect()  # type: ignore[misc]

    def request(self, *args: Any, **kwargs: Any) -> None:
        state = _current()
        if state is not None:
            state.arm(self)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def send(self, data: Any) -> None:
        if self.sock is None:
            self.connect()
        state = _current()
        if state is not None:
            state.sent = True  # from here on the server may have seen the request
        super().send(data)  # type: ignore[misc]


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class TrackedAdapter(HTTPAdapter):
    """An :class:`~requests.adapters.HTTPAdapter` whose connections are tracked."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
