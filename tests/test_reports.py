"""Report aggregations on a small hand-checked dataset: totals per currency, never mixed."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import reports

METHOD_NAMES = {"stripe": "Credit Card", "paypal": "PayPal", "banktransfer": "Bank Transfer"}


def _order(oid, date, amount, currency, status, paystatus, method, promo="", score=None,
           lines=()):
    fraud = json.dumps({"fraudlabspro_score": str(score)}) if score is not None else ""
    return {
        "id": str(oid), "date": date, "amount": f"{amount:.2f}", "currencyprefix": "",
        "currencysuffix": f" {currency}", "status": status, "paymentstatus": paystatus,
        "paymentmethod": method, "paymentmethodname": METHOD_NAMES.get(method, ""),
        "promocode": promo, "fraudmodule": "fraudlabs" if fraud else "", "fraudoutput": fraud,
        "lineitems": {"lineitem": [
            {"type": kind, "product": product, "amount": f"{value:.2f}", "status": status}
            for kind, product, value in lines]},
    }


#   id  placed               amount cur  status     payment    method        promo     score
RAW = [
    _order(1, "2024-01-03 10:00:00", 10.00, "USD", "Active", "Paid", "stripe", "WELCOME10", 5,
           [("product", "Starter", 10.00)]),
    _order(2, "2024-01-15 12:00:00", 20.50, "USD", "Active", "Paid", "paypal", "", 15,
           [("product", "Starter", 15.50), ("domain", "Register", 5.00)]),
    _order(3, "2024-01-20 09:00:00", 7.25, "EUR", "Active", "Paid", "stripe", "", None,
           [("product", "Business", 7.25)]),
    _order(4, "2024-02-02 08:00:00", 100.00, "EUR", "Cancelled", "Cancelled", "stripe",
           "WELCOME10", 25, [("product", "Business", 100.00)]),
    _order(5, "2024-02-10 18:00:00", 50.00, "USD", "Fraud", "Paid", "stripe", "", 92,
           [("product", "VPS", 50.00)]),
    _order(6, "2024-03-05 11:00:00", 12.00, "EUR", "Pending", "Unpaid", "banktransfer", "", 40,
           [("domain", "Register", 12.00)]),
    _order(7, "2024-03-28 23:59:00", 30.00, "GBP", "In Review", "Paid", "paypal", "SAVE5", 75,
           [("product", "Business", 30.00)]),
    _order(8, "2024-03-30 10:00:00", 5.00, "USD", "Active", "Refunded", "paypal", "", None,
           [("addon", "Backups", 5.00)]),
    _order(9, "2024-03-31 10:00:00", 0.00, "USD", "Active", "", "stripe", "", None,
           [("product", "Free Trial", 0.00)]),
]


@pytest.fixture
def orders():
    return wf.frames.orders_frame(RAW)


@pytest.fixture
def lines():
    return wf.frames.order_lines_frame(RAW)


def rows(frame, *columns):
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def test_revenue_is_paid_and_not_cancelled_or_fraud(orders):
    # 5 is paid but Fraud, 8 refunded, 9 has no invoice; 7 (custom status) is paid.
    assert orders.loc[reports.is_revenue(orders), "id"].tolist() == [1, 2, 3, 7]
    assert "Paid" in reports.REVENUE_DEFINITION and "Fraud" in reports.REVENUE_DEFINITION


def test_revenue_by_currency_hand_checked(orders):
    table = reports.revenue_by_currency(orders)
    assert list(table.columns) == ["currency", "orders", "amount", "revenue_orders", "revenue"]
    assert rows(table, *table.columns) == [
        ("EUR", 3, 119.25, 1, 7.25),
        ("GBP", 1, 30.00, 1, 30.00),
        ("USD", 5, 85.50, 2, 30.50),
    ]


def test_revenue_by_month_fills_empty_months_per_currency(orders):
    table = reports.revenue_by_month(orders)
    assert list(table.columns) == ["period", "partial", "currency", "orders", "revenue"]
    jan, feb, mar = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), \
        pd.Timestamp("2024-03-01")
    assert rows(table, "period", "currency", "orders", "revenue") == [
        (jan, "EUR", 1, 7.25), (jan, "GBP", 0, 0.0), (jan, "USD", 2, 30.50),
        (feb, "EUR", 0, 0.0), (feb, "GBP", 0, 0.0), (feb, "USD", 0, 0.0),
        (mar, "EUR", 0, 0.0), (mar, "GBP", 1, 30.00), (mar, "USD", 0, 0.0),
    ]
    # the totals agree with the headline numbers, currency by currency
    per_currency = table.groupby("currency")["revenue"].sum().round(2).to_dict()
    assert per_currency == {"EUR": 7.25, "GBP": 30.0, "USD": 30.5}


def test_orders_by_period_by_status_month_and_week(orders):
    monthly = reports.orders_by_period(orders, freq="month")
    counts = {(p.month, s): n for p, s, n in rows(monthly, "period", "status", "orders") if n}
    assert counts == {(1, "Active"): 3, (2, "Cancelled"): 1, (2, "Fraud"): 1,
                      (3, "Active"): 2, (3, "Pending"): 1, (3, "In Review"): 1}
    assert len(monthly) == 3 * 5  # every month x every status, zeros included
    weekly = reports.orders_by_period(orders, freq="week", by=None)
    assert list(weekly.columns) == ["period", "partial", "orders"]
    assert weekly["period"].iloc[0] == pd.Timestamp("2024-01-01")  # weeks start on Monday
    assert weekly["period"].iloc[-1] == pd.Timestamp("2024-03-25")
    assert len(weekly) == 13 and weekly["orders"].sum() == 9


def test_orders_by_period_by_currency_per_day(orders):
    daily = reports.orders_by_period(orders, freq="day", by="currency")
    assert daily["period"].nunique() == (pd.Timestamp("2024-03-31")
                                         - pd.Timestamp("2024-01-03")).days + 1
    assert daily.groupby("currency")["orders"].sum().to_dict() == {"EUR": 3, "GBP": 1,
                                                                   "USD": 5}


def test_status_summary_amounts_per_status_and_currency(orders):
    assert rows(reports.status_summary(orders), "status", "currency", "orders", "amount") == [
        ("Active", "EUR", 1, 7.25), ("Active", "USD", 4, 35.50),
        ("Cancelled", "EUR", 1, 100.00), ("Fraud", "USD", 1, 50.00),
        ("In Review", "GBP", 1, 30.00), ("Pending", "EUR", 1, 12.00),
    ]


def test_paid_vs_unpaid_keeps_orders_without_invoice(orders):
    table = reports.paid_vs_unpaid(orders)
    assert rows(table, "currency", "paymentstatus", "orders", "amount") == [
        ("EUR", "Cancelled", 1, 100.00), ("EUR", "Paid", 1, 7.25), ("EUR", "Unpaid", 1, 12.00),
        ("GBP", "Paid", 1, 30.00),
        ("USD", reports.NONE_LABEL, 1, 0.00), ("USD", "Paid", 3, 80.50),
        ("USD", "Refunded", 1, 5.00),
    ]
    assert table["orders"].sum() == len(orders)


def test_payment_methods_mix(orders):
    table = reports.payment_methods(orders)
    assert list(table.columns) == ["paymentmethod", "paymentmethodname", "currency", "orders",
                                   "amount", "revenue"]
    assert rows(table, *table.columns) == [
        ("banktransfer", "Bank Transfer", "EUR", 1, 12.00, 0.00),
        ("paypal", "PayPal", "GBP", 1, 30.00, 30.00),
        ("paypal", "PayPal", "USD", 2, 25.50, 20.50),
        ("stripe", "Credit Card", "EUR", 2, 107.25, 7.25),
        ("stripe", "Credit Card", "USD", 3, 60.00, 10.00),
    ]


def test_product_mix_from_line_items(lines):
    table = reports.product_mix(lines)
    assert rows(table, "type", "product", "currency", "lines", "amount") == [
        ("addon", "Backups", "USD", 1, 5.00),
        ("domain", "Register", "EUR", 1, 12.00), ("domain", "Register", "USD", 1, 5.00),
        ("product", "Business", "EUR", 2, 107.25), ("product", "Business", "GBP", 1, 30.00),
        ("product", "Starter", "USD", 2, 25.50),
        ("product", "Free Trial", "USD", 1, 0.00), ("product", "VPS", "USD", 1, 50.00),
    ]
    assert table["lines"].sum() == len(lines)


def test_promotion_usage_with_and_without_the_catalogue(orders):
    plain = reports.promotion_usage(orders)
    assert rows(plain, "promocode", "currency", "orders", "amount", "revenue") == [
        ("SAVE5", "GBP", 1, 30.00, 30.00),
        ("WELCOME10", "EUR", 1, 100.00, 0.00), ("WELCOME10", "USD", 1, 10.00, 10.00),
    ]
    catalogue = wf.frames.promotions_frame([
        {"id": 1, "code": "WELCOME10", "type": "Percentage", "value": "10.00", "uses": "2"},
        {"id": 2, "code": "SAVE5", "type": "Fixed Amount", "value": "5.00", "uses": "1",
         "maxuses": "10"},
        {"id": 3, "code": "UNUSED", "type": "Free Setup", "value": "0.00", "uses": "0"}])
    full = reports.promotion_usage(orders, catalogue)
    unused = full[full["promocode"] == "UNUSED"].iloc[0]
    assert unused["orders"] == 0 and unused["amount"] == 0.0 and pd.isna(unused["currency"])
    save5 = full[full["promocode"] == "SAVE5"].iloc[0]
    assert (save5["type"], save5["value"], save5["uses"], save5["maxuses"]) == (
        "Fixed Amount", 5.0, 1, 10)
    assert full["orders"].sum() == 3


def test_fraud_score_distribution(orders):
    table = reports.fraud_score_distribution(orders)
    assert list(table.columns) == ["bin_start", "bin_end", "orders", "marked_fraud"]
    assert len(table) == 10 and table["bin_end"].iloc[-1] == 100.0
    by_start = dict(zip(table["bin_start"], table["orders"], strict=True))
    assert {k: v for k, v in by_start.items() if v} == {0.0: 1, 10.0: 1, 20.0: 1, 40.0: 1,
                                                        70.0: 1, 90.0: 1}
    assert table.loc[table["bin_start"] == 90.0, "marked_fraud"].item() == 1
    assert table["marked_fraud"].sum() == 1
    assert len(reports.fraud_score_distribution(orders, bin_width=25)) == 4


def test_conversion_by_cohort(orders):
    table = reports.conversion_by_cohort(orders)
    assert list(table.columns) == ["cohort", "partial", "orders", "active", "pending",
                                   "cancelled", "fraud", "other", "conversion"]
    assert rows(table, "orders", "active", "pending", "cancelled", "fraud", "other") == [
        (3, 3, 0, 0, 0, 0), (2, 0, 0, 1, 1, 0), (4, 2, 1, 0, 0, 1)]
    assert table["conversion"].tolist() == [1.0, 0.0, 1.0]
    assert "not derivable" in reports.TIME_TO_ACCEPT.lower()


def test_conversion_is_nan_while_nothing_is_decided():
    pending = wf.frames.orders_frame([{"id": 1, "date": "2024-05-01 10:00:00",
                                       "status": "Pending"}])
    assert math.isnan(reports.conversion_by_cohort(pending)["conversion"].item())


def test_money_sums_have_two_places():
    many = wf.frames.orders_frame([
        {"id": i, "date": "2024-01-01 00:00:00", "amount": "0.10", "currencysuffix": "USD",
         "status": "Active", "paymentstatus": "Paid"} for i in range(3)])
    assert reports.revenue_by_currency(many)["revenue"].item() == 0.30  # not 0.30000000000000004


def test_empty_frames_give_empty_tables_with_columns():
    empty = wf.frames.orders_frame([])
    assert reports.revenue_by_month(empty).empty
    assert list(reports.revenue_by_month(empty).columns) == ["period", "partial", "currency",
                                                             "orders", "revenue"]
    assert reports.orders_by_period(empty).empty
    assert reports.conversion_by_cohort(empty).empty
    assert reports.fraud_score_distribution(empty)["orders"].sum() == 0
    assert reports.product_mix(wf.frames.order_lines_frame([])).empty


def test_orders_without_a_date_only_leave_the_time_series(orders):
    undated = wf.frames.orders_frame([*RAW, _order(10, "0000-00-00 00:00:00", 1.0, "USD",
                                                   "Active", "Paid", "stripe")])
    assert reports.orders_by_period(undated)["orders"].sum() == 9
    assert reports.revenue_by_currency(undated).set_index("currency").loc["USD", "revenue"] \
        == 31.50


def test_bad_arguments_are_validation_errors(orders):
    with pytest.raises(wf.ValidationError, match="freq"):
        reports.orders_by_period(orders, freq="decade")
    with pytest.raises(wf.ValidationError, match="by"):
        reports.orders_by_period(orders, by="colour")
    with pytest.raises(wf.ValidationError, match="bin_width"):
        reports.fraud_score_distribution(orders, bin_width=0)
