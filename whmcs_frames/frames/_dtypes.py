"""Column coercion for :mod:`whmcs_frames.frames`: raw WHMCS values in, typed arrays out.

WHMCS sends the same field as a JSON number in one version and a string in the next,
``""`` for "none" (missing, ``<NA>``, in every text and category column), ``0000-00-00``
for "no date", HTML entities in typed text and flags as ``1``/``"on"``/``"true"``. Each
converter here takes one whole column (a list of raw values) and returns a pandas array
of one dtype, vectorised where pandas can do the work and never raising on untidy input:
what cannot be read becomes NA.

:func:`build_frame` is the one place a schema is applied, so every frame gets its columns
in the same order with the same dtypes, whether it has a million rows or none.

Example
-------
>>> frame = build_frame({"id": "Int64", "name": "string"}, {"id": ["1", ""]}, 2)
>>> frame.dtypes.astype(str).to_dict()
{'id': 'Int64', 'name': 'string'}
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from .._api.shapes import is_missing

__all__ = [
    "build_frame",
    "flag_value",
    "is_missing",
    "number",
    "object_array",
    "text_value",
    "to_category",
    "to_datetime",
    "to_flag",
    "to_float",
    "to_int",
    "to_object",
    "to_text",
]

#: A raw column: a list of values as WHMCS sent them, or an object array of them.
Column = Sequence[Any] | np.ndarray

_INT64_MAX = float(2**63 - 1)
# Conservative datetime64[ns] bounds: pandas 3 parses to microseconds, and a far-future
# date such as 9999-12-31 would overflow the nanosecond cast instead of becoming NaT.
_NS_LOW = np.datetime64("1677-09-22")
_NS_HIGH = np.datetime64("2262-04-10")

_FLAG_WORDS = {
    "1": True, "true": True, "on": True, "yes": True, "y": True,
    "0": False, "false": False, "off": False, "no": False, "n": False, "": False,
}


def object_array(values: Column) -> np.ndarray:
    """A 1-D object array; ``np.array`` would turn equal-length lists into a 2-D one."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    return np.fromiter(values, dtype=object, count=len(values))


def number(value: Any) -> float:
    """One raw value as a float, NaN when it is not a number (``""``, None, text, bool)."""
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return math.nan
    return math.nan


_FIRST_NUMBER = re.compile(r"\d[\d.,]*")


def money_text(value: str) -> float:
    """A formatted WHMCS amount as a float: ``"$1,234.50 USD"``, ``"€1.234,50 EUR"``.

    WHMCS formats money as 1234.56, 1,234.56, 1.234,56 or 1,234 (no decimals), so a
    separator followed by one or two final digits is the decimal point and any other
    separator groups thousands. NaN when there is no number.

    Examples
    --------
    >>> money_text("$1,234.50 USD"), money_text("1.234,50 EUR"), money_text("-£5.00")
    (1234.5, 1234.5, -5.0)
    """
    match = _FIRST_NUMBER.search(value)
    if match is None:
        return math.nan
    digits = match.group().rstrip(".,")
    last = max(digits.rfind("."), digits.rfind(","))
    if last >= 0 and len(digits) - last - 1 in (1, 2):  # a decimal separator
        whole, cents = digits[:last], digits[last + 1:]
    else:  # none, or one that groups thousands
        whole, cents = digits, "0"
    amount = float(f"{whole.replace(',', '').replace('.', '') or '0'}.{cents}")
    return -amount if "-" in value[:match.start()] else amount


def _numeric(values: Column) -> np.ndarray:
    """Int, uint or float ndarray; unparseable entries are NaN (which forces float).

    Strings that are not plain numbers but hold one, as some WHMCS versions format line
    item amounts (``"$10.00 USD"``), are read with :func:`money_text`.
    """
    raw = object_array(values)
    try:
        out = pd.to_numeric(raw, errors="coerce")
    except (TypeError, ValueError):
        # A dict or list inside the column: pandas refuses the whole array.
        out = np.array([number(v) for v in values], dtype=np.float64)
    out = np.asarray(out)
    if out.dtype.kind not in "iuf":
        out = out.astype(np.float64)
    if out.dtype.kind == "f":
        for i in np.flatnonzero(np.isnan(out)):  # the slow path only where plain failed
            if isinstance(raw[i], str) and _FIRST_NUMBER.search(raw[i]):
                out[i] = money_text(raw[i])
    return out


def to_int(values: Column) -> pd.api.extensions.ExtensionArray:
    """Nullable ``Int64``; non-integral, out-of-range and unparseable values become NA."""
    arr = _numeric(values)
    if arr.dtype.kind == "i":
        return pd.array(arr.astype(np.int64, copy=False), dtype="Int64")
    arr = arr.astype(np.float64)
    with np.errstate(invalid="ignore"):
        mask = ~np.isfinite(arr) | (np.trunc(arr) != arr) | (np.abs(arr) > _INT64_MAX)
    data = np.where(mask, 0.0, arr).astype(np.int64)
    return pd.arrays.IntegerArray(data, mask)


def to_float(values: Column) -> np.ndarray:
    """``float64`` with NaN for anything that is not a number."""
    return _numeric(values).astype(np.float64, copy=False)


def _parse_one_date(value: str | None) -> datetime | None:
    # Slow path only, for a column pandas refuses as a whole.
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed.replace(tzinfo=None)


