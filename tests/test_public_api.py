"""The public surface changes only on purpose."""

from __future__ import annotations

import subprocess
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
        "review", "sandbox", "widgets",
    ]
    for name in wf.__all__:
        assert hasattr(wf, name), name


def test_every_error_is_a_whmcs_error_and_warnings_are_user_warnings():
    errors = [wf.ConfigError, wf.ValidationError, wf.TransportError, wf.OutcomeUnknown,
              wf.ResponseFormatError, wf.InconsistentReadError, wf.ApiError,
              wf.AuthenticationError, wf.AccessDenied]
    assert all(issubclass(e, wf.WhmcsError) for e in errors)
    assert issubclass(wf.AccessDenied, wf.ApiError) and issubclass(wf.AuthenticationError,
                                                                   wf.ApiError)
    assert issubclass(wf.InsecureTransportWarning, wf.WhmcsWarning)
    assert issubclass(wf.PaginationShiftWarning, wf.WhmcsWarning)
    assert issubclass(wf.ProductMatchWarning, wf.WhmcsWarning)
    assert issubclass(wf.WhmcsWarning, UserWarning)


def test_actions_table_marks_the_seven_writes():
    writes = {s.whmcs for s in wf.ACTIONS.values() if s.kind == "write"}
    assert writes == {"AcceptOrder", "CancelOrder", "FraudOrder", "PendingOrder", "DeleteOrder",
                      "OrderFraudCheck", "AddOrder"}
    reads = {s.whmcs for s in wf.ACTIONS.values() if s.is_read}
    assert reads == {"GetOrders", "GetProducts", "GetPromotions", "GetOrderStatuses"}


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
