"""`whmcs-frames demo` and `export`: the bundle end to end, filters and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
import requests

from whmcs_frames.cli import main


def run(*argv):
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def manifest(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_demo_writes_the_bundle_into_the_current_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, text = run("demo", "--orders", "150", "--seed", "3")
    assert code == 0
    folder = tmp_path / "whmcs-reports"
    files = {f["file"]: f["rows"] for f in manifest(folder)["files"]}
    assert files["orders.csv"] == 150
    assert {"order_lines.csv", "products.csv", "product_pricing.csv", "promotions.csv",
            "order_statuses.csv", "revenue_by_month.csv", "fraud_scores.png",
            "revenue_by_month.png"} <= set(files)
    assert all((folder / name).stat().st_size > 0 for name in files)
    # the summary: orders by status, revenue by currency, the files with their rows
    assert "Orders by status" in text and "Active" in text
    assert "Revenue by currency" in text and "EUR" in text
    assert "orders.csv" in text and "150" in text and "fraud_scores.png" in text
    statuses = pd.read_csv(folder / "order_statuses.csv")
    assert statuses["count"].sum() == 150
    assert "Traceback" not in capsys.readouterr().err


def test_demo_out_and_excel_and_no_charts(tmp_path):
    out = tmp_path / "nested" / "reports"
    code, _ = run("demo", "--orders", "40", "--out", str(out), "--excel", "--no-charts",
                  "--no-progress")
    assert code == 0
    assert (out / "orders.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert manifest(out)["encoding"] == "utf-8-sig"
    assert not list(out.glob("*.png"))


def test_demo_refuses_a_bad_order_count(tmp_path, capsys):
    assert run("demo", "--orders", "0", "--out", str(tmp_path))[0] == 2
    assert "positive" in capsys.readouterr().err


def test_export_against_the_configured_whmcs(whmcs_env, tmp_path):
    out = tmp_path / "bundle"
    code, text = run("export", "--out", str(out), "--no-progress")
    assert code == 0
    data = manifest(out)
    assert data["whmcs_host"] == "127.0.0.1"
    assert {f["file"]: f["rows"] for f in data["files"]}["orders.csv"] == whmcs_env.count_orders()
    assert "Revenue by currency" in text and "orders.csv" in text
    for path in out.iterdir():
        raw = path.read_bytes()
        assert whmcs_env.secret.encode() not in raw and whmcs_env.identifier.encode() not in raw


def test_export_with_filters(whmcs_env, tmp_path):
    out = tmp_path / "bundle"
    every = pd.read_csv(_export_all(tmp_path) / "orders.csv", parse_dates=["date"])
    since, until = every["date"].quantile(0.25).date(), every["date"].quantile(0.75).date()
    code, _ = run("export", "--out", str(out), "--since", str(since), "--until", str(until),
                  "--status", "Active", "--status", "Cancelled", "--no-charts",
                  "--no-progress")
    assert code == 0
    orders = pd.read_csv(out / "orders.csv", parse_dates=["date"])
    expected = every[(every["date"].dt.date >= since) & (every["date"].dt.date <= until)
                     & every["status"].isin(["Active", "Cancelled"])]
    assert sorted(orders["id"]) == sorted(expected["id"]) and len(orders) > 0
    lines = pd.read_csv(out / "order_lines.csv")
    assert set(lines["orderid"]) <= set(orders["id"])
    assert manifest(out)["filters"] == {"since": str(since), "until": str(until),
                                        "status": ["Active", "Cancelled"]}


def _export_all(tmp_path):
    folder = tmp_path / "all"
    assert run("export", "--out", str(folder), "--no-charts", "--no-progress")[0] == 0
    return folder


def test_export_with_nothing_left_after_filters(whmcs_env, tmp_path):
    code, text = run("export", "--out", str(tmp_path / "none"), "--until", "1999-12-31",
                     "--no-progress")
    assert code == 0 and "(no orders)" in text and "Empty DataFrame" not in text
    assert pd.read_csv(tmp_path / "none" / "orders.csv").empty


def test_export_one_status_is_asked_of_whmcs(whmcs_env, tmp_path):
    out = tmp_path / "pending"
    assert run("export", "--out", str(out), "--status", "Pending", "--no-charts",
               "--no-progress", "--no-billing")[0] == 0
    sent = [r["params"] for r in whmcs_env.requests if r["action"] == "GetOrders"]
    assert sent and all(p.get("status") == "Pending" for p in sent)
    assert set(pd.read_csv(out / "orders.csv")["status"]) <= {"Pending"}
    assert not (out / "services.csv").exists()
    assert whmcs_env.request_count("GetClientsProducts") == 0


def test_export_with_billing_reads_the_whole_book_beside_the_filtered_orders(whmcs_env,
                                                                             tmp_path):
    # a service's currency is its order's: the billing part reads every order once
    out = tmp_path / "pending"
    assert run("export", "--out", str(out), "--status", "Pending", "--no-charts",
               "--no-progress")[0] == 0
    assert set(pd.read_csv(out / "orders.csv")["status"]) <= {"Pending"}
    services = pd.read_csv(out / "services.csv")
    assert len(services) and services["currency"].notna().all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert "services" in manifest["not_filtered"]


@pytest.mark.parametrize("argv", [
    ["export", "--out", "x", "--since", "2024-13-01"],
    ["export", "--out", "x", "--until", "last tuesday"],
    ["export", "--out", "x", "--since", "2024-05-01", "--until", "2024-04-01"],
])
def test_export_bad_dates_exit_2_with_one_line(whmcs_env, tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    assert run(*argv)[0] == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("whmcs-frames: ")
    assert not (tmp_path / "x").exists()  # nothing read, nothing written


def test_export_without_configuration_exits_2(tmp_path, monkeypatch, capsys):
    for name in ("WHMCS_API_URL", "WHMCS_API_IDENTIFIER", "WHMCS_API_SECRET",
                 "WHMCS_API_USERNAME", "WHMCS_API_PASSWORD", "WHMCS_API_ACCESSKEY"):
        monkeypatch.delenv(name, raising=False)
    assert run("export", "--out", str(tmp_path / "x"))[0] == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]


def test_export_with_wrong_credentials_exits_1(whmcs_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WHMCS_API_SECRET", "not-the-secret")
    assert run("export", "--out", str(tmp_path / "x"), "--no-progress")[0] == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("whmcs-frames: ")
    assert "not-the-secret" not in err[0]
    assert not (tmp_path / "x" / "manifest.json").exists()


def test_export_into_a_file_exits_2(whmcs_env, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run("export", "--out", str(blocker / "sub"), "--no-progress")[0] == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_export_needs_out(capsys):
    assert run("export")[0] == 2
    assert "--out" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["demo", "export"])
def test_help_shows_examples(command, capsys):
    assert run(command, "--help")[0] == 0
    assert f"whmcs-frames {command}" in capsys.readouterr().out.split("examples:")[1]


def test_the_sandbox_command_serves_the_flavour_asked_for():
    from whmcs_frames import sandbox
    from whmcs_frames.cli._parser import SANDBOX_FLAVOURS

    assert SANDBOX_FLAVOURS == sandbox.FLAVOURS  # the parser writes them out for a fast --help
    command = [sys.executable, "-c", "from whmcs_frames.cli import main; main()", "sandbox",
               "--port", "0", "--orders", "20", "--flavour", "7"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        try:
            lines = [server.stdout.readline() for _ in range(4)]
            env = dict(line.strip().removeprefix("export ").split("=", 1)
                       for line in lines if line.strip().startswith("export "))
            answer = requests.post(env["WHMCS_API_URL"], timeout=10, data={
                "action": "GetOrders", "limitnum": 2, "responsetype": "json",
                "identifier": env["WHMCS_API_IDENTIFIER"],
                "secret": env["WHMCS_API_SECRET"]}).json()
            assert (answer["totalresults"], answer["numreturned"]) == ("20", "2")  # flavour 7
        finally:
            server.terminate()
