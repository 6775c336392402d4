"""The toolkit's own records as frames: the audit log and a bulk run's outcomes.

Built like every WHMCS frame, by :func:`build_frame` from a schema in
:data:`~whmcs_frames.frames.SCHEMAS`, so column order and dtypes live in one place and an
empty log still has every column. Three columns are typed here first, because what they
hold is ours rather than WHMCS's:

- text is kept verbatim (no HTML unescaping): an audit record is evidence of what was
  logged, and unescaping could turn an escaped secret WHMCS echoed into the plain one;
- times carry their zone (UTC), as the log writes them;
- ``outcome`` has a fixed set of categories, so a log with no errors yet still knows
  ``"error"`` and filters and counts line up across runs.

Example
-------
>>> frame = bulk_outcomes_frame([{"orderid": 3, "action": "AcceptOrder",
...                               "outcome": "dry-run", "ok": True}])
>>> frame.loc[0, "outcome"], list(frame["outcome"].cat.categories)[-1]
('dry-run', 'skipped')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ._converters import SCHEMAS
from ._dtypes import build_frame

__all__ = ["AUDIT_OUTCOMES", "BULK_OUTCOMES", "audit_log_frame", "bulk_outcomes_frame"]

#: How a write attempt can end; ``"pending"`` only ever appears in start records.
AUDIT_OUTCOMES = ("dry-run", "success", "error", "unknown")
#: A bulk run adds the orders it did not attempt after it stopped.
BULK_OUTCOMES = (*AUDIT_OUTCOMES, "skipped")


def _rows(records: Iterable[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    return [r for r in (records or ()) if isinstance(r, Mapping)]


def _verbatim(values: Sequence[Any]) -> Any:
    return pd.array([None if v is None else str(v) for v in values], dtype="string")


def _utc(values: Sequence[Any]) -> Any:
    times = pd.to_datetime(pd.Series(list(values), dtype=object), utc=True, errors="coerce",
                           format="ISO8601")
    return times.astype("datetime64[ns, UTC]").array


def _typed(schema: Mapping[str, str], rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = [row.get(name) for row in rows]
        if dtype == "string":
            columns[name] = _verbatim(values)
        elif dtype.startswith("datetime64[ns, "):
            columns[name] = _utc(values)
        else:
            columns[name] = values
    return columns


def _frame(name: str, records: Iterable[Mapping[str, Any]] | None,
           outcomes: Sequence[str]) -> pd.DataFrame:
    rows = _rows(records)
    frame = build_frame(SCHEMAS[name], _typed(SCHEMAS[name], rows), len(rows))
    # Every outcome is a category even when none has happened yet; others become NA.
    frame["outcome"] = frame["outcome"].cat.set_categories(list(outcomes))
    return frame


def audit_log_frame(records: Iterable[Mapping[str, Any]] | None) -> pd.DataFrame:
    """One row per write attempt, from merged audit records.

    Parameters
    ----------
    records : iterable of mapping
        One dict per attempt with the keys of ``SCHEMAS["audit_log"]``.

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["audit_log"]``; ``outcome`` is a category of
        :data:`AUDIT_OUTCOMES`.

    Examples
    --------
    >>> audit_log_frame([{"time": "2024-05-01T10:00:00+00:00", "outcome": "success"}]
    ...                 ).loc[0, ["time", "outcome"]].astype(str).tolist()
    ['2024-05-01 10:00:00+00:00', 'success']
    """
    return _frame("audit_log", records, AUDIT_OUTCOMES)


def bulk_outcomes_frame(records: Iterable[Mapping[str, Any]] | None) -> pd.DataFrame:
    """One row per order of a bulk run.

    Parameters
    ----------
    records : iterable of mapping
        One dict per order with the keys of ``SCHEMAS["bulk_outcomes"]``.

    Returns
    -------
    pandas.DataFrame
        Columns ``SCHEMAS["bulk_outcomes"]``; ``outcome`` is a category of
        :data:`BULK_OUTCOMES`.

    Examples
    --------
    >>> bulk_outcomes_frame([]).dtypes["orderid"]
    Int64Dtype()
    """
    return _frame("bulk_outcomes", records, BULK_OUTCOMES)
