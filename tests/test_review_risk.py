"""The review queue's risk parts, pure: order by risk rank, the why column, rings, related orders.

Hand-made orders frames whose answers are known; no widget, no sandbox.
"""

from __future__ import annotations

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames.frames import SCHEMAS
from whmcs_frames.widgets import _review_risk as risky
from whmcs_frames.widgets import _review_rules as rules

RING_IP = "203.0.113.7"


def orders_frame(*rows: dict) -> pd.DataFrame:
    """An orders frame with the queue's columns; each row overrides the defaults."""
    base = {"name": "Pat Lee", "amount": 10.0, "currency": "USD", "paymentstatus": "Unpaid",
            "status": "Pending", "fraud_score": None, "ipaddress": "10.0.0.1", "n_items": 1,
            "promocode": None}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


@pytest.fixture
def ring() -> pd.DataFrame:
    """Three new clients on one IP within hours (a ring), one old honest order elsewhere,
    an earlier Fraud order of a fourth client on the ring's IP, and a burst of one client."""
    return orders_frame(
        {"id": 1, "userid": 40, "date": "2024-01-01 09:00", "status": "Fraud",
         "ipaddress": RING_IP, "name": "Alex Morgan"},
        {"id": 2, "userid": 41, "date": "2024-01-02 09:00", "status": "Active",
         "fraud_score": 95.0, "ipaddress": "10.0.0.9"},
        {"id": 10, "userid": 50, "date": "2024-05-01 10:00", "ipaddress": RING_IP,
         "promocode": "WELCOME10", "fraud_score": 5.0},
        {"id": 11, "userid": 51, "date": "2024-05-01 11:00", "ipaddress": RING_IP,
         "promocode": "welcome10", "fraud_score": 9.0},
        {"id": 12, "userid": 52, "date": "2024-05-01 12:00", "ipaddress": RING_IP,
         "fraud_score": 7.0, "name": "alex  morgan"},
        {"id": 20, "userid": 60, "date": "2024-05-02 08:00", "ipaddress": "10.0.0.5",
         "fraud_score": 60.0},
        {"id": 21, "userid": 60, "date": "2024-05-02 09:00", "ipaddress": "10.0.0.6"},
        {"id": 22, "userid": 60, "date": "2024-05-02 10:00", "ipaddress": "10.0.0.7"},
        {"id": 30, "userid": 70, "date": "2024-05-03 10:00", "fraud_score": 90.0},
    )


def test_risk_frame_is_signals_by_order_id(ring):
    risk = risky.risk_frame(ring)
    assert sorted(risk.index) == sorted(ring["id"])
    expected = wf.risk.signals(ring).set_index("id")
    assert risk["risk_rank"].tolist() == expected.loc[risk.index, "risk_rank"].tolist()
    assert bool(risk.loc[12, "known_fraud_ip"]) and bool(risk.loc[10, "shared_ip"])
    assert bool(risk.loc[11, "promo_farming"])


def test_the_queues_rows_replace_the_historys_and_the_history_is_seen(ring):
    pending = ring[ring["status"] == "Pending"]
    alone = risky.risk_frame(pending)
    assert not alone["known_fraud_ip"].any()  # no Fraud order among the pending ones
    over_history = risky.risk_frame(pending, history=ring)
    assert bool(over_history.loc[12, "known_fraud_ip"])
    # order 30 was re-read as Fraud: the fresher row wins over the history's Pending one
    fresh = ring[ring["id"] == 30].assign(status="Fraud")
    context = risky.context_orders(fresh, ring)
    assert context.set_index("id").at[30, "status"] == "Fraud" and len(context) == len(ring)


def test_sort_by_risk_rank_with_unranked_last_and_score_a_switch_away(ring):
    risk = risky.risk_frame(ring)
    by_risk = risky.sort_queue(ring, risk)
    assert by_risk["id"].tolist() == risk["risk_rank"].sort_values().index.tolist()
    assert by_risk["id"].iloc[0] in (10, 11, 12)  # the ring outranks the high module score
    assert risky.sort_queue(ring, risk, sort="score")["id"].tolist() == \
        rules.risk_order(ring)["id"].tolist()
    assert risky.sort_queue(ring, None)["id"].tolist() == rules.risk_order(ring)["id"].tolist()
    # an order the risk frame does not know goes last, then by score
    partial = risk.drop(index=[10])
    assert risky.sort_queue(ring, partial)["id"].iloc[-1] == 10
    assert list(risky.sort_queue(ring, risk).index) == list(range(len(ring)))
    with pytest.raises(wf.ValidationError, match="^sort: "):
        risky.sort_queue(ring, risk, sort="points")


