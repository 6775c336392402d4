"""Beyond orders: clients, services, cancellation requests and a service status history.

Each converter reads only the fields it names (a whitelist), so a field WHMCS adds, or
one it should never have sent, cannot reach a frame. That matters most for
``GetClientsProducts``, which returns each service's ``password`` in clear and its login
``username``: neither is read. A client's e-mail address is not kept either, only its
domain (``email_domain``), which is what an analysis of sign-ups needs.

Invoices and transactions are in :mod:`._invoices`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import ValidationError
from ._converters import SCHEMAS, _columns, _records
from ._dtypes import build_frame, text_value, to_category, to_int
from ._lines import cycle_key

__all__ = [
    "CREDENTIAL_FIELDS",
    "cancellations_frame",
    "clients_frame",
    "service_history_frame",
    "services_frame",
]

_ID, _MONEY, _DATE, _TEXT, _CAT = "Int64", "float64", "datetime64[ns]", "string", "category"

#: Service fields holding credentials: never read by :func:`services_frame`.
CREDENTIAL_FIELDS = frozenset({"password", "username", "serviceusername", "servicepassword",
                               "rootpw"})

_BILLING_SCHEMAS: dict[str, dict[str, str]] = {
    "clients": {
        "id": _ID, "firstname": _TEXT, "lastname": _TEXT, "companyname": _TEXT,
        "email_domain": _CAT, "datecreated": _DATE, "groupid": _ID, "status": _CAT,
        "country": _CAT, "currency": _CAT,
    },
    "services": {
        "id": _ID, "userid": _ID, "orderid": _ID, "pid": _ID, "regdate": _DATE,
        "name": _TEXT, "groupname": _TEXT, "domain": _TEXT, "billingcycle": _CAT,
        "cycle": _CAT, "nextduedate": _DATE, "status": _CAT, "firstpaymentamount": _MONEY,
        "recurringamount": _MONEY, "currency": _CAT, "paymentmethod": _CAT,
    },
    "cancellations": {
        "id": _ID, "serviceid": _ID, "date": _DATE, "type": _CAT, "reason": _TEXT,
    },
    # What the local store saw at each sync: one row per service and sync where its
    # status or recurring amount differed from the sync before.
    "service_history": {
        "serviceid": _ID, "status": _CAT, "recurringamount": _MONEY, "seen_at": _DATE,
    },
}
# One registry: every frame's schema is in SCHEMAS, whichever module converts it.
SCHEMAS.update(_BILLING_SCHEMAS)

_CLIENT_FIELDS = ("id", "firstname", "lastname", "companyname", "datecreated", "groupid",
                  "status")
_SERVICE_FIELDS = ("id", "orderid", "pid", "regdate", "name", "groupname", "domain",
                   "billingcycle", "nextduedate", "status", "firstpaymentamount",
                   "recurringamount", "paymentmethod")


def _cycle_keys(values: np.ndarray) -> pd.Categorical:
    # A handful of distinct cycles across all services: look each up once.
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    keys = np.array([cycle_key(u) for u in uniques] + [None], dtype=object)
    return to_category(keys[codes])


def _email_domain(value: Any) -> str | None:
    text = text_value(value, empty_is_na=True)
    if text is None or "@" not in text:
        return None
    domain = text.rsplit("@", 1)[1].strip().casefold()
    return domain or None


def _lookup(ids: Any, table: pd.DataFrame | None, key: str, column: str, *,
            name: str) -> np.ndarray | None:
    """``table[column]`` for each of ``ids`` matched on ``table[key]``; NA where unknown."""
    if table is None:
        return None
    if not isinstance(table, pd.DataFrame) or key not in table or column not in table:
        raise ValidationError(name, f"a DataFrame with {key!r} and {column!r} columns",
                              got=type(table).__name__)
    index = to_int(table[key].to_numpy(dtype=object))
    values = pd.Series(table[column].astype(object).to_numpy(), index=index)
    values = values[values.index.notna() & ~values.index.duplicated(keep="first")]
    return pd.Series(to_int(ids)).map(values).to_numpy(dtype=object)


def _detail_rows(details: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """``id, country, currency`` from GetClientsDetails answers (or their ``client``)."""
    rows = []
    for answer in _records(details, "client"):
        inner = answer.get("client")
        client = inner if isinstance(inner, Mapping) else answer
        cid = client.get("id", client.get("userid", answer.get("userid")))
        country = client.get("countrycode") or client.get("country")
        rows.append((cid, text_value(country, empty_is_na=True),
                     text_value(client.get("currency_code"), empty_is_na=True)))
    return pd.DataFrame(rows, columns=["id", "country", "currency"], dtype=object)


def clients_frame(records: Iterable[Mapping[str, Any]], *,
                  details: Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """One row per client, from the items of ``GetClients``' ``clients.client[]``.

    The e-mail address is reduced to its domain (``email_domain``); addresses, phone
    numbers and postal addresses are never kept. ``country`` (ISO 3166 code) and
    ``currency`` (ISO 4217 code) are not in GetClients: they come from ``details``, the
    answers of ``GetClientsDetails`` (one per client), and are NA without them.

    Parameters
    ----------
    records : iterable of mapping
        Raw client dicts; ``{"client": [...]}`` is accepted too.
    details : iterable of mapping, optional
        GetClientsDetails answers, or their ``client`` objects.

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["clients"]``.

    Examples
    --------
    >>> df = clients_frame([{"id": "3", "email": "Ann@Example.COM", "status": "Active"}],
    ...                    details=[{"client": {"id": 3, "countrycode": "DE",
    ...                                         "currency_code": "EUR"}}])
    >>> df.loc[0, ["id", "email_domain", "country", "currency"]].astype(str).tolist()
    ['3', 'example.com', 'DE', 'EUR']
    """
    recs = _records(records, "client")
    raw: dict[str, Any] = _columns(recs, (*_CLIENT_FIELDS, "email"))
    raw["email_domain"] = [_email_domain(v) for v in raw.pop("email")]
    if details is not None:
        extra = _detail_rows(details)
        raw["country"] = _lookup(raw["id"], extra, "id", "country", name="details")
        raw["currency"] = _lookup(raw["id"], extra, "id", "currency", name="details")
    return build_frame(SCHEMAS["clients"], raw, len(recs))


def services_frame(records: Iterable[Mapping[str, Any]], *,
                   orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per service, from ``GetClientsProducts``' ``products.product[]``.

    The client column is ``userid`` (WHMCS says ``clientid`` here), ``cycle`` is the
    billing cycle as a ``product_pricing`` key (``monthly`` … ``triennially``,
    ``onetime``, ``free``; NA when unrecognised, with WHMCS's text kept in
    ``billingcycle``). GetClientsProducts has no currency: ``currency`` is that of the
    service's order when ``orders`` is given, else NA. Credentials (``password``,
    ``username``, see :data:`CREDENTIAL_FIELDS`), custom fields, configurable options,
    notes and server details are never read.

    Parameters
    ----------
    records : iterable of mapping
        Raw service dicts; ``{"product": [...]}`` is accepted too.
    orders : pandas.DataFrame, optional
        An orders frame (``id`` and ``currency`` are used).

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["services"]``.

    Examples
    --------
    >>> df = services_frame([{"id": "9", "clientid": "3", "billingcycle": "Annually",
    ...                       "recurringamount": "120.00", "password": "hunter2"}])
    >>> df.loc[0, ["id", "userid", "cycle", "recurringamount"]].astype(str).tolist()
    ['9', '3', 'annually', '120.0']
    >>> "password" in df
    False
    """
    recs = _records(records, "product")
    raw: dict[str, Any] = _columns(recs, _SERVICE_FIELDS)
    raw["userid"] = [r.get("clientid", r.get("userid")) for r in recs]
    raw["cycle"] = _cycle_keys(raw["billingcycle"])
    raw["currency"] = _lookup(raw["orderid"], orders, "id", "currency", name="orders")
    return build_frame(SCHEMAS["services"], raw, len(recs))


