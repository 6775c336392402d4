"""MRR, movements, churn and cohorts on small hand-made books whose answers are known."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from _billing_records import make_client, make_service

from whmcs_frames import frames, reports
from whmcs_frames._exceptions import ValidationError

T = pd.Timestamp


def services(*rows, orders=None):
    return frames.services_frame([make_service(**r) for r in rows], orders=orders)


@pytest.fixture
def abc():
    """The issue's example: three services from January; C leaves in March (estimate)."""
    return services(
        dict(id=1, clientid=1, regdate="2024-01-05", billingcycle="Monthly",
             recurringamount="10.00", status="Active", nextduedate="2024-06-05"),
        dict(id=2, clientid=2, regdate="2024-01-10", billingcycle="Annually",
             recurringamount="120.00", status="Active", nextduedate="2025-01-10"),
        dict(id=3, clientid=3, regdate="2024-01-20", billingcycle="Monthly",
             recurringamount="10.00", status="Cancelled", nextduedate="2024-03-20"))


# --- the worked example ----------------------------------------------------------

def test_worked_example_mrr_30_in_february_and_20_in_april(abc):
    assert reports.mrr(abc, at="2024-02-15")["mrr"].tolist() == [30.0]
    assert reports.mrr(abc, at="2024-04-15")["mrr"].tolist() == [20.0]
    assert reports.mrr(abc, at="2024-04-15")["arr"].tolist() == [240.0]
    assert reports.mrr(abc)["mrr"].tolist() == [20.0]  # Active now: A and B


