"""The billing history behind the orders: provisioning, renewals, payments, refunds, churn.

Runs once after the orders are generated, with its own random stream
(``billing:<seed>``), so the orders themselves stay exactly what they were:

- every service gets what provisioning gives it: a server, a username and a password
  (kept readable: WHMCS decrypts it for GetClientsProducts) and a next due date;
- recurring services of accepted orders renew every cycle up to the timeline's end,
  one invoice per renewal, raised a week before its due date and paid through the
  service's gateway;
- some services churn: they stop at the end of a paid period (or at once), most of
  them with a cancellation request; the rest are terminated for non-payment (their
  last invoice cancelled) or were free trials that ran out;
- every Paid or Refunded invoice has its payment (Stripe and PayPal charge fees);
  refunded invoices add a refund, and a few paid ones a partial refund.

The bulk work is SQL (renewals are expanded by a recursive CTE, payments and refunds
are single ``INSERT … SELECT`` statements), which keeps 100,000 orders building in
seconds. :func:`provision`, :func:`settle` and :func:`forget_orders` keep the same
tables consistent when orders are added or deleted later.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sqlite3
import string
from collections.abc import Iterable

from ._catalog import CYCLE_LABELS, CYCLE_MONTHS, PRODUCT_BY_ID

NEVER = "0000-00-00"
#: (id, name, ip address, hostname, module)
SERVERS = (
    (1, "Saturn", "203.0.113.10", "saturn.sandbox-host.net", "cpanel"),
    (2, "Jupiter", "203.0.113.11", "jupiter.sandbox-host.net", "cpanel"),
    (3, "Neptune", "203.0.113.20", "neptune.sandbox-host.net", "cpanel"),
    (4, "Titan", "198.51.100.5", "titan.sandbox-host.net", "virtualizor"),
)
_SERVERS_FOR = {"hostingaccount": (1, 2), "reselleraccount": (3,), "server": (4,)}
LABEL_MONTHS = {CYCLE_LABELS[c]: m for c, m in CYCLE_MONTHS.items()}
#: gateway -> (share of the amount, fixed cents) it keeps as a fee
FEES = {"stripe": (0.029, 30), "paypal": (0.0349, 49)}
CANCEL_REASONS = (
    "Moving to another provider", "No longer needed", "Too expensive",
    "Project finished &amp; site closed", "Switching to a VPS",
    "Business closed", "Found a cheaper offer elsewhere", "Client Requested",
)
_MONTHLY_CHURN = 0.018
_NOT_NAME = re.compile(r"[^a-z0-9]+")
_PASSWORD_CHARS = string.ascii_letters + string.digits + "!@#$%^&*-_=+"
# Random bytes mapped onto the alphabet in one C call: generating 100,000 passwords
# character by character would cost over a second of build time.
_PASSWORD_TABLE = bytes(ord(_PASSWORD_CHARS[i % len(_PASSWORD_CHARS)]) for i in range(256))
# Only what the reads filter on most: every index costs a sort of the whole table at
# build time (five of them were a quarter of the billing history's cost). Deleting an
# order scans the invoices instead, a few milliseconds at the usual sizes.
BILLING_INDEXES = """
CREATE INDEX invoices_user ON invoices(userid);
CREATE INDEX accounts_invoice ON accounts(invoiceid);
"""
_PROVISION_SQL = ("UPDATE hosting SET username = ?, password = ?, server = ?, dedicatedip = ?, "
                  "assignedips = ?, nextduedate = ? WHERE id = ?")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months``, overflowing like SQLite's and PHP's ``+N months``.

    Examples
    --------
    >>> add_months(dt.date(2023, 1, 31), 1)
    datetime.date(2023, 3, 3)
    """
    years, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + years, month + 1, 1) + dt.timedelta(days=day.day - 1)


