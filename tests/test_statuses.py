"""Statuses that exist: a misspelt status raises before any order is read."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import whmcs_frames as wf
from whmcs_frames._validate import listed
from whmcs_frames.cli import main


def test_a_misspelt_status_raises_with_the_close_match_and_reads_no_orders(client, box):
    with pytest.raises(wf.ValidationError, match=r"got 'Pendng'; did you mean 'Pending'\?"):
        client.orders("Pendng", progress=False)
    assert box.request_count("GetOrders") == 0
    with pytest.raises(wf.ValidationError, match="did you mean 'Pending'"):
        list(client.iter_orders("Pendng"))
    with pytest.raises(wf.ValidationError, match="did you mean"):
        client.order_lines("Activ", progress=False)
    assert box.request_count("GetOrders") == 0


def test_custom_statuses_count_and_case_is_normalised_to_the_listed_title(client, box):
    box.set_status(box.add_orders(2), "In Review")
    frame = client.orders("in review", progress=False)
    assert len(frame) >= 2 and set(frame["status"].astype(str)) == {"In Review"}
    sent = [r["params"]["status"] for r in box.requests if r["action"] == "GetOrders"]
    assert sent and set(sent) == {"In Review"}


def test_the_status_list_is_read_once(client, box):
    client.orders("Pending", progress=False)
    client.orders("Active", progress=False)
    client.orders("fraud", progress=False)
    assert box.request_count("GetOrderStatuses") == 1


def test_listed_says_what_wf_lists_when_nothing_is_close():
    with pytest.raises(wf.ValidationError) as caught:
        listed("status", "zzz", ["Pending", "Active"], what="order status")
    assert str(caught.value) == ("status: expected an order status WHMCS lists "
                                 "(Pending, Active), got 'zzz'")
    assert listed("status", "ACTIVE ", ["Pending", "Active"]) == "Active"


def test_export_with_an_unknown_status_exits_2_with_one_line(whmcs_env, tmp_path, capsys):
    out = tmp_path / "typo"
    code = main(["export", "--out", str(out), "--status", "Pendng", "--no-progress"],
                out=io.StringIO())
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "did you mean 'Pending'?" in err[0]
    assert whmcs_env.request_count("GetOrders") == 0
    assert not (out / "manifest.json").exists()


def test_export_spells_statuses_as_whmcs_does(client, box, tmp_path):
    bundle = wf.export_reports(client, tmp_path, status=["pending", "ACTIVE"], charts=False,
                               progress=False)
    manifest = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert '"Pending"' in manifest and '"Active"' in manifest and bundle


def test_a_bundle_from_frames_checks_statuses_against_their_status_list(tmp_path):
    frames = {"orders": wf.frames.orders_frame([{"id": 1, "status": "In Review"}]),
              "order_lines": wf.frames.order_lines_frame([]),
              "order_statuses": wf.frames.order_statuses_frame(
                  [{"title": "Pending", "count": 0}, {"title": "In Review", "count": 1}])}
    with pytest.raises(wf.ValidationError, match="did you mean 'In Review'"):
        wf.export_reports(frames, tmp_path / "a", status="In Reveiw", charts=False)
    wf.export_reports(frames, tmp_path / "b", status="in review", charts=False)
    kept = pd.read_csv(tmp_path / "b" / "orders.csv", encoding="utf-8-sig")
    assert kept["id"].tolist() == [1] and kept["status"].tolist() == ["In Review"]
