"""`whmcs-frames order …`: confirmation, one line per order, exit codes."""

from __future__ import annotations

import io

import pytest

from whmcs_frames.actions._audit import read_audit_log
from whmcs_frames.cli import main


class Terminal(io.StringIO):
    """A stdin that says it is a terminal, with the user's typed answer in it."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def env(whmcs_env, tmp_path):
    """The audit log the CLI writes to, with the sandbox as the configured WHMCS."""
    return tmp_path / "audit.jsonl"


def run(*argv):
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue().splitlines()


def typed(monkeypatch, text):
    monkeypatch.setattr("sys.stdin", Terminal(text))


def test_yes_acts_and_prints_one_line_per_order(env, box):
    ids = box.add_orders(2)
    code, lines = run("order", "accept", *map(str, ids), "--yes", "--no-send-email",
                      "--autosetup")
    assert code == 0 and len(lines) == 2
    assert all(" AcceptOrder " in line and " success" in line for line in lines)
    assert lines[0].split()[0] == str(ids[0])
    assert {box.order(i)["status"] for i in ids} == {"Active"}
    sent = [r["params"] for r in box.requests if r["action"] == "AcceptOrder"]
    assert sent[0]["sendemail"] == "0" and sent[0]["autosetup"] == "1"
    assert len(read_audit_log(env)) == 2


def test_confirmation_shows_the_action_and_ids(env, box, monkeypatch, capsys):
    ids = box.add_orders(2)
    typed(monkeypatch, "yes\n")
    code, lines = run("order", "cancel", *map(str, ids), "--cancel-sub", "--no-email")
    prompt = capsys.readouterr().err
    assert len(lines) == 2
    assert code == 0 and "CancelOrder" in prompt and f"{ids[0]}, {ids[1]}" in prompt
    assert "cancelsub=True noemail=True" in prompt
    assert {box.order(i)["status"] for i in ids} == {"Cancelled"}
    sent = [r["params"] for r in box.requests if r["action"] == "CancelOrder"]
    assert sent[0]["cancelsub"] == "1" and sent[0]["noemail"] == "1"


def test_delete_warns_it_is_irreversible_and_declining_sends_nothing(env, box, monkeypatch,
                                                                     capsys):
    ids = box.add_orders(1, status="Cancelled")
    typed(monkeypatch, "n\n")
    code, lines = run("order", "delete", str(ids[0]))
    err = capsys.readouterr().err
    assert code == 1 and lines == []
    assert "IRREVERSIBLE" in err and "nothing was sent" in err
    assert box.request_count() == 0 and box.order(ids[0]) is not None


def test_end_of_input_is_a_no(env, box, monkeypatch):
    typed(monkeypatch, "")
    assert run("order", "pending", "5")[0] == 1
    assert box.request_count() == 0


def test_without_a_terminal_or_yes_it_refuses(env, box, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))  # piped: not a terminal
    code, _ = run("order", "fraud", "5")
    assert code == 2 and "--yes" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", None)
    assert run("order", "fraud", "5")[0] == 2
    assert box.request_count() == 0


def test_any_failure_exits_1_and_the_rest_still_run(env, box):
    ok = box.add_orders(1)
    active = box.add_orders(1, status="Active")
    code, lines = run("order", "accept", str(active[0]), str(ok[0]), "-y")
    assert code == 1
    assert " error " in lines[0] and "is Active" in lines[0]
    assert " success" in lines[1]


def test_dry_run_needs_no_confirmation_and_sends_no_write(env, box, monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    code, lines = run("order", "fraud-check", "7", "8", "--dry-run", "--ip-address",
                      "192.0.2.1")
    assert code == 0 and len(lines) == 2
    assert "would send OrderFraudCheck orderid=7 ipaddress=192.0.2.1" in lines[0]
    assert box.request_count() == box.request_count("GetOrders") == 2  # reads only
    assert list(read_audit_log(env)["outcome"]) == ["dry-run", "dry-run"]


@pytest.mark.parametrize("argv", [
    ["order"], ["order", "accept"], ["order", "accept", "abc"], ["order", "accept", "0"],
    ["order", "approve", "5"], ["order", "cancel", "5", "--autosetup"],
    ["order", "accept", "5", "--pause", "-1"],
])
def test_usage_errors_exit_2(env, box, argv):
    assert run(*argv)[0] == 2
    assert box.request_count() == 0


def test_missing_configuration_exits_2(env, box, monkeypatch, capsys):
    monkeypatch.delenv("WHMCS_API_URL")
    assert run("order", "accept", "5", "--yes")[0] == 2
    assert "WHMCS_API_URL" in capsys.readouterr().err


def test_help_has_an_example(capsys):
    assert run("order", "delete", "--help")[0] == 0
    text = capsys.readouterr().out
    assert "example" in text and "whmcs-frames order accept" in text
