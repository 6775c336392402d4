"""The report bundle: CSV round trips, spreadsheet safety, filters, manifest, secrets."""

from __future__ import annotations

import datetime as dt
import json
import types

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import reports
from whmcs_frames._export.safe_csv import csv_ready, neutralise, write_csv

FRAME_FILES = ["orders.csv", "order_lines.csv", "products.csv", "product_pricing.csv",
               "promotions.csv", "order_statuses.csv"]
CHARTS = ["orders_over_time.png", "revenue_by_month.png", "status_breakdown.png",
          "payment_methods.png", "product_mix.png", "promotion_usage.png", "fraud_scores.png"]
FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1 555 0100", "-2 discount", "@SUM(A1:A9)",
            "\tindented", "\rreturn"]


def _order(oid, date, amount, currency, status, **extra):
    return {"id": oid, "ordernum": 1000000000 + oid, "date": date, "amount": amount,
            "currencysuffix": currency, "status": status, "paymentstatus": "Paid",
            "paymentmethod": "stripe", "name": f"Customer {oid}", "notes": "",
            "transfersecret": "a:1:{s:11:\"example.com\";s:8:\"EPP-1234\";}",
            "lineitems": {"lineitem": [{"type": "product", "product": "Starter",
                                        "amount": amount, "status": status}]}, **extra}


RAW = [
    _order(1, "2024-01-05 09:30:00", "10.00", "USD", "Active", name="Zoë Müller & Töchter"),
    _order(2, "2024-02-10 12:00:00", "-5.50", "EUR", "Active", notes=FORMULAS[0]),
    _order(3, "2024-02-29 23:59:59", "20.00", "EUR", "Pending", name=FORMULAS[1],
           notes=FORMULAS[2], paymentstatus="Unpaid"),
    _order(4, "2024-03-01 00:00:00", "7.10", "GBP", "Fraud", name=FORMULAS[3],
           notes=FORMULAS[4] + " / " + FORMULAS[5]),
    _order(5, "2024-03-20 08:00:00", "3.333", "USD", "In Review", notes=FORMULAS[5]),
]


@pytest.fixture
def frames():
    return {"orders": wf.frames.orders_frame(RAW), "order_lines": wf.frames.order_lines_frame(RAW),
            "promotions": wf.frames.promotions_frame([
                {"id": 1, "code": "=cmd", "type": "Percentage", "value": "10.00",
                 "appliesto": "1,3", "startdate": "2024-01-01", "expirationdate": "0000-00-00",
                 "upgradeconfig": "a:1:{s:5:\"value\";s:4:\"0.00\";}"}])}


def test_neutralise_only_formula_starts():
    for text in FORMULAS:
        assert neutralise(text) == "'" + text
    for text in ("plain", "Smith & Sons", "a=b", " =x", ""):
        assert neutralise(text) == text


def test_csv_ready_leaves_numbers_alone():
    ready = csv_ready(pd.DataFrame({"amount": [-5.0, 2.005, -0.001], "n": [-1, 2, 3],
                                    "note": ["-1", "=1", None]}))
    assert ready["amount"].tolist() == ["-5.00", "2.00", "0.00"]  # 2.005 is 2.00499… in binary
    assert ready["n"].tolist() == [-1, 2, 3]
    assert ready["note"].tolist() == ["'-1", "'=1", None]


def test_csv_round_trip_gives_the_same_values(frames, tmp_path):
    orders = frames["orders"]
    assert write_csv(orders, tmp_path / "orders.csv") == len(orders)
    back = pd.read_csv(tmp_path / "orders.csv", keep_default_na=False, na_values=[""])
    assert list(back.columns) == list(wf.frames.SCHEMAS["orders"])  # schema order
    assert back["id"].tolist() == orders["id"].tolist()
    assert back["ordernum"].tolist() == orders["ordernum"].tolist()
    assert back["amount"].tolist() == [10.0, -5.5, 20.0, 7.1, 3.33]  # two decimals
    assert back["currency"].tolist() == orders["currency"].astype(str).tolist()
    assert pd.to_datetime(back["date"]).tolist() == orders["date"].tolist()
    assert back["status"].tolist() == orders["status"].astype(str).tolist()
    assert back.loc[0, "name"] == "Zoë Müller & Töchter"
    text = (tmp_path / "orders.csv").read_text(encoding="utf-8")
    assert "2024-02-29 23:59:59" in text and ",-5.50," in text  # ISO date, money as a number
    assert "transfersecret" not in text and "EPP-1234" not in text


def test_formula_cells_are_neutralised_in_the_file(frames, tmp_path):
    write_csv(frames["orders"], tmp_path / "orders.csv")
    back = pd.read_csv(tmp_path / "orders.csv", keep_default_na=False)
    assert back.loc[1, "notes"] == "'" + FORMULAS[0]
    assert back.loc[2, "name"] == "'" + FORMULAS[1]
    assert back.loc[2, "notes"] == "'" + FORMULAS[2]
    assert back.loc[3, "name"] == "'" + FORMULAS[3]
    assert back.loc[3, "notes"].startswith("'\t")
    assert back.loc[4, "notes"] == "'" + FORMULAS[5]
    for column in ("name", "notes"):
        assert not back[column].str.match(r"^[=+\-@\t\r]").any()


