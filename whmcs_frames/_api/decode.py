"""The one decoder for documents WHMCS keeps as text inside a field.

Fraud module output, fraud check results, promotion upgrade settings and the like come
as PHP ``serialize`` text, JSON, base64 of either, or entity-escaped (``&quot;``) text of
either, depending on the module and the WHMCS version. :func:`decode_text` tries the
formats a caller allows and catches only the errors a malformed document raises, so a
bug in our own code still surfaces instead of quietly becoming "no value".

Example
-------
>>> decode_text('a:1:{s:5:"score";d:1.5;}'), decode_text('{"score": 2}')
({'score': 1.5}, {'score': 2})
"""

from __future__ import annotations

import base64
import binascii
import html
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .._exceptions import ResponseFormatError
from .php import php_unserialize

__all__ = ["decode_text"]

# What each decoder raises for text that is not its format: php_unserialize raises only
# ResponseFormatError; json raises JSONDecodeError (a ValueError) and RecursionError for
# absurd nesting.
_NOT_THIS_FORMAT = (ResponseFormatError, ValueError, RecursionError)
_DECODERS: dict[str, Callable[[str], Any]] = {"php": php_unserialize, "json": json.loads}


def _from_base64(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # not base64, or not UTF-8 text once decoded
        return None


def _candidates(text: str, *, base64_too: bool, unescape: bool) -> Iterator[str]:
    yield text
    if unescape and "&" in text:
        yield html.unescape(text)
    if base64_too:
        decoded = _from_base64(text)
        if decoded is not None:
            yield decoded.strip()


def decode_text(value: Any, *, formats: tuple[str, ...] = ("php", "json"),
                base64: bool = False, unescape: bool = False, default: Any = None) -> Any:
    """The document inside a WHMCS text field, or ``default`` when there is none.

    Parameters
    ----------
    value : Any
        The raw field. A dict or list (already decoded, e.g. by the JSON transport) is
        returned as it is.
    formats : tuple of {"php", "json"}
        The formats to try, in this order.
    base64 : bool
        Also try the text as base64 of a document in one of ``formats``.
    unescape : bool
        Also try the text with HTML entities unescaped (WHMCS sometimes stores
        ``&quot;``, which breaks PHP's byte lengths).
    default : Any
        Returned for anything else: None, blank text, another type, or text that is not
        a document in any allowed format.

    Returns
    -------
    Any
        Dicts, lists, str, int, float, bool or None, as the document holds them.

    Examples
    --------
    >>> decode_text("YToxOntzOjE6ImEiO2k6MTt9", base64=True)  # base64 of a:1:{s:1:"a";i:1;}
    {'a': 1}
    >>> decode_text("a:1:{s:1:&quot;a&quot;;i:1;}", formats=("php",), unescape=True)
    {'a': 1}
    >>> decode_text("<html>", default="<html>"), decode_text("  "), decode_text(7)
    ('<html>', None, None)
    """
    if isinstance(value, Mapping | list):
        return value
    if not isinstance(value, str) or not value.strip():
        return default
    decoders = [_DECODERS[name] for name in formats]
    for candidate in _candidates(value.strip(), base64_too=base64, unescape=unescape):
        for decode in decoders:
            try:
                return decode(candidate)
            except _NOT_THIS_FORMAT:
                continue
    return default
