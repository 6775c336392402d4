"""Spreadsheet-ready bundles: Excel's byte-order mark by default, .xlsx, columns.csv."""

from __future__ import annotations

import json
from datetime import datetime

import matplotlib

matplotlib.use("Agg")

import openpyxl
import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames import frames
from whmcs_frames._export.workbook import sheet_name


def _frames():
    orders = frames.orders_frame([
        {"id": 1, "date": "2024-01-05 10:00:00", "amount": "10.50", "currencysuffix": "EUR",
         "status": "Active", "paymentstatus": "Paid", "name": "Liam Côté",
         "notes": "=HYPERLINK(\"http://x\")"},
        {"id": 2, "date": "2024-02-05 11:00:00", "amount": "-3.00", "currencysuffix": "USD",
         "status": "Active", "paymentstatus": "Paid", "name": "Zoë"}])
    lines = frames.order_lines_frame([])
    return {"orders": orders, "order_lines": lines,
            "order_statuses": frames.order_statuses_frame([{"title": "Active", "count": 2}])}


def test_the_bundle_opens_in_excel_by_default_and_plain_utf8_is_a_flag_away(tmp_path):
    wf.export_reports(_frames(), tmp_path / "bom", charts=False)
    raw = (tmp_path / "bom" / "orders.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Liam Côté".encode() in raw
    assert json.loads((tmp_path / "bom" / "manifest.json").read_text())["encoding"] == \
        "utf-8-sig"
    wf.export_reports(_frames(), tmp_path / "plain", charts=False, encoding="utf-8")
    assert not (tmp_path / "plain" / "orders.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_cli_utf8_flag(tmp_path):
    from whmcs_frames.cli import main

    assert main(["demo", "--orders", "30", "--out", str(tmp_path), "--utf8", "--no-charts",
                 "--no-progress"]) == 0
    assert not (tmp_path / "orders.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_columns_csv_is_the_dictionary_of_the_frames_written(tmp_path):
    wf.export_reports(_frames(), tmp_path, charts=False)
    columns = pd.read_csv(tmp_path / "columns.csv", encoding="utf-8-sig")
    assert list(columns.columns) == ["frame", "column", "dtype", "meaning", "source"]
    assert set(columns["frame"]) == {"orders", "order_lines", "order_statuses"}
    assert columns[columns["frame"] == "orders"]["column"].tolist() == \
        list(frames.SCHEMAS["orders"])
    listed = {f["file"] for f in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    assert "columns.csv" in listed


def test_the_workbook_has_a_typed_sheet_per_table_a_frozen_header_and_no_formulas(tmp_path):
    paths = wf.export_reports(_frames(), tmp_path, charts=False, xlsx=True)
    assert tmp_path / "reports.xlsx" in paths
    book = openpyxl.load_workbook(tmp_path / "reports.xlsx")
    assert {"orders", "order_lines", "revenue_by_month", "columns",
            "product_revenue"} <= set(book.sheetnames)
    sheet = book["orders"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == list(frames.SCHEMAS["orders"])
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["id"].value == 1 and row["id"].data_type == "n"
    assert row["amount"].value == 10.5 and row["amount"].number_format == "#,##0.00"
    assert row["date"].value == datetime(2024, 1, 5, 10) and row["date"].is_date
    assert row["name"].value == "Liam Côté"
    assert row["notes"].data_type == "s" and row["notes"].value.startswith("'=")
    assert row["promocode"].value is None  # missing stays an empty cell
    assert [c.value for c in book["revenue_by_month"][1]][:3] == ["period", "partial",
                                                                  "currency"]
    assert book["revenue_by_month"]["B2"].value in (True, False)


def test_sheet_names_fit_excels_rules():
    taken: set[str] = set()
    first = sheet_name("a" * 40, taken)
    second = sheet_name("a" * 40, taken)
    assert len(first) == len(second) == 31 and first != second
    assert sheet_name("x/y:z", taken) == "x_y_z"


def test_conversion_rates_go_into_attrs_and_the_manifest(tmp_path):
    wf.export_reports(_frames(), tmp_path, charts=False, rates={"EUR": 1.08}, to="USD")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["conversion"] == {"to": "USD", "rates": {"EUR": 1.08, "USD": 1.0}}
    table = pd.read_csv(tmp_path / "revenue_by_currency.csv", encoding="utf-8-sig")
    assert table.set_index("currency")["revenue_usd"].to_dict() == {"EUR": 11.34, "USD": -3.0}
    with pytest.raises(wf.ValidationError, match="no rate for EUR"):
        wf.export_reports(_frames(), tmp_path / "x", charts=False, rates={}, to="USD")
    with pytest.raises(wf.ValidationError, match="to"):
        wf.export_reports(_frames(), tmp_path / "y", charts=False, rates={"EUR": 1.0})
