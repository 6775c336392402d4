"""Error messages that say what was wrong, and the small traps an analyst fell into."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import actions, frames
from whmcs_frames._exceptions import NOT_GIVEN, ValidationError
from whmcs_frames.cli import main


def test_got_is_shown_as_its_repr_so_a_string_id_reads_as_a_string(client):
    with pytest.raises(ValidationError, match=r"got '12'$"):
        client.orders(userid="12")
    with pytest.raises(ValidationError, match=r"got 12\.5$"):
        client.orders(userid=12.5)


def test_none_is_a_value_to_show_and_not_given_shows_nothing():
    assert str(ValidationError("x", "an id", got=None)) == "x: expected an id, got None"
    assert str(ValidationError("x", "an id")) == "x: expected an id"
    assert str(ValidationError("x", "an id", got=NOT_GIVEN)) == "x: expected an id"
    assert str(ValidationError("x", "an id", got_text="a dict")) == \
        "x: expected an id, got a dict"
    assert repr(NOT_GIVEN) == "NOT_GIVEN"


def test_a_secret_is_never_quoted_back():
    from whmcs_frames._validate import text

    with pytest.raises(ValidationError) as caught:
        text("servicepassword", "   ", secret=True)
    assert str(caught.value) == "servicepassword: expected a non-empty string"


def test_bulk_takes_line_items_by_their_orderid(client, box):
    ids = box.add_orders(2)
    lines = client.order_lines(progress=False)
    picked = lines[lines["orderid"].isin(ids)]
    done = wf.bulk(client, "accept", picked, progress=False)
    assert sorted(done["orderid"].tolist()) == sorted(ids)
    assert set(done["outcome"]) == {"dry-run"}


def test_bulk_on_a_frame_without_ids_names_the_missing_column(client):
    with pytest.raises(ValidationError, match="'id' or 'orderid' column") as caught:
        actions.bulk(client, "accept", pd.DataFrame({"amount": [1.0]}))
    assert "got 0" not in str(caught.value) and "amount" in str(caught.value)


def test_a_report_given_the_wrong_frame_names_the_missing_columns():
    lines = frames.order_lines_frame([{"id": 1, "lineitems": {"lineitem": [{"amount": 1}]}}])
    with pytest.raises(ValidationError, match="product_revenue") as caught:
        wf.reports.revenue_by_month(lines)
    assert "one row per order" in str(caught.value)
    orders = frames.orders_frame([{"id": 1}])
    with pytest.raises(ValidationError, match="'paymentstatus'"):
        wf.reports.revenue_by_month(orders.drop(columns=["paymentstatus"]))
    with pytest.raises(ValidationError, match="fraud_score"):
        wf.reports.fraud_score_distribution(pd.DataFrame({"id": [1]}))


def test_a_chart_for_an_absent_currency_names_the_ones_present():
    orders = frames.orders_frame([
        {"id": 1, "date": "2024-01-05 10:00:00", "amount": "10.00", "currencysuffix": "USD",
         "status": "Active", "paymentstatus": "Paid"},
        {"id": 2, "date": "2024-02-05 10:00:00", "amount": "7.00", "currencysuffix": "EUR",
         "status": "Active", "paymentstatus": "Paid"}])
    with pytest.raises(ValidationError, match=r"currency: expected one of EUR, USD.*'JPY'"):
        wf.plots.revenue_by_month(orders, currency="JPY")


def test_the_delete_prompt_says_what_it_accepts(whmcs_env, box, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    ids = box.add_orders(1, status="Cancelled")
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["order", "delete", str(ids[0])], out=io.StringIO()) == 0
    err = capsys.readouterr().err
    assert "'yes' (or 'y')" in err and "anything else stops" in err
    assert box.order(ids[0]) is None


def test_the_add_order_form_submit_is_callable(client):
    form = wf.add_order_form(client)
    pressed = []
    form.submit.on_click(lambda _: pressed.append(1))
    form.submit()
    assert pressed == [1]


def test_pytest_reports_skip_reasons():
    text = Path(__file__).parents[1].joinpath("pyproject.toml").read_text()
    addopts = re.search(r'^addopts = "(.*)"$', text, re.MULTILINE)
    assert addopts is not None and "-rs" in addopts.group(1).split()
