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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import sandbox
from .__version__ import __version__
from ._api.registry import ACTIONS, ActionSpec
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
    ProductMatchWarning,
    ResponseFormatError,
    TransportError,
    ValidationError,
    WhmcsError,
    WhmcsWarning,
)

if TYPE_CHECKING:
    from . import actions, frames, plots, reports, risk, widgets
    from ._client.facade import Client, connect, connect_or_sandbox
    from ._export.bundle import export_reports
    from .actions import (
        ActionResult,
        AddOrderResult,
        Domain,
        FraudCheckResult,
        Product,
        bulk,
        read_audit_log,
    )
    from .widgets import add_order_form, review

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
    "ProductMatchWarning",
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

# Loaded on first use (PEP 562), so that `import whmcs_frames` and the CLI's --help do
# not pay for pandas, matplotlib, ipywidgets and itables until something needs them.
_LAZY_MODULES = frozenset({"actions", "frames", "plots", "reports", "risk", "widgets"})
_LAZY_NAMES = {
    "Client": "._client.facade", "connect": "._client.facade",
    "connect_or_sandbox": "._client.facade", "export_reports": "._export.bundle",
    "ActionResult": ".actions", "AddOrderResult": ".actions", "Domain": ".actions",
    "FraudCheckResult": ".actions", "Product": ".actions", "bulk": ".actions",
    "read_audit_log": ".actions", "add_order_form": ".widgets", "review": ".widgets",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _connect(*args: Any, **kwargs: Any) -> Any:
    return __getattr__("connect")(*args, **kwargs)


# The sandbox sits below the client layer and must not import it; the package hands it
# the factory that box.client() uses instead.
sandbox.set_client_factory(_connect)
