"""Cash, days to pay, ageing and the invoices-vs-orders cross-check on known books."""

from __future__ import annotations

import pandas as pd
import pytest
from _billing_records import make_invoice, make_transaction

from whmcs_frames import frames, reports
from whmcs_frames._exceptions import ValidationError

T = pd.Timestamp


@pytest.fixture
def invoices():
    return frames.invoices_frame([
        make_invoice(id=1, date="2024-01-10", duedate="2024-01-17", datepaid="2024-01-12",
                     total="10.00"),
        make_invoice(id=2, date="2024-01-20", duedate="2024-01-27", datepaid="2024-02-06",
                     total="30.00"),
        make_invoice(id=3, date="2024-02-01", duedate="2024-02-08", total="20.00",
                     datepaid="0000-00-00 00:00:00", status="Unpaid", currencycode="EUR"),
        make_invoice(id=4, date="2024-05-01", duedate="2024-05-08", total="5.00",
                     datepaid="0000-00-00 00:00:00", status="Unpaid", currencycode="EUR"),
        make_invoice(id=5, date="2024-05-01", duedate="2024-06-08", total="7.00",
                     datepaid="0000-00-00 00:00:00", status="Unpaid"),
        make_invoice(id=6, date="2024-03-01", duedate="2024-03-08", total="99.00",
                     datepaid="0000-00-00 00:00:00", status="Cancelled"),
    ])


def test_cash_by_month_per_currency_with_fees_and_refunds(invoices):
    transactions = frames.transactions_frame([
        make_transaction(id=1, invoiceid=1, date="2024-01-12", amountin="10.00", fees="0.59"),
        make_transaction(id=2, invoiceid=2, date="2024-01-30", amountin="30.00", fees="1.17"),
        make_transaction(id=3, invoiceid=2, date="2024-03-02", amountin="0.00", fees="0.00",
                         amountout="30.00"),
        make_transaction(id=4, invoiceid=3, date="2024-01-15", amountin="20.00", fees=""),
    ], invoices=invoices)
    table = reports.cash_by_month(transactions).set_index(["period", "currency"])
    january = table.loc[(T("2024-01-01"), "USD")]
    assert january[["transactions", "amount_in", "fees", "refunds", "net"]].tolist() == [
        2, 40.0, 1.76, 0.0, 38.24]
    assert table.loc[(T("2024-01-01"), "EUR"), "amount_in"] == 20.0  # not added to USD
    assert table.loc[(T("2024-02-01"), "USD"), "transactions"] == 0  # the gap is there
    assert table.loc[(T("2024-03-01"), "USD"), "net"] == -30.0


def test_days_to_pay_per_issue_month(invoices):
    table = reports.days_to_pay(invoices).set_index("period")
    january = table.loc[T("2024-01-01")]
    assert (january["invoices"], january["mean_days"], january["median_days"],
            january["paid_late"]) == (2, 9.5, 9.5, 1)  # 2 and 17 days; one after its due
    assert table.loc[T("2024-02-01"), "invoices"] == 0


def test_invoice_ageing_buckets_unpaid_invoices_by_days_past_due(invoices):
    table = reports.invoice_ageing(invoices, at="2024-05-20")
    eur = table[table["currency"] == "EUR"].set_index("bucket")
    assert eur["invoices"].to_dict() == {"not yet due": 0, "0-30": 1, "31-60": 0,
                                         "61-90": 0, "90+": 1}  # 12 and 102 days
    assert eur.loc["90+", "amount"] == 20.0
    usd = table[table["currency"] == "USD"].set_index("bucket")
    assert usd.loc["not yet due", "invoices"] == 1 and usd["invoices"].sum() == 1
    assert list(table.columns) == ["currency", "bucket", "invoices", "amount"]


@pytest.mark.parametrize(("days", "bucket"), [(0, "0-30"), (30, "0-30"), (31, "31-60"),
                                              (60, "31-60"), (61, "61-90"), (90, "61-90"),
                                              (91, "90+"), (-1, "not yet due")])
def test_ageing_bucket_edges(days, bucket):
    one = frames.invoices_frame([make_invoice(status="Unpaid", duedate="2024-01-01",
                                              datepaid="0000-00-00")])
    at = T("2024-01-01") + pd.Timedelta(days=days)
    table = reports.invoice_ageing(one, at=at).set_index("bucket")
    assert table.loc[bucket, "invoices"] == 1


def test_invoices_vs_orders_shows_where_the_rules_differ(invoices):
    orders = frames.orders_frame([
        {"id": 1, "date": "2024-01-09", "amount": "10.00", "currencysuffix": "USD",
         "status": "Active", "paymentstatus": "Paid", "invoiceid": 1},
        # paid, then cancelled: the order rule drops it, the invoice stays paid
        {"id": 2, "date": "2024-01-19", "amount": "30.00", "currencysuffix": "USD",
         "status": "Cancelled", "paymentstatus": "Paid", "invoiceid": 2}])
    renewal = frames.invoices_frame([make_invoice(id=7, date="2024-01-25", total="4.00")])
    table = reports.invoices_vs_orders(pd.concat([invoices, renewal], ignore_index=True),
                                       orders).set_index(["period", "currency"])
    row = table.loc[(T("2024-01-01"), "USD")]
    assert row.tolist() == [10.0, 40.0, 4.0, 30.0]


def test_empty_and_wrong_input():
    assert reports.cash_by_month(frames.transactions_frame([])).empty
    assert reports.days_to_pay(frames.invoices_frame([])).empty
    assert reports.invoice_ageing(frames.invoices_frame([]), at="2024-01-01").empty
    assert reports.invoices_vs_orders(frames.invoices_frame([]),
                                      frames.orders_frame([])).empty
    with pytest.raises(ValidationError, match="transactions"):
        reports.cash_by_month(frames.invoices_frame([]))
