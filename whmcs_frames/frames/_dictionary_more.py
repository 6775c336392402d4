"""Column notes for the frames beyond orders and the catalogue: the fraud module's flags,
clients, services, invoices, transactions, cancellations, the service history, and the
toolkit's own audit log and bulk outcomes. :mod:`._dictionary` merges them in."""

from __future__ import annotations

__all__ = ["MORE_NOTES", "ORDER_FRAUD_NOTES"]

_FRAUD = "derived: GetOrders order.fraudoutput (MaxMind or FraudLabs Pro)"
_GC, _GCD = "GetClients client.", "GetClientsDetails client."
_GCP, _GI = "GetClientsProducts product.", "GetInvoices invoice."
_GT, _GCX = "GetTransactions transaction.", "GetCancelledPackages package."
_AUDIT, _BULK = "the toolkit's audit log record: ", "wf.bulk's outcome row: "
_STORE = "the local order store's service history"

#: Orders-frame columns parsed from the fraud module's output (NA: not reported).
ORDER_FRAUD_NOTES: dict[str, tuple[str, str]] = {
    "fraud_proxy": ("the IP is a known proxy or VPN, per the fraud module", _FRAUD),
    "fraud_free_email": ("the e-mail is at a free provider, per the fraud module", _FRAUD),
    "fraud_country_match": ("the IP's country matches the billing country", _FRAUD),
    "fraud_distance_km": ("distance between the IP's location and the billing address, km",
                          _FRAUD),
}

