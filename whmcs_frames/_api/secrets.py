"""Secrets held so that no repr, str, log line or traceback with locals shows them.

A :class:`Secret` wraps a credential or a secret parameter from the moment it is
validated; only :meth:`Secret.reveal` gives the value back, and only the code that
builds a request body (and the scrubber) calls it. :func:`scrub` removes every form
in which a value we sent may be quoted back to us: raw, URL-encoded (``+`` or ``%20``
for spaces, either hex case), HTML-escaped, base64, with its whitespace changed.

Examples
--------
>>> token = Secret("Tr0ub4dor&3+x/=")
>>> token, str(token), f"{token}"
(Secret('***'), '***', '***')
>>> scrub("echo: Tr0ub4dor%263%2Bx%2F%3D and Tr0ub4dor&amp;3+x/=", [token])
'echo: *** and ***'
"""

from __future__ import annotations

import base64
import hmac
import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from .._validate import text
from .registry import is_secret_param

__all__ = ["MASK", "Secret", "hide_secret_params", "reveal", "scrub", "secret_text"]

MASK = "***"


class Secret:
    """A string that shows as ``***`` everywhere; :meth:`reveal` gives the value.

    Equality compares the values in constant time, so settings holding secrets can
    still be compared; hashing is by value too.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("a Secret holds a str")
        self._value = value

    def reveal(self) -> str:
        """The value itself: only for building the request body and for scrubbing."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            other = other.reveal()
        if not isinstance(other, str):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:
        # Pickling (multiprocessing, caches) must not write the value out unmasked
        # by accident; say so instead.
        raise TypeError("a Secret is not pickled")


def reveal(value: Any) -> Any:
    """``value.reveal()`` for a :class:`Secret`, anything else unchanged."""
    return value.reveal() if isinstance(value, Secret) else value


def _variants(value: str) -> set[str]:
    raw = value.encode("utf-8")
    forms = {value, quote_plus(value, safe=""), quote(value, safe=""),
             html.escape(value), html.escape(value, quote=False),
             base64.b64encode(raw).decode("ascii"),
             base64.b64encode(raw).decode("ascii").rstrip("="),
             base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")}
    # A WAF quoting our body URL-encodes it again, or HTML-escapes the encoded form.
    forms |= {html.escape(quote_plus(value, safe="")), quote_plus(quote_plus(value, safe=""))}
    return {form for form in forms if form}


def _pattern(form: str) -> str:
    # Whitespace may be added, removed or changed anywhere inside an echoed value.
    chars = [re.escape(c) for c in form if not c.isspace()]
    return r"\s*".join(chars)


def scrub(text: str, secrets: Iterable[Any]) -> str:
    """``text`` with every form of every secret (str or :class:`Secret`) as ``***``.

    Examples
    --------
    >>> scrub("key=s3cr3t-v4lue!", ["s3cr3t-v4lue!"])
    'key=***'
    """
    values = {reveal(s) for s in secrets}
    forms = sorted({f for v in values if isinstance(v, str) and v.strip()
                    for f in _variants(v)}, key=len, reverse=True)
    patterns = [p for p in (_pattern(f) for f in forms) if p]
    if not patterns or not text:
        return text
    return re.sub("|".join(f"(?:{p})" for p in patterns), MASK, text, flags=re.IGNORECASE)


def secret_text(name: str, value: Any) -> Secret:
    """A non-empty secret string, held as a :class:`Secret` (never quoted back).

    Examples
    --------
    >>> secret_text("servicepassword", "pw-123")
    Secret('***')
    """
    if isinstance(value, Secret):
        value = value.reveal()
    return Secret(text(name, value, secret=True))


def hide_secret_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with the values of secret-looking names held as :class:`Secret`.

    Strings inside lists and mappings are wrapped too (``rootpw=["pw"]``).

    Examples
    --------
    >>> hide_secret_params({"orderid": 5, "password2": "pw", "rootpw": ["a"]})
    {'orderid': 5, 'password2': Secret('***'), 'rootpw': [Secret('***')]}
    """
    return {k: _hidden(v) if is_secret_param(str(k)) else v for k, v in params.items()}


def _hidden(value: Any) -> Any:
    if isinstance(value, str):
        return Secret(value)
    if isinstance(value, Mapping):
        return {k: _hidden(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_hidden(v) for v in value]
    return value
