"""Collection rules for the whole repository (tests and the package's doctests)."""

from __future__ import annotations

import doctest

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out docstring examples that are all ``+SKIP``: they show a live WHMCS call
    (``client.orders()``…) and are documentation, not tests; counting them as skipped
    tests would hide a real skip among ninety."""
    kept, dropped = [], []
    for item in items:
        examples = getattr(getattr(item, "dtest", None), "examples", None)
        if examples and all(ex.options.get(doctest.SKIP) for ex in examples):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
