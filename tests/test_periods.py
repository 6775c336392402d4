"""Honest periods: partial first/last periods flagged and drawn apart; every freq; convert."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.figure import Figure

import whmcs_frames as wf
from whmcs_frames import frames, plots, reports


def _orders(*dates, suffix="USD"):
    return frames.orders_frame([
        {"id": i, "date": d, "amount": "10.00", "currencysuffix": suffix, "status": "Active",
         "paymentstatus": "Paid"} for i, d in enumerate(dates, 1)])


def test_first_and_last_periods_are_partial_by_the_datas_span():
    orders = _orders("2024-01-15 10:00:00", "2024-02-10 10:00:00", "2024-03-10 10:00:00")
    table = reports.revenue_by_month(orders)
    assert table.groupby("period")["partial"].first().tolist() == [True, False, True]


def test_whole_periods_at_the_edges_are_not_partial():
    orders = _orders("2024-01-01 00:00:00", "2024-02-29 23:00:00")
    flags = reports.orders_by_period(orders, freq="month", by=None)["partial"].tolist()
    assert flags == [False, False]


def test_the_current_period_is_partial_because_it_has_not_ended():
    today = pd.Timestamp.now().normalize()
    start = (today - pd.offsets.MonthBegin(3)).normalize().replace(day=1)
    orders = _orders(f"{start:%Y-%m-%d} 00:00:00", f"{today:%Y-%m-%d} 00:00:00")
    table = reports.orders_by_period(orders, freq="month", by=None)
    assert table["partial"].tolist()[-1]
    assert not table["partial"].tolist()[0]
    assert reports.partial_periods([start], "M", orders["date"],
                                   today=start + pd.Timedelta(days=3)).tolist() == [True]


@pytest.mark.parametrize(("freq", "periods"), [
    ("week", 14), ("month", 4), ("quarter", 2), ("year", 1), ("day", 92)])
def test_every_time_series_takes_every_freq(freq, periods):
    orders = _orders("2024-01-01 00:00:00", "2024-04-01 00:00:00")
    lines = frames.order_lines_frame([
        {"id": 1, "date": "2024-01-01 00:00:00", "status": "Active", "paymentstatus": "Paid",
         "currencysuffix": "USD", "lineitems": {"lineitem": [{"type": "product",
                                                                "product": "X",
                                                                "amount": "1.00"}]}}])
    assert reports.orders_by_period(orders, freq=freq, by=None)["period"].nunique() == periods
    assert reports.revenue_by_period(orders, freq=freq)["period"].nunique() == periods
    assert reports.conversion_by_cohort(orders, freq=freq)["cohort"].nunique() == periods
    assert len(reports.product_revenue(lines, freq=freq)) == 1
    plots.orders_over_time(orders, freq=freq, ax=Figure().subplots())
    plots.revenue_by_month(orders, freq=freq, ax=Figure().subplots())


def test_charts_hatch_partial_periods_with_a_legend_entry():
    orders = _orders("2024-01-15 10:00:00", "2024-02-10 10:00:00", "2024-03-10 10:00:00")
    for draw in (plots.revenue_by_month, plots.orders_over_time):
        ax = draw(orders, freq="month", ax=Figure().subplots())
        spans = [p for p in ax.patches if p.get_hatch() == "///"]
        assert len(spans) == 2  # January and March
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(label.startswith("partial period") for label in labels)
    whole = _orders("2024-01-01 00:00:00", "2024-02-29 23:00:00")
    ax = plots.revenue_by_month(whole, ax=Figure().subplots())
    assert not [p for p in ax.patches if p.get_hatch() == "///"]
    # weeks from a Monday to a Sunday are whole: nothing hatched
    ax = plots.orders_over_time(orders, freq="week", ax=Figure().subplots())
    assert not [p for p in ax.patches if p.get_hatch() == "///"]


def test_convert_adds_columns_and_records_the_rates():
    table = pd.DataFrame({"currency": ["USD", "EUR", "GBP", None],
                          "revenue": [10.0, 100.0, 1.0, 5.0], "orders": [1, 2, 3, 4]})
    out = reports.convert(table, rates={"EUR": 1.08, "GBP": 1.27}, to="usd")
    assert out["revenue_usd"].tolist()[:3] == [10.0, 108.0, 1.27]
    assert pd.isna(out["revenue_usd"].iloc[3])
    assert list(out.columns) == ["currency", "revenue", "revenue_usd", "orders"]
    assert out.attrs["conversion"]["rates"] == {"EUR": 1.08, "GBP": 1.27, "USD": 1.0}
    assert "revenue_usd" not in table.columns  # a copy


@pytest.mark.parametrize(("rates", "to", "match"), [
    ({"EUR": 1.08}, "USD", "no rate for GBP"),
    ({"EUR": 1.08, "GBP": 0}, "USD", r"rates\['GBP'\]"),
    ({"EUR": 1.08, "GBP": "1.2"}, "USD", r"got '1.2'"),
    ([("EUR", 1.08)], "USD", "mapping"),
    ({"EUR": 1.08, "GBP": 1.2, "USD": 2}, "USD", r"rates\['USD'\]"),
    ({"EUR": 1.08, "GBP": 1.2}, "dollars", "ISO currency code"),
])
def test_convert_refuses_missing_or_bad_rates(rates, to, match):
    table = pd.DataFrame({"currency": ["USD", "EUR", "GBP"], "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(wf.ValidationError, match=match):
        reports.convert(table, rates=rates, to=to)
