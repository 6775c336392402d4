"""The recurring-revenue and cash charts: their artists match the reports, the estimated
churn is drawn and labelled apart, currencies are never stacked, and nothing is shown."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from _billing_records import make_client, make_invoice, make_service, make_transaction
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from whmcs_frames import frames, plots, reports


@pytest.fixture(autouse=True)
def _no_show_and_no_leaks(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("plots must never call plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


@pytest.fixture
def orders():
    return frames.orders_frame([{"id": 1, "currencysuffix": "USD"},
                                {"id": 2, "currencysuffix": "EUR"}])


@pytest.fixture
def services(orders):
    return frames.services_frame([
        make_service(id=1, clientid=1, regdate="2024-01-05"),
        make_service(id=2, clientid=2, regdate="2024-01-10", billingcycle="Annually",
                     recurringamount="120.00"),
        make_service(id=3, clientid=3, regdate="2024-01-20", status="Cancelled",
                     nextduedate="2024-03-20"),
        make_service(id=4, clientid=4, orderid=2, regdate="2024-02-01",
                     recurringamount="8.00", status="Terminated", nextduedate="2024-05-01"),
    ], orders=orders)


@pytest.fixture
def clients():
    return frames.clients_frame([make_client(id=i, datecreated=f"2024-0{m}-02")
                                 for i, m in ((1, 1), (2, 1), (3, 1), (4, 2))])


@pytest.fixture
def invoices():
    return frames.invoices_frame([
        make_invoice(id=1), make_invoice(id=2, currencycode="EUR"),
        make_invoice(id=3, status="Unpaid", duedate="2024-01-01", datepaid="0000-00-00"),
        make_invoice(id=4, status="Unpaid", duedate="2024-03-25", datepaid="0000-00-00",
                     currencycode="EUR", total="20.00")])


@pytest.fixture
def transactions(invoices):
    return frames.transactions_frame([
        make_transaction(id=1, invoiceid=1, date="2024-01-12"),
        make_transaction(id=2, invoiceid=1, date="2024-03-12", amountin="0", fees="0",
                         amountout="4.00"),
        make_transaction(id=3, invoiceid=2, date="2024-02-12", amountin="30.00")],
        invoices=invoices)


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def labelled(ax):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_mrr_over_time_one_currency_with_movements_and_estimated_churn(services, ax):
    assert plots.mrr_over_time(services, currency="usd", ax=ax) is ax
    (line,) = ax.get_lines()[1:]  # the zero line, then MRR
    table = reports.mrr_movements(services).query("currency == 'USD'")
    assert list(line.get_ydata()) == table["mrr_end"].tolist()
    assert "churned (estimated leaving date)" in legend_texts(ax)
    hatched = [b for b in bars(ax) if b.get_hatch()]
    assert [round(-b.get_height(), 2) for b in hatched if b.get_height()] == [10.0]
    assert "USD" in ax.get_title() and "USD" in ax.get_ylabel()
    labelled(ax)


def test_mrr_over_time_many_currencies_one_line_each_no_bars(services, ax):
    plots.mrr_over_time(services, ax=ax)
    assert sorted(line.get_label() for line in ax.get_lines()) == ["MRR EUR", "MRR USD"]
    assert bars(ax) == [] and "not converted" in ax.get_title()


def test_churn_rate_marks_estimated_periods_hollow(services, ax):
    plots.churn_rate(services, ax=ax)
    table = reports.churn(services).dropna(subset=["churn_rate"])
    rate, known, estimated = ax.get_lines()
    assert known.get_label() == "leaving dates known"
    assert list(rate.get_ydata()) == table["churn_rate"].tolist()
    assert estimated.get_label() == "includes estimated leaving dates"
    assert estimated.get_markerfacecolor() == "white"
    assert len(estimated.get_ydata()) == int((table["estimated"] > 0).sum()) == 2
    labelled(ax)


def test_cohort_heatmap_draws_the_retention_triangle(clients, services, ax):
    plots.cohort_heatmap(clients, services, at="2024-04-30", ax=ax)
    (image,) = [i for i in ax.get_children() if isinstance(i, AxesImage)]
    expected = reports.retention_by_cohort(clients, services, at="2024-04-30")
    data = image.get_array()
    assert data.shape == (2, 4)
    assert np.allclose(data.filled(np.nan), expected.drop(columns="clients").to_numpy(),
                       equal_nan=True)
    assert data.mask[1, 3]  # April is the February cohort's 3rd month: not over
    assert any(t.get_text() == "100%" for t in ax.texts)
    labelled(ax)


def test_cash_in_out_one_currency_bars_and_net(transactions, ax):
    plots.cash_in_out(transactions, currency="USD", ax=ax)
    table = reports.cash_by_month(transactions).query("currency == 'USD'")
    net = next(line for line in ax.get_lines() if line.get_label() == "net USD")
    assert list(net.get_ydata()) == table["net"].tolist()
    assert {"money in", "gateway fees", "refunds"} <= set(legend_texts(ax))
    labelled(ax)


def test_cash_in_out_many_currencies_net_lines_only(transactions, ax):
    plots.cash_in_out(transactions, ax=ax)
    assert sorted(line.get_label() for line in ax.get_lines()) == ["net EUR", "net USD"]
    assert bars(ax) == []


def test_invoice_ageing_bars_side_by_side_never_stacked(invoices, ax):
    plots.invoice_ageing(invoices, at="2024-04-01", ax=ax)
    table = reports.invoice_ageing(invoices, at="2024-04-01")
    assert len(bars(ax)) == len(table) == 2 * len(reports.AGEING_BUCKETS)
    assert all(b.get_y() == 0 for b in bars(ax))  # no bar sits on another
    assert sorted(b.get_height() for b in bars(ax) if b.get_height()) == [10.0, 20.0]
    assert sorted(legend_texts(ax)) == ["EUR", "USD"]
    labelled(ax)


CHARTS = [
    lambda f: plots.mrr_over_time(f["services"]),
    lambda f: plots.churn_rate(f["services"]),
    lambda f: plots.cohort_heatmap(f["clients"], f["services"]),
    lambda f: plots.cash_in_out(f["transactions"]),
    lambda f: plots.invoice_ageing(f["invoices"], at="2024-04-01"),
]


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("empty", [False, True])
def test_each_chart_makes_its_own_figure_and_renders(chart, empty, services, clients,
                                                     transactions, invoices):
    inputs = {"services": services, "clients": clients, "transactions": transactions,
              "invoices": invoices}
    if empty:
        inputs = {"services": frames.services_frame([]), "clients": frames.clients_frame([]),
                  "transactions": frames.transactions_frame([]),
                  "invoices": frames.invoices_frame([])}
    ax = chart(inputs)
    assert ax.figure is plt.gcf()
    labelled(ax)
    if empty:
        assert any(t.get_text().startswith("no ") for t in ax.texts)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
