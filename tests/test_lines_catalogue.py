"""Line items tied to the catalogue: pid, cycle, the order's fields, product revenue."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import frames, reports
from whmcs_frames.frames import CYCLE_KEYS, cycle_key, resolve_pids


def _order(oid, items, *, status="Active", pay="Paid", date="2024-03-05 10:00:00",
           suffix="USD"):
    return {"id": oid, "date": date, "status": status, "paymentstatus": pay,
            "currencysuffix": suffix, "lineitems": {"lineitem": items}}


def _line(product, cycle="Monthly", amount="10.00", kind="product", producttype="Server"):
    return {"type": kind, "product": product, "billingcycle": cycle, "amount": amount,
            "producttype": producttype, "status": "Active"}


PRODUCTS = pd.DataFrame({"pid": pd.array([1, 2, 3, 4], dtype="Int64"),
                         "name": ["Starter", "Cloud VPS", "Twin", "Twin"],
                         "type": ["hostingaccount", "server", "server", "other"]})


@pytest.mark.parametrize(("raw", "kind", "key"), [
    ("Monthly", "product", "monthly"), ("Semi-Annually", "product", "semiannually"),
    ("One Time", "product", "onetime"), ("Free Account", "product", "free"),
    ("free", "product", "free"), ("Biennially", "addon", "biennially"),
    ("1", "domain", "annually"), ("2", "domain", "biennially"),
    ("3 Year(s)", "domain", "triennially"), ("", "product", None), (None, "product", None),
    ("Fortnightly", "product", None), ("7", "domain", None),
])
def test_cycle_keys_are_product_pricings_keys(raw, kind, key):
    assert cycle_key(raw, kind) == key
    assert key is None or key in CYCLE_KEYS


def test_pid_by_name_group_prefix_and_type_and_na_when_unsure():
    lines = frames.order_lines_frame([_order(1, [
        _line("Starter", producttype="Shared Hosting"),
        _line("Hosting - Starter"),              # the group in front
        _line("  cloud vps ", producttype=""),   # spacing and case
        _line("Twin", producttype="Dedicated/VPS Server"),  # two of that name: type decides
        _line("Twin", producttype=""),           # two of that name, nothing to decide by
        _line("Ghost"),                          # no such product
        _line("Starter", kind="addon"),          # addons are not products
        _line("Register", "1", kind="domain"),
    ])])
    pids, problems = resolve_pids(lines, PRODUCTS)
    assert pids.tolist() == [1, 1, 2, 3, pd.NA, pd.NA, pd.NA, pd.NA]
    assert problems == ["'Ghost' (no product of that name)", "'Twin' (2 products of that name)"]


def test_lines_carry_the_orders_fields_and_cycle():
    lines = frames.order_lines_frame(
        [_order(7, [_line("Starter", "Annually")], status="Cancelled", pay="Refunded",
                suffix="EUR")], products=PRODUCTS)
    row = lines.iloc[0]
    assert (row["orderid"], row["date"], row["orderstatus"], row["paymentstatus"],
            row["currency"], row["cycle"], row["pid"], row["status"]) == (
        7, pd.Timestamp("2024-03-05 10:00:00"), "Cancelled", "Refunded", "EUR", "annually",
        1, "Active")
    assert list(lines.columns) == list(frames.SCHEMAS["order_lines"])


def test_the_frames_converter_warns_about_names_it_cannot_tie():
    with pytest.warns(wf.ProductMatchWarning, match="'Ghost'"):
        lines = frames.order_lines_frame([_order(1, [_line("Ghost")])], products=PRODUCTS)
    assert lines["pid"].isna().all()


def test_one_line_merge_with_pricing(client):
    lines = client.order_lines(progress=False)
    merged = lines.merge(client.product_pricing(), on=["pid", "currency", "cycle"])
    products = lines[lines["type"] == "product"]
    assert len(products) > 0 and products["pid"].notna().all()
    assert len(merged) == len(products)  # every product line finds its one price
    assert set(lines["cycle"].dropna()) <= set(CYCLE_KEYS)


def test_the_client_warns_once_per_unknown_product(client, box):
    with box.store.transaction() as conn:  # Business (also shared hosting) becomes a twin
        conn.execute("UPDATE products SET name = 'Starter' WHERE id = 2")
    client.clear_cache()
    with pytest.warns(wf.ProductMatchWarning, match="'Starter'"):
        lines = client.order_lines(progress=False)
    twins = lines[(lines["type"] == "product") & (lines["product"] == "Starter")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.order_lines(progress=False, refresh=True)  # the same name: no second warning
    assert len(twins) and twins["pid"].isna().all()
    assert lines.loc[lines["type"] == "product", "pid"].notna().any()


def test_product_revenue_applies_the_revenue_rule():
    lines = frames.order_lines_frame([
        _order(1, [_line("Starter", amount="10.00"), _line("Cloud VPS", amount="5.00")]),
        _order(2, [_line("Starter", amount="7.00")], status="Cancelled"),
        _order(3, [_line("Starter", amount="3.00")], status="Fraud"),
        _order(4, [_line("Starter", amount="2.00")], pay="Unpaid", status="Pending"),
        _order(5, [_line("Starter", amount="4.00")], date="2024-04-02 00:00:00"),
        _order(6, [_line("Starter", amount="9.00")], suffix="EUR"),
    ], products=PRODUCTS)
    table = reports.product_revenue(lines)
    got = {(p.month, prod, cur): (n, r) for p, prod, cur, n, r in
           table[["period", "product", "currency", "lines", "revenue"]].itertuples(index=False)}
    assert got == {(3, "Starter", "USD"): (1, 10.0), (3, "Cloud VPS", "USD"): (1, 5.0),
                   (3, "Starter", "EUR"): (1, 9.0), (4, "Starter", "USD"): (1, 4.0)}
    assert reports.product_mix(lines)["amount"].sum() == 40.0  # the mix counts every line
    assert set(table["pid"].dropna()) == {1, 2}
    quarterly = reports.product_revenue(lines, freq="quarter")
    assert set(quarterly["period"]) == {pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01")}


def test_product_revenue_matches_order_revenue_on_the_sandbox(client):
    lines, orders = client.order_lines(progress=False), client.orders(progress=False)
    by_lines = reports.product_revenue(lines).groupby("currency")["revenue"].sum().round(2)
    by_orders = reports.revenue_by_currency(orders).set_index("currency")["revenue"]
    assert by_lines.to_dict() == by_orders[by_orders > 0].to_dict()


def test_charts_say_which_rule_they_show(client):
    from matplotlib.figure import Figure

    lines = client.order_lines(progress=False)
    ax = wf.plots.product_revenue(lines, ax=Figure().subplots())
    assert "not Cancelled or Fraud" in ax.get_title()
    ax = wf.plots.product_mix(lines, ax=Figure().subplots())
    assert "not revenue" in ax.get_title()
