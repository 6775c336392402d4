"""Shared fixtures: a small sandbox over real HTTP on 127.0.0.1, and a client for it."""

from __future__ import annotations

import pytest

import whmcs_frames as wf


@pytest.fixture
def box():
    """A fresh sandbox with a few orders; every test gets its own database."""
    with wf.sandbox.serve(orders=60, seed=11) as sandbox_box:
        yield sandbox_box


@pytest.fixture
def client(box, tmp_path):
    """A client of ``box`` that retries quickly and logs writes under ``tmp_path``."""
    with box.client(backoff_factor=0, retries=2, timeout=5,
                    audit_log=tmp_path / "audit.jsonl") as sandbox_client:
        yield sandbox_client
