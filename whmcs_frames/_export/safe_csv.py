"""Spreadsheet-safe CSV: neutralised formulas, ISO dates, two-decimal money.

Customers type names, notes and company names, and a spreadsheet runs a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (CSV
injection). Such *text* cells get a leading ``'``, as OWASP advises; numbers are never
touched, so a negative amount stays a number. Dates are ISO 8601 (``YYYY-MM-DD``, or
``YYYY-MM-DD HH:MM:SS`` when a column has times, the form spreadsheets read as a date),
money has two decimals and the columns keep the frame's own order.

Example
-------
>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise("-5 off"), neutralise("Smith & Sons")
("'-5 off", 'Smith & Sons')
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ENCODINGS", "FORMULA_TRIGGERS", "MONEY_COLUMNS", "csv_ready", "neutralise",
           "write_csv"]

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Float columns holding money (written with two decimals); other floats keep theirs.
MONEY_COLUMNS = frozenset({"amount", "promovalue", "price", "setup_fee", "value", "revenue"})
#: The encodings a bundle may be written in: with Excel's byte-order mark (the default),
#: or plain UTF-8.
ENCODINGS = ("utf-8-sig", "utf-8")


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would run it as a formula.

    Examples
    --------
    >>> neutralise("@SUM(A1)"), neutralise("plain")
    ("'@SUM(A1)", 'plain')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell_text(value: Any) -> str | None:
    """One text-like cell as a string; lists comma-joined, mappings as JSON."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        text = ",".join(str(v) for v in value)
    elif isinstance(value, Mapping):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    return neutralise(text)


def _dates(column: pd.Series) -> pd.Series:
    # Whole days print without a time, so date-only columns read as dates.
    present = column.dropna()
    has_time = bool((present != present.dt.normalize()).any())
    text = column.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
    return text.astype(object).where(column.notna(), None)


def _two_decimals(column: pd.Series) -> pd.Series:
    # Adding 0.0 turns a rounded -0.0 into 0.0, so no "-0.00" appears.
    rounded = column.astype("float64").round(2) + 0.0
    return pd.Series([None if v != v else f"{v:.2f}" for v in rounded], index=column.index,
                     dtype=object)


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every cell as it should appear in the CSV.

    Dates become ISO text, money two-decimal text, text and categorical cells
    neutralised strings, lists comma-joined; integers, other floats and booleans stay as
    they are (pandas writes them plainly, missing values as empty cells).

    Examples
    --------
    >>> df = pd.DataFrame({"amount": [-5.0], "name": ["=1+1"]})
    >>> csv_ready(df).values.tolist()
    [['-5.00', "'=1+1"]]
    """
    ready = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            ready[name] = _dates(column)
        elif pd.api.types.is_float_dtype(column) and name in MONEY_COLUMNS:
            ready[name] = _two_decimals(column)
        elif pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            ready[name] = column
        else:
            ready[name] = pd.Series([_cell_text(v) for v in column.astype(object)],
                                    index=frame.index, dtype=object)
    return pd.DataFrame(ready, index=frame.index, columns=frame.columns)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *,
              encoding: str = "utf-8-sig") -> int:
    """Write ``frame`` as spreadsheet-safe CSV (see :func:`csv_ready`); returns its rows.

    Examples
    --------
    >>> write_csv(pd.DataFrame({"a": [1]}), "/tmp/a.csv")  # doctest: +SKIP
    1
    """
    csv_ready(frame).to_csv(path, index=False, encoding=encoding, lineterminator="\r\n",
                            na_rep="")
    return len(frame)
