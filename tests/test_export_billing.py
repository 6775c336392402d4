"""The report bundle beyond orders: the billing tables and charts are written and listed,
and no service password or client e-mail address reaches any CSV."""

from __future__ import annotations

import io
import json

import pandas as pd
from _raw import raw_call

import whmcs_frames as wf
from whmcs_frames.cli import main

BILLING_FILES = {
    "clients.csv", "services.csv", "invoices.csv", "transactions.csv", "cancellations.csv",
    "service_history.csv", "mrr.csv", "mrr_movements.csv", "churn.csv",
    "service_lifetimes.csv", "retention_by_cohort.csv", "cash_by_month.csv",
    "days_to_pay.csv", "invoice_ageing.csv", "invoices_vs_orders.csv",
    "mrr_over_time.png", "churn_rate.png", "cohort_heatmap.png", "cash_in_out.png",
    "invoice_ageing.png"}


def _secrets_of(box) -> set[str]:
    services = wf.frames.unwrap_list(
        raw_call(box, "GetClientsProducts", limitnum=100000).get("products"), "product")
    clients = wf.frames.unwrap_list(
        raw_call(box, "GetClients", limitnum=100000).get("clients"), "client")
    found = {s["password"] for s in services if s.get("password")}
    emails = {c["email"] for c in clients if c.get("email")}
    # (logins are made from the domain, which order lines show: not a secret; the
    # services frame has no login column, checked below)
    assert len(found) > 20 and len(emails) > 20  # the sandbox sends them, as WHMCS does
    return found | emails | {e.split("@")[0] + "@" for e in emails}


def test_no_service_password_or_client_email_address_reaches_any_csv(box, client, tmp_path):
    secrets = _secrets_of(box)
    paths = wf.export_reports(client, tmp_path, progress=False, charts=False)
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths if p.suffix == ".csv"}
    assert BILLING_FILES - {n for n in BILLING_FILES if n.endswith(".png")} <= set(texts)
    leaks = {(name, s) for name, text in texts.items() for s in secrets if s in text}
    assert not leaks
    clients = pd.read_csv(tmp_path / "clients.csv")
    assert "email" not in clients and clients["email_domain"].notna().all()
    services = pd.read_csv(tmp_path / "services.csv")
    assert {"password", "username"}.isdisjoint(services.columns)
    assert services["currency"].notna().all()


def test_the_bundle_lists_the_billing_tables_and_charts(box, client, tmp_path):
    wf.export_reports(client, tmp_path, progress=False)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    listed = {f["file"]: f for f in manifest["files"]}
    assert set(listed) >= BILLING_FILES
    assert listed["services.csv"]["rows"] == len(client.services(progress=False))
    assert "password" not in listed["services.csv"]["columns"]
    assert manifest["as_of"] == str(client.invoices(progress=False)["date"].max().date())
    mrr = pd.read_csv(tmp_path / "mrr.csv")
    expected = wf.reports.mrr(client.services(progress=False),
                              cancellations=client.cancellations(progress=False),
                              history=client.service_history())
    assert mrr["mrr"].round(2).tolist() == expected["mrr"].round(2).tolist()
    churn = pd.read_csv(tmp_path / "churn.csv")
    sources = set(churn["source"].dropna())
    assert sources and sources <= {"request", "history", "estimate", "mixed"}


def test_frames_given_by_name_may_leave_billing_out(box, client, tmp_path):
    paths = wf.export_reports({"orders": client.orders(progress=False),
                               "order_lines": client.order_lines(progress=False)},
                              tmp_path, charts=False)
    assert not {p.name for p in paths} & BILLING_FILES


def test_demo_writes_the_billing_part(tmp_path):
    out = io.StringIO()
    code = main(["demo", "--orders", "150", "--seed", "3", "--out", str(tmp_path),
                 "--no-progress"], out=out)
    assert code == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert {f["file"] for f in manifest["files"]} >= BILLING_FILES
