"""The public surface changes only on purpose."""

from __future__ import annotations

import sys
from pathlib import Path

import whmcs_frames as wf

ROOT = Path(__file__).resolve().parent.parent


def test_public_names_are_exactly_these():
    assert wf.__all__ == sorted(wf.__all__, key=str)
    assert wf.__all__ == [
        "ACTIONS", "AccessDenied", "ActionResult", "ActionSpec", "AddOrderResult", "ApiError",
        "AuditLogError", "AuditLogWarning", "AuthenticationError", "Client", "ConfigError",
        "Domain", "FraudCheckResult", "InconsistentReadError", "InsecureTransportWarning",
        "OrderNotFound", "OutcomeUnknown", "PaginationShiftWarning", "PreconditionFailed",
        "Product", "ProductMatchWarning", "ResponseFormatError", "TransportError",
        "ValidationError", "WhmcsError",
        "WhmcsWarning", "__version__", "actions", "add_order_form", "bulk", "connect",
        "connect_or_sandbox", "export_reports", "frames", "plots", "read_audit_log", "reports",
        "review", "risk", "sandbox", "widgets",
    ]
    for name in wf.__all__:
        assert hasattr(wf, name), name


def test_the_exception_tree_is_the_documented_one():
    # Every public error and warning, with its parent: the README's tree, exactly.
    public = {name: getattr(wf, name) for name in wf.__all__
              if isinstance(getattr(wf, name), type)
              and issubclass(getattr(wf, name), BaseException)}
    assert {name: cls.__mro__[1].__name__ for name, cls in public.items()} == {
        "WhmcsError": "Exception",
        "ConfigError": "WhmcsError", "AuditLogError": "ConfigError",
        "ValidationError": "WhmcsError", "PreconditionFailed": "ValidationError",
        "OrderNotFound": "PreconditionFailed",
        "TransportError": "WhmcsError", "OutcomeUnknown": "WhmcsError",
        "ResponseFormatError": "WhmcsError", "InconsistentReadError": "WhmcsError",
        "ApiError": "WhmcsError", "AuthenticationError": "ApiError",
        "AccessDenied": "ApiError",
        "WhmcsWarning": "UserWarning", "InsecureTransportWarning": "WhmcsWarning",
        "PaginationShiftWarning": "WhmcsWarning", "AuditLogWarning": "WhmcsWarning",
        "ProductMatchWarning": "WhmcsWarning",
    }
    assert issubclass(wf.ValidationError, ValueError)  # `except ValueError` still works


def test_actions_table_marks_the_seven_writes():
    writes = {s.whmcs for s in wf.ACTIONS.values() if s.kind == "write"}
    assert writes == {"AcceptOrder", "CancelOrder", "FraudOrder", "PendingOrder", "DeleteOrder",
                      "OrderFraudCheck", "AddOrder"}
    reads = {s.whmcs for s in wf.ACTIONS.values() if s.is_read}
    assert reads == {"GetOrders", "GetProducts", "GetPromotions", "GetOrderStatuses",
                     "GetClients", "GetClientsDetails", "GetClientsProducts", "GetInvoices",
                     "GetTransactions", "GetCancelledPackages"}


def test_each_module_of_the_package_is_imported_once():
    # The doctests are collected from the source tree: they must land on the same
    # modules the tests import (one sandbox, one exception tree), not on copies.
    package = str(ROOT / "whmcs_frames")
    files = [m.__file__ for m in list(sys.modules.values())
             if (getattr(m, "__file__", None) or "").startswith(package)]
    assert files and len(files) == len(set(files))
