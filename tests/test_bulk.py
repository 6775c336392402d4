"""bulk(): one outcome row per order, dry run by default, stops where it must."""

from __future__ import annotations

import time

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import actions
from whmcs_frames.actions._audit import read_audit_log


def writes(box):
    return [r for r in box.requests if r["action"] != "GetOrders"]


def test_a_dry_run_sends_no_write_and_shows_what_would_be_sent(client, box):
    ids = box.add_orders(3)
    done = actions.bulk(client, "accept", ids, sendemail=False, progress=False)
    assert box.request_count() == box.request_count("GetOrders") == 3  # reads only
    assert list(done["orderid"]) == ids
    assert list(done["outcome"]) == ["dry-run"] * 3 and done["ok"].all()
    assert done.loc[0, "params"] == {"orderid": ids[0], "sendemail": False}
    assert set(done["action"]) == {"AcceptOrder"}
    assert list(read_audit_log(client.audit_log)["outcome"]) == ["dry-run"] * 3
    assert {box.order(i)["status"] for i in ids} == {"Pending"}


def test_a_real_run_records_each_orders_outcome_and_goes_on(client, box):
    pending = box.add_orders(2)
    active = box.add_orders(1, status="Active")
    ids = [pending[0], active[0], pending[1]]
    done = actions.bulk(client, "accept_order", ids, dry_run=False, progress=False)
    assert list(done["outcome"]) == ["success", "error", "success"]
    assert list(done["ok"]) == [True, False, True]
    assert done.loc[1, "error"] == "PreconditionFailed"
    assert f"order {active[0]} is Active" in done.loc[1, "message"]
    assert [box.order(i)["status"] for i in ids] == ["Active", "Active", "Active"]
    assert len(writes(box)) == 2


def test_the_frame_is_typed(client, box):
    done = actions.bulk(client, "fraud", box.add_orders(2), dry_run=False, progress=False)
    dtypes = {c: str(t) for c, t in done.dtypes.items()}
    assert dtypes == {"orderid": "Int64", "action": "string", "outcome": "category",
                      "ok": "boolean", "message": "string", "error": "string",
                      "params": "object"}
    assert list(done["outcome"].cat.categories) == ["dry-run", "success", "error", "unknown",
                                                    "skipped"]


def test_stop_on_error_skips_the_rest_without_sending(client, box):
    ids = [*box.add_orders(1, status="Active"), *box.add_orders(2)]
    done = actions.bulk(client, "cancel", ids, dry_run=False, stop_on_error=True,
                        progress=False)
    assert list(done["outcome"]) == ["error", "skipped", "skipped"]
    assert "stop_on_error" in done.loc[1, "message"]
    assert writes(box) == [] and box.request_count("GetOrders") == 1
    assert len(read_audit_log(client.audit_log)) == 1


def test_an_unknown_outcome_stops_the_run(client, box):
    ids = box.add_orders(3)
    box.faults.queue("drop_after", action="FraudOrder")
    done = actions.bulk(client, "fraud", ids, dry_run=False, progress=False)
    assert list(done["outcome"]) == ["unknown", "skipped", "skipped"]
    assert "look that order up" in done.loc[1, "message"]
    assert box.request_count("FraudOrder") == 1
    assert box.order(ids[0])["status"] == "Fraud"  # it happened; only the answer was lost
    assert box.order(ids[1])["status"] == "Pending"


def test_an_unwritable_audit_log_stops_the_run(box, tmp_path):
    blocked = tmp_path / "audit.jsonl"
    blocked.mkdir()
    with box.client(audit_log=blocked) as client:
        done = actions.bulk(client, "pending", [1, 2], dry_run=False, progress=False)
    assert list(done["outcome"]) == ["error", "skipped"]
    assert done.loc[0, "error"] == "AuditLogError" and box.request_count() == 0


def test_orders_come_as_frames_series_or_lists(client, box):
    orders = client.orders("Pending", progress=False)
    first = list(orders["id"])
    assert list(actions.bulk(client, "cancel", orders, progress=False)["orderid"]) == first
    by_index = orders.set_index("id")
    assert list(actions.bulk(client, "cancel", by_index, progress=False)["orderid"]) == first
    series = orders["id"]
    assert list(actions.bulk(client, "cancel", series, progress=False)["orderid"]) == first
    assert list(actions.bulk(client, "cancel", [3, 3.0, 4, 3], progress=False)["orderid"]) \
        == [3, 4]


@pytest.mark.parametrize("action", ["fraud_check", "fraud-check", "order_fraud_check",
                                    "OrderFraudCheck"])
def test_action_names(client, action):
    done = actions.bulk(client, action, [7], progress=False)
    assert list(done["action"]) == ["OrderFraudCheck"]


@pytest.mark.parametrize(("action", "orders", "params", "parameter"), [
    ("add_order", [1], {}, "action"),
    ("accept", [1, "2"], {}, "orders"),
    ("accept", [1, 0], {}, "orders"),
    ("accept", [pd.NA], {}, "orders"),
    ("accept", "12", {}, "orders"),
    ("accept", [1], {"send_email": False}, "send_email"),
    ("accept", [1], {"sendemail": "no"}, "sendemail"),
    ("accept", [1], {"pause": -1}, "pause"),
])
def test_bad_input_fails_before_anything_is_sent(client, box, action, orders, params,
                                                 parameter):
    with pytest.raises(wf.ValidationError, match=f"^{parameter}:"):
        actions.bulk(client, action, orders, dry_run=False, progress=False, **params)
    assert box.request_count() == 0 and not client.audit_log.exists()


def test_pause_spaces_out_the_calls(client, box):
    ids = box.add_orders(3)
    started = time.perf_counter()
    actions.bulk(client, "pending", ids, dry_run=False, pause=0.2, progress=False)
    assert time.perf_counter() - started >= 0.4


def test_progress_bar_and_fraud_check_summary(client, box, capsys):
    ids = box.add_orders(2)
    done = actions.bulk(client, "fraud_check", ids, dry_run=False, progress=True)
    assert all(m.startswith("fraud check: ") and "maxmind" in m for m in done["message"])
    assert "OrderFraudCheck" in capsys.readouterr().err


def test_iter_bulk_yields_rows_as_they_finish(client, box):
    rows = actions.iter_bulk(client, "delete", box.add_orders(2, status="Cancelled"),
                             dry_run=False)
    first = next(rows)
    assert first["outcome"] == "success" and len(writes(box)) == 1
    assert [r["outcome"] for r in rows] == ["success"]
