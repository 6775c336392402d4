"""Injected faults: latency, random failures and a deterministic one-shot queue.

Production WHMCS sits behind PHP workers, proxies and firewalls that answer 503s,
rate limits, HTML error pages, empty bodies, or simply hang up. Tests and benchmarks
switch those on here. Random faults come from their own seeded generator so they
never disturb the data generator's sequence.

Kinds
-----
``"503"``, ``"429"``
    That status with a small HTML body; ``retry_after=<seconds>`` adds ``Retry-After``.
``"html"``
    An HTML maintenance page with ``status`` (default 200).
``"empty"``
    An empty body with ``status`` (default 200).
``"drop"``
    The connection closes before the request is handled: the action never runs.
``"drop_after"``
    The action runs, then the connection closes without an answer.
``"delay"``
    The action runs, then the answer waits ``seconds`` (default 1.0).

Quirks
------
Untidy but valid answers WHMCS installations send (see :mod:`._flavours`), switched
on per box with :meth:`Faults.quirk`; the ``"quirks"`` flavour starts with all of them.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._flavours import QUIRKS, check_quirks

FAULT_KINDS = ("503", "429", "html", "empty", "drop", "drop_after", "delay")
#: Faults answered instead of running the action.
BEFORE_ACTION = ("503", "429", "html", "empty", "drop")


@dataclass(frozen=True)
class Fault:
    """One fault to apply to one request."""

    kind: str
    opts: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Queued:
    kind: str
    remaining: int
    action: str | None
    opts: dict[str, Any]


class Faults:
    """The fault controls of one box (``box.faults``).

    Attributes
    ----------
    latency : float
        Seconds added to every request.
    per_record : float
        Seconds added per record a list answers (``numreturned``), as a real server's
        cost grows with the page: a production-like profile for benchmarks.
    error_rate : float
        Share of requests answered 503 with a small HTML body.
    html_rate : float
        Share answered HTTP 500 with a "PHP Fatal error" page.
    drop_rate : float
        Share whose connection is closed without any answer (action not run).
    quirks : frozenset of str
        The untidy shapes switched on (:data:`QUIRKS`); change them with :meth:`quirk`.

    Examples
    --------
    >>> faults = Faults(seed=7)
    >>> faults.queue("503", count=2, retry_after=1)
    >>> faults.draw("GetOrders").kind
    '503'
    """

    def __init__(self, seed: int = 7, latency: float = 0.0,
                 quirks: Iterable[str] = ()) -> None:
        self.latency = float(latency)
        self._quirks = check_quirks(quirks)
        self.per_record = 0.0
        self.error_rate = 0.0
        self.html_rate = 0.0
        self.drop_rate = 0.0
        self._rng = random.Random(f"faults:{seed}")
        self._queue: list[_Queued] = []
        self._lock = threading.Lock()

    def queue(self, kind: str, count: int = 1, *, action: str | None = None,
              **opts: Any) -> None:
        """Make the next ``count`` requests (of ``action``, if given) fail with ``kind``.

        Parameters
        ----------
        kind : str
            One of ``503``, ``429``, ``html``, ``empty``, ``drop``, ``drop_after``,
            ``delay``.
        count : int
            How many requests it applies to.
        action : str, optional
            Only requests for this action (case-insensitive) are affected.
        **opts
            ``retry_after`` (503/429), ``status`` (html/empty), ``seconds`` (delay).

        Examples
        --------
        >>> Faults().queue("delay", seconds=0.5, action="AcceptOrder")
        """
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of "
                             f"{', '.join(FAULT_KINDS)}")
        if int(count) < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._queue.append(_Queued(kind, int(count),
                                       action.lower() if action else None, dict(opts)))

    @property
    def quirks(self) -> frozenset[str]:
        """The quirks switched on now."""
        return self._quirks

    def quirk(self, *names: str, on: bool = True) -> None:
        """Switch quirks on (or off with ``on=False``); ``"all"`` names every one.

        Parameters
        ----------
        *names : str
            Names from :data:`QUIRKS`, e.g. ``"lone_object"``, ``"php_notices"``.
        on : bool
            False switches them off.

        Examples
        --------
        >>> faults = Faults()
        >>> faults.quirk("lone_object", "empty_as_string")
        >>> sorted(faults.quirks)
        ['empty_as_string', 'lone_object']
        >>> faults.quirk("all", on=False)
        >>> faults.quirks
        frozenset()
        """
        chosen = check_quirks(QUIRKS if "all" in names else names)
        with self._lock:
            self._quirks = self._quirks | chosen if on else self._quirks - chosen

    def pending(self) -> int:
        """How many queued one-shot faults have not fired yet."""
        with self._lock:
            return sum(q.remaining for q in self._queue)

    def clear(self) -> None:
        """Drop queued faults and set every rate back to zero (latency and quirks stay)."""
        with self._lock:
            self._queue.clear()
            self.error_rate = self.html_rate = self.drop_rate = 0.0

    def draw(self, action: str) -> Fault | None:
        """The fault for the next request of ``action``, or None."""
        wanted = action.lower()
        with self._lock:
            for entry in self._queue:
                if entry.action is None or entry.action == wanted:
                    entry.remaining -= 1
                    if entry.remaining <= 0:
                        self._queue.remove(entry)
                    return Fault(entry.kind, entry.opts)
            if not (self.error_rate or self.html_rate or self.drop_rate):
                return None
            roll = self._rng.random()
        if roll < self.error_rate:
            return Fault("503")
        if roll < self.error_rate + self.html_rate:
            return Fault("html", {"status": 500, "page": "fatal"})
        if roll < self.error_rate + self.html_rate + self.drop_rate:
            return Fault("drop")
        return None


_MAINTENANCE = """<!DOCTYPE html>
<html><head><title>Down for Maintenance</title></head>
<body><h1>Down for Maintenance</h1>
<p>An upgrade is currently in progress. Please come back soon.</p></body></html>
"""
_FATAL = """<br />
<b>Fatal error</b>:  PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted
(tried to allocate 20480 bytes) in <b>/home/billing/public_html/vendor/illuminate/database/
Query/Builder.php</b> on line <b>2124</b><br />
"""


def _status_page(status: int, reason: str) -> str:
    return (f"<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>"
            f"<body><h1>{reason}</h1><p>The server is temporarily unable to service your "
            f"request.</p><hr><address>nginx</address></body></html>\n")


def fault_response(fault: Fault) -> tuple[int, list[tuple[str, str]], bytes, str]:
    """(status, extra headers, body, content type) answered for a before-action fault."""
    headers = []
    if "retry_after" in fault.opts:
        headers.append(("Retry-After", str(fault.opts["retry_after"])))
    if fault.kind == "503":
        return 503, headers, _status_page(503, "Service Unavailable").encode(), "text/html"
    if fault.kind == "429":
        return 429, headers, _status_page(429, "Too Many Requests").encode(), "text/html"
    status = int(fault.opts.get("status", 200))
    if fault.kind == "empty":
        return status, headers, b"", "text/html; charset=utf-8"
    page = _FATAL if fault.opts.get("page") == "fatal" else _MAINTENANCE
    return status, headers, page.encode(), "text/html; charset=utf-8"
