"""whmcs_frames: WHMCS orders, products and promotions as pandas DataFrames.

Read orders, line items, products, pricing, promotions and order statuses into typed
DataFrames; act on orders through audited, never-retried writes; try it all against the
built-in sandbox. Every failure the toolkit raises on purpose is a :class:`WhmcsError`;
the whole tree is drawn in ``whmcs_frames._exceptions`` (and the README).

Examples
--------
>>> import whmcs_frames as wf
>>> with wf.sandbox.serve(orders=50) as box, box.client() as client:  # doctest: +SKIP
...     client.orders("Pending")
"""

from . import actions, frames, plots, reports, risk, sandbox, widgets
from ._audit import read_audit_log
from ._client import Client, connect, connect_or_sandbox
from ._exceptions import (
    AccessDenied,
    ApiError,
    AuditLogError,
    AuditLogWarning,
    AuthenticationError,
    ConfigError,
    InconsistentReadError,
    InsecureTransportWarning,
    OrderNotFound,
    OutcomeUnknown,
    PaginationShiftWarning,
    PreconditionFailed,
    ResponseFormatError,
    TransportError,
    ValidationError,
    WhmcsError,
    WhmcsWarning,
)
from ._items import Domain, Product
from ._registry import ACTIONS, ActionSpec
from .actions import ActionResult, AddOrderResult, FraudCheckResult, bulk
from .reports import export_reports
from .widgets import add_order_form, review

__version__ = "0.1.0"

__all__ = [
    "ACTIONS",
    "AccessDenied",
    "ActionResult",
    "ActionSpec",
    "AddOrderResult",
    "ApiError",
    "AuditLogError",
    "AuditLogWarning",
    "AuthenticationError",
    "Client",
    "ConfigError",
    "Domain",
    "FraudCheckResult",
    "InconsistentReadError",
    "InsecureTransportWarning",
    "OrderNotFound",
    "OutcomeUnknown",
    "PaginationShiftWarning",
    "PreconditionFailed",
    "Product",
    "ResponseFormatError",
    "TransportError",
    "ValidationError",
    "WhmcsError",
    "WhmcsWarning",
    "__version__",
    "actions",
    "add_order_form",
    "bulk",
    "connect",
    "connect_or_sandbox",
    "export_reports",
    "frames",
    "plots",
    "read_audit_log",
    "reports",
    "review",
    "risk",
    "sandbox",
    "widgets",
]

# The sandbox sits below the client layer and must not import it; the client
# layer hands it the factory that box.client() uses instead.
sandbox.set_client_factory(connect)