def cancellations_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Cancellation requests, from ``GetCancelledPackages``' ``packages.package[]``.

    ``relid`` (the service cancelled) becomes ``serviceid``; ``type`` is WHMCS's
    "Immediate" or "End of Billing Period". The request's ``date`` is the only dated
    record WHMCS keeps of a service leaving.

    Examples
    --------
    >>> df = cancellations_frame({"package": {"id": "1", "relid": "9", "date":
    ...     "2024-03-02 10:00:00", "type": "Immediate", "reason": "Too &amp; costly"}})
    >>> df.loc[0, ["serviceid", "type", "reason"]].astype(str).tolist()
    ['9', 'Immediate', 'Too & costly']
    """
    recs = _records(records, "package")
    raw: dict[str, Any] = _columns(recs, ("id", "relid", "date", "type", "reason"))
    raw["serviceid"] = raw.pop("relid")
    return build_frame(SCHEMAS["cancellations"], raw, len(recs))


def service_history_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The status history of services as the local store saw it, one row per change.

    Each record is ``{"serviceid", "status", "recurringamount", "seen_at"}``:
    ``seen_at`` is when the sync that saw it ran (not when it happened in WHMCS,
    which WHMCS does not record). :func:`whmcs_frames.reports.churn` uses the first
    Cancelled/Terminated sighting as a service's leaving date when it has no
    cancellation request; :func:`~whmcs_frames.reports.mrr_movements` uses amount changes
    for expansion and contraction.

    Examples
    --------
    >>> service_history_frame([{"serviceid": 9, "status": "Cancelled",
    ...                         "seen_at": "2024-03-05 02:00:00"}]).dtypes.astype(str).tolist()
    ['Int64', 'category', 'float64', 'datetime64[ns]']
    """
    recs = _records(records, "service")
    raw = _columns(recs, tuple(SCHEMAS["service_history"]))
    return build_frame(SCHEMAS["service_history"], raw, len(recs))