#: Frame → column → (meaning, source).
MORE_NOTES: dict[str, dict[str, tuple[str, str]]] = {
    "clients": {
        "id": ("client id", _GC + "id"),
        "firstname": ("first name", _GC + "firstname"),
        "lastname": ("last name", _GC + "lastname"),
        "companyname": ("company (NA: none)", _GC + "companyname"),
        "email_domain": ("the e-mail address's domain only; the address is never kept",
                         "derived: " + _GC + "email"),
        "datecreated": ("when the client signed up", _GC + "datecreated"),
        "groupid": ("client group id (0: none)", _GC + "groupid"),
        "status": ("Active, Inactive or Closed", _GC + "status"),
        "country": ("billing country, ISO code (NA: details not read)", _GCD + "countrycode"),
        "currency": ("the client's currency, ISO code (NA: details not read)",
                     _GCD + "currency_code"),
    },
    "services": {
        "id": ("service id", _GCP + "id"),
        "userid": ("client id", _GCP + "clientid"),
        "orderid": ("the order that created it", _GCP + "orderid"),
        "pid": ("product id", _GCP + "pid"),
        "regdate": ("when it was registered", _GCP + "regdate"),
        "name": ("product name", _GCP + "name"),
        "groupname": ("product group name", _GCP + "groupname"),
        "domain": ("domain or hostname (NA: none)", _GCP + "domain"),
        "billingcycle": ("billing cycle as WHMCS spells it", _GCP + "billingcycle"),
        "cycle": ("billing cycle as product_pricing's key", "derived: " + _GCP + "billingcycle"),
        "nextduedate": ("next renewal due (for a service that left: about when it left)",
                        _GCP + "nextduedate"),
        "status": ("Pending, Active, Suspended, Terminated, Cancelled, Fraud, Completed",
                   _GCP + "status"),
        "firstpaymentamount": ("first payment, in currency", _GCP + "firstpaymentamount"),
        "recurringamount": ("amount each cycle, in currency", _GCP + "recurringamount"),
        "currency": ("ISO code, from the service's order (NA: order not given)",
                     "derived: the orders frame, by orderid"),
        "paymentmethod": ("payment gateway's system name", _GCP + "paymentmethod"),
    },
    "invoices": {
        "id": ("invoice id", _GI + "id"),
        "invoicenum": ("invoice number shown to the client (NA: the id is used)",
                       _GI + "invoicenum"),
        "userid": ("client id", _GI + "userid"),
        "date": ("invoice date", _GI + "date"),
        "duedate": ("due date", _GI + "duedate"),
        "datepaid": ("when it was paid (NaT: not paid)", _GI + "datepaid"),
        "subtotal": ("before credit and tax, in currency", _GI + "subtotal"),
        "credit": ("credit applied", _GI + "credit"),
        "tax": ("first tax", _GI + "tax"),
        "tax2": ("second tax", _GI + "tax2"),
        "total": ("total due, in currency", _GI + "total"),
        "status": ("Paid, Unpaid, Cancelled, Refunded, Collections, Draft…", _GI + "status"),
        "paymentmethod": ("payment gateway's system name", _GI + "paymentmethod"),
        "currency": ("ISO code", _GI + "currencycode"),
    },
    "transactions": {
        "id": ("transaction id", _GT + "id"),
        "userid": ("client id", _GT + "userid"),
        "invoiceid": ("the invoice it pays or refunds (NA: none)", _GT + "invoiceid"),
        "date": ("when it happened", _GT + "date"),
        "gateway": ("payment gateway's system name", _GT + "gateway"),
        "amountin": ("money received, in currency", _GT + "amountin"),
        "fees": ("gateway fees (NaN: not sent; counted as 0 in cash)", _GT + "fees"),
        "amountout": ("money paid back (refunds), in currency", _GT + "amountout"),
        "rate": ("exchange rate to the default currency", _GT + "rate"),
        "transid": ("the gateway's transaction id", _GT + "transid"),
        "description": ("WHMCS's description", _GT + "description"),
        "currency": ("ISO code, from the invoice or else the client (NA: neither given)",
                     "derived: the invoices or clients frame"),
    },
    "cancellations": {
        "id": ("cancellation request id", _GCX + "id"),
        "serviceid": ("the service to cancel", _GCX + "relid"),
        "date": ("when it was requested", _GCX + "date"),
        "type": ("Immediate or End of Billing Period", _GCX + "type"),
        "reason": ("the client's reason", _GCX + "reason"),
    },
    "service_history": {
        "serviceid": ("service id", _STORE),
        "status": ("the service's status when seen", _STORE),
        "recurringamount": ("its recurring amount when seen", _STORE),
        "seen_at": ("when a sync first saw that status and amount (UTC)", _STORE),
    },
    "audit_log": {
        "attempt": ("one write attempt's id (start and end records share it)", _AUDIT + "attempt"),
        "time": ("when it started, UTC", _AUDIT + "time"),
        "finished": ("when it ended, UTC (NaT: no end record)", _AUDIT + "time of the end"),
        "user": ("the OS user", _AUDIT + "user"),
        "analyst": ("WHMCS_FRAMES_ANALYST, if set", _AUDIT + "analyst"),
        "host": ("the WHMCS host", _AUDIT + "host"),
        "action": ("the WHMCS action", _AUDIT + "action"),
        "orderid": ("the order acted on (NA: AddOrder before an id)", _AUDIT + "orderid"),
        "outcome": ("dry-run, success, error or unknown", _AUDIT + "outcome"),
        "sent": ("whether the request may have reached WHMCS", _AUDIT + "sent"),
        "message": ("WHMCS's message, secrets scrubbed", _AUDIT + "message"),
        "duration_ms": ("how long it took", _AUDIT + "duration_ms"),
        "error": ("the toolkit's error class, if any", _AUDIT + "error"),
        "params": ("what was (or would be) sent, secrets as ***", _AUDIT + "params"),
    },
    "bulk_outcomes": {
        "orderid": ("the order", _BULK + "orderid"),
        "action": ("the WHMCS action", _BULK + "action"),
        "outcome": ("dry-run, success, error, unknown or skipped (not attempted)",
                    _BULK + "outcome"),
        "ok": ("nothing went wrong for this order", _BULK + "ok"),
        "message": ("WHMCS's message or what a dry run found", _BULK + "message"),
        "error": ("the toolkit's error class, if any", _BULK + "error"),
        "params": ("what was (or would be) sent, secrets as ***", _BULK + "params"),
    },
}