def _dues_passed(reg: dt.date, months: int, end: dt.date) -> int:
    """How many renewal due dates (``reg`` + k cycles, k ≥ 1) fall on or before ``end``."""
    count = max(((end.year - reg.year) * 12 + end.month - reg.month) // months, 0)
    # Day overflow (31 January + 1 month = 3 March) can push a due date past ``end``.
    while count and add_months(reg, count * months) > end:
        count -= 1
    return count


def credentials(rng: random.Random, pid: int, domain: str, sid: int
                ) -> tuple[str, str, int, str, str]:
    """(username, password, server id, dedicated IP, assigned IPs) for a new service."""
    product = PRODUCT_BY_ID.get(pid)
    kind = product.type if product else "other"
    if kind in ("hostingaccount", "reselleraccount"):
        base = _NOT_NAME.sub("", domain.split(".", 1)[0].lower())
        username = base[:8] if len(base) >= 4 else f"user{sid}"[:8]
        servers = _SERVERS_FOR[kind]
        return username, _password(rng), servers[sid % len(servers)], "", ""
    if kind == "server":
        server = 4 if product and product.module else 0
        ip = f"198.51.{100 + sid // 250 % 20}.{sid % 250 + 2}"
        extra = f"198.51.{120 + sid // 250 % 20}.{sid % 250 + 2}" if sid % 5 == 0 else ""
        return "root", _password(rng), server, ip, extra
    return "", "", 0, "", ""


def _password(rng: random.Random) -> str:
    return rng.randbytes(14).translate(_PASSWORD_TABLE).decode("ascii")


def build_billing(conn: sqlite3.Connection, seed: int, end: dt.datetime) -> None:
    """Add servers, client sign-up dates, service life cycles, renewals and payments."""
    rng = random.Random(f"billing:{seed}")
    conn.executemany("INSERT INTO servers VALUES (?,?,?,?,?)", SERVERS)
    start = (end - dt.timedelta(days=730)).date().isoformat()
    conn.execute(
        "UPDATE clients SET datecreated = COALESCE((SELECT date(MIN(o.date), '-' || "
        "(clients.id * 37 % 60) || ' days') FROM orders o WHERE o.userid = clients.id), "
        "date(?, '+' || (clients.id * 53 % 700) || ' days')), "
        "groupid = CASE WHEN id % 19 = 0 THEN 1 ELSE 0 END", (start,))
    plans, requests = _life_cycles(conn, rng, end.date())
    conn.execute("CREATE TEMP TABLE plan(sid INTEGER, userid INTEGER, gateway TEXT, "
                 "amount INTEGER, regdate TEXT, months INTEGER, k1 INTEGER, k2 INTEGER, "
                 "status TEXT)")
    conn.executemany("INSERT INTO plan VALUES (?,?,?,?,?,?,?,?,?)", plans)
    conn.execute(_RENEWALS_SQL)
    conn.execute("DROP TABLE plan")
    requests.sort()
    conn.executemany("INSERT INTO cancelrequests (date, relid, reason, type) VALUES (?,?,?,?)",
                     requests)
    settle(conn, seed, end, None, partial_refunds=True)


_RENEWALS_SQL = """
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 60),
due AS MATERIALIZED (
    SELECT p.*, k.n AS n, date(p.regdate, '+' || (k.n * p.months) || ' months') AS day
    FROM plan p JOIN k ON k.n BETWEEN p.k1 AND p.k2)
INSERT INTO invoices (userid, orderid, date, duedate, datepaid, total, status, paymentmethod,
                      subtotal, hostingid, date_cancelled)
SELECT userid, 0, date(day, '-7 days'), day,
       CASE status WHEN 'Paid' THEN datetime(day, '-' || ((sid + n) % 4) || ' days',
            '+' || ((sid * 7919 + n * 104729) % 86400) || ' seconds')
       ELSE '0000-00-00 00:00:00' END,
       amount, status, gateway, amount, sid,
       CASE status WHEN 'Cancelled' THEN datetime(day, '+10 days') END
FROM due ORDER BY day, sid
"""


def _life_cycles(conn: sqlite3.Connection, rng: random.Random, end: dt.date
                 ) -> tuple[list[tuple], list[tuple]]:
    """Update every service in place; return renewal plans and cancellation requests."""
    plans: list[tuple] = []
    requests: list[tuple] = []
    updates = []
    for sid, userid, pid, domain, cycle, amount, status, regdate, gateway, ostatus in \
            conn.execute("SELECT h.id, h.userid, h.packageid, h.domain, h.billingcycle, "
                         "h.amount, h.status, h.regdate, h.paymentmethod, o.status FROM "
                         "hosting h JOIN orders o ON o.id = h.orderid ORDER BY h.id"):
        user, password, server, ip, ips = credentials(rng, pid, domain, sid)
        life = _Life(rng, dt.date.fromisoformat(regdate), LABEL_MONTHS.get(cycle, 0), end)
        life.run(ostatus == "Active", status, cycle)
        for k1, k2, state in life.plan:
            if amount > 0:
                plans.append((sid, userid, gateway, amount, regdate, life.months, k1, k2,
                              state))
        if life.request:
            requests.append((*life.request[:1], sid, *life.request[1:]))
        updates.append((life.status, life.nextdue, life.stopped, life.reason, user, password,
                        server, ip, ips, sid))
    conn.executemany("UPDATE hosting SET status = ?, nextduedate = ?, termination_date = ?, "
                     "suspendreason = ?, username = ?, password = ?, server = ?, "
                     "dedicatedip = ?, assignedips = ? WHERE id = ?", updates)
    return plans, requests


class _Life:
    """One service's story up to the timeline's end: renewals, and how it stopped."""

    def __init__(self, rng: random.Random, reg: dt.date, months: int, end: dt.date) -> None:
        self.rng, self.reg, self.months, self.end = rng, reg, months, end
        self.status = ""
        self.nextdue = reg.isoformat()
        self.stopped = NEVER
        self.reason = ""
        self.plan: list[tuple[int, int, str]] = []
        self.request: tuple[str, str, str] | None = None

    def due(self, k: int) -> dt.date:
        return add_months(self.reg, k * self.months)

    def run(self, accepted: bool, status: str, cycle: str) -> None:
        self.status = status
        if not self.months:
            self.nextdue = NEVER  # one-time and free services never fall due again
        if not accepted or status == "Pending":
            return  # never accepted (or not yet): nothing was provisioned to renew
        if not self.months:
            if cycle == "Free Account" and status == "Active" and \
                    (self.end - self.reg).days > 30:
                self.status = "Terminated"  # the trial ran out; nobody asked to cancel
                self.stopped = (self.reg + dt.timedelta(days=30)).isoformat()
            return
        passed = _dues_passed(self.reg, self.months, self.end)
        if status == "Active" and passed and \
                self.rng.random() < 1 - (1 - _MONTHLY_CHURN) ** (passed * self.months):
            status = self.status = "Cancelled" if self.rng.random() < 0.45 else "Terminated"
        if status in ("Cancelled", "Terminated"):
            self._churn(passed)
        elif status == "Suspended":
            self._suspend(passed)
        else:
            self._renew(passed)

    def _renew(self, passed: int) -> None:
        late = passed >= 1 and self.rng.random() < 0.03
        paid = passed - 1 if late else passed
        if paid:
            self.plan.append((1, paid, "Paid"))
        if late:
            self.plan.append((passed, passed, "Unpaid"))  # overdue, not yet suspended
        elif self.due(passed + 1) - dt.timedelta(days=7) <= self.end:
            self.plan.append((passed + 1, passed + 1, "Unpaid"))  # raised, not yet due
        self.nextdue = self.due(paid + 1).isoformat()

    def _suspend(self, passed: int) -> None:
        if not passed:
            self.nextdue, self.reason = self.due(1).isoformat(), "Abuse report"
            return
        if passed > 1:
            self.plan.append((1, passed - 1, "Paid"))
        self.plan.append((passed, passed, "Unpaid"))
        self.nextdue, self.reason = self.due(passed).isoformat(), "Overdue on Payment"

    def _churn(self, passed: int) -> None:
        rng = self.rng
        paid = rng.randrange(passed) if passed else 0
        if paid:
            self.plan.append((1, paid, "Paid"))
        self.nextdue = self.due(paid + 1).isoformat()
        if passed and self.status == "Terminated" and rng.random() < 0.2:
            # Never paid the next renewal: its invoice is cancelled, no request filed.
            self.plan.append((paid + 1, paid + 1, "Cancelled"))
            stop = min(self.due(paid + 1) + dt.timedelta(days=rng.randrange(7, 15)), self.end)
            self.stopped = stop.isoformat()
            return
        immediate = not passed or rng.random() < 0.25
        if passed:
            stop = self.due(paid + 1)
            if immediate:
                stop -= dt.timedelta(days=rng.randrange(1, 28 * self.months))
        else:
            stop = self.reg + dt.timedelta(days=rng.randrange(1, max((self.end - self.reg).days,
                                                                     2)))
        stop = max(stop, self.reg + dt.timedelta(days=1))
        self.stopped = stop.isoformat()
        asked = stop if immediate else max(stop - dt.timedelta(days=rng.randrange(0, 21)),
                                           self.reg + dt.timedelta(days=1))
        if self.status == "Cancelled" or rng.random() < 0.9:
            stamp = f"{asked.isoformat()} {rng.randrange(8, 22):02d}:{rng.randrange(60):02d}:" \
                    f"{rng.randrange(60):02d}"
            self.request = (stamp, rng.choice(CANCEL_REASONS),
                            "Immediate" if immediate else "End of Billing Period")


def _fee_sql() -> str:
    cases = " ".join(f"WHEN '{gateway}' THEN CAST(round(i.total * {share}) AS INTEGER) + {fixed}"
                     for gateway, (share, fixed) in FEES.items())
    return f"CASE i.paymentmethod {cases} ELSE 0 END"


_PAYMENTS_SQL = f"""
INSERT INTO accounts (userid, currency, gateway, date, description, amountin, fees, amountout,
                      rate, transid, invoiceid, refundid)
SELECT i.userid, 0, i.paymentmethod, i.datepaid, 'Invoice Payment', i.total, {_fee_sql()}, 0,
       COALESCE(cur.rate, 1.0),
       CASE i.paymentmethod
         WHEN 'stripe' THEN printf('ch_%08x%08x', (i.id * 2654435761 + :seed) % 4294967296,
                                   (i.id * 40503 + :seed * 7) % 4294967296)
         WHEN 'paypal' THEN printf('%08X%09d', (i.id * 2246822519 + :seed) % 4294967296, i.id)
         WHEN 'banktransfer' THEN printf('BT%07d', i.id)
         ELSE printf('CHQ-%06d', i.id) END,
       i.id, 0
FROM invoices i LEFT JOIN clients c ON c.id = i.userid
LEFT JOIN currencies cur ON cur.id = c.currency
WHERE i.status IN ('Paid', 'Refunded') AND i.total > 0 {{only}}
ORDER BY i.datepaid, i.id
"""
_REFUNDS_SQL = """
INSERT INTO accounts (userid, currency, gateway, date, description, amountin, fees, amountout,
                      rate, transid, invoiceid, refundid)
SELECT a.userid, 0, a.gateway,
       min(datetime(a.date, '+' || (1 + a.id % 9) || ' days'), max(:end, a.date)),
       'Refund of Transaction ID ' || a.transid, 0, 0,
       CASE i.status WHEN 'Refunded' THEN a.amountin ELSE a.amountin / 2 END, a.rate,
       printf('re_%08x%06d', (a.id * 2654435761 + :seed) % 4294967296, a.id), a.invoiceid, a.id
FROM invoices i CROSS JOIN accounts a ON a.invoiceid = i.id  -- few invoices, then their payments
WHERE (i.status = 'Refunded'
       OR (:partial AND i.status = 'Paid' AND (i.id * 2654435761 + :seed) % 1000 < 12))
      AND a.refundid = 0 AND a.amountin > 0 {only}
ORDER BY 4, a.id
"""


def settle(conn: sqlite3.Connection, seed: int, end: dt.datetime,
           invoice_ids: Iterable[int] | None, *, partial_refunds: bool = False) -> None:
    """Record the payments (and refunds) of Paid and Refunded invoices.

    ``invoice_ids`` limits the work to those invoices (None: every invoice, at build).
    """
    only, args = "", {"seed": seed, "end": end.strftime("%Y-%m-%d %H:%M:%S"),
                      "partial": int(partial_refunds)}
    if invoice_ids is not None:
        ids = [int(i) for i in invoice_ids]
        if not ids:
            return
        only = f"AND i.id IN ({','.join(str(i) for i in ids)})"
    conn.execute(_PAYMENTS_SQL.format(only=only), args)
    if invoice_ids is None:  # the build: index once the bulk of the rows is in
        conn.executescript(BILLING_INDEXES)
    conn.execute(_REFUNDS_SQL.format(only=only), args)
    conn.execute(f"UPDATE invoices SET date_refunded = (SELECT MAX(a.date) FROM accounts a "
                 f"WHERE a.invoiceid = invoices.id AND a.refundid > 0) WHERE status = "
                 f"'Refunded' {only.replace('i.id', 'id')}")


def provision(conn: sqlite3.Connection, service_ids: Iterable[int], rng: random.Random
              ) -> None:
    """Give freshly created services their server, credentials and next due date."""
    ids = [int(i) for i in service_ids]
    if not ids:
        return
    updates = []
    for sid, pid, domain, regdate, cycle, ostatus in conn.execute(
            "SELECT h.id, h.packageid, h.domain, h.regdate, h.billingcycle, o.status FROM "
            f"hosting h JOIN orders o ON o.id = h.orderid WHERE h.id IN "
            f"({','.join(str(i) for i in ids)}) ORDER BY h.id").fetchall():
        months = LABEL_MONTHS.get(cycle, 0)
        nextdue = NEVER if not months else regdate
        if months and ostatus == "Active":  # the order's payment covered the first cycle
            nextdue = add_months(dt.date.fromisoformat(regdate), months).isoformat()
        updates.append((*credentials(rng, pid, domain, sid), nextdue, sid))
    conn.executemany(_PROVISION_SQL, updates)


def forget_orders(conn: sqlite3.Connection, order_ids: list[int]) -> None:
    """Remove the renewals, payments and cancellation requests of orders being deleted.

    Call before the orders' own rows go (it finds everything through them).
    """
    marks = ",".join("?" * len(order_ids))
    services = f"SELECT id FROM hosting WHERE orderid IN ({marks})"
    conn.execute(f"DELETE FROM accounts WHERE invoiceid IN (SELECT invoiceid FROM orders "
                 f"WHERE id IN ({marks}) AND invoiceid > 0) OR invoiceid IN (SELECT id FROM "
                 f"invoices WHERE hostingid IN ({services}))", [*order_ids, *order_ids])
    conn.execute(f"DELETE FROM invoices WHERE hostingid IN ({services})", order_ids)
    conn.execute(f"DELETE FROM cancelrequests WHERE relid IN ({services})", order_ids)
