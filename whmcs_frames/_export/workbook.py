"""The bundle as one Excel workbook: a sheet per table, typed cells, frozen header.

Needs openpyxl (``pip install "whmcs-frames[excel]"``). Numbers stay numbers, money is
shown with two decimals, dates are real dates, flags are booleans; text a spreadsheet
would run as a formula gets the same leading ``'`` as in the CSVs and is stored as a
string cell, never a formula.

Example
-------
>>> write_workbook({"orders": orders}, "reports/reports.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from .._exceptions import ConfigError
from .safe_csv import MONEY_COLUMNS, _cell_text

__all__ = ["sheet_name", "write_workbook"]

_MAX_SHEET_NAME = 31  # Excel's limit
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise ConfigError("writing .xlsx needs openpyxl: pip install "
                          "'whmcs-frames[excel]'") from None
    return openpyxl


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, no ``[]:*?/\\``).

    Examples
    --------
    >>> sheet_name("conversion_by_month", set())
    'conversion_by_month'
    """
    base = name.translate(_BAD_SHEET_CHARS)[:_MAX_SHEET_NAME] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f"~{n}"
        candidate, n = base[:_MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _kind(column: pd.Series, name: str) -> str:
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date"
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    if pd.api.types.is_integer_dtype(column):
        return "int"
    if pd.api.types.is_float_dtype(column):
        return "money" if name in MONEY_COLUMNS or name.split("_")[0] in MONEY_COLUMNS \
            else "float"
    return "text"


def _value(value: Any, kind: str) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if kind == "date":
        return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind in ("money", "float"):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    return _cell_text(value)


def _rows(frame: pd.DataFrame, kinds: list[str]) -> Iterator[list[Any]]:
    columns = [frame[c].astype(object).to_numpy() for c in frame.columns]
    for i in range(len(frame)):
        yield [_value(col[i], kind) for col, kind in zip(columns, kinds, strict=True)]


def _write_sheet(book: Any, title: str, frame: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    names = [str(c) for c in frame.columns]
    kinds = [_kind(frame[c], str(c)) for c in frame.columns]
    bold = Font(bold=True)
    header = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # One styled template cell per formatted column, its style shared by every row:
    # a fresh style per cell costs more than the whole rest of the sheet.
    formats = {"money": "#,##0.00", "date": "yyyy-mm-dd hh:mm:ss"}
    styled = [i for i, kind in enumerate(kinds) if kind in formats]
    templates = {}
    for i in styled:
        templates[i] = WriteOnlyCell(sheet)
        templates[i].number_format = formats[kinds[i]]
    for row in _rows(frame, kinds):
        for i in styled:
            if row[i] is not None:
                cell = WriteOnlyCell(sheet, value=row[i])
                cell._style = templates[i]._style
                row[i] = cell
        # Text is neutralised, so no string starts with "=": openpyxl stores it as text.
        sheet.append(row)


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> list[str]:
    """Write each table to its own sheet of an ``.xlsx`` workbook; returns the sheet names.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Sheet name (shortened to Excel's 31 characters if needed) → table, in order.
    path : path
        The workbook to write (overwritten).

    Raises
    ------
    ConfigError
        openpyxl is not installed (the ``excel`` extra).
    """
    openpyxl = _openpyxl()
    book = openpyxl.Workbook(write_only=True)
    taken: set[str] = set()
    names = []
    for name, frame in tables.items():
        names.append(sheet_name(name, taken))
        _write_sheet(book, names[-1], frame)
    book.save(os.fspath(path))
    return names
