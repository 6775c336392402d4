"""Shared fixtures: a small sandbox over real HTTP on 127.0.0.1, and a client for it.

A test that also asks for ``flavour`` runs once per sandbox flavour (``"8"``, ``"7"``,
``"quirks"``) and its ``box`` imitates that flavour: our reads, writes and frames must
not depend on which WHMCS answers.
"""

from __future__ import annotations

import pytest

import whmcs_frames as wf


@pytest.fixture(params=wf.sandbox.FLAVOURS)
def flavour(request):
    """Each sandbox flavour in turn; ``box`` follows it when a test asks for both."""
    return request.param


@pytest.fixture
def box(request):
    """A fresh sandbox with a few orders; every test gets its own database."""
    chosen = request.getfixturevalue("flavour") if "flavour" in request.fixturenames else None
    with wf.sandbox.serve(orders=60, seed=11, flavour=chosen) as sandbox_box:
        yield sandbox_box


@pytest.fixture
def client(box, tmp_path):
    """A client of ``box`` that retries quickly and logs writes under ``tmp_path``."""
    with box.client(backoff_factor=0, retries=2, timeout=5,
                    audit_log=tmp_path / "audit.jsonl") as sandbox_client:
        yield sandbox_client


@pytest.fixture
def whmcs_env(box, tmp_path, monkeypatch):
    """Make ``box`` the WHMCS of the environment (as the CLI reads it); audit under tmp_path."""
    for name in ("WHMCS_API_USERNAME", "WHMCS_API_PASSWORD", "WHMCS_API_ACCESSKEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WHMCS_API_URL", box.url)
    monkeypatch.setenv("WHMCS_API_IDENTIFIER", box.identifier)
    monkeypatch.setenv("WHMCS_API_SECRET", box.secret)
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    return box


@pytest.fixture(autouse=True)
def _no_real_audit_log(tmp_path, monkeypatch):
    """No test writes into the user's real audit log, whatever client it builds."""
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(tmp_path / "default-audit.jsonl"))
