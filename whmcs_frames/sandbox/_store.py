"""One box's SQLite database: the connection, its lock, and order bookkeeping.

Every request's database work runs inside :meth:`Store.transaction`, which holds a
re-entrant lock: SQLite connections are not safe to share between threads, and one
lock keeps each action atomic. JSON encoding and injected latency happen outside it
so concurrent clients still overlap.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._billing import forget_orders, provision, settle
from ._catalog import ORDER_STATUSES
from ._orders import Batch, OrderFactory
from ._people import Client
from ._pricing import money
from ._schema import build_database, generator_version, insert_batch, materialise, shop_pricing

_ID_TABLES = {"orders": "orders", "invoices": "invoices", "hosting": "hosting",
              "domains": "domains", "addons": "hostingaddons", "renewalitems": "renewalitems"}
#: Tables holding one order's records, and the column naming the order.
ORDER_CHILDREN = (("hosting", "orderid"), ("domains", "orderid"), ("hostingaddons", "orderid"),
                  ("renewalitems", "orderid"), ("invoices", "orderid"))
CHUNK = 500


class StoreClosed(RuntimeError):
    """The box has shut down; its database is gone."""


class Store:
    """The database behind one sandbox box.

    Parameters
    ----------
    path : Path
        Where this box's database file lives (created here).
    orders, seed : int
        What to generate.
    """

    def __init__(self, path: Path, orders: int, seed: int) -> None:
        materialise(path, orders, seed)
        self.lock = threading.RLock()
        self.seed = seed
        # Finished GetOrders records by id. One Python process cannot build pages in
        # parallel the way PHP workers do, so the sandbox builds each order once.
        self._order_cache: dict[int, dict[str, Any]] = {}
        self._cache_stamp = -1
        self.conn: sqlite3.Connection | None = self._open(path)
        if self._meta("version") != generator_version():
            # A damaged or foreign cache entry: build this box's database directly.
            self.conn.close()
            path.unlink()
            build_database(path, orders, seed)
            self.conn = self._open(path)
        self.end, self.pricing = shop_pricing(seed)
        self.rng = random.Random(f"live:{seed}")
        self.next_ids = {key: self._scalar(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
                         for key, table in _ID_TABLES.items()}
        self.statuses = [s[0] for s in ORDER_STATUSES]
        self._factory: OrderFactory | None = None
        self._clock: dt.datetime | None = None
        #: Orders whose payment subscription refuses to be cancelled (``cancelsub``).
        self.failing_subscriptions: set[int] = set()

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # A throwaway database: speed matters more than surviving a power cut.
        conn.executescript("PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;")
        return conn

    def _meta(self, key: str) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (raises :class:`StoreClosed` after :meth:`close`)."""
        if self.conn is None:
            raise StoreClosed("the sandbox has been shut down")
        return self.conn

    def _scalar(self, sql: str, args: Iterable[Any] = ()) -> Any:
        row = self.db.execute(sql, tuple(args)).fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run one atomic unit of work; roll back on any error."""
        with self.lock:
            conn = self.db
            conn.execute("BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def order_cache(self) -> dict[int, dict[str, Any]]:
        """The finished-record cache, emptied whenever anything changed the database.

        ``total_changes`` counts every row any statement on this connection touched,
        so no write path (actions, box helpers, hooks) can leave a stale record behind.
        Call with :attr:`lock` held.
        """
        stamp = self.db.total_changes
        if stamp != self._cache_stamp:
            self._order_cache.clear()
            self._cache_stamp = stamp
        return self._order_cache

    def close(self) -> None:
        """Close the connection; later requests get :class:`StoreClosed`."""
        with self.lock:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

    # -- order bookkeeping shared by the box helpers and the write actions --------

    def next_id(self, key: str) -> int:
        """A fresh id for ``key`` (orders, invoices, hosting, domains, addons …)."""
        value = self.next_ids[key]
        self.next_ids[key] = value + 1
        return value

    @property
    def factory(self) -> OrderFactory:
        """The generator, primed with this database's clients and order numbers."""
        if self._factory is None:
            clients = [Client(*row) for row in self.db.execute(
                "SELECT id, firstname, lastname, companyname, email, country, currency, "
                "status, ip FROM clients WHERE status != 'Closed' ORDER BY id")]
            self._factory = OrderFactory(self.pricing, clients, self.rng, self.end,
                                         self.next_ids)
            self._factory.ordernums.update(
                row[0] for row in self.db.execute("SELECT ordernum FROM orders"))
        return self._factory

    def now(self) -> dt.datetime:
        """The sandbox clock: a little after the newest order, never the real time."""
        if self._clock is None:
            newest = self._scalar("SELECT MAX(date) FROM orders")
            self._clock = dt.datetime.fromisoformat(newest) if newest else self.end
        self._clock += dt.timedelta(seconds=self.rng.randrange(20, 600))
        return self._clock

    def add_orders(self, count: int, status: str) -> list[int]:
        """Generate ``count`` orders with new highest ids, all in ``status``."""
        status = self.canonical_status(status)
        with self.transaction() as conn:
            batch = Batch()
            ids = []
            for _ in range(count):
                oid = self.next_id("orders")
                self.factory.make(oid, self.now(), batch, status=status)
                ids.append(oid)
            insert_batch(conn, batch)
            provision(conn, [row[0] for row in batch.hosting], self.rng)
            settle(conn, self.seed, self.end, [row[0] for row in batch.invoices])
        return ids

    def canonical_status(self, status: str) -> str:
        """The status's title as configured (case-insensitive); ValueError if unknown."""
        for title in self.statuses:
            if title.lower() == str(status).lower():
                return title
        raise ValueError(f"unknown order status {status!r}; known: {', '.join(self.statuses)}")

    def set_status(self, ids: Iterable[int], status: str) -> None:
        """Set orders' status directly, with no rules and no cascade (a test helper)."""
        status = self.canonical_status(status)
        with self.transaction() as conn:
            conn.executemany("UPDATE orders SET status = ? WHERE id = ?",
                             [(status, int(i)) for i in ids])

    def delete_orders(self, conn: sqlite3.Connection, ids: list[int]) -> None:
        """Remove orders with their invoices, services, domains, addons and line items."""
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ",".join("?" * len(chunk))
            forget_orders(conn, chunk)
            conn.execute(f"DELETE FROM invoices WHERE id IN (SELECT invoiceid FROM orders "
                         f"WHERE id IN ({marks}))", chunk)
            for table in ("hostingconfigoptions", "customfieldsvalues"):
                conn.execute(f"DELETE FROM {table} WHERE relid IN (SELECT id FROM hosting "
                             f"WHERE orderid IN ({marks}))", chunk)
            for table, column in ORDER_CHILDREN:
                conn.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)
            conn.execute(f"DELETE FROM orders WHERE id IN ({marks})", chunk)

    def order_row(self, orderid: int) -> dict[str, Any] | None:
        """The raw ``orders`` row as a dict, money as WHMCS's decimal strings, or None."""
        with self.lock:
            cursor = self.db.execute("SELECT * FROM orders WHERE id = ?", (int(orderid),))
            row = cursor.fetchone()
            if row is None:
                return None
            record = dict(zip([d[0] for d in cursor.description], row, strict=True))
        record["amount"] = money(record["amount"])
        record["promovalue"] = money(record["promovalue"])
        return record

    def count_orders(self, status: str | None = None) -> int:
        """How many orders exist (in ``status``, compared case-insensitively)."""
        with self.lock:
            if status is None:
                return int(self._scalar("SELECT COUNT(*) FROM orders"))
            return int(self._scalar("SELECT COUNT(*) FROM orders WHERE status = ?",
                                    (status,)))
