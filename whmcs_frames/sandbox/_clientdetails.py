"""GetClientsDetails: one client, by ``clientid`` or ``email``, with optional ``stats``.

WHMCS answers the client twice: under ``client`` and, deprecated but still sent,
flattened into the top level of the response. Addresses and phone numbers are made
up from the client's id and country (the sandbox stores no street addresses); the
country, currency and status are the stored ones. The reference's example carries no
``datecreated`` here (GetClients has it), so neither does the sandbox.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from typing import Any

from ._common import Context, Refusal, given, php_int, text
from ._pricing import money
from ._store import Store

#: country code -> (name, calling code, ((city, state code, state, postcode), ...))
PLACES = {
    "US": ("United States", "1", (("Austin", "TX", "Texas", "78701"),
                                  ("Portland", "OR", "Oregon", "97205"))),
    "CA": ("Canada", "1", (("Montréal", "QC", "Quebec", "H2X 1Y4"),
                           ("Toronto", "ON", "Ontario", "M5V 2T6"))),
    "DE": ("Germany", "49", (("Köln", "NW", "Nordrhein-Westfalen", "50667"),
                             ("München", "BY", "Bayern", "80331"))),
    "FR": ("France", "33", (("Lyon", "ARA", "Auvergne-Rhône-Alpes", "69002"),)),
    "ES": ("Spain", "34", (("Málaga", "MA", "Málaga", "29015"),)),
    "PL": ("Poland", "48", (("Kraków", "MA", "Małopolskie", "31-042"),)),
    "IE": ("Ireland", "353", (("Dublin", "D", "Dublin", "D02 X285"),)),
    "NL": ("Netherlands", "31", (("Utrecht", "UT", "Utrecht", "3511 LX"),)),
    "GB": ("United Kingdom", "44", (("Leeds", "West Yorkshire", "West Yorkshire", "LS1 4AP"),
                                    ("Bristol", "Bristol", "Bristol", "BS1 5TR"))),
}
_STREETS = ("High Street", "Main Street", "Station Road", "Market Square", "Church Lane")
_CLIENT_SQL = ("SELECT c.id, c.firstname, c.lastname, c.companyname, c.email, c.country, "
               "c.currency, c.status, c.datecreated, c.groupid, COALESCE(cur.code, 'USD'), "
               "COALESCE(cur.prefix, '$'), COALESCE(cur.suffix, ' USD') FROM clients c "
               "LEFT JOIN currencies cur ON cur.id = c.currency")


def get_clients_details(store: Store, params: dict[str, Any], ctx: Context
                        ) -> dict[str, Any]:
    """GetClientsDetails: the client flat and under ``client``; ``stats`` on request."""
    db = store.db
    if given(params, "clientid"):
        row = db.execute(f"{_CLIENT_SQL} WHERE c.id = ?",
                         (php_int(params["clientid"]),)).fetchone()
    elif given(params, "email"):
        row = db.execute(f"{_CLIENT_SQL} WHERE c.email = ? COLLATE NOCASE",
                         (text(params, "email").strip(),)).fetchone()
    else:
        raise Refusal("Either clientid Or email Is Required")
    if row is None:
        raise Refusal("Client Not Found")
    client = _client_record(row, _default_gateway(db, row[0]))
    answer: dict[str, Any] = {"result": "success", **client, "client": client}
    if given(params, "stats"):
        answer["stats"] = _stats(db, row[0], row[11], row[12], store.end.date().isoformat())
    return answer


def _default_gateway(db: sqlite3.Connection, userid: int) -> str:
    row = db.execute("SELECT paymentmethod FROM orders WHERE userid = ? ORDER BY id DESC "
                     "LIMIT 1", (userid,)).fetchone()
    return row[0] if row else ""


def _client_record(row: tuple, gateway: str) -> dict[str, Any]:
    (cid, first, last, company, email, country, currency, status, _created, groupid, code,
     _prefix, _suffix) = row
    name, calling, places = PLACES.get(country, (country, "1", (("", "", "", ""),)))
    city, statecode, state, postcode = places[cid % len(places)]
    phone = f"{(cid * 7919) % 900_000_000 + 100_000_000}"
    digest = hashlib.sha256(f"client:{cid}".encode()).digest()
    return {
        "client_id": cid, "owner_user_id": cid, "userid": cid, "id": cid,
        "uuid": str(uuid.UUID(bytes=digest[:16], version=4)), "firstname": first,
        "lastname": last, "fullname": f"{first} {last}", "companyname": company,
        "email": email, "address1": f"{cid % 180 + 1} {_STREETS[cid % len(_STREETS)]}",
        "address2": "", "city": city, "fullstate": state, "state": state,
        "postcode": postcode, "countrycode": country, "country": country, "phonenumber": phone,
        "tax_id": "", "email_preferences": {k: "1" for k in (
            "general", "invoice", "support", "product", "domain", "affiliate")},
        "statecode": statecode, "countryname": name, "phonecc": calling,
        "phonenumberformatted": f"+{calling}.{phone}", "telephoneNumber": f"+{calling}.{phone}",
        "billingcid": 0, "notes": "", "currency": currency, "defaultgateway": gateway,
        "groupid": groupid, "status": status, "credit": "0.00", "taxexempt": False,
        "latefeeoveride": False, "overideduenotices": False, "separateinvoices": False,
        "disableautocc": False, "emailoptout": False, "marketing_emails_opt_in": False,
        "overrideautoclose": False, "allowSingleSignOn": 1, "email_verified": cid % 3 != 0,
        "language": "", "isOptedInToMarketingEmails": False,
        "lastlogin": "No Login Logged", "currency_code": code,
        "customfields": [], "users": {"user": [{"id": cid, "name": f"{first} {last}",
                                                 "email": email, "is_owner": True}]},
    }


_INVOICE_STATES = (("unpaid", "Unpaid"), ("paid", "Paid"), ("cancelled", "Cancelled"),
                   ("refunded", "Refunded"), ("collections", "Collections"),
                   ("paymentpending", "Payment Pending"))


def _stats(db: sqlite3.Connection, cid: int, prefix: str, suffix: str, today: str
           ) -> dict[str, Any]:
    def fmt(cents: int) -> str:
        return f"{prefix}{money(cents)}{suffix}"

    invoices = {status: (count, cents) for status, count, cents in db.execute(
        "SELECT status, COUNT(*), COALESCE(SUM(total), 0) FROM invoices WHERE userid = ? "
        "GROUP BY status", (cid,))}
    overdue = db.execute("SELECT COUNT(*), COALESCE(SUM(total), 0) FROM invoices WHERE "
                         "userid = ? AND status = 'Unpaid' AND duedate < ?",
                         (cid, today)).fetchone()
    income = db.execute("SELECT COALESCE(SUM(amountin - fees - amountout), 0) FROM accounts "
                        "WHERE userid = ?", (cid,)).fetchone()[0]
    unpaid = invoices.get("Unpaid", (0, 0))
    stats: dict[str, Any] = {
        "numdueinvoices": unpaid[0], "dueinvoicesbalance": fmt(unpaid[1]), "incredit": False,
        "creditbalance": fmt(0), "grossRevenue": fmt(income), "expenses": fmt(0),
        "income": fmt(income), "numoverdueinvoices": overdue[0],
        "overdueinvoicesbalance": fmt(overdue[1]), "numDraftInvoices": 0,
        "draftInvoicesBalance": fmt(0)}
    for key, status in _INVOICE_STATES:
        count, cents = invoices.get(status, (0, 0))
        stats[f"num{key}invoices"] = count
        stats[f"{key}invoicesamount"] = fmt(cents)
    services = dict(db.execute(
        "SELECT COALESCE(p.type, 'other') || '|' || h.status, COUNT(*) FROM hosting h "
        "LEFT JOIN products p ON p.id = h.packageid WHERE h.userid = ? GROUP BY 1",
        (cid,)).fetchall())
    for key, kind in (("hosting", "hostingaccount"), ("reseller", "reselleraccount"),
                      ("servers", "server"), ("other", "other")):
        mine = {k: v for k, v in services.items() if k.startswith(kind + "|")}
        stats[f"productsnumactive{key}"] = mine.get(f"{kind}|Active", 0)
        stats[f"productsnum{key}"] = sum(mine.values())
    stats["productsnumactive"] = sum(v for k, v in services.items() if k.endswith("|Active"))
    stats["productsnumtotal"] = sum(services.values())
    domains = dict(db.execute("SELECT status, COUNT(*) FROM domains WHERE userid = ? "
                              "GROUP BY status", (cid,)).fetchall())
    stats["numactivedomains"] = domains.get("Active", 0)
    stats["numdomains"] = sum(domains.values())
    # The sandbox has no quotes, tickets or affiliates.
    stats.update(numacceptedquotes=0, numquotes=0, numtickets=0, numactivetickets=0,
                 numaffiliatesignups=0, isAffiliate=False)
    return stats
