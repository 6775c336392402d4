"""What every action handler shares: the refusal exception and PHP-style coercions.

WHMCS reads parameters the PHP way: ``(int) "25abc"`` is 25, ``(int) "abc"`` is 0,
an empty string is "not given", and flags may be ``1``, ``true`` or ``on``. These
helpers reproduce that so the sandbox is exactly as forgiving (and as strict) as
the real thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INT_RE = re.compile(r"\s*([+-]?\d+)")


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


def php_int(value: Any) -> int:
    """PHP's ``(int)`` cast of a form value."""
    if isinstance(value, dict):
        return 1 if value else 0
    match = _INT_RE.match(str(value))
    return int(match.group(1)) if match else 0


def given(params: dict[str, Any], key: str) -> bool:
    """Whether PHP would find the parameter truthy (present, not ``""``, not ``"0"``)."""
    value = params.get(key)
    if isinstance(value, dict):
        return bool(value)
    return value not in (None, "", "0")


def truthy(value: str) -> bool:
    """Whether a flag's text means yes (``1``, ``true``, ``on``, ``yes``)."""
    return value.strip().lower() in ("1", "true", "on", "yes")


def flag(params: dict[str, Any], key: str) -> bool:
    """A boolean parameter, read with :func:`truthy`."""
    return truthy(text(params, key))


def order_id(params: dict[str, Any]) -> int | None:
    """``orderid`` when it is a positive whole number, else None."""
    raw = text(params, "orderid").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def in_marks(values: list[Any]) -> str:
    """``?,?,?`` placeholders for an ``IN (...)`` list."""
    return ",".join("?" * len(values))
