"""Two small tables beside the order store: client details and a service status history.

``client_details`` keeps what GetClientsDetails is asked for (country, currency), so
that one-request-per-client read is paid once per client, not once per notebook.
``service_history`` is written at each read of services: one row per service whose
status or recurring amount differs from the last row kept for it, stamped with when the
read ran (``seen_at``, UTC). WHMCS keeps no dated record of a service being cancelled
or terminated without a cancellation request; this history is the next best thing,
from the first sync on.

The tables live in the order store's file when the client has one (they survive a
rebuild of the orders table), else in memory for the life of the client. Nothing
secret is written: a client's country and currency, a service's id, status and amount.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["BillingStore"]

_TABLES = """
CREATE TABLE IF NOT EXISTS client_details (
    id INTEGER PRIMARY KEY, country TEXT, currency TEXT, fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS service_history (
    serviceid INTEGER NOT NULL, status TEXT, recurringamount TEXT, seen_at TEXT NOT NULL,
    PRIMARY KEY (serviceid, seen_at));
"""


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _amount(value: Any) -> str | None:
    try:
        return f"{float(str(value).strip()):.2f}"
    except (TypeError, ValueError):
        return None


class BillingStore:
    """Client details and the service status history, in a file or in memory.

    Examples
    --------
    >>> store = BillingStore(None)
    >>> store.record_services([{"id": "9", "status": "Active", "recurringamount": "10.00"}],
    ...                       seen_at="2026-01-01 00:00:00")
    1
    >>> store.record_services([{"id": 9, "status": "Active", "recurringamount": "10.0"}],
    ...                       seen_at="2026-02-01 00:00:00")
    0
    >>> [r["status"] for r in store.history()]
    ['Active']
    """

    def __init__(self, path: str | Path | None, *, timeout: float = 600.0) -> None:
        self.path = None if path is None else Path(path)
        self._conn = sqlite3.connect(":memory:" if path is None else str(path),
                                     timeout=timeout, isolation_level=None,
                                     check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.executescript(_TABLES)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._conn.close()

    # -- client details -------------------------------------------------------------

    def details(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The kept details of these clients: ``{id: {"id", "countrycode", "currency_code"}}``."""
        wanted = sorted({i for i in ids if i is not None})
        found: dict[int, dict[str, Any]] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):  # SQLite's parameter limit
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for cid, country, currency in self._conn.execute(
                        f"SELECT id, country, currency FROM client_details WHERE id IN "
                        f"({marks})", chunk):
                    found[cid] = {"id": cid, "countrycode": country, "currency_code": currency}
        return found

    def save_details(self, answers: Iterable[Mapping[str, Any]]) -> int:
        """Keep the country and currency of GetClientsDetails answers; the rest is dropped."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = []
        for answer in answers:
            inner = answer.get("client")
            client = inner if isinstance(inner, Mapping) else answer
            cid = _int(client.get("id", client.get("userid", answer.get("userid"))))
            if cid is None:
                continue
            country = client.get("countrycode") or client.get("country") or None
            rows.append((cid, country, client.get("currency_code") or None, now))
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany("INSERT OR REPLACE INTO client_details VALUES "
                                       "(?, ?, ?, ?)", rows)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return len(rows)

    # -- service history ------------------------------------------------------------

    def record_services(self, services: Iterable[Mapping[str, Any]], *,
                        seen_at: str | None = None) -> int:
        """Add a row for each service whose status or amount changed; returns how many."""
        # microseconds: two reads in one second are two sightings, not one replaced
        when = seen_at or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        seen = [(sid, str(s.get("status") or "") or None, _amount(s.get("recurringamount")))
                for s in services if (sid := _int(s.get("id"))) is not None]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                last = {sid: (status, amount) for sid, status, amount in self._conn.execute(
                    "SELECT serviceid, status, recurringamount FROM service_history h "
                    "WHERE seen_at = (SELECT MAX(seen_at) FROM service_history "
                    "WHERE serviceid = h.serviceid)")}
                new = [(sid, status, amount, when) for sid, status, amount in seen
                       if last.get(sid) != (status, amount)]
                self._conn.executemany("INSERT OR REPLACE INTO service_history VALUES "
                                       "(?, ?, ?, ?)", new)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return len(new)

    def history(self) -> list[dict[str, Any]]:
        """Every row kept, oldest first: ``serviceid, status, recurringamount, seen_at``."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT serviceid, status, recurringamount, seen_at FROM service_history "
                "ORDER BY seen_at, serviceid").fetchall()
        return [dict(zip(("serviceid", "status", "recurringamount", "seen_at"), row,
                         strict=True)) for row in rows]
