"""One table keyed by action name: every per-action fact comes from the registry."""

from __future__ import annotations

import argparse
from dataclasses import replace

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames._api.registry import ACTIONS, ORDER_ACTIONS
from whmcs_frames.actions import _orders, _perform
from whmcs_frames.cli._parser import build_parser
from whmcs_frames.widgets import _review_queue, _review_rules


def test_every_order_action_has_its_facts():
    assert list(ORDER_ACTIONS) == ["accept", "cancel", "fraud", "pending", "fraud_check",
                                   "delete"]
    for short, spec in ORDER_ACTIONS.items():
        assert spec.kind == "write" and spec.bulk_name == short and spec.label
        assert spec.allowed_from is not None, short
        assert set(spec.options) <= set(spec.params) - {"orderid"}, short
    assert [s.name for s in ORDER_ACTIONS.values() if s.irreversible] == ["delete_order"]
    assert {s.name for s in ACTIONS.values() if s.bulk_name} == set(_orders.ORDER_FUNCTIONS)


def test_the_old_tables_are_views_of_the_registry():
    assert wf.actions.STATUS_RULES == {
        "accept_order": ("Pending",), "cancel_order": ("Pending",),
        "delete_order": ("Cancelled", "Fraud"), "fraud_order": (), "pending_order": (),
        "order_fraud_check": ()}
    assert _perform.BULK_ACTIONS["fraud_check"] == "order_fraud_check"
    assert _review_rules.ACTION_OPTIONS["cancel"] == ("cancelsub", "noemail")
    for short, spec in ORDER_ACTIONS.items():
        assert wf.actions.ORDER_FUNCTIONS[spec.name].__name__ == spec.name
        assert _review_rules.whmcs_action(short) == spec.whmcs
    assert set(_review_queue._STYLES) == set(ORDER_ACTIONS)  # every button has a style


def test_the_confirmation_reads_irreversibility_and_statuses_from_the_registry(monkeypatch):
    orders = pd.DataFrame({"id": [1], "name": ["Ann"], "amount": [5.0], "currency": ["EUR"],
                           "status": ["Active"]})
    before = _review_rules.confirmation_text("pending", orders, [1], {}, dry_run=True)
    assert "IRREVERSIBLE" not in before and "only does this" not in before
    marked = replace(ORDER_ACTIONS["pending"], irreversible=True, allowed_from=("Pending",))
    monkeypatch.setitem(ORDER_ACTIONS, "pending", marked)
    after = _review_rules.confirmation_text("pending", orders, [1], {}, dry_run=True)
    assert "IRREVERSIBLE" in after and "only does this to Pending orders" in after
    assert "1 of these are not" in after
    assert _review_rules.is_irreversible("pending")


def _verbs(parser: argparse.ArgumentParser) -> set[str]:
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    order = commands.choices["order"]
    verbs = next(a for a in order._actions if isinstance(a, argparse._SubParsersAction))
    return set(verbs.choices)


def test_the_cli_has_one_verb_per_order_action():
    # The parser stays stdlib-only for a fast --help, so its verbs are written out;
    # this keeps them the registry's.
    assert _verbs(build_parser()) == {k.replace("_", "-") for k in ORDER_ACTIONS}


@pytest.mark.parametrize("short", list(ORDER_ACTIONS))
def test_bulk_accepts_every_name_of_an_order_action(short):
    spec = ORDER_ACTIONS[short]
    for name in (short, spec.name, spec.whmcs, short.replace("_", "-")):
        assert _perform.bulk_action(name) == spec.name
