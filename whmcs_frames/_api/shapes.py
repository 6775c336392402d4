"""WHMCS's response shapes, unwrapped: the lists it wraps twice, or sends as ``""``.

Pure Python, no pandas: the fetch, actions and frames layers all read lists out of
WHMCS answers, so the one rule for what an empty or lone-item list looks like lives here.

Examples
--------
>>> unwrap_list({"order": {"id": "1"}}, "order")
[{'id': '1'}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import ResponseFormatError

__all__ = ["is_empty", "is_missing", "unwrap_list"]


def is_missing(value: Any) -> bool:
    """None or a float NaN (what pandas puts where a record lacks a key)."""
    return value is None or (type(value) is float and value != value)


def is_empty(value: Any) -> bool:
    return is_missing(value) or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, Mapping | list | tuple) and not value)


def _digit_keyed(value: Mapping[Any, Any]) -> bool:
    # PHP json_encode writes an array with gaps in its keys as {"0": ..., "3": ...}.
    return all(isinstance(k, int) or (isinstance(k, str) and k.isdigit()) for k in value)


def _items(inner: Any, key: str) -> list[Any]:
    if is_empty(inner):
        return []
    if isinstance(inner, list | tuple):
        return list(inner)
    if isinstance(inner, Mapping):
        if _digit_keyed(inner) and all(isinstance(v, Mapping) for v in inner.values()):
            return [inner[k] for k in sorted(inner, key=int)]
        return [inner]  # a lone item sent as an object
    raise ResponseFormatError(f"expected a list of {key!r} items, got {type(inner).__name__}")


def unwrap_list(value: Any, key: str) -> list[Any]:
    """Unwrap WHMCS's doubly wrapped list (``{"order": [...]}``) into a plain list.

    With no results WHMCS may send the outer value missing (None), ``""``, ``[]`` or
    ``{"order": []}``; a lone item may be an object instead of a one-item list; a PHP
    array with gaps arrives as ``{"0": ..., "2": ...}``. All of these are valid. A
    mapping without ``key`` is taken to be a lone item that came unwrapped, and a list
    to be the items themselves.

    Parameters
    ----------
    value : Any
        The outer value, e.g. ``response.get("orders")``.
    key : str
        The inner key, e.g. ``"order"``.

    Returns
    -------
    list
        The items, in WHMCS's order.

    Raises
    ------
    ResponseFormatError
        For a value that is none of those shapes (a number, non-empty text).

    Examples
    --------
    >>> unwrap_list({"order": {"id": "1"}}, "order")
    [{'id': '1'}]
    >>> unwrap_list("", "order"), unwrap_list({"order": []}, "order")
    ([], [])
    """
    if is_empty(value):
        return []
    if isinstance(value, Mapping) and key in value:
        return _items(value[key], key)
    return _items(value, key)


