"""The column dictionary: what each column of each frame means and where it comes from."""

from __future__ import annotations

import pandas as pd

from .._exceptions import ValidationError
from ._converters import SCHEMAS
from ._dictionary_more import MORE_NOTES, ORDER_FRAUD_NOTES

__all__ = ["COLUMN_NOTES", "describe"]

_GO, _GP, _GPR, _GS = ("GetOrders order.", "GetProducts product.", "GetPromotions promotion.",
                       "GetOrderStatuses status.")
_LINE = "GetOrders order.lineitems.lineitem[]."

#: Frame → column → (meaning, source). Every column of :data:`SCHEMAS` has an entry.
COLUMN_NOTES: dict[str, dict[str, tuple[str, str]]] = {
    "orders": {
        "id": ("order id", _GO + "id"),
        "ordernum": ("the 10-digit order number shown to the client", _GO + "ordernum"),
        "userid": ("client id", _GO + "userid"),
        "contactid": ("the client's contact who placed it (NA: the client)", _GO + "contactid"),
        "requestor_id": ("user who placed the order", _GO + "requestor_id"),
        "admin_requestor_id": ("admin who placed it for the client", _GO + "admin_requestor_id"),
        "date": ("when it was placed, WHMCS server time (no zone)", _GO + "date"),
        "nameservers": ("nameservers given for domains", _GO + "nameservers"),
        "renewals": ("renewals ordered, as WHMCS summarises them", _GO + "renewals"),
        "promocode": ("promotion code used (NA: none)", _GO + "promocode"),
        "promotype": ("that promotion's type", _GO + "promotype"),
        "promovalue": ("that promotion's value", _GO + "promovalue"),
        "amount": ("order total, in currency", _GO + "amount"),
        "currency": ("ISO code of the order's currency",
                     "derived: " + _GO + "currencyprefix/currencysuffix"),
        "paymentmethod": ("payment gateway's system name", _GO + "paymentmethod"),
        "paymentmethodname": ("payment gateway's display name", _GO + "paymentmethodname"),
        "paymentstatus": ("the invoice's status: Paid, Unpaid, Refunded… (NA: no invoice)",
                          _GO + "paymentstatus"),
        "invoiceid": ("invoice id (NA or 0: none)", _GO + "invoiceid"),
        "status": ("order status (Pending, Active, Fraud, Cancelled or a custom one)",
                   _GO + "status"),
        "ipaddress": ("IP the order was placed from", _GO + "ipaddress"),
        "fraudmodule": ("fraud module that checked it", _GO + "fraudmodule"),
        "fraud_score": ("fraud score 0-100, higher is riskier (NaN: not scored)",
                        "derived: " + _GO + "fraudoutput (FraudLabs Pro, MaxMind)"),
        "fraud_status": ("the fraud module's verdict", "derived: " + _GO + "fraudoutput"),
        "fraud_country": ("country of the IP, per the fraud module",
                          "derived: " + _GO + "fraudoutput"),
        "notes": ("admin notes (NA: none)", _GO + "notes"),
        "name": ("client's name", _GO + "name"),
        "currencyprefix": ("currency symbol before amounts", _GO + "currencyprefix"),
        "currencysuffix": ("currency text after amounts", _GO + "currencysuffix"),
        "n_items": ("number of line items", "derived: " + _GO + "lineitems"),
    },
    "order_lines": {
        "orderid": ("the order's id", _GO + "id"),
        "date": ("the order's date", _GO + "date"),
        "orderstatus": ("the order's status (what the revenue rule reads)", _GO + "status"),
        "paymentstatus": ("the order's invoice status", _GO + "paymentstatus"),
        "type": ("product, addon, domain, upgrade or renewal", _LINE + "type"),
        "relid": ("id of the service, addon or domain created", _LINE + "relid"),
        "pid": ("product id (NA: not a product, or no single product of that name)",
                "derived: " + _LINE + "product matched by name in GetProducts"),
        "producttype": ("product type label (Shared Hosting, Domain, Addon…)",
                        _LINE + "producttype"),
        "product": ("product or addon name; Register/Transfer for domains",
                    _LINE + "product"),
        "domain": ("domain the line is for (NA: none)", _LINE + "domain"),
        "billingcycle": ("billing cycle as WHMCS words it (Semi-Annually; years for domains)",
                         _LINE + "billingcycle"),
        "cycle": ("billing cycle as product_pricing's keys (semiannually, onetime…)",
                  "derived: " + _LINE + "billingcycle"),
        "amount": ("the line's amount, in currency", _LINE + "amount"),
        "currency": ("ISO code of the order's currency",
                     "derived: " + _GO + "currencyprefix/currencysuffix"),
        "status": ("the line's own status (its service's or domain's)", _LINE + "status"),
    },
    "products": {
        "pid": ("product id", _GP + "pid"),
        "gid": ("product group id", _GP + "gid"),
        "type": ("hostingaccount, reselleraccount, server or other", _GP + "type"),
        "name": ("product name", _GP + "name"),
        "slug": ("URL slug", _GP + "slug"),
        "product_url": ("order page URL", _GP + "product-url"),
        "description": ("description", _GP + "description"),
        "module": ("provisioning module (NA: none)", _GP + "module"),
        "paytype": ("free, onetime or recurring", _GP + "paytype"),
        "allowqty": ("more than one may be ordered at once", _GP + "allowqty"),
        "quantity_available": ("stock left", _GP + "quantity_available"),
        "n_customfields": ("custom fields on the order form",
                           "derived: " + _GP + "customfields"),
        "customfield_names": ("their names", "derived: " + _GP + "customfields"),
        "n_configoptions": ("configurable options", "derived: " + _GP + "configoptions"),
        "configoption_names": ("their names", "derived: " + _GP + "configoptions"),
    },
    "product_pricing": {
        "pid": ("product id", _GP + "pid"),
        "currency": ("ISO currency code", _GP + "pricing (its key)"),
        "cycle": ("billing cycle offered (cycles priced -1.00 are absent)",
                  _GP + "pricing.<currency>.<cycle>"),
        "price": ("price per cycle", _GP + "pricing.<currency>.<cycle>"),
        "setup_fee": ("setup fee for that cycle", _GP + "pricing.<currency>.<x>setupfee"),
    },
    "promotions": {
        "id": ("promotion id", _GPR + "id"),
        "code": ("the code clients type", _GPR + "code"),
        "type": ("Percentage, Fixed Amount, Price Override or Free Setup", _GPR + "type"),
        "recurring": ("the discount recurs on renewals", _GPR + "recurring"),
        "value": ("discount value (percent or amount)", _GPR + "value"),
        "cycles": ("billing cycles it applies to (NA: all)", _GPR + "cycles"),
        "appliesto": ("product ids it applies to ([]: all)", _GPR + "appliesto"),
        "requires": ("product ids the client must also order", _GPR + "requires"),
        "requiresexisting": ("may be met by products the client already has",
                             _GPR + "requiresexisting"),
        "startdate": ("first day valid (NaT: no start)", _GPR + "startdate"),
        "expirationdate": ("last day valid (NaT: never expires)", _GPR + "expirationdate"),
        "maxuses": ("most uses allowed (NA: unlimited; WHMCS says 0)", _GPR + "maxuses"),
        "uses": ("times used, as WHMCS counts", _GPR + "uses"),
        "lifetimepromo": ("the discount lasts the service's lifetime", _GPR + "lifetimepromo"),
        "applyonce": ("applies once per order", _GPR + "applyonce"),
        "newsignups": ("new clients only", _GPR + "newsignups"),
        "existingclient": ("existing clients only", _GPR + "existingclient"),
        "onceperclient": ("once per client", _GPR + "onceperclient"),
        "recurfor": ("renewals the discount recurs for (0: unlimited)", _GPR + "recurfor"),
        "upgrades": ("applies to upgrades", _GPR + "upgrades"),
        "upgradeconfig": ("upgrade settings (PHP-unserialised)", _GPR + "upgradeconfig"),
        "notes": ("admin notes (NA: none)", _GPR + "notes"),
    },
    "order_statuses": {
        "title": ("status name, custom ones included", _GS + "title"),
        "count": ("orders in that status now", _GS + "count"),
    },
}
COLUMN_NOTES["orders"].update(ORDER_FRAUD_NOTES)
COLUMN_NOTES.update(MORE_NOTES)


def describe(frame: str | None = None) -> pd.DataFrame:
    """The column dictionary of one frame (or all): column, dtype, meaning and source.

    Parameters
    ----------
    frame : str, optional
        A key of :data:`SCHEMAS` (``"orders"``, ``"order_lines"``…); all frames (with a
        ``frame`` column first) when omitted.

    Returns
    -------
    pandas.DataFrame
        ``column, dtype, meaning, source``, in the frame's column order.

    Examples
    --------
    >>> describe("order_statuses")["column"].tolist()
    ['title', 'count']
    """
    if frame is None:
        parts = [describe(name).assign(frame=name) for name in SCHEMAS]
        table = pd.concat(parts, ignore_index=True)
        return table[["frame", "column", "dtype", "meaning", "source"]]
    if frame not in SCHEMAS:
        raise ValidationError("frame", "one of " + ", ".join(SCHEMAS), got=frame)
    notes = COLUMN_NOTES[frame]
    rows = [(column, dtype, *notes[column]) for column, dtype in SCHEMAS[frame].items()]
    return pd.DataFrame(rows, columns=["column", "dtype", "meaning", "source"]).astype(
        "string")
