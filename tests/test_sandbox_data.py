"""Sandbox synthetic data: deterministic from the seed, and realistic enough to analyse."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime

import pytest
from _raw import tidy_call as call

from whmcs_frames import sandbox
from whmcs_frames.sandbox import _schema


@pytest.fixture(scope="module")
def big():
    with sandbox.serve(orders=2000, seed=7) as box:
        yield box


@pytest.fixture(scope="module")
def orders(big):
    return call(big, "GetOrders", limitnum=5000)["orders"]["order"]


def dump(path: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_generation_is_deterministic(tmp_path):
    for name in ("a", "b"):
        _schema.build_database(tmp_path / f"{name}.db", 150, 42)
    _schema.build_database(tmp_path / "c.db", 150, 43)
    assert dump(str(tmp_path / "a.db")) == dump(str(tmp_path / "b.db"))
    assert dump(str(tmp_path / "a.db")) != dump(str(tmp_path / "c.db"))


def test_same_seed_same_answers_different_seed_different():
    with sandbox.serve(orders=50, seed=8) as one, sandbox.serve(orders=50, seed=8) as two, \
            sandbox.serve(orders=50, seed=9) as other:
        assert call(one, "GetOrders", limitnum=50) == call(two, "GetOrders", limitnum=50)
        assert call(one, "GetPromotions") == call(two, "GetPromotions")
        assert (one.identifier, one.secret, one.password) == \
            (two.identifier, two.secret, two.password)
        assert call(one, "GetOrders", limitnum=50) != call(other, "GetOrders", limitnum=50)
        assert one.secret != other.secret
        # Writes are deterministic too: the same AddOrder makes the same order.
        params = {"clientid": 5, "paymentmethod": "stripe", "pid": [1]}
        assert call(one, "AddOrder", **params) == call(two, "AddOrder", **params)
        assert one.add_orders(2) == two.add_orders(2)
        assert call(one, "GetOrders", limitnum=5) == call(two, "GetOrders", limitnum=5)


def test_dates_span_two_years_before_a_fixed_end(orders):
    dates = [datetime.strptime(o["date"], "%Y-%m-%d %H:%M:%S") for o in orders]
    span = max(dates) - min(dates)
    assert 700 <= span.days <= 731
    assert max(dates).year == 2024  # derived from the seed, never today's clock
    by_year_half = Counter(d < min(dates) + span / 2 for d in dates)
    assert by_year_half[False] > by_year_half[True] * 1.2  # the shop grows
    weekdays = Counter(d.weekday() for d in dates)
    assert weekdays[1] > weekdays[6] * 1.5  # Tuesdays are busier than Sundays


def test_text_is_realistic(orders):
    names = {o["name"] for o in orders}
    assert any(not name.isascii() for name in names)
    assert {"Zoë Müller", "José Núñez"} <= names
    assert any("&#039;" in name or "&amp;" in name for name in names)
    assert any("&amp;" in o["notes"] or "&#039;" in o["notes"] for o in orders)


def test_statuses_methods_currencies(orders, big):
    statuses = Counter(o["status"] for o in orders)
    assert set(statuses) == {"Pending", "Active", "Cancelled", "Fraud", "In Review"}
    assert statuses["Active"] > statuses["Cancelled"] > statuses["Fraud"]
    methods = {(o["paymentmethod"], o["paymentmethodname"]) for o in orders}
    assert {("stripe", "Credit Card"), ("paypal", "PayPal"), ("banktransfer", "Bank Transfer"),
            ("mailin", "Mail In Payment")} == methods
    assert {(o["currencyprefix"], o["currencysuffix"]) for o in orders} == \
        {("$", " USD"), ("€", " EUR"), ("£", " GBP")}
    assert any(o["invoiceid"] == "0" for o in orders)
    assert any(o["promocode"] for o in orders)
    assert {line["type"] for o in orders for line in o["lineitems"]["lineitem"]} == \
        {"product", "domain", "addon"}
    closed = big.store.db.execute("SELECT COUNT(*) FROM clients WHERE status = 'Closed'")
    assert closed.fetchone()[0] == 1


def test_fraud_output_is_json_in_a_string(orders):
    checked = [o for o in orders if o["fraudoutput"]]
    assert 0.4 < len(checked) / len(orders) < 0.9
    modules = Counter(o["fraudmodule"] for o in checked)
    assert set(modules) == {"maxmind", "fraudlabs"}
    for order in checked:
        output = json.loads(order["fraudoutput"])
        score = output.get("riskScore", output.get("fraudlabspro_score"))
        assert 0 <= float(score) <= 100 and output["ip_country"]
    def score(order):
        output = json.loads(order["fraudoutput"])
        return float(output.get("riskScore", 0) or output.get("fraudlabspro_score"))

    # Generated clients are 1..666 (2000 // 3); the seeded fraud patterns' clients follow.
    seeded = [o for o in checked if int(o["userid"]) > 2000 // 3]
    generated = [o for o in checked if int(o["userid"]) <= 2000 // 3]
    assert min(score(o) for o in generated if o["status"] == "Fraud") >= 70
    # What the patterns are for: Fraud the module missed, Pending it scores high.
    assert min(score(o) for o in seeded if o["status"] == "Fraud") < 40
    assert max(score(o) for o in seeded if o["status"] == "Pending") >= 80
    assert all(o["fraudoutput"] == "" for o in orders if o["fraudmodule"] == "")


def test_amounts_follow_pricing(orders):
    products = {line["product"] for o in orders for line in o["lineitems"]["lineitem"]}
    assert {"Starter", "Free Trial Hosting", "SSL Certificate (DV)", "Daily Backups"} <= \
        products
    starter = next(o for o in orders if len(o["lineitems"]["lineitem"]) == 1
                   and not o["promocode"] and o["currencysuffix"] == " USD"
                   and o["lineitems"]["lineitem"][0]["product"] == "Starter"
                   and o["lineitems"]["lineitem"][0]["billingcycle"] == "Monthly")
    assert starter["amount"] == "4.99"


def test_template_cache_makes_restarts_fast():
    with sandbox.serve(orders=2000, seed=7):
        pass  # the cache now holds this database
    started = time.perf_counter()
    with sandbox.serve(orders=2000, seed=7) as box:
        ready = time.perf_counter() - started
        assert call(box, "GetOrders", limitnum=1)["totalresults"] == "2000"
    assert ready < 1.0


def test_sandbox_does_not_import_upper_layers():
    # Import the sandbox under a bare stand-in for the top-level package, so only what
    # the sandbox itself pulls in gets loaded.
    checker = (
        "import importlib.util, sys, pathlib, types\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "pkg = types.ModuleType('whmcs_frames'); pkg.__path__ = [str(root)]\n"
        "sys.modules['whmcs_frames'] = pkg\n"
        "import whmcs_frames.sandbox\n"
        "bad = [m for m in sys.modules if m.startswith('whmcs_frames.') and not "
        "m.startswith('whmcs_frames.sandbox') and m not in ('whmcs_frames._api', "
        "'whmcs_frames._api.php', 'whmcs_frames._api.registry', 'whmcs_frames._api.secrets', "
        "'whmcs_frames._validate', 'whmcs_frames._exceptions')]\n"
        "print('pandas' in sys.modules, bad)\n"
    )
    root = str(sandbox.__file__).rsplit("/sandbox/", 1)[0]
    out = subprocess.run([sys.executable, "-c", checker, root], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False []"