def test_line_breaks_inside_text_survive(tmp_path):
    # A bare carriage return must be quoted too, or a reader splits the row there.
    texts = ["one\rtwo", "one\ntwo", "one\r\ntwo", 'say "hi", then go']
    write_csv(pd.DataFrame({"id": [1, 2, 3, 4], "notes": texts}), tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["id"].tolist() == [1, 2, 3, 4] and back["notes"].tolist() == texts


def test_lists_dates_and_flags_in_the_promotions_csv(frames, tmp_path):
    write_csv(frames["promotions"], tmp_path / "promotions.csv")
    back = pd.read_csv(tmp_path / "promotions.csv", keep_default_na=False)
    row = back.iloc[0]
    assert row["code"] == "'=cmd"
    assert row["appliesto"] == "1,3" and row["requires"] == ""
    assert row["startdate"] == "2024-01-01" and row["expirationdate"] == ""  # date-only, NaT
    assert row["value"] == 10.0 and json.loads(row["upgradeconfig"]) == {"value": "0.00"}


def test_export_from_frames_writes_the_bundle(frames, tmp_path):
    paths = wf.export_reports(frames, tmp_path / "out", progress=False)
    names = [p.name for p in paths]
    assert names[-1] == "manifest.json" and all(p.exists() for p in paths)
    assert {"orders.csv", "order_lines.csv", "promotions.csv", "revenue_by_month.csv",
            "status_summary.csv", "conversion_by_month.csv", *CHARTS} <= set(names)
    # catalogue frames that were not given are skipped, and not listed
    assert not {"products.csv", "product_pricing.csv", "order_statuses.csv"} & set(names)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    listed = {f["file"]: f["rows"] for f in manifest["files"]}
    assert set(listed) == set(names[:-1])
    assert listed["orders.csv"] == 5 and listed["fraud_scores.png"] is None
    assert manifest["filters"] == {"since": None, "until": None, "status": []}
    assert "catalogue" in manifest["filters_apply_to"]
    assert manifest["revenue_definition"] == reports.REVENUE_DEFINITION
    assert manifest["whmcs_host"] is None and manifest["generated_at"].endswith("+00:00")
    revenue = pd.read_csv(tmp_path / "out" / "revenue_by_month.csv")
    expected = reports.revenue_by_month(frames["orders"])
    assert revenue["revenue"].tolist() == expected["revenue"].tolist()
    assert revenue["period"].tolist() == expected["period"].dt.strftime("%Y-%m-%d").tolist()


def test_export_accepts_a_namespace_and_filters(frames, tmp_path):
    source = types.SimpleNamespace(orders=frames["orders"], order_lines=frames["order_lines"])
    wf.export_reports(source, tmp_path, since="2024-02-01",
                              until=dt.date(2024, 2, 29), charts=False, progress=False,
                              host="billing.example.com")
    orders = pd.read_csv(tmp_path / "orders.csv")
    assert orders["id"].tolist() == [2, 3]  # "until" a date includes that whole day
    assert pd.read_csv(tmp_path / "order_lines.csv")["orderid"].tolist() == [2, 3]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["filters"]["since"] == "2024-02-01"
    assert manifest["filters"]["until"] == "2024-02-29"
    assert manifest["whmcs_host"] == "billing.example.com"
    assert not any(f["file"].endswith(".png") for f in manifest["files"])


def test_export_status_filter_and_datetime_bound(frames, tmp_path):
    wf.export_reports(frames, tmp_path, status=["active", "Fraud"],
                              until=dt.datetime(2024, 3, 1, 0, 0), charts=False,
                              progress=False)
    assert pd.read_csv(tmp_path / "orders.csv")["id"].tolist() == [1, 2, 4]
    summary = pd.read_csv(tmp_path / "status_summary.csv")
    assert set(summary["status"]) == {"Active", "Fraud"}


def test_excel_encoding_writes_a_byte_order_mark(frames, tmp_path):
    wf.export_reports(frames, tmp_path, encoding="utf-8-sig", charts=False,
                              progress=False)
    raw = (tmp_path / "orders.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,")
    assert pd.read_csv(tmp_path / "orders.csv", encoding="utf-8-sig")["id"].tolist() == [
        1, 2, 3, 4, 5]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"since": "2024-13-01"}, "since"),
    ({"until": "yesterday"}, "until"),
    ({"since": "2024-03-01", "until": "2024-02-01"}, "until"),
    ({"since": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)}, "since"),
    ({"status": ""}, "status"),
    ({"status": 5}, "status"),
    ({"encoding": "latin-1"}, "encoding"),
])
def test_bad_filters_are_validation_errors(frames, tmp_path, kwargs, match):
    with pytest.raises(wf.ValidationError, match=match):
        wf.export_reports(frames, tmp_path, charts=False, progress=False, **kwargs)
    assert not (tmp_path / "manifest.json").exists()


def test_a_source_without_orders_is_refused(tmp_path):
    with pytest.raises(wf.ValidationError, match="source"):
        wf.export_reports({"orders": pd.DataFrame()}, tmp_path)


def test_an_unwritable_folder_is_a_validation_error(frames, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(wf.ValidationError, match="out_dir"):
        wf.export_reports(frames, blocker / "reports", charts=False, progress=False)


def test_export_from_a_client_has_everything_and_no_secret(client, box, tmp_path):
    paths = wf.export_reports(client, tmp_path, progress=False)
    names = {p.name for p in paths}
    assert set(FRAME_FILES) | set(CHARTS) | {"manifest.json"} <= names
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["whmcs_host"] == client.host
    rows = {f["file"]: f["rows"] for f in manifest["files"]}
    assert rows["orders.csv"] == len(client.orders(progress=False)) == 60
    revenue = pd.read_csv(tmp_path / "revenue_by_currency.csv")
    expected = reports.revenue_by_currency(client.orders(progress=False))
    assert revenue["revenue"].tolist() == expected["revenue"].tolist()
    for path in paths:
        data = path.read_bytes()
        for secret in (box.secret, box.identifier, box.password, "transfersecret"):
            assert secret.encode() not in data, (path.name, secret)
