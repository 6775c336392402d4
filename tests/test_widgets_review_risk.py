"""The review queue's risk half, scripted, against a sandbox big enough for the seeded ring.

Sandboxes of 500 orders or more hold the fraud patterns of
``whmcs_frames/sandbox/_fraud_patterns.py``: a pending ring of new clients farming
WELCOME10 on ``198.51.100.23`` (x4) and on ``203.0.113.7`` (x2, an IP of earlier Fraud
orders), a pending burst of one client, high first orders. As in test_widgets_review.py,
buttons are clicked and effects asserted: the queue, the selection, the sandbox, the
audit log.
"""

from __future__ import annotations

import pytest

import whmcs_frames as wf
from whmcs_frames import widgets
from whmcs_frames.sandbox._fraud_patterns import FARMED_PROMO, RING_B_IP, RING_IP
from whmcs_frames.widgets import _review_risk as risky


@pytest.fixture(scope="module")
def ring_box():
    """One read-only 500-order sandbox for the module (tests that write get their own)."""
    with wf.sandbox.serve(orders=500, seed=7) as box:
        yield box


def queue_of(box, tmp_path, **kwargs):
    client = box.client(backoff_factor=0, retries=2, timeout=10,
                        audit_log=tmp_path / "audit.jsonl")
    return client, widgets.review(client, **kwargs)


def ring_ids(box):
    """The pending ring's orders on RING_B_IP, from the sandbox itself."""
    found = (box.order(i) for i in range(1, 2 * box.count_orders()))  # ids have gaps
    return sorted(int(o["id"]) for o in found
                  if o and o["ipaddress"] == RING_B_IP and o["status"] == "Pending")


