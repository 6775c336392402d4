"""whmcs_frames: WHMCS orders, products and promotions as pandas DataFrames.

Every failure the toolkit raises on purpose is a :class:`WhmcsError`::

    WhmcsError
    ├── ConfigError             missing or half configuration
    ├── ValidationError         bad input, raised before anything is sent
    ├── TransportError          connection failed or timed out
    ├── OutcomeUnknown          a write may have reached WHMCS; no answer came back
    ├── ResponseFormatError     HTML, empty or non-JSON answer
    ├── InconsistentReadError   a paginated read never settled under a concurrent writer
    └── ApiError                WHMCS answered result=error
        ├── AuthenticationError
        └── AccessDenied        Invalid IP / Invalid Permissions

Examples
--------
>>> import whmcs_frames as wf
>>> with wf.sandbox.serve(orders=50) as box, box.client() as client:  # doctest: +SKIP
...     client.call("GetOrderStatuses")["statuses"]
"""

from . import frames, sandbox
from ._client import Client, connect
from ._exceptions import (
    AccessDenied,
    ApiError,
    AuthenticationError,
    ConfigError,
    InconsistentReadError,
    InsecureTransportWarning,
    OutcomeUnknown,
    PaginationShiftWarning,
    ResponseFormatError,
    TransportError,
    ValidationError,
    WhmcsError,
    WhmcsWarning,
)
from ._registry import ACTIONS, ActionSpec

__version__ = "0.1.0"

__all__ = [
    "ACTIONS",
    "AccessDenied",
    "ActionSpec",
    "ApiError",
    "AuthenticationError",
    "Client",
    "ConfigError",
    "InconsistentReadError",
    "InsecureTransportWarning",
    "OutcomeUnknown",
    "PaginationShiftWarning",
    "ResponseFormatError",
    "TransportError",
    "ValidationError",
    "WhmcsError",
    "WhmcsWarning",
    "__version__",
    "connect",
    "frames",
    "sandbox",
]

# The sandbox sits below the client layer and must not import it; the client
# layer hands it the factory that box.client() uses instead.
sandbox.set_client_factory(connect)
