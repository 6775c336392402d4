"""WHMCS orders kept in one SQLite file, as WHMCS sent them.

One row per order: the raw record as JSON (so frames are built from stored records
exactly as from fresh ones) beside the few columns the sync and the filters need.
The file holds customer names and IP addresses, so it is created readable by its
owner only (0600), and its folder 0700.

Every change goes through :meth:`OrderStore.transaction`, a ``BEGIN IMMEDIATE``
transaction: a second process wanting to write waits for the first (up to
``timeout`` seconds), and a process killed half-way leaves the previous state.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from ..__version__ import __version__

__all__ = ["SCHEMA_VERSION", "OrderStore", "StoreInfo", "default_store_path"]

#: Bump when the tables change; an older file is rebuilt (a full read refills it).
SCHEMA_VERSION = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL COLLATE NOCASE,
    date TEXT NOT NULL,
    userid INTEGER,
    requestor_id INTEGER,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status);
CREATE INDEX IF NOT EXISTS orders_date ON orders (date);
CREATE INDEX IF NOT EXISTS orders_userid ON orders (userid);
"""


def default_store_path(url: str, identity: str) -> Path:
    """One file per WHMCS URL and API identity in the user's cache directory.

    Examples
    --------
    >>> default_store_path("https://b.example/includes/api.php", "abc").name  # doctest: +SKIP
    'orders-3f1c…sqlite'
    """
    digest = hashlib.sha256(f"{url}\n{identity}".encode()).hexdigest()[:20]
    folder = Path(platformdirs.user_cache_dir("whmcs-frames", appauthor=False))
    return folder / f"orders-{digest}.sqlite"


@dataclass(frozen=True)
class StoreInfo:
    """What ``client.store`` shows: where, how many orders, when last synced (UTC)."""

    path: Path
    orders: int
    last_sync: str | None
    last_full: str | None
    toolkit_version: str | None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an existing file made by something else is tightened too


class OrderStore:
    """The SQLite file: open it, read it, change it in transactions.

    Examples
    --------
    >>> store = OrderStore("/tmp/orders.sqlite")  # doctest: +SKIP
    >>> with store.transaction():  # doctest: +SKIP
    ...     store.upsert([{"id": 1, "status": "Pending", "date": "2026-01-01 10:00:00"}])
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 600.0) -> None:
        self.path = Path(path).expanduser()
        _private_file(self.path)
        self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                     check_same_thread=False)
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self.rebuilt = False
        with self.transaction():
            self._ensure_schema()

    # -- lifecycle ------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        self._conn.execute(_TABLES.split(";")[0])  # meta first: it says what else is there
        version = self.meta("schema_version")
        if version is not None and int(version) != SCHEMA_VERSION:
            # an older (or newer) layout: start again; the next sync reads everything
            self._conn.execute("DROP TABLE IF EXISTS orders")
            self._conn.execute("DELETE FROM meta")
            self.rebuilt = True
        for statement in _TABLES.split(";"):
            if statement.strip():
                self._conn.execute(statement)
        self.set_meta("schema_version", str(SCHEMA_VERSION))
        self.set_meta("toolkit_version", __version__)

    def close(self) -> None:
        """Close the file (idempotent)."""
        with self._lock:
            self._conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[OrderStore]:
        """All or nothing; waits for another process's transaction to end first."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- metadata -------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) "
                           "DO UPDATE SET value = excluded.value", (key, value))

    def info(self) -> StoreInfo:
        """Path, orders held, last sync and last full read (UTC, ISO 8601)."""
        with self._lock:
            return StoreInfo(self.path, self.count(), self.meta("last_sync"),
                             self.meta("last_full"), self.meta("toolkit_version"))

    # -- reading --------------------------------------------------------------------

    def count(self, status: str | None = None) -> int:
        if status is None:
            return self._conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        return self._conn.execute("SELECT COUNT(*) FROM orders WHERE status = ?",
                                  (status,)).fetchone()[0]

    def status_counts(self) -> dict[str, int]:
        """Orders per status, keyed by the status in lower case."""
        rows = self._conn.execute("SELECT lower(status), COUNT(*) FROM orders GROUP BY 1")
        return dict(rows.fetchall())

    def newest(self) -> tuple[int, str] | None:
        """``(id, date)`` of the newest order held, or None when empty."""
        row = self._conn.execute("SELECT id, date FROM orders ORDER BY id DESC LIMIT 1"
                                 ).fetchone()
        return None if row is None else (row[0], row[1])

    def ids(self, status: str | None = None) -> set[int]:
        if status is None:
            rows = self._conn.execute("SELECT id FROM orders")
        else:
            rows = self._conn.execute("SELECT id FROM orders WHERE status = ?", (status,))
        return {row[0] for row in rows}

    def records(self, filters: Mapping[str, Any] | None = None, *,
                since: datetime | None = None,
                before: datetime | None = None) -> list[dict[str, Any]]:
        """Stored records matching GetOrders-style filters and dates, newest first."""
        where, args = [], []
        for key, value in (filters or {}).items():
            where.append(f"{key} = ?")  # keys come from the validated filter names only
            args.append(value)
        if since is not None:
            where.append("date >= ?")
            args.append(since.isoformat(sep=" "))
        if before is not None:
            where.append("date < ?")
            args.append(before.isoformat(sep=" "))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._lock:
            rows = self._conn.execute(f"SELECT record FROM orders{clause} ORDER BY id DESC",
                                      args).fetchall()
        return [json.loads(row[0]) for row in rows]

    # -- writing (inside a transaction) ----------------------------------------------

    def upsert(self, records: Iterable[Mapping[str, Any]]) -> tuple[set[int], set[int]]:
        """Insert or replace records; returns the ids that were ``(new, changed)``."""
        rows = {}
        for record in records:
            orderid = _int_or_none(record.get("id"))
            if orderid is not None:
                rows[orderid] = record
        if not rows:
            return set(), set()
        held: dict[int, str] = {}
        ids = list(rows)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            held.update(self._conn.execute(
                f"SELECT id, record FROM orders WHERE id IN ({marks})", chunk).fetchall())
        new, changed, writes = set(), set(), []
        for orderid, record in rows.items():
            text = json.dumps(record, sort_keys=True, ensure_ascii=False)
            if orderid not in held:
                new.add(orderid)
            elif held[orderid] != text:
                changed.add(orderid)
            else:
                continue
            writes.append((orderid, str(record.get("status") or ""),
                           str(record.get("date") or ""), _int_or_none(record.get("userid")),
                           _int_or_none(record.get("requestor_id")), text))
        self._conn.executemany(
            "INSERT INTO orders (id, status, date, userid, requestor_id, record) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status,"
            " date = excluded.date, userid = excluded.userid, "
            "requestor_id = excluded.requestor_id, record = excluded.record", writes)
        return new, changed

    def delete(self, ids: Iterable[int]) -> int:
        """Remove orders by id; returns how many were held."""
        gone = [(int(i),) for i in ids]
        before = self.count()
        self._conn.executemany("DELETE FROM orders WHERE id = ?", gone)
        return before - self.count()