def test_short_why_names_the_heaviest_signals_first_and_counts_the_rest():
    risk = pd.DataFrame({
        "new_client": [True, True, False], "free_email": [True, pd.NA, False],
        "shared_ip": [True, False, False], "known_fraud_ip": [True, False, pd.NA],
        "proxy": [True, False, False]}, index=[1, 2, 3], dtype="boolean")
    assert risky.short_why(risk).tolist() == [
        "IP of a Fraud order, shared IP, proxy/VPN +2", "new client", ""]
    heavier_email = risky.short_why(risk, weights={"free_email": 9.0}, labels=1)
    assert heavier_email.tolist() == ["free e-mail +4", "new client", ""]
    assert set(risky.SHORT_LABELS) == set(wf.risk.SIGNALS)


def test_the_queue_table_shows_risk_and_why_after_the_client(ring):
    risk = risky.risk_frame(ring)
    view = risky.sort_queue(ring, risk)
    table = risky.queue_table(view, risk)
    assert list(table.columns[:5]) == ["id", "date", "client", "risk", "why"]
    top = int(table.at[0, "id"])
    assert table.at[0, "why"] == risky.short_why(risk).loc[top] != ""
    assert table.at[0, "risk"] == f"{risk.at[top, 'risk_points']:g}"
    # without risk (not computed yet) the columns are there, empty
    empty = risky.queue_table(view, None)
    assert set(empty["why"]) == {""} and set(empty["risk"]) == {""}
    assert list(empty.columns) == list(table.columns)
    assert set(rules.QUEUE_COLUMNS.values()) < set(table.columns)


def test_signal_clauses_split_the_reasons_per_fired_signal(ring):
    risk = risky.risk_frame(ring)
    clauses = risky.signal_clauses(risk, 12)
    assert list(clauses) == risky.fired_signals(risk, 12)
    assert clauses["shared_ip"] == f"3 clients share IP {RING_IP} within 24 h"
    assert clauses["known_fraud_ip"] == f"IP {RING_IP} also on Fraud order 1 (another client)"
    assert "; ".join(clauses.values()) == risk.at[12, "risk_reasons"]
    assert risky.signal_clauses(risk, 999) == {}
    # a clause holding "; " itself: every signal shows the whole text, never a wrong piece
    odd = pd.DataFrame({"proxy": [True], "shared_ip": [True],
                        "risk_reasons": ["a; b; c"]}, index=[5])
    assert risky.signal_clauses(odd, 5) == {"shared_ip": "a; b; c", "proxy": "a; b; c"}


def test_sharing_an_ip_or_a_client(ring):
    assert risky.sharing(ring, 11, "ip") == [1, 10, 11, 12]
    assert risky.sharing(ring, 21, "client") == [20, 21, 22]
    assert risky.sharing(ring, 30, "client") == [30]
    assert risky.sharing(ring, 999, "ip") == []
    no_ip = ring.assign(ipaddress=ring["ipaddress"].where(ring["id"] != 30, "  "))
    assert risky.sharing(no_ip, 30, "ip") == []  # a blank IP is shared with nobody
    with pytest.raises(wf.ValidationError, match="^key: "):
        risky.sharing(ring, 11, "name")


def test_related_orders_per_signal(ring):
    risk = risky.risk_frame(ring)
    related = risky.related_orders(ring, risk, 12)
    assert related["shared_ip"] == [11, 10]  # same IP within 24 h, newest first
    assert related["known_fraud_ip"] == [1]  # the Fraud order on the IP, months before
    assert related["known_fraud_name"] == [1]  # "alex  morgan" is Alex Morgan
    assert related["new_client"] == []  # about the order alone
    assert risky.related_orders(ring, risk, 11)["promo_farming"] == [10]  # any case
    assert risky.related_orders(ring, risk, 21)["client_velocity"] == [22, 20]
    # a narrower window leaves the ring's 2-hours-apart neighbours out
    tight = risky.risk_frame(ring, risk_rules={"window": "90min", "shared_ip_clients": 2})
    assert risky.related_orders(ring, tight, 11, risk_rules={"window": "90min"}) \
        ["shared_ip"] == [12, 10]
    assert risky.related_orders(ring, tight, 10, risk_rules={"window": "90min"}) \
        ["shared_ip"] == [11]
    assert risky.related_orders(ring, risk, 999) == {}


def test_the_risk_parts_work_on_a_real_orders_frame_schema(ring):
    # Every column the widget hands over exists in a real frame: the schema is the contract.
    used = {"id", "date", "userid", "ipaddress", "name", "promocode", "status", "fraud_score"}
    assert used <= set(SCHEMAS["orders"])
