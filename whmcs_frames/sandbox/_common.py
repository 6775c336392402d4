"""What every action handler shares: the refusal exception and PHP-style coercions.

WHMCS is PHP, so it reads parameters by PHP's rules, not Python's, and so do these
helpers (each rule is checked against ``php -r`` in the tests and listed in
``docs/whmcs-api-notes.md``):

- ``(int)``: leading ASCII whitespace is skipped, then the longest numeric prefix is
  read (``"25abc"`` is 25, ``"1e3"`` is 1000, ``"1.9"`` is 1, ``"abc"``, ``"0x1A"`` and
  Arabic-Indic digits are 0), and the result saturates at PHP_INT_MAX / PHP_INT_MIN
  instead of overflowing (an infinite float such as ``"1e999"`` is 0).
- Parameter names, as PHP fills ``$_POST``: leading spaces are dropped, a name ends at
  NUL, ``.`` and space in the base name become ``_``, a ``[`` without its ``]`` becomes
  ``_`` too, text after the last well-formed ``[...]`` is ignored, and a name with no
  base (``[x]``) is dropped. So `` action`` and ``act.ion`` are other parameters'
  names, and `` action`` *is* ``action``.
- Truthiness: only an absent key, ``""`` and ``"0"`` are false (an empty array too);
  ``"false"``, ``"no"``, ``"off"``, ``" 0"`` and ``"0.0"`` are all *true*. Where the
  reference says "bool" the sandbox applies this rule, as a PHP ``if ($x)`` would.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

PHP_INT_MAX = 2**63 - 1
PHP_INT_MIN = -(2**63)
# PHP's numeric prefix: ASCII whitespace and digits only (Python's \s and \d are Unicode).
_NUMERIC_RE = re.compile(r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)")


class Refusal(Exception):
    """An action answered ``result=error`` with ``message`` (HTTP 200)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Context:
    """Per-request facts a handler may need besides its parameters."""

    client_ip: str
    fraud_module: str | None
    numbers_as_strings: bool = True


class Stringified(dict[str, Any]):
    """A response record whose integers are already strings: stringify passes it by."""


def stringify(value: Any) -> Any:
    """Every integer as a string, as WHMCS versions that read MySQL rows verbatim send."""
    if type(value) is Stringified:
        return value
    if isinstance(value, dict):
        return {k: stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def text(params: dict[str, Any], key: str) -> str:
    """A parameter as PHP would print it: arrays become ``"Array"``, absent ``""``."""
    value = params.get(key, "")
    return "Array" if isinstance(value, dict) else str(value)


_BRACKET_GROUPS = re.compile(r"(?:\[[^\]]*\])*")


def php_name(key: str) -> str | None:
    """A form field's name as PHP registers it in ``$_POST`` (None: PHP drops it).

    Examples
    --------
    >>> php_name(" action"), php_name("a.b c"), php_name("x.y[k.l]z"), php_name("[x]")
    ('action', 'a_b_c', 'x_y[k.l]', None)
    """
    key = key.split("\0", 1)[0].lstrip(" ")
    open_at = key.find("[")
    if open_at == 0 or not key:
        return None
    if open_at > 0 and "]" not in key[open_at:]:
        key, open_at = f"{key[:open_at]}_{key[open_at + 1:]}", -1
    base, rest = (key, "") if open_at < 0 else (key[:open_at], key[open_at:])
    base = base.replace(" ", "_").replace(".", "_")
    groups = _BRACKET_GROUPS.match(rest)  # the pattern matches any text, if only as ""
    return base + (groups.group() if groups else "")


def php_int(value: Any) -> int:
    """PHP's ``(int)`` cast of a form value (64-bit PHP 8).

    Examples
    --------
    >>> php_int("25abc"), php_int(" 1e3"), php_int("abc"), php_int("99999999999999999999")
    (25, 1000, 0, 9223372036854775807)
    """
    if isinstance(value, dict):
        return 1 if value else 0
    match = _NUMERIC_RE.match(str(value))
    if not match:
        return 0
    number, fraction, exponent = match.groups()
    if fraction is None and exponent is None and not number.lstrip("+-").startswith("."):
        return max(PHP_INT_MIN, min(PHP_INT_MAX, int(number)))
    as_float = float(number)
    if math.isinf(as_float) or math.isnan(as_float):
        return 0
    if as_float >= PHP_INT_MAX:
        return PHP_INT_MAX
    if as_float <= PHP_INT_MIN:
        return PHP_INT_MIN
    return int(as_float)  # truncates toward zero, as PHP does


def truthy(value: Any) -> bool:
    """PHP's ``(bool)`` of a form value: false only for ``""``, ``"0"`` and ``[]``.

    Examples
    --------
    >>> truthy("0"), truthy(""), truthy("false"), truthy("no"), truthy("0.0")
    (False, False, True, True, True)
    """
    if isinstance(value, dict):
        return bool(value)
    return value not in (None, "", "0")


def given(params: dict[str, Any], key: str) -> bool:
    """Whether PHP finds the parameter truthy (present, not ``""``, not ``"0"``)."""
    return truthy(params.get(key))


def flag(params: dict[str, Any], key: str) -> bool:
    """A boolean parameter, read by PHP's rule (``"false"`` is true)."""
    return truthy(params.get(key))


def order_id(params: dict[str, Any]) -> int | None:
    """``(int) orderid`` when it is positive (saturated like PHP's cast), else None."""
    oid = php_int(params.get("orderid", ""))
    return oid if oid > 0 else None


def in_marks(values: list[Any]) -> str:
    """``?,?,?`` placeholders for an ``IN (...)`` list."""
    return ",".join("?" * len(values))
