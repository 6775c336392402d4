"""wf.risk: each signal on a small hand-made frame whose answer is known, NA when its input
is missing, rules validation, the evaluation on a known split, its chart, and the sandbox's
seeded ring found end to end."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import plots, risk

IP_A, IP_B, IP_C = "203.0.113.7", "198.51.100.23", "192.0.2.44"
DAY = pd.Timestamp("2024-05-01 09:00")


def frame(*rows: dict, **columns_default) -> pd.DataFrame:
    """Orders from dicts; ``hours`` after DAY becomes ``date``; ids count from 1."""
    records = []
    for i, row in enumerate(rows, start=1):
        row = {"id": i, **columns_default, **row}
        row["date"] = DAY + pd.Timedelta(hours=row.pop("hours", 0))
        records.append(row)
    return pd.DataFrame(records)


def flags(found: pd.DataFrame, signal: str) -> list:
    return [None if pd.isna(v) else bool(v) for v in found[signal]]


# -- across orders ----------------------------------------------------------------------

def test_shared_ip_counts_distinct_clients_within_the_window():
    orders = frame({"userid": 1, "ipaddress": IP_A}, {"userid": 2, "ipaddress": IP_A, "hours": 3},
                   {"userid": 3, "ipaddress": IP_A, "hours": 20},
                   {"userid": 3, "ipaddress": IP_A, "hours": 21},  # same client twice
                   {"userid": 4, "ipaddress": IP_A, "hours": 24 * 5},  # days later: alone
                   {"userid": 5, "ipaddress": IP_B}, {"userid": 6, "ipaddress": IP_B},
                   {"userid": 7, "ipaddress": "  "})
    found = risk.signals(orders)
    assert flags(found, "shared_ip") == [True, True, True, True, False, False, False, None]
    assert found.at[0, "risk_reasons"].startswith(f"3 clients share IP {IP_A} within 24 h")
    two = risk.signals(orders, rules={"shared_ip_clients": 2})
    assert flags(two, "shared_ip")[5:7] == [True, True]
    wide = risk.signals(orders, rules={"window": "5D"})
    assert flags(wide, "shared_ip")[4] is True


def test_client_and_ip_velocity():
    orders = frame(*[{"userid": 5, "ipaddress": IP_A, "hours": h} for h in (0, 4, 9)],
                   *[{"userid": 6, "ipaddress": IP_B, "hours": h} for h in (0, 30, 60)],
                   *[{"userid": 7 + k, "ipaddress": IP_C, "hours": k} for k in range(5)])
    found = risk.signals(orders)
    assert flags(found, "client_velocity")[:6] == [True] * 3 + [False] * 3
    assert "3 orders from client 5 within 24 h" in found.at[0, "risk_reasons"]
    assert flags(found, "ip_velocity") == [False] * 6 + [True] * 5
    assert "5 orders from IP 192.0.2.44 within 24 h" in found.at[6, "risk_reasons"]
    assert flags(risk.signals(orders, rules={"window": "72h"}), "client_velocity")[3:6] == \
        [True] * 3
    assert flags(risk.signals(orders, rules={"ip_orders": 6}), "ip_velocity")[6:] == [False] * 5


def test_new_client_from_first_order_or_from_the_clients_frame():
    orders = frame({"userid": 1}, {"userid": 1, "hours": 5}, {"userid": 2, "hours": 48},
                   {"userid": 3, "hours": 48}, {"userid": pd.NA})
    found = risk.signals(orders)
    assert flags(found, "new_client") == [True, False, True, True, None]
    assert "first order of client 1 in these orders" in found.at[0, "risk_reasons"]
    clients = pd.DataFrame({"id": [1, 2], "datecreated": ["2024-04-29", "2024-03-01"]})
    found = risk.signals(orders, clients=clients)
    # client 1 two days old (both its orders count), client 2 two months, 3 unknown
    assert flags(found, "new_client") == [True, True, False, None, None]
    assert "new client (created 2 days before; clients frame)" in found.at[0, "risk_reasons"]
    same_day = risk.signals(orders, clients=clients.assign(datecreated=["2024-05-01", "x"]))
    assert "new client (created that day; clients frame)" in same_day.at[0, "risk_reasons"]
    assert flags(same_day, "new_client")[2] is None  # an unreadable date: unknown
    tight = risk.signals(orders, clients=clients, rules={"new_client_days": 1})
    assert flags(tight, "new_client")[:2] == [False, False]


def lines_for(orders: pd.DataFrame, amounts: dict[int, float], product: str = "Cloud VPS L"):
    return pd.DataFrame({"orderid": list(amounts), "type": "product", "product": product,
                         "billingcycle": "Monthly", "currency": "USD",
                         "amount": list(amounts.values())})


def test_high_first_order_against_the_products_median():
    orders = frame({"userid": 1}, {"userid": 2}, {"userid": 3}, {"userid": 4},
                   {"userid": 9, "hours": 2},           # new client, 300 against a median of 55
                   {"userid": 1, "hours": 3},           # returning client, also 300
                   {"userid": 10, "hours": 4})          # new client, product sold twice only
    lines = pd.concat([
        lines_for(orders, {1: 50.0, 2: 50.0, 3: 55.0, 4: 60.0, 5: 300.0, 6: 300.0}),
        lines_for(orders, {7: 900.0, 1: 10.0}, product="Bare Metal"),
    ])
    found = risk.signals(orders, lines)
    # median of 50, 50, 55, 60, 300, 300 is 57.5: 300 is 5.2x
    assert flags(found, "high_first_order") == [False, False, False, False, True, False, None]
    assert "first order 5\u00d7 the median price of Cloud VPS L (Monthly, USD)" in \
        found.at[4, "risk_reasons"]
    assert flags(risk.signals(orders, lines, rules={"first_order_multiple": 6}),
                 "high_first_order")[4] is False
    assert risk.signals(orders)["high_first_order"].isna().all()  # no lines: NA


def test_promo_farming_by_new_clients_sharing_an_ip_or_a_name():
    orders = frame({"userid": 1, "ipaddress": IP_A, "name": "Ann Lee", "promocode": "WELCOME10"},
                   {"userid": 2, "ipaddress": IP_A, "name": "Bo Kim", "promocode": "welcome10",
                    "hours": 30},
                   {"userid": 3, "ipaddress": IP_B, "name": "Cy Dee", "promocode": "WELCOME10"},
                   {"userid": 4, "ipaddress": IP_C, "name": "Cy  DEE", "promocode": "WELCOME10",
                    "hours": 1},
                   {"userid": 5, "ipaddress": "192.0.2.9", "name": "Di Fox",
                    "promocode": "WELCOME10"},
                   {"userid": 1, "ipaddress": IP_A, "name": "Ann Lee", "promocode": "WELCOME10",
                    "hours": 2},                        # not new any more
                   {"userid": 6, "ipaddress": IP_A, "name": "Ed Ray", "promocode": pd.NA})
    found = risk.signals(orders)
    assert flags(found, "promo_farming") == [True, True, True, True, False, False, False]
    assert "code WELCOME10 used by 2 new clients on IP 203.0.113.7 within 30 days" in \
        found.at[0, "risk_reasons"]
    assert "used by 2 new clients named Cy Dee" in found.at[2, "risk_reasons"]
    assert flags(risk.signals(orders, rules={"promo_window": "12h"}), "promo_farming")[:2] == \
        [False, False]


def test_known_fraud_ip_and_name_only_from_another_clients_earlier_fraud():
    orders = frame({"userid": 3, "ipaddress": IP_A, "name": "Ann Lee", "status": "Active"},
                   {"userid": 1, "ipaddress": IP_A, "name": "Max Roe", "status": "Fraud",
                    "hours": 10},
                   {"userid": 2, "ipaddress": IP_A, "name": "Zed Oak", "status": "Pending",
                    "hours": 200},
                   {"userid": 1, "ipaddress": IP_A, "name": "Max Roe", "status": "Pending",
                    "hours": 300},
                   {"userid": 4, "ipaddress": IP_B, "name": "max roe", "status": "Pending",
                    "hours": 400})
    found = risk.signals(orders)
    assert flags(found, "known_fraud_ip") == [False, False, True, False, False]
    assert flags(found, "known_fraud_name") == [False, False, False, False, True]
    assert f"IP {IP_A} also on Fraud order 2 (another client)" in found.at[2, "risk_reasons"]
    assert "name max roe also on Fraud order 2 (another client)" in found.at[4, "risk_reasons"]
    no_status = risk.signals(orders.drop(columns="status"))
    assert no_status["known_fraud_ip"].isna().all() and no_status["known_fraud_name"].isna().all()


# -- the fraud module's output ----------------------------------------------------------

def test_module_signals_and_country_mismatch():
    orders = frame(
        {"userid": 1, "fraud_score": 80.0, "fraud_proxy": True, "fraud_free_email": False,
         "fraud_country_match": False, "fraud_country": "NG", "fraud_distance_km": 6000.0},
        {"userid": 2, "fraud_score": 20.0, "fraud_proxy": False, "fraud_free_email": True,
         "fraud_country_match": True, "fraud_country": "US", "fraud_distance_km": 10.0},
        {"userid": 3, "fraud_score": np.nan, "fraud_proxy": pd.NA, "fraud_free_email": pd.NA,
         "fraud_country_match": pd.NA, "fraud_country": "VN", "fraud_distance_km": np.nan})
    for column in ("fraud_proxy", "fraud_free_email", "fraud_country_match"):
        orders[column] = orders[column].astype("boolean")
    found = risk.signals(orders)
    assert flags(found, "module_score") == [True, False, None]
    assert flags(found, "proxy") == [True, False, None]
    assert flags(found, "free_email") == [False, True, None]
    assert flags(found, "country_mismatch") == [True, False, None]
    assert flags(found, "distance") == [True, False, None]
    assert ("fraud module scored 80; proxy/VPN IP (fraud module); IP in NG, not the billing "
            "country (fraud module); IP 6,000 km from the billing address") in \
        found.at[0, "risk_reasons"]
    # The clients frame's billing country settles what the module left open.
    clients = pd.DataFrame({"userid": [1, 2, 3], "country": ["us", "US", "US"]})
    found = risk.signals(orders, clients=clients)
    assert flags(found, "country_mismatch") == [True, False, True]
    assert "IP in VN, billing address in US" in found.at[2, "risk_reasons"]
    assert flags(risk.signals(orders, rules={"module_score": 10}), "module_score")[:2] == \
        [True, True]


def test_a_signal_without_its_input_is_na_not_false():
    bare = frame({"userid": 1}, {"userid": 2})[["id", "date"]]
    found = risk.signals(bare)
    assert list(found.columns) == ["id", *risk.SIGNALS, "risk_points", "risk_flagged",
                                   "risk_rank", "risk_reasons"]
    for signal in risk.SIGNALS:
        assert found[signal].isna().all(), signal
        assert str(found[signal].dtype) == "boolean"
    assert found["risk_points"].tolist() == [0.0, 0.0]
    assert found["risk_reasons"].tolist() == ["", ""]
    assert sorted(found["risk_rank"].tolist()) == [1, 2]


def test_empty_frames_and_unreadable_dates():
    empty = risk.signals(wf.frames.orders_frame([]), wf.frames.order_lines_frame([]),
                         pd.DataFrame({"id": [], "datecreated": [], "country": []}))
    assert len(empty) == 0 and list(empty.columns)[-1] == "risk_reasons"
    table = risk.evaluate(wf.frames.orders_frame([]))
    assert table.attrs == {"decided": 0, "fraud": 0} and table["precision"].isna().all()
    undated = frame({"userid": 1, "ipaddress": IP_A, "status": "Fraud"},
                    {"userid": 2, "ipaddress": IP_A, "status": "Active"})
    undated["date"] = ["", "not a date"]
    found = risk.signals(undated)
    for signal in ("shared_ip", "ip_velocity", "client_velocity", "new_client",
                   "known_fraud_ip"):
        assert found[signal].isna().all(), signal  # no time: no window, no "earlier"


def test_points_rank_and_reasons_combine_the_fired_signals():
    orders = frame({"userid": 1, "ipaddress": IP_A, "fraud_score": 90.0},
                   {"userid": 2, "ipaddress": IP_A, "fraud_score": 10.0, "hours": 1},
                   {"userid": 3, "ipaddress": IP_A, "fraud_score": 5.0, "hours": 2},
                   {"userid": 4, "ipaddress": IP_B, "fraud_score": 95.0, "hours": 3},
                   {"userid": 4, "ipaddress": IP_B, "fraud_score": 1.0, "hours": 400})
    found = risk.signals(orders, rules={"weights": {"new_client": 0}})
    # shared_ip 3 (+ module 3 for the first), module 3 alone, nothing for the last
    assert found["risk_points"].tolist() == [6.0, 3.0, 3.0, 3.0, 0.0]
    assert found["risk_rank"].tolist() == [1, 3, 4, 2, 5]  # ties: the higher module score
    assert found["risk_flagged"].tolist() == [True, True, True, True, False]
    assert found.at[0, "risk_reasons"] == (f"3 clients share IP {IP_A} within 24 h; fraud "
                                           "module scored 90; first order of client 1 in "
                                           "these orders")
    assert found.index.equals(orders.index) and found["id"].tolist() == [1, 2, 3, 4, 5]
    repeated = risk.signals(orders.set_axis([7, 7, 8, 8, 9]), rules={"weights": {"new_client": 0}})
    assert repeated.index.tolist() == [7, 7, 8, 8, 9]  # the caller's index, even repeating
    assert repeated["risk_reasons"].tolist() == found["risk_reasons"].tolist()
    shuffled = orders.sample(frac=1.0, random_state=3)
    again = risk.signals(shuffled, rules={"weights": {"new_client": 0}})
    assert again.sort_index()["risk_rank"].tolist() == found["risk_rank"].tolist()


# -- validation --------------------------------------------------------------------------

@pytest.mark.parametrize(("rules", "named"), [
    ({"shared_ip_client": 3}, "rules"),
    ({"shared_ip_clients": 1}, "rules['shared_ip_clients']"),
    ({"client_orders": 2.5}, "rules['client_orders']"),
    ({"module_score": -1}, "rules['module_score']"),
    ({"distance_km": "far"}, "rules['distance_km']"),
    ({"window": "soon"}, "rules['window']"),
    ({"promo_window": "-2h"}, "rules['promo_window']"),
    ({"weights": {"proxyy": 1}}, "rules['weights']"),
    ({"weights": {"proxy": True}}, "rules['weights']['proxy']"),
    ({"weights": [1, 2]}, "rules['weights']"),
    (["window"], "rules"),
])
def test_bad_rules_name_the_key(rules, named):
    with pytest.raises(wf.ValidationError) as caught:
        risk.signals(frame({"userid": 1}), rules=rules)
    assert caught.value.parameter == named


def test_default_rules_are_read_only_and_partial_rules_merge():
    with pytest.raises(TypeError):
        risk.DEFAULT_RULES["window"] = "1h"  # type: ignore[index]
    assert set(risk.DEFAULT_RULES["weights"]) == set(risk.SIGNALS)
    assert risk.DEFAULT_RULES == {**risk.DEFAULT_RULES}  # copyable as a plain dict


@pytest.mark.parametrize(("call", "named"), [
    (lambda: risk.signals([{"id": 1}]), "orders"),
    (lambda: risk.signals(pd.DataFrame({"id": [1]})), "orders"),
    (lambda: risk.signals(frame({}), pd.DataFrame({"orderid": [1]})), "lines"),
    (lambda: risk.signals(frame({}), clients=pd.DataFrame({"id": [1]})), "clients"),
    (lambda: risk.signals(frame({}), clients=pd.DataFrame({"id": [1, 1], "country": "US"})),
     "clients"),
    (lambda: risk.evaluate(frame({})), "orders"),
])
def test_bad_frames_name_the_parameter(call, named):
    with pytest.raises(wf.ValidationError) as caught:
        call()
    assert caught.value.parameter == named


# -- evaluation ---------------------------------------------------------------------------

def decided_split() -> pd.DataFrame:
    statuses = ["Fraud"] * 4 + ["Active"] * 3 + ["Cancelled"] * 3 + ["Pending", "In Review"]
    scores = [90.0, 80.0, 10.0, np.nan, 75.0, 5.0, 5.0, 5.0, 5.0, 5.0, 99.0, 99.0]
    return frame(*[{"userid": 100 + i, "status": s, "fraud_score": sc, "hours": 50 * i}
                   for i, (s, sc) in enumerate(zip(statuses, scores, strict=True))])


def test_evaluate_on_a_known_split():
    table = risk.evaluate(decided_split())
    assert table.attrs == {"decided": 10, "fraud": 4}
    assert list(table.columns) == ["signal", "rule", "weight", "evaluated", "flagged",
                                   "fraud_flagged", "precision", "recall"]
    assert table["signal"].tolist() == [*risk.SIGNALS, "risk_flagged", "risk_rank"]
    row = table.set_index("signal").loc["module_score"]
    # decided: 9 scored; flagged 90, 80 (Fraud) and 75 (Active); Pending 99s left out
    assert (row["evaluated"], row["flagged"], row["fraud_flagged"]) == (9, 3, 2)
    assert row["precision"] == pytest.approx(2 / 3) and row["recall"] == pytest.approx(0.5)
    assert row["rule"] == "fraud score ≥ 70"
    proxy = table.set_index("signal").loc["proxy"]
    assert proxy["evaluated"] == 0 and np.isnan(proxy["precision"]) and proxy["recall"] == 0
    # every client orders once: new_client flags all ten, four of them Fraud
    new = table.set_index("signal").loc["new_client"]
    assert (new["flagged"], new["precision"], new["recall"]) == (10, 0.4, 1.0)
    top = table.set_index("signal").loc["risk_rank"]
    assert top["flagged"] == 4 and top["fraud_flagged"] == 3  # 90, 80, 75, then 10 (by score)

    tuned = risk.evaluate(decided_split(), rules={"module_score": 8,
                                                  "weights": {"new_client": 0}})
    row = tuned.set_index("signal").loc["module_score"]
    assert (row["flagged"], row["fraud_flagged"]) == (4, 3)
    assert row["precision"] == 0.75 and row["recall"] == 0.75
    combined = tuned.set_index("signal").loc["risk_flagged"]
    assert (combined["flagged"], combined["fraud_flagged"]) == (4, 3)


def test_evaluate_with_other_status_names():
    orders = decided_split()
    orders["status"] = orders["status"].replace({"Fraud": "Chargeback"})
    table = risk.evaluate(orders, fraud="chargeback", legitimate=("Active",))
    assert table.attrs == {"decided": 7, "fraud": 4}


def test_risk_evaluation_chart():
    table = risk.evaluate(decided_split())
    ax = plots.risk_evaluation(table)
    assert len(ax.patches) == 2 * len(table)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == risk.SIGNALS[0]
    assert ax.get_title() == "Fraud signals on decided orders (4 Fraud of 10)"
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"precision", "recall"}
    precision = {t.get_text(): p.get_width() for t, p in
                 zip(ax.get_yticklabels(), ax.patches[:len(table)], strict=True)}
    assert precision["module_score"] == pytest.approx(2 / 3)
    bold = {t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"}
    assert bold == {"risk_flagged", "risk_rank"} and len(ax.lines) == 1
    ax.figure.savefig(io.BytesIO(), format="png")
    plt.close(ax.figure)
    fig, given = plt.subplots()
    assert plots.risk_evaluation(table.head(0), ax=given) is given
    assert any(t.get_text().startswith("no ") for t in given.texts)
    plt.close(fig)
    with pytest.raises(wf.ValidationError) as caught:
        plots.risk_evaluation(pd.DataFrame({"signal": []}))
    assert caught.value.parameter == "table"


# -- layers -------------------------------------------------------------------------------

def test_risk_imports_only_pandas_numpy_and_the_exceptions():
    allowed_ours = {"whmcs_frames._exceptions"}
    for path in (Path(risk.__file__).parent).glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                target = node.module or ""
                if node.level == 2:
                    assert f"whmcs_frames.{target}" in allowed_ours, (path.name, target)
            elif isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names]
                for name in names:
                    top = (name or "").split(".")[0]
                    assert top in {"__future__", "collections", "dataclasses", "types",
                                   "typing", "pandas", "numpy"}, (path.name, name)
        assert len(path.read_text(encoding="utf-8").splitlines()) < 400, path.name


# -- the sandbox's seeded patterns, through a real read -----------------------------------

@pytest.fixture(scope="module")
def sandbox_read():
    with wf.sandbox.serve(orders=600, seed=11) as box, box.client() as client:
        yield client.orders(progress=False), client.order_lines(progress=False)


def test_the_sandboxs_seeded_ring_is_found_end_to_end(sandbox_read):
    orders, lines = sandbox_read
    found = orders[["id", "status", "ipaddress", "name", "fraud_score"]].join(
        risk.signals(orders, lines).drop(columns="id"))
    pending = found[found["status"] == "Pending"]
    ring = pending[pending["ipaddress"] == "198.51.100.23"]
    assert len(ring) == 4
    assert ring["shared_ip"].all() and ring["promo_farming"].all()
    assert ring["risk_reasons"].str.contains("4 clients share IP 198.51.100.23 within 24 h").all()
    assert ring["risk_reasons"].str.contains("code WELCOME10 used by 4 new clients").all()
    again = pending[pending["ipaddress"] == "203.0.113.7"]  # ring A's IP, back again
    assert len(again) == 2 and again["known_fraud_ip"].all()
    alex = pending[pending["name"] == "Alex Morgan"]
    assert alex["known_fraud_name"].all()
    # the riskiest ten pending orders are all seeded fraud, whatever the module scored
    top = pending.sort_values("risk_rank").head(10)
    assert top["risk_points"].min() >= 7
    assert top["fraud_score"].min() < 40 and top["fraud_score"].max() >= 70
    table = risk.evaluate(orders, lines).set_index("signal")
    assert table.loc["risk_flagged", "recall"] > table.loc["module_score", "recall"]
    assert table.loc["shared_ip", "fraud_flagged"] >= 3
