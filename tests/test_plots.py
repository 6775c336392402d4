"""Charts: the expected artists, titles and labelled axes, headless and warning-free."""

from __future__ import annotations

import io
import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Rectangle

import whmcs_frames as wf
from whmcs_frames import plots, reports

STATUSES = ["Active", "Active", "Active", "Pending", "Cancelled", "Fraud", "In Review"]
CURRENCIES = ["USD", "EUR", "GBP"]
METHODS = [("stripe", "Credit Card"), ("paypal", "PayPal")]
PROMOS = ["", "", "WELCOME10", "", "SPRING5"]


def _raw(n=42):
    records = []
    for i in range(n):
        method, name = METHODS[i % 2]
        status = STATUSES[i % len(STATUSES)]
        score = None if i % 4 == 3 else (i * 7) % 100
        records.append({
            "id": i + 1, "date": f"2024-{1 + i % 3:02d}-{1 + i % 27:02d} 10:00:00",
            "amount": f"{10 + i:.2f}", "currencysuffix": CURRENCIES[i % 3], "status": status,
            "paymentstatus": "Paid" if status == "Active" else "Unpaid",
            "paymentmethod": method, "paymentmethodname": name, "promocode": PROMOS[i % 5],
            "fraudmodule": "fraudlabs" if score is not None else "",
            "fraudoutput": json.dumps({"fraudlabspro_score": score}) if score is not None
            else "",
            "lineitems": {"lineitem": [
                {"type": "product", "product": ["Starter", "Business", "VPS"][i % 3],
                 "amount": "5.00", "status": status},
                *([{"type": "domain", "product": "Register", "amount": "9.00",
                    "status": status}] if i % 2 else [])]},
        })
    return records


@pytest.fixture
def orders():
    return wf.frames.orders_frame(_raw())


@pytest.fixture
def lines():
    return wf.frames.order_lines_frame(_raw())


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