def to_datetime(values: Column) -> np.ndarray:
    """``datetime64[ns]``; ``0000-00-00``, garbage and out-of-range dates become NaT.

    WHMCS sends its server's local time with no zone, which is kept as it is. A value
    that does carry an offset (never seen from WHMCS) is converted to UTC, so one odd
    value cannot make pandas refuse, or warn about, the whole column.
    """
    # Numbers are skipped: pandas would read them as epochs and warn about it.
    strings = object_array([v if type(v) is str else None for v in values])
    try:
        parsed = pd.to_datetime(pd.Series(strings, dtype=object), format="ISO8601",
                                errors="coerce", utc=True)
        arr = parsed.dt.tz_localize(None).to_numpy()
    except (ValueError, TypeError, OverflowError):
        arr = np.array([_parse_one_date(v) for v in strings], dtype="datetime64[us]")
    if arr.dtype == np.dtype("datetime64[ns]"):
        return arr
    low, high = _NS_LOW.astype(arr.dtype), _NS_HIGH.astype(arr.dtype)
    out_of_range = (arr < low) | (arr > high)
    arr = np.where(out_of_range, np.datetime64("NaT"), arr)
    return arr.astype("datetime64[ns]")


@functools.lru_cache(maxsize=1 << 16)
def _unescape(text: str) -> str:
    # Customer names and product names repeat across orders: unescape each once.
    return html.unescape(text)


def text_value(value: Any, *, empty_is_na: bool = False) -> str | None:
    """One raw value as unescaped text; None for missing (and for ``""`` when asked)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value) is not str:
        if isinstance(value, Mapping | list | tuple):
            value = json.dumps(value, default=str)
        else:
            value = str(value)
    if "&" in value:
        value = _unescape(value)
    if empty_is_na and not value:
        return None
    return value


def _texts(values: Column, empty_is_na: bool) -> list[str | None]:
    # The common case (plain text, no entity) skips the function call entirely.
    if empty_is_na:  # "" (most optional fields) is settled inline too
        return [(v or None) if type(v) is str and "&" not in v
                else text_value(v, empty_is_na=True) for v in values]
    return [v if type(v) is str and "&" not in v else text_value(v) for v in values]


def to_text(values: Column) -> pd.api.extensions.ExtensionArray:
    """pandas ``string`` dtype, HTML entities unescaped; ``""`` is ``<NA>``.

    WHMCS sends ``""`` for optional text it does not have (no promo code, no notes), so
    empty is missing here as it is for categories: ``value_counts()`` and ``notna()``
    then count only real values, in every frame alike.
    """
    return pd.array(_texts(values, empty_is_na=True), dtype="string")


def to_category(values: Column) -> pd.Categorical:
    """Categorical whose categories are the (unescaped) values seen; ``""`` is NA."""
    try:
        codes, uniques = pd.factorize(object_array(values))
    except TypeError:  # an unhashable value: clean every value, then categorise
        return pd.Categorical(_texts(values, empty_is_na=True))
    # Few distinct values: clean those, not every row, then renumber the codes.
    cleaned = [text_value(u, empty_is_na=True) for u in uniques]
    categories = sorted({c for c in cleaned if c is not None})
    position = {c: i for i, c in enumerate(categories)}
    remap = np.array([-1 if c is None else position[c] for c in cleaned] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def flag_value(value: Any) -> bool | None:
    """One raw flag: ``1``/``"on"``/``"true"``/``"1"`` → True, ``0``/``""``/``"off"`` → False."""
    if value is None:
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _FLAG_WORDS:
            return _FLAG_WORDS[word]
        value = number(word)
    if isinstance(value, bool | int | float):
        return None if value != value else bool(value)
    return None


def to_flag(values: Column) -> pd.api.extensions.ExtensionArray:
    """Nullable ``boolean``; text that is not a recognised flag becomes NA."""
    return pd.array([flag_value(v) for v in values], dtype="boolean")


def to_object(values: Column) -> np.ndarray:
    """Object column for values that are themselves containers (lists, dicts)."""
    return object_array(values)


_CONVERTERS: dict[str, Callable[[Column], Any]] = {
    "Int64": to_int,
    "float64": to_float,
    "datetime64[ns]": to_datetime,
    "string": to_text,
    "category": to_category,
    "boolean": to_flag,
    "object": to_object,
}


def _already_typed(values: Any, dtype: str) -> bool:
    current = getattr(values, "dtype", None)
    if current is None or dtype == "object":
        return False
    try:
        return bool(current == pd.api.types.pandas_dtype(dtype))
    except TypeError:
        return False


def build_frame(schema: Mapping[str, str], columns: Mapping[str, Any], n: int) -> pd.DataFrame:
    """Apply ``schema`` (ordered column → dtype) to raw ``columns`` of length ``n``.

    Columns absent from ``columns`` come out all-NA; arrays already of the schema's dtype
    are used as they are. The result has exactly the schema's columns, in its order.

    Parameters
    ----------
    schema : Mapping[str, str]
        Column name to a dtype name known to this module.
    columns : Mapping[str, Any]
        Column name to raw values (a list or an array of length ``n``).
    n : int
        The number of rows.

    Returns
    -------
    pandas.DataFrame
        A frame with a ``RangeIndex`` of length ``n``.

    Examples
    --------
    >>> list(build_frame({"a": "float64", "b": "boolean"}, {}, 0).dtypes.astype(str))
    ['float64', 'boolean']
    """
    data: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = columns.get(name)
        if values is None:
            values = [None] * n
        if not _already_typed(values, dtype):
            values = _CONVERTERS[dtype](values)
        data[name] = values
    return pd.DataFrame(data, index=pd.RangeIndex(n), copy=False)

