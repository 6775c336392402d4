"""The audit log: one entry per attempt, no secrets, durable, safe with two writers."""

from __future__ import annotations

import getpass
import json
import multiprocessing
import uuid
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import actions
from whmcs_frames._exceptions import AuditLogError, AuditLogWarning, PreconditionFailed
from whmcs_frames.actions._audit import Attempt, append_record, read_audit_log

SVCPW = "svc-pass-77"


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def new_order(box, status="Pending"):
    (orderid,) = box.add_orders(1, status=status)
    return orderid


def test_a_write_leaves_a_start_and_a_final_record(client, box, monkeypatch):
    monkeypatch.setenv("WHMCS_FRAMES_ANALYST", "Ada L.")
    orderid = new_order(box)
    actions.accept_order(client, orderid, sendemail=False)
    start, end = records(client.audit_log)
    assert start["attempt"] == end["attempt"] and uuid.UUID(start["attempt"]).version == 4
    assert (start["phase"], start["outcome"], end["phase"], end["outcome"]) == (
        "start", "pending", "end", "success")
    for record in (start, end):
        when = datetime.fromisoformat(record["time"])
        assert when.utcoffset() == timedelta(0)
        assert abs(datetime.now(timezone.utc) - when) < timedelta(minutes=1)
        assert record["user"] == getpass.getuser() and record["analyst"] == "Ada L."
        assert record["host"] == "127.0.0.1" and record["action"] == "AcceptOrder"
        assert record["orderid"] == orderid
        assert record["params"] == {"orderid": orderid, "sendemail": False}
    assert end["sent"] is True and end["duration_ms"] >= 0 and end["error"] is None


def test_every_attempt_is_logged_whatever_its_outcome(client, box):
    active, pending = new_order(box, "Active"), new_order(box)
    actions.fraud_order(client, 5, dry_run=True)
    actions.fraud_order(client, active)
    with pytest.raises(PreconditionFailed):
        actions.accept_order(client, active)
    with pytest.raises(wf.ApiError):
        actions.cancel_order(client, active, check=False)
    box.faults.queue("drop_after", action="AcceptOrder")
    with pytest.raises(wf.OutcomeUnknown):
        actions.accept_order(client, pending)
    log = read_audit_log(client.audit_log)
    assert list(log["outcome"]) == ["dry-run", "success", "error", "error", "unknown"]
    assert list(log["sent"]) == [False, True, False, True, True]
    assert list(log["action"]) == ["FraudOrder", "FraudOrder", "AcceptOrder", "CancelOrder",
                                   "AcceptOrder"]
    assert list(log["orderid"]) == [5, active, active, active, pending]
    assert f"order {active} is Fraud; AcceptOrder needs it to be Pending" in log.loc[2, "message"]
    assert log.loc[2, "error"] == "PreconditionFailed"
    assert log.loc[3, "message"] == "Order ID not found or Status not Pending"


def test_no_secret_or_credential_reaches_the_file(client, box):
    orderid = new_order(box)
    actions.accept_order(client, orderid, servicepassword=SVCPW, dry_run=True)
    actions.accept_order(client, orderid, servicepassword=SVCPW)
    with pytest.raises(PreconditionFailed):
        actions.accept_order(client, orderid, servicepassword=SVCPW)
    sent = [r for r in box.requests if r["action"] == "AcceptOrder"]
    assert sent[0]["params"]["servicepassword"] == SVCPW  # WHMCS got it
    text = client.audit_log.read_text(encoding="utf-8")
    for secret in (SVCPW, box.secret, box.identifier):
        assert secret not in text
    assert text.count('"servicepassword":"***"') == 5


def _append_many(path: str, writer: int, count: int) -> None:
    from pathlib import Path

    for n in range(count):
        append_record(Path(path), {"attempt": f"{writer}-{n}", "phase": "end",
                                   "outcome": "success", "pad": "x" * (500 + n)})


def test_two_processes_appending_at_once_keep_every_line_whole(tmp_path):
    path = tmp_path / "shared" / "audit.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), w, 200))
               for w in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    seen = {json.loads(line)["attempt"] for line in lines}
    assert seen == {f"{w}-{n}" for w in (1, 2) for n in range(200)}


def test_an_unwritable_log_stops_the_write_before_anything_is_sent(box, tmp_path):
    blocked = tmp_path / "audit.jsonl"
    blocked.mkdir()  # a directory where the file should be: works even as root
    orderid = new_order(box)
    with box.client(audit_log=blocked) as client:
        with pytest.raises(AuditLogError, match="nothing was sent") as err:
            actions.accept_order(client, orderid)
        with pytest.raises(AuditLogError):
            actions.accept_order(client, orderid, dry_run=True)
    assert isinstance(err.value, wf.ConfigError) and str(blocked) in str(err.value)
    assert box.request_count() == 0
    assert box.order(orderid)["status"] == "Pending"


def test_a_lost_final_record_warns_but_returns_the_result(client, box):
    orderid = new_order(box)

    def break_the_log(box, action, params):
        if action == "AcceptOrder":
            client.audit_log.unlink()
            client.audit_log.mkdir()

    box.on_request(break_the_log)
    with pytest.warns(AuditLogWarning, match="went through") as caught:
        result = actions.accept_order(client, orderid)
    assert caught[0].filename == __file__  # points at the caller's line
    assert result.orderid == orderid and box.order(orderid)["status"] == "Active"


def test_parent_directories_are_created(box, tmp_path):
    path = tmp_path / "a" / "b" / "audit.jsonl"
    with box.client(audit_log=path) as client:
        actions.pending_order(client, new_order(box))
    assert len(records(path)) == 2


def test_read_audit_log_gives_one_typed_row_per_attempt(client, box):
    actions.fraud_order(client, new_order(box))
    crashed = Attempt(client.audit_log, "h", "DeleteOrder", 42, {"orderid": 42})
    crashed.start()  # the process "died" before its final record
    log = read_audit_log(client.audit_log)
    assert len(log) == 2
    assert str(log["time"].dtype) == "datetime64[ns, UTC]"
    assert str(log["orderid"].dtype) == "Int64" and str(log["sent"].dtype) == "boolean"
    assert isinstance(log["outcome"].dtype, pd.CategoricalDtype)
    assert list(log["outcome"].cat.categories) == ["dry-run", "success", "error", "unknown"]
    assert log.loc[1, "outcome"] == "unknown" and pd.isna(log.loc[1, "sent"])
    assert "no final record" in log.loc[1, "message"] and pd.isna(log.loc[1, "finished"])
    assert log.loc[0, "finished"] >= log.loc[0, "time"]
    assert isinstance(log.loc[0, "params"], dict)


def test_read_audit_log_defaults_to_the_env_path(client, box, monkeypatch):
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(client.audit_log))
    actions.delete_order(client, 3, dry_run=True, check=False)
    assert list(read_audit_log()["outcome"]) == ["dry-run"]


def test_a_missing_log(tmp_path, monkeypatch):
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(tmp_path / "none-yet.jsonl"))
    empty = read_audit_log()
    assert empty.empty and "outcome" in empty.columns
    with pytest.raises(wf.ConfigError, match="no audit log"):
        read_audit_log(tmp_path / "typo.jsonl")


def test_a_torn_line_is_skipped_loudly(client, box):
    actions.delete_order(client, 3, dry_run=True, check=False)
    with open(client.audit_log, "a", encoding="utf-8") as handle:
        handle.write('{"attempt": "x", "pha')
    with pytest.warns(wf.WhmcsWarning, match="1 line"):
        log = read_audit_log(client.audit_log)
    assert len(log) == 1
