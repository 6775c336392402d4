"""The seven order writes as :class:`~whmcs_frames.Client` methods.

Each method *is* the function of the same name in :mod:`whmcs_frames.actions`: a plain
function stored on the class binds the client as its first argument, so
``client.accept_order(17)`` is ``actions.accept_order(client, 17)`` with the same
signature, type hints and docstring, and nothing to keep in step.

Example
-------
>>> client.cancel_order(17, noemail=True)  # doctest: +SKIP
"""

from __future__ import annotations

from .. import actions

__all__ = ["OrderWritesMixin"]


class OrderWritesMixin:
    """Adds ``accept_order``, ``cancel_order``, ``fraud_order``, ``pending_order``,
    ``order_fraud_check``, ``delete_order`` and ``add_order`` to a client class.

    Every write validates its input, checks the order's status with a fresh read,
    appends to the audit log and is never retried; see :mod:`whmcs_frames.actions`.
    """

    accept_order = actions.accept_order
    cancel_order = actions.cancel_order
    fraud_order = actions.fraud_order
    pending_order = actions.pending_order
    order_fraud_check = actions.order_fraud_check
    delete_order = actions.delete_order
    add_order = actions.add_order
