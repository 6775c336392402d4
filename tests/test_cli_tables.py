"""`whmcs-frames orders | audit | order … --from-csv | --version`, and quiet progress bars."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames.cli import main


def run(*argv):
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_version(capsys):
    assert run("--version")[0] == 0
    assert capsys.readouterr().out.strip() == f"whmcs-frames {wf.__version__}"


def test_pending_orders_older_than_a_few_days_as_a_table_and_csv(whmcs_env, tmp_path):
    box = whmcs_env
    fresh = box.add_orders(1)[0]  # placed now: younger than 3 days
    with box.store.transaction() as conn:
        conn.execute("UPDATE orders SET date = datetime('now', 'localtime') WHERE id = ?",
                     (fresh,))
    csv = tmp_path / "stale.csv"
    code, text = run("orders", "--status", "pending", "--older-than", "3d", "--csv", str(csv))
    assert code == 0
    stale = pd.read_csv(csv, encoding="utf-8-sig")
    assert set(stale["status"]) == {"Pending"} and fresh not in set(stale["id"])
    pending = {int(o["id"]) for o in box.client().iter_orders("Pending")}
    assert set(stale["id"]) == pending - {fresh}
    header = text.splitlines()[0].split()
    assert header[:4] == ["id", "date", "age", "status"]
    assert f"{len(stale):,} order(s), all {len(stale):,} in {csv}" in text


def test_a_bad_age_or_status_is_one_line_and_exit_2(whmcs_env, capsys):
    assert run("orders", "--older-than", "3 days")[0] == 2
    assert "not an age such as 3d" in capsys.readouterr().err
    assert run("orders", "--status", "Pendng")[0] == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'Pending'?" in err[0]


def test_cancel_from_csv_takes_ids_from_a_column(whmcs_env, tmp_path, capsys):
    box = whmcs_env
    ids = box.add_orders(2)
    (tmp_path / "ids.csv").write_text("\ufefforderid,note\n" + "".join(
        f"{i},x\n" for i in [*ids, ids[0]]), encoding="utf-8")
    code, text = run("order", "cancel", "--from-csv", str(tmp_path / "ids.csv"), "--yes")
    assert code == 0 and len(text.splitlines()) == 2  # the repeated id acted on once
    assert {box.order(i)["status"] for i in ids} == {"Cancelled"}


@pytest.mark.parametrize(("content", "extra", "message"), [
    ("name\nx\n", [], "'id' column (or 'orderid')"),
    ("id\n12\nabc\n", [], "--from-csv line 3: expected an order id, got 'abc'"),
    ("ref\n5\n", ["--column", "order"], "'order' column"),
])
def test_from_csv_problems_exit_2_before_anything_is_sent(whmcs_env, tmp_path, capsys,
                                                          content, extra, message):
    path = tmp_path / "ids.csv"
    path.write_text(content, encoding="utf-8")
    assert run("order", "cancel", "--from-csv", str(path), "--yes", *extra)[0] == 2
    assert message in capsys.readouterr().err
    assert whmcs_env.request_count() == 0


def test_the_audit_log_as_a_table(whmcs_env, tmp_path):
    box = whmcs_env
    ids = box.add_orders(1)
    assert run("order", "pending", str(ids[0]), "--dry-run")[0] == 0
    code, text = run("audit")
    assert code == 0 and "PendingOrder" in text and "dry-run" in text
    assert "1 attempt(s)" in text
    code, text = run("audit", "--since", "2999-01-01")
    assert code == 0 and "(no write attempts)" in text


def test_progress_bars_stay_out_of_non_terminals(client, capsys):
    client.orders(progress=None)
    client.orders(progress=None, refresh=True, status="Pending")
    assert "GetOrders" not in capsys.readouterr().err
    client.orders(progress=True, refresh=True)
    assert "GetOrders" in capsys.readouterr().err  # asked for: shown


def test_help_does_not_import_pandas():
    code = ("import sys; from whmcs_frames.cli import main; main(['--version'])\n"
            "assert 'pandas' not in sys.modules, 'pandas imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
