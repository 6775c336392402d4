"""The one set of argument checks every layer uses, each raising :class:`ValidationError`
that names the parameter and what was expected, before anything is sent.

Integers are :class:`numbers.Integral` (so a numpy ``int64`` out of a DataFrame is
welcome) but never ``bool``; ids are bounded to what WHMCS stores (unsigned 32-bit), so
``10**30`` is refused here instead of becoming a server error.

Examples
--------
>>> import numpy as np
>>> whmcs_id("orderid", np.int64(17))
17
>>> positive_int("page_size", 0)
Traceback (most recent call last):
...
whmcs_frames._exceptions.ValidationError: page_size: expected a positive integer, got 0
"""

from __future__ import annotations

import ipaddress
import math
import numbers
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ._exceptions import ValidationError

__all__ = [
    "MAX_ID",
    "choice",
    "date_range",
    "flag",
    "id_list",
    "ip_address",
    "money",
    "positive_int",
    "seconds",
    "text",
    "whmcs_id",
]

#: The largest id WHMCS's tables hold (unsigned 32-bit columns).
MAX_ID = 2**32 - 1


def _integer(value: Any) -> int | None:
    """An int from any integral number (numpy ints from a DataFrame too); not from a bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def positive_int(name: str, value: Any, *, maximum: int | None = None,
                 minimum: int = 1) -> int:
    """``value`` as an int in ``[minimum, maximum]``; bools and floats are refused."""
    number = _integer(value)
    if number is None or number < minimum or (maximum is not None and number > maximum):
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        if maximum is not None:
            wanted = f"an integer from {minimum} to {maximum}"
        raise ValidationError(name, wanted, got=value)
    return number


def whmcs_id(name: str, value: Any) -> int:
    """An id WHMCS can store: an integer from 1 to 4294967295."""
    number = _integer(value)
    if number is None or not 1 <= number <= MAX_ID:
        raise ValidationError(name, f"an id from 1 to {MAX_ID}", got=value)
    return number


def id_list(name: str, value: Any) -> list[int]:
    """A list of ids (a PHP array on the wire, never a comma string)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(name, "a list of ids", got=value)
    return [whmcs_id(name, v) for v in value]


def flag(name: str, value: Any) -> bool:
    """``value`` if it is a bool; ``1``, ``"yes"``, ``None`` and friends are refused."""
    if not isinstance(value, bool):
        raise ValidationError(name, "True or False", got=value)
    return value


def text(name: str, value: Any, *, secret: bool = False) -> str:
    """A non-empty string, stripped; a secret's value is never quoted back."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "a non-empty string", got=None if secret else value)
    return value if secret else value.strip()


def money(name: str, value: Any) -> float:
    """A finite amount >= 0."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value < 0):
        raise ValidationError(name, "a finite amount >= 0", got=value)
    return float(value)


def seconds(name: str, value: Any, *, positive: bool = False) -> float:
    """A finite number of seconds, >= 0 (or > 0 with ``positive``)."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value < 0 or (positive and value == 0)):
        raise ValidationError(name, "seconds > 0" if positive else "seconds >= 0", got=value)
    return float(value)


def ip_address(name: str, value: Any) -> str:
    """An IPv4 or IPv6 address as text."""
    try:
        return str(ipaddress.ip_address(text(name, value)))
    except ValueError:
        raise ValidationError(name, "an IP address", got=value) from None


def choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """One of ``choices``, compared case-insensitively and returned as listed."""
    cleaned = value.strip().lower() if isinstance(value, str) else value
    if cleaned not in choices:
        raise ValidationError(name, "one of " + ", ".join(choices), got=value)
    return cleaned


_WHEN = "a date, a naive datetime or an ISO string such as '2026-01-01' (WHMCS server time)"


def _moment(name: str, value: Any) -> tuple[datetime, bool]:
    """``value`` as a naive datetime, and whether it named a whole day."""
    if isinstance(value, str):
        cleaned = value.strip()
        try:
            value = date.fromisoformat(cleaned) if len(cleaned) == 10 \
                else datetime.fromisoformat(cleaned)
        except ValueError:
            raise ValidationError(name, _WHEN, got=value) from None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValidationError(name, "a naive datetime in the WHMCS server's time (WHMCS "
                                  "dates carry no time zone)", got=str(value))
        return value, False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), True
    raise ValidationError(name, _WHEN, got=type(value).__name__)


def date_range(since: Any, until: Any) -> tuple[datetime | None, datetime | None]:
    """``(since, before)``: keep dates with ``since <= date < before``.

    A whole day as ``until`` includes that day; a datetime ``until`` is included too.

    Examples
    --------
    >>> date_range("2026-01-01", "2026-01-31")
    (datetime.datetime(2026, 1, 1, 0, 0), datetime.datetime(2026, 2, 1, 0, 0))
    """
    start = None if since is None else _moment("since", since)[0]
    before = None
    if until is not None:
        end, whole_day = _moment("until", until)
        before = end + (timedelta(days=1) if whole_day else timedelta(microseconds=1))
    if start is not None and before is not None and start >= before:
        raise ValidationError("until", "a date after since", got=str(until))
    return start, before
