"""Every notebook runs top to bottom against the sandbox, and is stored without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

#: charts each notebook must draw (a chart cell that silently draws nothing is a bug)
CHARTS = {"01_order_analytics": 6, "02_fraud_review": 2, "05_recurring_revenue": 5}
#: text each notebook's outputs must show (02: the seeded pending ring is found and named)
SHOWS = {"02_fraud_review": ["4 clients share IP 198.51.100.23 within 24 h",
                             "code WELCOME10 used by 4 new clients", "decided orders"]}
#: words an output must show (the churn sources labelled, the proofs said)
SHOWN = {"05_recurring_revenue": ("estimate", "request", "totals and id sets", "boundaries")}
NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture
def sandbox_env(monkeypatch, tmp_path):
    """No real WHMCS configured, so each notebook starts its own sandbox."""
    for var in ("WHMCS_API_URL", "WHMCS_API_IDENTIFIER", "WHMCS_API_SECRET",
                "WHMCS_API_ACCESSKEY", "WHMCS_API_USERNAME", "WHMCS_API_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws
    return tmp_path


def test_the_five_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_order_analytics.ipynb", "02_fraud_review.ipynb", "03_csv_reports.ipynb",
        "04_add_order.ipynb", "05_recurring_revenue.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_against_the_sandbox(path, sandbox_env):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(sandbox_env)}}).execute()
    first = "".join(out.get("text", "") for out in notebook.cells[1].outputs)
    assert "sandbox" in first  # the first output says where the data comes from
    outputs = [out for cell in notebook.cells if cell.cell_type == "code"
               for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    charts = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(charts) >= CHARTS.get(path.stem, 0)
    # a sandbox notebook's writes go to the sandbox's own audit log, never the analyst's
    assert not (sandbox_env / "audit.jsonl").exists()
    text = nbformat.writes(notebook)
    # no progress bar text in a saved notebook (stderr is not a terminal there)
    assert "GetOrders:" not in text and "0orders" not in text
    for wanted in SHOWS.get(path.stem, []):
        assert wanted in text, f"{path.name} does not show {wanted!r}"
    shown = "".join(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
                    for out in outputs)
    assert all(word in shown for word in SHOWN.get(path.stem, ())), path.stem
    # no credentials in any output: the sandbox's are derived from its seed (7)
    import whmcs_frames as wf

    with wf.sandbox.serve(orders=0, seed=7) as box:
        for secret in (box.secret, box.identifier, box.password):
            assert secret not in text
