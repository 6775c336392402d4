"""Invoices and payment transactions: where the cash is.

``GetInvoices`` gives each invoice's currency (``currencycode``); ``GetTransactions``
gives only a currency *id* that is 0 for most payments, so a transaction's currency is
taken from its invoice, else from its client's currency, else left NA: never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._billing import _lookup
from ._converters import SCHEMAS, _columns, _records
from ._dtypes import build_frame, text_value
from ._fields import currency_code

__all__ = ["invoices_frame", "transactions_frame"]

_ID, _MONEY, _DATE, _TEXT, _CAT = "Int64", "float64", "datetime64[ns]", "string", "category"

SCHEMAS.update({
    "invoices": {
        "id": _ID, "invoicenum": _TEXT, "userid": _ID, "date": _DATE, "duedate": _DATE,
        "datepaid": _DATE, "subtotal": _MONEY, "credit": _MONEY, "tax": _MONEY,
        "tax2": _MONEY, "total": _MONEY, "status": _CAT, "paymentmethod": _CAT,
        "currency": _CAT,
    },
    "transactions": {
        "id": _ID, "userid": _ID, "invoiceid": _ID, "date": _DATE, "gateway": _CAT,
        "amountin": _MONEY, "fees": _MONEY, "amountout": _MONEY, "rate": _MONEY,
        "transid": _TEXT, "description": _TEXT, "currency": _CAT,
    },
})

_INVOICE_FIELDS = ("id", "invoicenum", "userid", "date", "duedate", "datepaid", "subtotal",
                   "credit", "tax", "tax2", "total", "status", "paymentmethod")
_TRANSACTION_FIELDS = ("id", "userid", "invoiceid", "date", "gateway", "amountin", "fees",
                       "amountout", "rate", "transid", "description")


def _invoice_currency(record: Mapping[str, Any]) -> str | None:
    code = text_value(record.get("currencycode"), empty_is_na=True)
    return currency_code(None, code) or currency_code(record.get("currencyprefix"),
                                                      record.get("currencysuffix"))


def invoices_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per invoice, from ``GetInvoices``' ``invoices.invoice[]``.

    ``currencycode`` becomes ``currency`` (from the prefix/suffix when an old WHMCS sends
    no code). ``datepaid`` is NaT for unpaid invoices (WHMCS sends ``0000-00-00``).

    Parameters
    ----------
    records : iterable of mapping
        Raw invoice dicts; ``{"invoice": [...]}`` is accepted too.

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["invoices"]``.

    Examples
    --------
    >>> df = invoices_frame([{"id": "5", "total": "12.50", "currencycode": "EUR",
    ...                       "status": "Unpaid", "datepaid": "0000-00-00 00:00:00"}])
    >>> df.loc[0, ["id", "total", "currency"]].astype(str).tolist(), df.at[0, "datepaid"]
    (['5', '12.5', 'EUR'], NaT)
    """
    recs = _records(records, "invoice")
    raw: dict[str, Any] = _columns(recs, _INVOICE_FIELDS)
    raw["currency"] = [_invoice_currency(r) for r in recs]
    return build_frame(SCHEMAS["invoices"], raw, len(recs))


def transactions_frame(records: Iterable[Mapping[str, Any]], *,
                       invoices: pd.DataFrame | None = None,
                       clients: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per payment or refund, from ``GetTransactions``' ``transactions.transaction[]``.

    ``amountin`` is money received, ``fees`` the gateway's fee (NaN where a WHMCS version
    does not send it), ``amountout`` money paid back (refunds). WHMCS's own ``currency``
    field is a currency *id*, 0 for "the client's default", so it is not read: the
    ``currency`` column is the invoice's (``invoices`` given), else the client's
    (``clients`` given, with GetClientsDetails), else NA.

    Parameters
    ----------
    records : iterable of mapping
        Raw transaction dicts; ``{"transaction": [...]}`` is accepted too.
    invoices : pandas.DataFrame, optional
        An invoices frame (``id``, ``currency``).
    clients : pandas.DataFrame, optional
        A clients frame (``id``, ``currency``).

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["transactions"]``.

    Examples
    --------
    >>> inv = invoices_frame([{"id": 5, "currencycode": "GBP"}])
    >>> df = transactions_frame([{"id": "1", "invoiceid": "5", "amountin": "9.99",
    ...                           "fees": "0.59", "amountout": "0.00"}], invoices=inv)
    >>> df.loc[0, ["amountin", "fees", "currency"]].astype(str).tolist()
    ['9.99', '0.59', 'GBP']
    """
    recs = _records(records, "transaction")
    raw: dict[str, Any] = _columns(recs, _TRANSACTION_FIELDS)
    by_invoice = _lookup(raw["invoiceid"], invoices, "id", "currency", name="invoices")
    by_client = _lookup(raw["userid"], clients, "id", "currency", name="clients")
    currency = np.full(len(recs), None, dtype=object)
    for found in (by_client, by_invoice):  # the invoice's currency wins
        if found is not None:
            known = pd.notna(found)
            currency[known] = found[known]
    raw["currency"] = currency
    return build_frame(SCHEMAS["transactions"], raw, len(recs))