def test_worked_example_churn_one_third_in_march_from_the_estimate(abc):
    table = reports.churn(abc).set_index("period")
    march = table.loc[T("2024-03-01")]
    assert (march["active_at_start"], march["churned"]) == (3, 1)
    assert march["churn_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert march["source"] == "estimate" and march["estimated"] == 1
    assert table.loc[T("2024-02-01"), "churned"] == 0
    life = reports.lifetimes(abc).set_index("serviceid")
    assert life.at[3, "left_source"] == "estimate"
    assert life.at[3, "left_at"] == T("2024-03-20")
    assert life.loc[[1, 2], "left_at"].isna().all()


def test_worked_example_movements_add_up(abc):
    table = reports.mrr_movements(abc).set_index("period")
    assert table.loc[T("2024-01-01"), "new"] == 30.0
    march = table.loc[T("2024-03-01")]
    assert (march["mrr"], march["churned"], march["churned_estimated"],
            march["mrr_end"], march["net"]) == (30.0, 10.0, 10.0, 20.0, -10.0)
    moved = (table["new"] + table["reactivated"] + table["expansion"]
             - table["contraction"] - table["churned"])
    assert (moved.round(2) == table["net"]).all()
    assert (table["mrr"].shift(-1).dropna() == table["mrr_end"].iloc[:-1]).all()


# --- the leaving date's source -----------------------------------------------------------

def test_a_cancellation_request_beats_history_which_beats_the_estimate(abc):
    cancellations = frames.cancellations_frame([
        {"id": 1, "relid": 3, "date": "2024-02-10 09:00:00", "type": "Immediate"}])
    history = frames.service_history_frame([
        {"serviceid": 3, "status": "Active", "seen_at": "2024-01-25"},
        {"serviceid": 3, "status": "Cancelled", "seen_at": "2024-02-20"}])
    both = reports.lifetimes(abc, cancellations=cancellations, history=history)
    only_history = reports.lifetimes(abc, history=history)
    assert both.set_index("serviceid").at[3, "left_source"] == "request"
    assert both.set_index("serviceid").at[3, "left_at"] == T("2024-02-10 09:00")
    assert only_history.set_index("serviceid").at[3, "left_source"] == "history"
    assert only_history.set_index("serviceid").at[3, "left_at"] == T("2024-02-20")
    february = reports.churn(abc, cancellations=cancellations).set_index("period").loc[
        T("2024-02-01")]
    assert (february["churned"], february["from_request"], february["source"]) == (
        1, 1, "request")


def test_a_cancellation_request_for_a_service_still_active_is_not_churn(abc):
    cancellations = frames.cancellations_frame([{"id": 1, "relid": 1, "date": "2024-02-01"}])
    life = reports.lifetimes(abc, cancellations=cancellations).set_index("serviceid")
    assert pd.isna(life.at[1, "left_at"])


def test_mixed_sources_in_one_period_are_said_to_be_mixed():
    book = services(
        dict(id=1, regdate="2024-01-01", status="Terminated", nextduedate="2024-03-05"),
        dict(id=2, regdate="2024-01-01", status="Cancelled", nextduedate="2024-03-25"))
    cancellations = frames.cancellations_frame([{"id": 9, "relid": 2, "date": "2024-03-02"}])
    march = reports.churn(book, cancellations=cancellations).set_index("period").loc[
        T("2024-03-01")]
    assert (march["churned"], march["from_request"], march["estimated"],
            march["source"]) == (2, 1, 1, "mixed")


# --- what counts as recurring revenue ----------------------------------------------------

@pytest.mark.parametrize(("cycle", "amount", "monthly"), [
    ("Monthly", 10, 10.0), ("Quarterly", 30, 10.0), ("Semi-Annually", 60, 10.0),
    ("Annually", 120, 10.0), ("Biennially", 240, 10.0), ("Triennially", 360, 10.0)])
def test_each_cycle_is_normalised_to_a_month(cycle, amount, monthly):
    book = services(dict(billingcycle=cycle, recurringamount=str(amount)))
    assert reports.mrr(book)["mrr"].tolist() == [monthly]


def test_one_time_free_pending_and_fraud_are_not_recurring_revenue():
    book = services(dict(id=1, billingcycle="One Time", recurringamount="50"),
                    dict(id=2, billingcycle="Free Account", recurringamount="0"),
                    dict(id=3, status="Pending"), dict(id=4, status="Fraud"),
                    dict(id=5, status="Suspended"), dict(id=6))
    table = reports.mrr(book)
    assert table[["services", "mrr"]].values.tolist() == [[1, 10.0]]
    assert sorted(reports.lifetimes(book)["serviceid"]) == [5, 6]


def test_money_is_never_summed_across_currencies():
    orders = frames.orders_frame([{"id": 1, "currencysuffix": "USD"},
                                  {"id": 2, "currencysuffix": "EUR"}])
    book = services(dict(id=1, orderid=1), dict(id=2, orderid=2, recurringamount="25"),
                    dict(id=3, orderid=77), orders=orders)
    table = reports.mrr(book).set_index("currency")
    assert table["mrr"].to_dict() == {"(none)": 10.0, "EUR": 25.0, "USD": 10.0}
    movements = reports.mrr_movements(book)
    assert sorted(movements["currency"].unique()) == ["(none)", "EUR", "USD"]


# --- history: expansion, contraction, reactivation ---------------------------------------

def test_amount_changes_in_the_store_history_are_expansion_and_contraction():
    book = services(dict(id=1, regdate="2024-01-05", recurringamount="30.00"),
                    dict(id=2, regdate="2024-01-05", billingcycle="Annually",
                         recurringamount="120.00"))
    history = frames.service_history_frame([
        {"serviceid": 1, "status": "Active", "recurringamount": "10.00", "seen_at": "2024-01-06"},
        {"serviceid": 1, "status": "Active", "recurringamount": "30.00", "seen_at": "2024-02-06"},
        {"serviceid": 2, "status": "Active", "recurringamount": "240", "seen_at": "2024-01-06"},
        {"serviceid": 2, "status": "Active", "recurringamount": "120", "seen_at": "2024-03-06"}])
    table = reports.mrr_movements(book, history=history).set_index("period")
    assert table.loc[T("2024-01-01"), "new"] == 30.0  # 10 + 240 / 12, as first seen
    assert table.loc[T("2024-02-01"), "expansion"] == 20.0
    assert table.loc[T("2024-03-01"), "contraction"] == 10.0
    assert table.loc[T("2024-03-01"), "mrr_end"] == 40.0
    assert reports.mrr(book, at="2024-01-20", history=history)["mrr"].tolist() == [30.0]
    assert reports.mrr(book, history=history)["mrr"].tolist() == [40.0]


def test_a_returning_client_is_reactivated_not_new():
    book = services(
        dict(id=1, clientid=5, regdate="2024-01-01", status="Cancelled",
             nextduedate="2024-02-01"),
        dict(id=2, clientid=5, regdate="2024-04-01", recurringamount="15.00"),
        dict(id=3, clientid=6, regdate="2024-04-02"))
    april = reports.mrr_movements(book).set_index("period").loc[T("2024-04-01")]
    assert (april["new"], april["reactivated"]) == (10.0, 15.0)


# --- cohorts ------------------------------------------------------------------------------

def test_retention_by_cohort_is_a_triangle_of_shares(abc):
    clients = frames.clients_frame([
        make_client(id=1, datecreated="2024-01-01"), make_client(id=2, datecreated="2024-01-02"),
        make_client(id=3, datecreated="2024-01-03"), make_client(id=4, datecreated="2024-02-03")])
    table = reports.retention_by_cohort(clients, abc, at="2024-04-30 23:59:59")
    assert table["clients"].tolist() == [3, 1]
    january = table.loc[T("2024-01-01")]
    assert [january[n] for n in range(4)] == [1.0, 1.0, pytest.approx(2 / 3, abs=1e-4),
                                             pytest.approx(2 / 3, abs=1e-4)]
    assert table.loc[T("2024-02-01"), 0] == 0.0  # client 4 never bought a service
    assert math.isnan(table.loc[T("2024-02-01"), 3])  # ends after the data: not drawn
    assert table.columns.tolist() == ["clients", 0, 1, 2, 3]


# --- empty and wrong input ----------------------------------------------------------------

def test_empty_books_give_empty_tables_with_their_columns():
    empty = frames.services_frame([])
    assert reports.mrr(empty).columns.tolist() == ["currency", "services", "mrr", "arr"]
    assert reports.mrr_movements(empty).empty and reports.churn(empty).empty
    assert reports.retention_by_cohort(frames.clients_frame([]), empty).empty


def test_a_frame_that_is_not_a_services_frame_is_refused():
    with pytest.raises(ValidationError, match="services"):
        reports.mrr(frames.orders_frame([]))
    with pytest.raises(ValidationError, match="freq"):
        reports.churn(frames.services_frame([]), freq="fortnight")


def test_completed_services_have_left_too():
    book = services(dict(id=1, regdate="2024-01-01", status="Completed",
                         nextduedate="2024-02-01"))
    life = reports.lifetimes(book)
    assert life[["left_at", "left_source"]].values.tolist() == [[T("2024-02-01"), "estimate"]]


# --- two computations of the same MRR agree on a random book ------------------------------

def random_book(seed):
    """Services in three currencies, every cycle and status, requests for some of those
    that left, and a store history with amount changes and late sightings."""
    import numpy as np

    rng = np.random.default_rng(seed)
    cycles = ["Monthly", "Quarterly", "Semi-Annually", "Annually", "Biennially",
              "Triennially", "One Time", "Free Account"]
    statuses = ["Active"] * 5 + ["Cancelled", "Terminated", "Suspended", "Pending", "Completed"]
    day = pd.Timestamp("2023-01-01")
    raw, requests, history = [], [], []
    for sid in range(1, 301):
        start = day + pd.Timedelta(days=int(rng.integers(0, 700)))
        due = start + pd.Timedelta(days=int(rng.integers(-40, 500)))  # some before start
        status = str(rng.choice(statuses))
        raw.append(make_service(
            id=sid, clientid=int(rng.integers(1, 90)), orderid=int(rng.integers(1, 4)),
            regdate=f"{start:%Y-%m-%d}", billingcycle=str(rng.choice(cycles)),
            recurringamount=f"{rng.integers(1, 50) * 12:.2f}", status=status,
            nextduedate=f"{due:%Y-%m-%d}"))
        if status in ("Cancelled", "Terminated") and rng.random() < 0.5:
            requests.append({"id": sid, "relid": sid,
                             "date": f"{due - pd.Timedelta(days=3):%Y-%m-%d %H:%M:%S}"})
        if rng.random() < 0.3:
            for k in range(int(rng.integers(1, 4))):
                history.append({"serviceid": sid, "status": "Active",
                                "recurringamount": f"{rng.integers(1, 50) * 12:.2f}",
                                "seen_at": f"{start + pd.Timedelta(days=20 + 60 * k):%Y-%m-%d}"})
            if status == "Terminated":
                history.append({"serviceid": sid, "status": "Terminated",
                                "seen_at": f"{due + pd.Timedelta(days=2):%Y-%m-%d}"})
    orders = frames.orders_frame([{"id": 1, "currencysuffix": "USD"},
                                  {"id": 2, "currencysuffix": "EUR"},
                                  {"id": 3, "currencyprefix": "£"}])
    return (frames.services_frame(raw, orders=orders), frames.cancellations_frame(requests),
            frames.service_history_frame(history))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_movements_and_point_in_time_mrr_agree_on_a_random_book(seed):
    book, requests, history = random_book(seed)
    options = {"cancellations": requests, "history": history}
    table = reports.mrr_movements(book, **options)
    assert len(table) > 20 and table["expansion"].sum() > 0 and table["contraction"].sum() > 0
    moved = (table["new"] + table["reactivated"] + table["expansion"]
             - table["contraction"] - table["churned"])
    assert (moved - table["net"]).abs().max() < 0.02
    for period in table["period"].unique()[::5]:
        just_before = pd.Timestamp(period) - pd.Timedelta(1, "ns")
        point = reports.mrr(book, at=just_before, **options).set_index("currency")["mrr"]
        rows = table[table["period"] == period].set_index("currency")["mrr"]
        assert rows[rows != 0].to_dict() == pytest.approx(point[point != 0].to_dict(),
                                                          abs=0.02)
        live = reports.mrr(book, at=just_before, **options)["services"].sum()
        churn = reports.churn(book, **options).set_index("period")
        assert churn.at[period, "active_at_start"] == live


def test_churn_counts_each_departure_once_with_one_source(seed=4):
    book, requests, history = random_book(seed)
    life = reports.lifetimes(book, cancellations=requests, history=history)
    table = reports.churn(book, cancellations=requests, history=history)
    assert table["churned"].sum() == life["left_at"].notna().sum()
    assert (table["from_request"] + table["from_history"] + table["estimated"]
            == table["churned"]).all()
    assert (life["left_at"].dropna() >= life.loc[life["left_at"].notna(), "started_at"]).all()
    assert set(life["left_source"].dropna()) == {"request", "history", "estimate"}
