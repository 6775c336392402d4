"""Every failure whmcs_frames raises, and the warnings it gives.

Exception tree::

    WhmcsError                  anything the toolkit raises on purpose
    ├── ConfigError             missing or half configuration, bad URL
    │   └── AuditLogError       the audit log cannot be written: the write is not sent
    ├── ValidationError         bad input, raised before anything is sent (also a ValueError)
    │   └── PreconditionFailed  the order is not in a status WHMCS would act on; not sent
    │       └── OrderNotFound   no order with that id
    ├── TransportError          connection refused, DNS, TLS, timeout: nothing usable came back
    ├── OutcomeUnknown          a write may have reached WHMCS but no answer came back
    ├── ResponseFormatError     HTML, empty or non-JSON body; malformed serialized data
    ├── InconsistentReadError   a page boundary could not be proven within the re-read bound
    └── ApiError                WHMCS answered ``result=error``
        ├── AuthenticationError     "Authentication Failed"
        └── AccessDenied            "Invalid IP ..." or "Invalid Permissions: ..."

Warnings::

    WhmcsWarning (UserWarning)
    ├── InsecureTransportWarning    credentials over plain http to a host that is not loopback
    ├── PaginationShiftWarning      a read was reconciled after pages shifted under it
    └── AuditLogWarning             a write went through but its final audit record did not

No message here ever carries a credential or a secret parameter: the transport scrubs
what it quotes from the server, and parameters are never quoted.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType
from typing import Any

__all__ = [
    "AccessDenied",
    "ApiError",
    "AuditLogError",
    "AuditLogWarning",
    "AuthenticationError",
    "ConfigError",
    "InconsistentReadError",
    "InsecureTransportWarning",
    "OrderNotFound",
    "OutcomeUnknown",
    "PaginationShiftWarning",
    "PreconditionFailed",
    "ResponseFormatError",
    "TransportError",
    "ValidationError",
    "WhmcsError",
    "WhmcsWarning",
    "warn",
]


class WhmcsError(Exception):
    """Base class of every error whmcs_frames raises on purpose."""


class ConfigError(WhmcsError):
    """The connection is not configured, or only half configured."""


class AuditLogError(ConfigError):
    """The audit log cannot be written, so the write action was not sent.

    Attributes
    ----------
    path : str
        The audit log that could not be written.
    """

    def __init__(self, path: str, cause: str) -> None:
        self.path = path
        super().__init__(
            f"cannot write the audit log {path} ({cause}); nothing was sent to WHMCS. "
            "Point WHMCS_FRAMES_AUDIT_LOG or connect(audit_log=...) at a writable file.")


class ValidationError(WhmcsError, ValueError):
    """An argument is wrong; raised before any request is sent.

    Attributes
    ----------
    parameter : str
        The parameter at fault.
    expected : str
        What would have been accepted.
    """

    def __init__(self, parameter: str, expected: str, *, got: Any = None) -> None:
        self.parameter = parameter
        self.expected = expected
        message = f"{parameter}: expected {expected}"
        if got is not None:
            message += f", got {got!r}" if not isinstance(got, str) else f", got {got}"
        super().__init__(message)


class PreconditionFailed(ValidationError):
    """WHMCS would refuse this write in the order's current status; nothing was sent.

    Checked with a fresh read of the one order just before the write.

    Attributes
    ----------
    action : str
        The WHMCS action that was refused.
    orderid : int
        The order.
    status : str or None
        Its current status (None when the order does not exist).
    allowed : tuple of str
        The statuses the action needs.
    """

    def __init__(self, action: str, orderid: int, status: str | None,
                 allowed: tuple[str, ...] = (), *, reason: str | None = None) -> None:
        self.action = action
        self.orderid = orderid
        self.status = status
        self.allowed = allowed
        needed = " or ".join(allowed)
        why = reason or f"order {orderid} is {status}; {action} needs it to be {needed}"
        Exception.__init__(self, f"{action}: {why}. Nothing was sent.")
        self.parameter = "orderid"
        self.expected = f"an order in status {needed}" if allowed else "an existing order"


class OrderNotFound(PreconditionFailed):
    """No order with that id exists in WHMCS; nothing was sent."""

    def __init__(self, action: str, orderid: int) -> None:
        super().__init__(action, orderid, None,
                         reason=f"order {orderid} was not found in WHMCS")


class TransportError(WhmcsError):
    """No usable answer: the connection failed or timed out.

    Reads raise this after their retries are spent; writes raise it only when the
    request certainly never left this machine (otherwise :class:`OutcomeUnknown`).
    """


class OutcomeUnknown(WhmcsError):
    """A write may have reached WHMCS, but no answer came back.

    Never retried automatically: look the order up before trying again.

    Attributes
    ----------
    action : str
        The WHMCS action that was sent.
    """

    def __init__(self, action: str, cause: str) -> None:
        self.action = action
        super().__init__(
            f"{action}: the request may have reached WHMCS but no answer came back ({cause}). "
            "It was not retried. Look the order up in WHMCS (or re-read it) before trying again."
        )


class ResponseFormatError(WhmcsError):
    """WHMCS (or something in front of it) answered something that is not API JSON.

    Attributes
    ----------
    status : int or None
        The HTTP status code, when there was a response.
    content_type : str or None
        The response's Content-Type header.
    snippet : str
        A short, scrubbed excerpt of the body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        content_type: str | None = None,
        snippet: str = "",
    ) -> None:
        self.status = status
        self.content_type = content_type
        self.snippet = snippet
        super().__init__(message)


