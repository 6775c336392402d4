"""The README's Python examples run as written (against the sandbox)."""

from __future__ import annotations

import re
from pathlib import Path

import whmcs_frames as wf

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_the_tour_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    # The tour ends by connecting to a real WHMCS from the environment: stop before it.
    tour = BLOCKS[0].split("client = wf.connect()")[0]
    namespace: dict = {}
    exec(compile(tour, "README tour", "exec"), namespace)
    assert len(namespace["orders"]) == 2000
    # The sandbox's writes went to the box's own log, never the analyst's.
    assert not (tmp_path / "audit.jsonl").exists()
    assert namespace["box"].audit_log.name == "audit.jsonl"


def test_the_add_order_example_runs(tmp_path):
    with wf.sandbox.serve(orders=50) as box, box.client(audit_log=tmp_path / "a.jsonl") as client:
        namespace = {"wf": wf, "client": client}
        exec(compile(BLOCKS[1], "README add_order", "exec"), namespace)
        result = namespace["result"]
        assert result.orderid == max(int(o["id"]) for o in client.iter_orders())
        assert len(result.serviceids) == 1 and len(result.domainids) == 1


def test_the_reports_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the example writes into ./reports/
    with wf.sandbox.serve(orders=300) as box, box.client(audit_log=tmp_path / "a.jsonl") as client:
        namespace = {"wf": wf, "client": client}
        exec(compile(BLOCKS[2], "README reports", "exec"), namespace)
    written = {p.name for p in namespace["paths"]}
    assert {"orders.csv", "revenue_by_month.csv", "manifest.json"} <= written
    assert all(p.exists() for p in namespace["paths"])


def test_the_widget_examples_run(tmp_path):
    with wf.sandbox.serve(orders=300) as box, box.client(audit_log=tmp_path / "a.jsonl") as client:
        namespace = {"wf": wf, "client": client}
        exec(compile(BLOCKS[3] + BLOCKS[4], "README widgets", "exec"), namespace)
        rv = namespace["rv"]
        accepted = rv.outcomes["orderid"].tolist()
        assert len(accepted) == 2 and rv.outcomes["outcome"].eq("success").all()
        assert all(box.order(int(i))["status"] == "Active" for i in accepted)
