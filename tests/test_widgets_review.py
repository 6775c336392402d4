"""The review queue widget, driven as a script would drive it, against the sandbox.

ipywidgets' ``Button.click()`` swallows exceptions raised in handlers, so every test
asserts on effects: the sandbox's orders and request log, the audit log, the widget's
own status and error text.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets
import pytest
from itables.widget import ITable

import whmcs_frames as wf
from whmcs_frames import widgets


def writes(box, action):
    return box.request_count(action)


def audit(client):
    return wf.read_audit_log(client.audit_log)


@pytest.fixture
def pending(box):
    return box.add_orders(3)


@pytest.fixture
def rv(client, pending):
    return widgets.review(client)


def test_the_widget_is_a_vbox_with_an_itable_and_opens_live(rv, pending):
    assert isinstance(rv, ipywidgets.VBox)
    assert isinstance(rv.table, ITable) and rv.table._dt_args["select"] is True
    rv.search.value = "a"  # the table is updated: its options must survive that
    assert rv.table._dt_args["select"] is True and rv.table._dt_args["layout"]["topEnd"] is None
    rv.search.value = ""
    assert rv.dry_run is False
    assert {k: b.description for k, b in rv.buttons.items()} == {
        "accept": "Accept", "cancel": "Cancel", "fraud": "Mark fraud",
        "pending": "Set pending", "fraud_check": "Fraud check", "delete": "Delete"}
    assert set(pending) <= set(rv.queue["id"])
    assert set(rv.queue["status"].astype(str)) == {"Pending"}
    assert rv.status_filter.value == "Pending"
    assert "In Review" in rv.status_filter.options  # the sandbox's custom status


def test_selected_maps_ids_to_table_rows_and_back(rv, pending):
    rv.selected = [pending[2], pending[0]]
    positions = rv.table.selected_rows
    assert [int(rv.queue["id"].iloc[p]) for p in positions] == [pending[2], pending[0]]
    assert rv.selected == [pending[2], pending[0]]
    with pytest.raises(wf.ValidationError, match="selected"):
        rv.selected = [999999]


def test_accept_changes_nothing_until_confirmed(rv, pending, box, client):
    rv.selected = pending[:2]
    rv.options["sendemail"].value = False
    rv.buttons["accept"].click()
    assert writes(box, "AcceptOrder") == 0
    assert {box.order(i)["status"] for i in pending} == {"Pending"}
    shown = rv.step.text.value
    assert f"order {pending[0]}" in shown and f"order {pending[1]}" in shown
    assert f"AcceptOrder orderid={pending[0]} sendemail=0" in shown
    assert all(b.disabled for b in rv.buttons.values())  # one action at a time

    rv.confirm()
    assert [box.order(i)["status"] for i in pending] == ["Active", "Active", "Pending"]
    assert writes(box, "AcceptOrder") == 2
    sent = [r["params"] for r in box.requests if r["action"] == "AcceptOrder"]
    assert all(p["sendemail"] == "0" for p in sent)
    log = audit(client)
    assert list(log["outcome"]) == ["success", "success"]
    assert list(log["orderid"]) == pending[:2]
    assert list(rv.outcomes["outcome"]) == ["success", "success"]
    assert "time" in rv.outcomes.columns and "2 success" in rv.status
    assert rv.error == ""
    # re-read: the accepted orders left the Pending queue
    assert set(rv.queue["id"]) & set(pending) == {pending[2]}
    assert not any(b.disabled for b in rv.buttons.values())


def test_a_dry_run_changes_nothing_and_says_so(rv, pending, box, client):
    rv.dry_run = True
    rv.selected = [pending[0]]
    rv.buttons["fraud"].click()
    assert "DRY RUN" in rv.step.text.value
    rv.confirm()
    assert box.order(pending[0])["status"] == "Pending"
    # reads only (orders, statuses, the catalogue for the lines' pids): no write went out
    writes = [spec.whmcs for spec in wf.ACTIONS.values() if spec.kind == "write"]
    assert sum(box.request_count(action) for action in writes) == 0
    assert box.request_count() == sum(box.request_count(action) for action in (
        "GetOrders", "GetOrderStatuses", "GetProducts"))
    assert list(rv.outcomes["outcome"]) == ["dry-run"]
    assert list(audit(client)["outcome"]) == ["dry-run"]
    assert "dry-run" in rv.status


def test_back_withdraws_the_confirmation(rv, pending, box):
    rv.selected = [pending[0]]
    rv.buttons["cancel"].click()
    assert rv.step.layout.display is None
    rv.back()
    assert rv.step.layout.display == "none" and "nothing was sent" in rv.status
    assert not any(b.disabled for b in rv.buttons.values())
    assert rv.step.confirm.disabled
    rv.confirm()
    assert "Nothing to confirm" in rv.status
    assert writes(box, "CancelOrder") == 0 and box.order(pending[0])["status"] == "Pending"
    assert rv.outcomes.empty


def test_confirming_twice_acts_once(rv, pending, box):
    rv.selected = [pending[0]]
    rv.buttons["pending"].click()
    rv.step.confirm.click()
    rv.step.confirm.click()
    assert writes(box, "PendingOrder") == 1 and len(rv.outcomes) == 1


def test_buttons_are_disabled_while_the_request_is_in_flight(rv, pending, box):
    seen = []

    def hook(_box, action, _params):
        if action.lower() == "acceptorder":
            seen.append([b.disabled for b in (*rv.buttons.values(), rv.step.confirm,
                                              rv.step.back, rv.refresh_button)])

    box.on_request(hook)
    rv.selected = [pending[0]]
    rv.buttons["accept"].click()
    rv.step.confirm.click()
    box.on_request(None)
    assert seen == [[True] * 9]
    assert not any(b.disabled for b in rv.buttons.values()) and not rv.refresh_button.disabled


def test_delete_needs_the_number_of_orders_typed(client, box):
    ids = box.add_orders(2)
    box.set_status(ids, "Cancelled")
    rv = widgets.review(client, status="Cancelled")
    rv.selected = ids
    rv.buttons["delete"].click()
    assert rv.step.typed.layout.display is None
    rv.confirm()
    assert "Type 2" in rv.error and writes(box, "DeleteOrder") == 0
    rv.step.typed.value = "3"
    rv.confirm()
    assert writes(box, "DeleteOrder") == 0 and all(box.order(i) for i in ids)
    rv.step.typed.value = "2"
    rv.confirm()
    assert writes(box, "DeleteOrder") == 2
    assert [box.order(i) for i in ids] == [None, None]
    assert not set(ids) & set(rv.queue["id"])


def test_a_refused_precondition_is_shown_in_the_widget(rv, pending, box, client):
    rv.selected = [pending[0]]
    box.set_status([pending[0]], "Active")  # behind the widget's back
    rv.buttons["accept"].click()
    rv.confirm()
    assert writes(box, "AcceptOrder") == 0
    assert f"order {pending[0]} is Active" in rv.error and "PreconditionFailed" in rv.error
    assert list(rv.outcomes["outcome"]) == ["error"]
    assert list(audit(client)["outcome"]) == ["error"]
    assert not any(b.disabled for b in rv.buttons.values())


def test_an_unknown_outcome_is_shown_and_stops_the_run(rv, pending, box):
    box.faults.queue("503", action="AcceptOrder")
    rv.selected = pending[:2]
    rv.buttons["accept"].click()
    rv.confirm()
    assert writes(box, "AcceptOrder") == 1
    assert "unknown (OutcomeUnknown)" in rv.error
    assert "skipped" in rv.error and list(rv.outcomes["outcome"]) == ["unknown", "skipped"]


def test_an_error_from_whmcs_itself_is_shown(rv, pending, box):
    box.fail_subscription_cancel([pending[0]])
    rv.selected = [pending[0]]
    rv.options["cancelsub"].value = True
    rv.buttons["cancel"].click()
    assert "cancelsub=1" in rv.step.text.value
    rv.confirm()
    assert "Subscription Cancellation Failed" in rv.error
    assert box.order(pending[0])["status"] == "Pending"


def test_acting_with_nothing_selected_only_says_so(rv, box):
    rv.buttons["accept"].click()
    assert "Select at least one order" in rv.status
    assert rv.step.layout.display == "none" and writes(box, "AcceptOrder") == 0


def test_changing_the_selection_withdraws_the_confirmation(rv, pending, box):
    rv.selected = [pending[0]]
    rv.buttons["accept"].click()
    rv.selected = [pending[1]]
    assert "withdrawn" in rv.status
    rv.confirm()
    assert writes(box, "AcceptOrder") == 0


def test_toggling_dry_run_redraws_the_confirmation(rv, pending, box):
    rv.selected = [pending[0]]
    rv.buttons["accept"].click()
    assert "LIVE" in rv.step.text.value
    rv.dry_run = True
    assert "DRY RUN" in rv.step.text.value
    rv.confirm()
    assert writes(box, "AcceptOrder") == 0 and list(rv.outcomes["outcome"]) == ["dry-run"]


def test_filters_narrow_the_queue(client, box):
    rv = widgets.review(client, status=None)
    everything = len(rv.queue)
    assert everything == box.count_orders()
    rv.status_filter.value = "Fraud"
    assert set(rv.queue["status"].astype(str)) == {"Fraud"}
    assert len(rv.queue) == box.count_orders("Fraud")
    rv.status_filter.value = "(any status)"
    name = str(rv.queue["name"].iloc[0])
    rv.search.value = name.upper()
    assert set(rv.queue["name"].astype(str)) == {name}
    rv.search.value = ""
    rv.min_score.value = 40
    assert (rv.queue["fraud_score"] >= 40).all() and 0 < len(rv.queue) < everything
    assert rv.queue["fraud_score"].is_monotonic_decreasing
    rv.min_score.value = 0
    day = rv.queue["date"].max().date()
    rv.date_from.value = day - dt.timedelta(days=7)
    rv.date_to.value = day
    assert 0 < len(rv.queue) < everything
    assert (rv.queue["date"].dt.date >= day - dt.timedelta(days=7)).all()
    assert len(rv.table.df) == len(rv.queue)


def test_detail_pane_shows_line_items_fraud_output_and_notes(client, box):
    rv = widgets.review(client, status=None)
    scored = rv.queue[rv.queue["fraudmodule"] == "fraudlabs"]["id"].iloc[0]
    rv.selected = [int(scored)]
    assert "Line items" in rv.detail.value and "fraudlabspro_score" in rv.detail.value
    assert "Notes" in rv.detail.value


def test_refresh_picks_up_orders_added_elsewhere(rv, box):
    before = len(rv.queue)
    new = box.add_orders(1)
    rv.refresh_button.click()
    assert len(rv.queue) == before + 1 and new[0] in set(rv.queue["id"])


def test_reviewing_given_orders_only(client, box, pending):
    rv = widgets.review(client, orders=client.orders(id=pending[1], progress=False))
    assert rv.queue["id"].tolist() == [pending[1]]
    rv.selected = [pending[1]]
    rv.buttons["fraud"].click()
    rv.confirm()
    assert box.order(pending[1])["status"] == "Fraud"
    assert rv.queue.empty  # the status filter (Pending) now hides it
    rv.status_filter.value = "(any status)"
    assert rv.queue["status"].astype(str).tolist() == ["Fraud"]


def test_reviewing_orders_given_by_id_reads_them(client, box, pending):
    rv = widgets.review(client, orders=[pending[0], pending[2]])
    assert sorted(rv.queue["id"].tolist()) == sorted([pending[0], pending[2]])
    partial = client.orders(id=pending[1], progress=False)[["id", "status"]]
    assert widgets.review(client, orders=partial).queue["id"].tolist() == [pending[1]]
