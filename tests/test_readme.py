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
    assert namespace["services"]["currency"].notna().all()
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


def test_the_mrr_example_runs():
    import json
    from urllib.parse import parse_qs

    import matplotlib
    import responses

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    url = "https://billing.example.com/includes/api.php"
    raw_services = [
        {"id": 1, "clientid": 1, "orderid": 1, "regdate": "2024-01-05", "status": "Active",
         "billingcycle": "Annually", "recurringamount": "120.00", "password": "pw"},
        {"id": 2, "clientid": 2, "orderid": 1, "regdate": "2024-02-05", "status": "Active",
         "billingcycle": "Monthly", "recurringamount": "5.00", "password": "pw"}]
    answers = {
        "GetClientsProducts": {"result": "success", "totalresults": 2, "startnumber": 0,
                               "numreturned": 2, "products": {"product": raw_services}},
        "GetOrders": {"result": "success", "totalresults": 1, "numreturned": 1,
                      "orders": {"order": [{"id": 1, "currencysuffix": "USD"}]}}}

    def answer(request):
        action = parse_qs(request.body)["action"][0]
        return 200, {}, json.dumps(answers[action])

    with responses.RequestsMock() as mocked, wf.connect(url, identifier="i", secret="s") as client:
        mocked.add_callback(responses.POST, url, callback=answer)
        namespace = {"wf": wf, "client": client}
        try:
            exec(compile(BLOCKS[3], "README mrr", "exec"), namespace)
        finally:
            plt.close("all")
    assert wf.reports.mrr(namespace["services"]).values.tolist() == [["USD", 2, 15.0, 180.0]]


def test_the_widget_examples_run(tmp_path):
    with wf.sandbox.serve(orders=300) as box, box.client(audit_log=tmp_path / "a.jsonl") as client:
        namespace = {"wf": wf, "client": client}
        exec(compile(BLOCKS[4] + BLOCKS[5], "README widgets", "exec"), namespace)
        rv = namespace["rv"]
        accepted = rv.outcomes["orderid"].tolist()
        assert len(accepted) == 2 and rv.outcomes["outcome"].eq("success").all()
        assert all(box.order(int(i))["status"] == "Active" for i in accepted)


def test_the_fraud_signals_example_runs():
    block = next(b for b in BLOCKS if "wf.risk.signals" in b)
    with wf.sandbox.serve(orders=600, seed=11) as box, box.client() as client:
        namespace = {"wf": wf, "client": client}
        exec(compile(block, "README fraud signals", "exec"), namespace)
    queue, table = namespace["queue"], namespace["table"]
    riskiest = queue.sort_values("risk_rank").iloc[0]
    assert "share IP" in riskiest["risk_reasons"] or "Fraud order" in riskiest["risk_reasons"]
    assert list(table["signal"])[-2:] == ["risk_flagged", "risk_rank"]
    assert namespace["looser"].set_index("signal").loc["shared_ip", "rule"] == \
        "≥ 2 clients on one IP within 3 days"