class InconsistentReadError(WhmcsError):
    """A paginated read could not prove a page boundary within the re-read bound.

    The message names the boundary (the ids either side, the offsets) and what moved.
    """


class ApiError(WhmcsError):
    """WHMCS answered ``result=error``.

    Attributes
    ----------
    action : str
        The WHMCS action called.
    message : str
        WHMCS's own message, verbatim.
    status : int or None
        The HTTP status code.
    """

    def __init__(self, action: str, message: str, *, status: int | None = None,
                 explanation: str | None = None) -> None:
        self.action = action
        self.message = message
        self.status = status
        text = f"{action}: {message}"
        if explanation:
            text += f" — {explanation}"
        super().__init__(text)


class AuthenticationError(ApiError):
    """The credentials were refused (``Authentication Failed``)."""


class AccessDenied(ApiError):
    """The caller is authenticated but not allowed.

    Attributes
    ----------
    ip : str or None
        For ``Invalid IP``: the address WHMCS saw.
    denied_action : str or None
        For ``Invalid Permissions``: the action the API role does not allow.
    """

    def __init__(self, action: str, message: str, *, status: int | None = None,
                 explanation: str | None = None, ip: str | None = None,
                 denied_action: str | None = None) -> None:
        self.ip = ip
        self.denied_action = denied_action
        super().__init__(action, message, status=status, explanation=explanation)


class WhmcsWarning(UserWarning):
    """Base class of the warnings whmcs_frames gives."""


class InsecureTransportWarning(WhmcsWarning):
    """Credentials would travel over plain http to a host that is not loopback."""


class PaginationShiftWarning(WhmcsWarning):
    """The server does not sort pages newest first: whole passes were checked instead."""


class AuditLogWarning(WhmcsWarning):
    """A write was sent and answered, but its final audit record could not be written.

    The attempt's first record is on disk, so the log shows it with outcome "unknown".
    """


def warn(message: str, category: type[Warning]) -> None:
    """Warn at the first frame outside whmcs_frames: the analyst's own line.

    A fixed ``stacklevel`` breaks as soon as a call path gains a level (a memo, a
    closure); walking out of the package always lands on the caller.
    """
    package = os.path.dirname(os.path.abspath(__file__))
    frame: FrameType | None = sys._getframe(1)
    level = 2  # level 1 is this function itself
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