@pytest.fixture(autouse=True)
def _no_show_and_no_leaks(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("plots must never call plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def labelled(ax):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def tick_texts(axis):
    return [t.get_text() for t in axis.get_ticklabels()]


def test_status_breakdown_one_bar_per_status(orders, ax):
    assert plots.status_breakdown(orders, ax=ax) is ax
    counts = orders["status"].astype(str).value_counts()
    assert len(bars(ax)) == len(counts) == 5  # "In Review" is a custom status
    assert sorted(b.get_width() for b in bars(ax)) == sorted(counts.tolist())
    assert tick_texts(ax.yaxis) == counts.index.tolist()  # most orders first
    labelled(ax)
    assert "42 orders" in ax.get_title()


def test_orders_over_time_one_line_per_status_with_date_axis(orders, ax):
    plots.orders_over_time(orders, freq="month", ax=ax)
    lines = ax.get_lines()
    assert sorted(line.get_label() for line in lines) == sorted(set(STATUSES))
    table = reports.orders_by_period(orders, freq="month")
    active = next(line for line in lines if line.get_label() == "Active")
    assert list(active.get_ydata()) == table.loc[table["status"] == "Active",
                                                 "orders"].tolist()
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert "month" in ax.get_ylabel() and ax.get_legend() is not None
    labelled(ax)


def test_orders_over_time_single_line(orders, ax):
    plots.orders_over_time(orders, freq="week", by=None, ax=ax)
    assert len(ax.get_lines()) == 1 and sum(ax.get_lines()[0].get_ydata()) == len(orders)


def test_revenue_by_month_one_line_per_currency_never_summed(orders, ax):
    plots.revenue_by_month(orders, ax=ax)
    lines = ax.get_lines()
    assert sorted(line.get_label() for line in lines) == sorted(CURRENCIES)
    table = reports.revenue_by_month(orders)
    for line in lines:
        expected = table.loc[table["currency"] == line.get_label(), "revenue"].tolist()
        assert list(line.get_ydata()) == expected
    for code in CURRENCIES:
        assert code in ax.get_ylabel()
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    labelled(ax)


def test_revenue_by_month_for_one_currency(orders, ax):
    plots.revenue_by_month(orders, currency="eur", ax=ax)
    assert [line.get_label() for line in ax.get_lines()] == ["EUR"]
    assert "(EUR)" in ax.get_ylabel() and "EUR" in ax.get_title()


def test_payment_methods_bars_per_method_and_currency(orders, ax):
    plots.payment_methods(orders, ax=ax)
    assert len(bars(ax)) == len(METHODS) * len(CURRENCIES)
    assert sorted(tick_texts(ax.yaxis)) == sorted(name for _, name in METHODS)
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == sorted(CURRENCIES)
    assert sum(b.get_width() for b in bars(ax)) == len(orders)
    labelled(ax)


def test_product_mix_one_bar_per_product(lines, ax):
    plots.product_mix(lines, ax=ax)
    assert len(bars(ax)) == 4
    assert "Domain: Register" in tick_texts(ax.yaxis)
    assert sum(b.get_width() for b in bars(ax)) == len(lines)
    labelled(ax)


def test_product_mix_top_and_validation(lines, ax):
    plots.product_mix(lines, top=2, ax=ax)
    assert len(bars(ax)) == 2
    with pytest.raises(wf.ValidationError, match="top"):
        plots.product_mix(lines, top=0, ax=ax)


def test_promotion_usage_bars_per_code_and_currency(orders, ax):
    plots.promotion_usage(orders, ax=ax)
    codes = reports.promotion_usage(orders)["promocode"].unique()
    assert len(bars(ax)) == len(codes) * len(CURRENCIES)
    assert sorted(tick_texts(ax.yaxis)) == sorted(codes)
    used = int((orders["promocode"].fillna("") != "").sum())
    assert sum(b.get_width() for b in bars(ax)) == used
    labelled(ax)


def test_fraud_scores_histogram_with_threshold_line(orders, ax):
    plots.fraud_scores(orders, threshold=80, ax=ax)
    threshold = [line for line in ax.get_lines() if list(line.get_xdata()) == [80, 80]]
    assert len(threshold) == 1 and threshold[0].get_label() == "threshold 80"
    assert len(bars(ax)) == 2 * 20  # two stacked series x 20 bins of 5 points
    assert sum(b.get_height() for b in bars(ax)) == orders["fraud_score"].notna().sum()
    assert ax.get_xlim() == (0.0, 100.0)
    labelled(ax)


def test_fraud_scores_without_threshold(orders, ax):
    plots.fraud_scores(orders, threshold=None, bin_width=10, ax=ax)
    assert ax.get_lines() == [] and len(bars(ax)) == 2 * 10


CHARTS = [(plots.orders_over_time, "orders"), (plots.revenue_by_month, "orders"),
          (plots.status_breakdown, "orders"), (plots.payment_methods, "orders"),
          (plots.product_mix, "lines"), (plots.promotion_usage, "orders"),
          (plots.fraud_scores, "orders")]


@pytest.mark.parametrize(("chart", "frame"), CHARTS)
def test_each_chart_makes_its_own_figure_and_renders(chart, frame, orders, lines):
    ax = chart(orders if frame == "orders" else lines)
    assert ax.figure is plt.gcf()
    labelled(ax)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")


@pytest.mark.parametrize(("chart", "frame"), CHARTS)
def test_each_chart_copes_with_no_data(chart, frame, ax):
    empty = wf.frames.orders_frame([]) if frame == "orders" else \
        wf.frames.order_lines_frame([])
    chart(empty, ax=ax)
    labelled(ax)
    assert any(t.get_text().startswith("no ") for t in ax.texts)
    ax.figure.savefig(io.BytesIO(), format="png")


def test_categories_with_unused_levels_draw_only_observed(orders, ax):
    narrowed = orders[orders["status"] == "Active"]  # the other categories stay declared
    plots.status_breakdown(narrowed, ax=ax)
    assert len(bars(ax)) == 1
    assert np.isclose(bars(ax)[0].get_width(), len(narrowed))