def test_the_queue_opens_by_risk_rank_with_the_ring_on_top(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    assert rv.sort == "risk" and rv.sort_control.value == "risk"
    ranks = rv.risk["risk_rank"]
    assert ranks.notna().all() and ranks.is_monotonic_increasing  # the queue's row order
    assert rv.risk.index.tolist() == rv.queue["id"].tolist()
    top_ips = set(rv.queue["ipaddress"].head(6).astype(str))
    assert top_ips == {RING_IP, RING_B_IP}  # the six ring orders outrank everything
    assert (rv.queue["promocode"].head(6).astype(str) == FARMED_PROMO).all()
    # by the module's score alone a ring order scored 9 would wait below orders scored 81
    scores = rv.queue["fraud_score"]
    assert scores.head(6).min() < 10 < 80 < scores.iloc[6:].max()


def test_the_module_score_is_a_click_away(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    rv.sort_control.value = "score"
    scores = rv.queue["fraud_score"].dropna()
    assert scores.is_monotonic_decreasing and len(scores) > 10
    assert rv.table.df["id"].tolist() == rv.queue["id"].tolist()
    rv.sort = "risk"
    assert rv.risk["risk_rank"].is_monotonic_increasing
    with pytest.raises(wf.ValidationError, match="^sort: "):
        rv.sort = "points"
    _, by_score = queue_of(ring_box, tmp_path, sort="score")
    assert by_score.queue["id"].tolist() == rv.queue.sort_values(
        ["fraud_score", "date", "id"], ascending=[False, True, True],
        na_position="last")["id"].tolist()


def test_the_why_column_says_why_in_a_few_words(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    table = rv.table.df
    assert list(table.columns[:5]) == ["id", "date", "client", "risk", "why"]
    assert table["id"].tolist() == rv.queue["id"].tolist()
    top = table.iloc[0]
    assert top["why"].startswith("IP of a Fraud order, promo farmed")
    assert top["why"] == risky.short_why(rv.risk).iloc[0]
    ring_rows = table[table["IP"] == RING_B_IP]
    assert ring_rows["why"].str.contains("shared IP").all()
    assert (ring_rows["why"].str.len() < 60).all()  # short; the full words are in the pane
    assert "risk rank" in rv.table.caption


def test_the_detail_pane_lists_each_signal_with_its_related_orders(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    ring = ring_ids(ring_box)
    rv.selected = [ring[0]]
    pane = rv.risk_pane
    assert f"Why order {ring[0]}" in pane.heading.value
    text = " ".join(getattr(row, "value", "") or row.children[0].value
                    for row in pane.signals.children)
    assert f"4 clients share IP {RING_B_IP} within 24 h" in text
    assert f"code {FARMED_PROMO} used by 4 new clients" in text
    buttons = pane.order_buttons
    pending = {i for i, b in buttons.items() if b.description.endswith("Pending")}
    assert pending == set(ring[1:])  # the other ring orders, as buttons that select
    assert not any(buttons[i].disabled for i in pending)
    # this one is also an Alex Morgan: the earlier Fraud orders of that name are listed
    assert all(b.disabled and b.description.endswith("Fraud")
               for i, b in buttons.items() if i not in pending)
    pane.order_buttons[ring[2]].click()  # a related order's button selects it
    assert rv.selected == [ring[2]]
    assert f"Why order {ring[2]}" in pane.heading.value


def test_fraud_orders_outside_the_queue_are_shown_but_not_selectable(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    top = int(rv.queue["id"].iloc[0])  # on RING_IP, where ring A was marked Fraud
    rv.selected = [top]
    fraud = {i: b for i, b in rv.risk_pane.order_buttons.items() if "Fraud" in b.description}
    assert len(fraud) >= 3
    assert all(b.disabled and "not in the queue" in b.tooltip for b in fraud.values())


def test_select_all_sharing_this_ip_selects_the_ring(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    ring = ring_ids(ring_box)
    rv.selected = [ring[1]]
    assert rv.risk_pane.sharing["ip"].description.endswith("(4)")
    chosen = rv.select_sharing("ip")
    assert chosen[0] == ring[1] and sorted(chosen) == ring == sorted(rv.selected)
    rv.selected = [ring[3]]
    rv.risk_pane.sharing["ip"].click()  # the button does the same
    assert sorted(rv.selected) == ring and rv.selected[0] == ring[3]
    assert "Selected the 4 orders" in rv.status


def test_select_all_of_this_client_selects_the_burst(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    burst = rv.queue[rv.table.df["why"].str.contains("client burst").to_numpy()]
    client_id = int(burst["userid"].iloc[0])
    theirs = sorted(int(i) for i in rv.queue.loc[rv.queue["userid"] == client_id, "id"])
    assert len(theirs) == 4
    rv.selected = [theirs[0]]
    rv.risk_pane.sharing["client"].click()
    assert sorted(rv.selected) == theirs


def test_select_sharing_needs_a_selection_and_a_known_key(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path)
    assert rv.risk_pane.sharing["ip"].disabled  # nothing selected
    with pytest.raises(wf.ValidationError, match="^selected: "):
        rv.select_sharing("ip")
    rv.selected = [int(rv.queue["id"].iloc[0])]
    with pytest.raises(wf.ValidationError, match="^key: "):
        rv.select_sharing("email")
    rv.search.value = RING_B_IP  # only what the filters show is selected
    rv.selected = [int(rv.queue["id"].iloc[0])]
    rv.search.value = ""
    assert len(rv.select_sharing("ip")) == 4


def test_a_selected_ring_goes_through_the_same_confirmation_and_audit(ring_box, tmp_path):
    client, rv = queue_of(ring_box, tmp_path)
    ring = ring_ids(ring_box)
    rv.dry_run = True
    rv.selected = [ring[0]]
    rv.select_sharing("ip")
    rv.buttons["fraud"].click()
    shown = rv.step.text.value
    assert "DRY RUN" in shown and all(f"FraudOrder orderid={i}" in shown for i in ring)
    rv.confirm()
    assert sorted(rv.outcomes["orderid"]) == ring
    assert set(rv.outcomes["outcome"]) == {"dry-run"}
    log = wf.read_audit_log(client.audit_log)
    assert sorted(log["orderid"]) == ring and set(log["outcome"]) == {"dry-run"}
    assert ring_box.request_count("FraudOrder") == 0
    assert {ring_box.order(i)["status"] for i in ring} == {"Pending"}


def test_marking_the_ring_fraud_reranks_the_queue(tmp_path):
    with wf.sandbox.serve(orders=500, seed=7) as box:
        client, rv = queue_of(box, tmp_path)
        with client:
            ring = ring_ids(box)
            rv.selected = [ring[0]]
            rv.select_sharing("ip")
            rv.buttons["fraud"].click()
            rv.confirm()
            assert {box.order(i)["status"] for i in ring} == {"Fraud"}
            assert box.request_count("FraudOrder") == len(ring)
            assert set(rv.queue["id"]) & set(ring) == set()  # they left the Pending queue
            # ranked again over the orders as they are now, the four Fraud ones included
            now = wf.risk.signals(client.orders(refresh=True, progress=False),
                                  client.order_lines(progress=False)).set_index("id")
            assert rv.risk["risk_rank"].tolist() == now.loc[rv.risk.index, "risk_rank"].tolist()
            assert rv.risk["risk_rank"].is_monotonic_increasing


def test_without_history_the_signals_see_only_the_queue(ring_box, tmp_path):
    _, rv = queue_of(ring_box, tmp_path, history=False)
    assert not rv.risk["known_fraud_ip"].fillna(False).any()  # no Fraud order in the queue
    assert rv.risk["shared_ip"].fillna(False).any()  # the ring still shows
    assert rv.table.df["why"].iloc[0] != ""


def test_risk_rules_are_checked_before_reading_and_then_applied(ring_box, tmp_path):
    client = ring_box.client(audit_log=tmp_path / "audit.jsonl")
    before = ring_box.request_count()
    with pytest.raises(wf.ValidationError, match=r"^rules\['shared_ip_clients'\]: "):
        widgets.review(client, risk_rules={"shared_ip_clients": 1})
    assert ring_box.request_count() == before  # nothing was read
    # weigh the ring's own signals to nothing: it no longer tops the queue
    quiet = {"weights": {"shared_ip": 0, "promo_farming": 0, "known_fraud_ip": 0,
                         "known_fraud_name": 0}}
    rv = widgets.review(client, risk_rules=quiet)
    assert RING_B_IP not in set(rv.queue["ipaddress"].head(4).astype(str))
    assert rv.table.df["why"].iloc[0].startswith("module score")  # heaviest left first
