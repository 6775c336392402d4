"""Raw billing records as the WHMCS API reference documents them (strings for numbers,
``0000-00-00`` for no date), shared by the frame and report tests."""

from __future__ import annotations

from typing import Any

SERVICE_PASSWORD = "Sv3-pa55w0rd-b7e2"
CLIENT_EMAIL = "ann.example.person@mail.example.org"


def make_client(**overrides: Any) -> dict[str, Any]:
    """One item of GetClients' ``clients.client[]``."""
    client = {"id": "1", "firstname": "Ann", "lastname": "Smith &amp; Co",
              "companyname": "", "email": CLIENT_EMAIL, "datecreated": "2024-01-10",
              "groupid": "0", "status": "Active"}
    client.update(overrides)
    return client


def make_service(**overrides: Any) -> dict[str, Any]:
    """One item of GetClientsProducts' ``products.product[]``, password and all."""
    service = {
        "id": "1", "clientid": "1", "orderid": "1", "ordernumber": "7858259149",
        "pid": "1", "regdate": "2024-01-10", "name": "Starter", "translated_name": "Starter",
        "groupname": "Hosting", "translated_groupname": "Hosting", "domain": "example.org",
        "dedicatedip": "", "serverid": "1", "servername": "web1", "serverip": "192.0.2.5",
        "serverhostname": "web1.example.net", "suspensionreason": "",
        "firstpaymentamount": "10.00", "recurringamount": "10.00", "paymentmethod": "stripe",
        "paymentmethodname": "Credit Card", "billingcycle": "Monthly",
        "nextduedate": "2024-02-10", "status": "Active", "username": "annsmith",
        "password": SERVICE_PASSWORD, "subscriptionid": "", "promoid": "0",
        "overideautosuspend": "0", "overidesuspenduntil": "0000-00-00", "ns1": "", "ns2": "",
        "assignedips": "", "notes": f"root login {SERVICE_PASSWORD}", "diskusage": "0",
        "disklimit": "0", "bwusage": "0", "bwlimit": "0", "lastupdate": "0000-00-00 00:00:00",
        "customfields": {"customfield": [{"id": "1", "name": "Root password",
                                          "value": SERVICE_PASSWORD}]},
        "configoptions": {"configoption": []},
    }
    service.update(overrides)
    return service


def make_invoice(**overrides: Any) -> dict[str, Any]:
    """One item of GetInvoices' ``invoices.invoice[]``."""
    invoice = {"id": "1", "userid": "1", "firstname": "Ann", "lastname": "Smith",
               "companyname": "", "invoicenum": "", "date": "2024-01-10",
               "duedate": "2024-01-17", "datepaid": "2024-01-12 09:30:00",
               "last_capture_attempt": "0000-00-00 00:00:00", "subtotal": "10.00",
               "credit": "0.00", "tax": "0.00", "tax2": "0.00", "total": "10.00",
               "taxrate": "0.00", "taxrate2": "0.00", "status": "Paid",
               "paymentmethod": "stripe", "notes": "", "currencycode": "USD",
               "currencyprefix": "$", "currencysuffix": " USD"}
    invoice.update(overrides)
    return invoice


def make_transaction(**overrides: Any) -> dict[str, Any]:
    """One item of GetTransactions' ``transactions.transaction[]``."""
    transaction = {"id": "1", "userid": "1", "currency": "0", "gateway": "stripe",
                   "date": "2024-01-12 09:30:00", "description": "Invoice Payment",
                   "amountin": "10.00", "fees": "0.59", "amountout": "0.00", "rate": "1.00000",
                   "transid": "ch_3Nabc", "invoiceid": "1", "refundid": "0"}
    transaction.update(overrides)
    return transaction


def make_cancellation(**overrides: Any) -> dict[str, Any]:
    """One item of GetCancelledPackages' ``packages.package[]``."""
    package = {"id": "1", "date": "2024-03-02 10:00:00", "relid": "1",
               "reason": "Moving to another host", "type": "End of Billing Period"}
    package.update(overrides)
    return package
