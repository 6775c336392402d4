"""The review queue's pure rules: filters, risk order, table, confirmation, details."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames.frames import orders_frame
from whmcs_frames.widgets import _order_detail as detail
from whmcs_frames.widgets import _review_rules as rules


def order(id, *, status="Pending", name="Ann Smith", ip="10.0.0.1", score=None,
          date="2024-05-01 10:00:00", amount="10.00", suffix=" USD", **extra):
    fraud = "" if score is None else json.dumps({"fraudlabspro_score": str(score),
                                                  "fraudlabspro_status": "REVIEW"})
    return {"id": str(id), "ordernum": str(1000000000 + id), "status": status, "name": name,
            "ipaddress": ip, "date": date, "amount": amount, "currencysuffix": suffix,
            "fraudmodule": "fraudlabs" if score is not None else "", "fraudoutput": fraud,
            "lineitems": {"lineitem": [{"type": "product", "product": "VPS",
                                        "amount": amount, "status": status}]}, **extra}


@pytest.fixture
def orders():
    return orders_frame([
        order(1, score=12, date="2024-05-03 09:00:00", name="Ann Smith"),
        order(2, score=80, date="2024-05-02 09:00:00", name="Bob &amp; Co", ip="192.168.1.9"),
        order(3, date="2024-04-01 09:00:00", status="Active", suffix=" EUR"),
        order(4, score=12, date="2024-05-01 09:00:00", status="In Review"),
        order(5, date="2024-03-01 09:00:00"),
    ])


def test_riskiest_first_then_oldest_with_unscored_last(orders):
    assert rules.risk_order(orders)["id"].tolist() == [2, 4, 1, 5, 3]


def test_status_filter_matches_custom_statuses_in_any_case(orders):
    assert rules.filter_orders(orders, status="in review")["id"].tolist() == [4]
    assert len(rules.filter_orders(orders, status=None)) == 5


def test_text_search_covers_name_ip_and_order_number(orders):
    assert rules.filter_orders(orders, text="bob & co")["id"].tolist() == [2]
    assert rules.filter_orders(orders, text="192.168.")["id"].tolist() == [2]
    assert rules.filter_orders(orders, text="1000000003")["id"].tolist() == [3]
    assert rules.filter_orders(orders, text="  ")["id"].tolist() == [1, 2, 3, 4, 5]
    assert rules.filter_orders(orders, text="(")["id"].tolist() == []  # not a regex


def test_min_score_drops_unscored_orders(orders):
    assert rules.filter_orders(orders, min_score=50)["id"].tolist() == [2]
    assert rules.filter_orders(orders, min_score=12)["id"].tolist() == [1, 2, 4]
    assert len(rules.filter_orders(orders, min_score=0)) == 5


def test_date_range_includes_both_days(orders):
    kept = rules.filter_orders(orders, start=dt.date(2024, 5, 1), end=dt.date(2024, 5, 2))
    assert kept["id"].tolist() == [2, 4]


def test_queue_table_has_the_key_columns_and_plain_values(orders):
    table = rules.queue_table(rules.risk_order(orders))
    assert list(table.columns) == list(rules.QUEUE_COLUMNS.values())
    assert table.index.tolist() == list(range(5))
    first = table.iloc[0]
    assert (first["id"], first["client"], first["currency"]) == (2, "Bob & Co", "USD")
    assert first["date"] == "2024-05-02 09:00" and first["fraud score"] == "80"
    # an unscored order shows an empty cell, not "NaN" or "None"
    assert table["fraud score"].iloc[-1] == ""


def test_replace_orders_keeps_categories_and_drops_gone_orders(orders):
    fresh = orders_frame([order(1, status="Active", score=12)])
    out = rules.replace_orders(orders, [1, 5], fresh)
    assert sorted(out["id"].tolist()) == [1, 2, 3, 4]
    assert isinstance(out["status"].dtype, pd.CategoricalDtype)
    assert out.set_index("id").at[1, "status"] == "Active"


def test_confirmation_shows_each_order_and_the_exact_parameters(orders):
    text = rules.confirmation_text("cancel", orders, [2, 3], {"cancelsub": True,
                                                              "noemail": None}, dry_run=False)
    assert text.startswith("Cancel (CancelOrder) on 2 orders, total 10.00 EUR, 10.00 USD.")
    assert "LIVE" in text and "Pending" in text
    assert "1 of these are not" in text and ": 3." in text  # order 3 is Active
    assert "order 2 · Bob & Co · 10.00 USD · Pending" in text
    assert "CancelOrder orderid=3 cancelsub=1" in text and "noemail" not in text


def test_confirmation_masks_secrets_and_warns_for_delete(orders):
    text = rules.confirmation_text("delete", orders, [1], {}, dry_run=True)
    assert "DRY RUN" in text and "IRREVERSIBLE" in text and "Type 1 below" in text
    assert "1 of these are not, so they will be refused and nothing sent for them: 1." in text
    # accept's servicepassword is a secret: shown as *** only
    text = rules.confirmation_text("accept", orders, [1], {"servicepassword": "hunter2"},
                                   dry_run=False)
    assert "hunter2" not in text and "servicepassword=***" in text


def test_confirmation_refuses_an_option_the_action_does_not_take(orders):
    with pytest.raises(wf.ValidationError, match="sendemail"):
        rules.confirmation_text("pending", orders, [1], {"sendemail": True}, dry_run=False)


def test_outcome_summary_and_errors():
    run = pd.DataFrame({"orderid": [1, 2, 3], "action": ["AcceptOrder"] * 3,
                        "outcome": ["success", "unknown", "skipped"],
                        "error": [None, "OutcomeUnknown", None],
                        "message": ["", "no answer", "not attempted"]})
    assert rules.outcome_summary(run) == ("AcceptOrder on 3 orders: 1 success, 1 unknown, "
                                          "1 skipped")
    assert rules.outcome_errors(run) == ["order 2: unknown (OutcomeUnknown): no answer",
                                         "order 3: skipped: not attempted"]


def test_fraud_output_becomes_a_key_value_table():
    raw = order(1, score=44)
    table = detail.fraud_table(raw)
    assert dict(zip(table["key"], table["value"], strict=True))["fraudlabspro_score"] == "44"
    assert detail.fraud_table({"fraudoutput": ""}).empty
    assert detail.fraud_table({"fraudoutput": "<html>"}).values.tolist() == [["output",
                                                                              "<html>"]]


def test_detail_html_escapes_customer_text_and_lists_line_items():
    raw = order(7, score=3, notes="<script>alert(1)</script>")
    page = detail.detail_html([raw], selected=3)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "VPS" in page and "fraudlabspro_score" in page
    assert "first 1 of 3 selected" in page
    assert "Select orders" in detail.detail_html([])
