"""One order action over many orders: :func:`bulk` (a DataFrame) and :func:`iter_bulk`.

Orders are acted on one at a time, in the order given, each through the same guarded
function a single call uses (so each is validated, status-checked and audited). A
failure is recorded in its order's row and the run goes on, except that it stops —
the remaining orders get ``"skipped"`` rows — when:

- an outcome is unknown (a timeout or dropped connection after sending). The order may
  or may not have changed, and the same fault usually hits the next request too: going
  on would pile up more unknown outcomes on a billing system that is struggling, and
  somebody has to look that order up before anything else is done;
- the audit log cannot be written (no write may go unlogged);
- WHMCS refuses the credentials, this machine's IP or the API role (authentication,
  access denied) or the configuration is wrong: no other order can succeed either;
- any order fails and ``stop_on_error=True``.

A dry run reads each order (one ``GetOrders`` per order) and predicts: ``ok`` is True
where the write would be sent, False where it would be refused by the status rules or
the order does not exist (``error`` names which).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .._api.registry import ACTIONS
from .._exceptions import (
    AccessDenied,
    AuditLogError,
    AuthenticationError,
    ConfigError,
    OutcomeUnknown,
    PreconditionFailed,
    WhmcsError,
)
from .._validate import flag, seconds
from .._validate import progress as progress_wanted
from ..frames._converters import SCHEMAS
from ..frames._records import bulk_outcomes_frame
from ._audit import masked_params
from ._orders import ORDER_FUNCTIONS
from ._perform import bulk_action, error_message, order_ids, order_params
from ._protocol import Client

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["BULK_COLUMNS", "bulk", "iter_bulk"]

#: bulk()'s columns and their dtypes (``frames.SCHEMAS["bulk_outcomes"]``).
BULK_COLUMNS = SCHEMAS["bulk_outcomes"]


def _row(orderid: int, action: str, outcome: str, ok: bool, message: str,
         error: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"orderid": orderid, "action": action, "outcome": outcome, "ok": ok,
            "message": message, "error": error, "params": dict(params)}


def _summary(result: Any) -> str:
    status = getattr(result, "status", None)
    if status is not None or hasattr(result, "module"):
        return f"fraud check: {status or '?'} ({getattr(result, 'module', None) or 'no module'})"
    return str(getattr(result, "message", "") or "")


def _one(client: Client, name: str, orderid: int, options: Mapping[str, Any], *,
         dry_run: bool, check: bool) -> tuple[dict[str, Any], WhmcsError | None]:
    whmcs = ACTIONS[name].whmcs
    shown = masked_params(order_params(name, orderid, options))
    try:
        result = ORDER_FUNCTIONS[name](client, orderid, dry_run=dry_run, check=check,
                                       **options)
    except WhmcsError as exc:
        if dry_run and isinstance(exc, PreconditionFailed):  # the prediction: refused
            return _row(orderid, whmcs, "dry-run", False, f"would be refused: {exc}",
                        type(exc).__name__, shown), exc
        outcome = "unknown" if isinstance(exc, OutcomeUnknown) else "error"
        return _row(orderid, whmcs, outcome, False, error_message(exc), type(exc).__name__,
                    shown), exc
    outcome = "dry-run" if dry_run else "success"
    return _row(orderid, whmcs, outcome, True, _summary(result), None, shown), None


def _stop_reason(row: Mapping[str, Any], exc: WhmcsError | None,
                 stop_on_error: bool) -> str | None:
    where = f"order {row['orderid']}"
    if row["outcome"] == "unknown":
        return (f"not attempted: the outcome of {where} is unknown, so the run stopped; "
                "look that order up in WHMCS before going on")
    if isinstance(exc, AuditLogError):
        return "not attempted: the audit log cannot be written"
    if isinstance(exc, AuthenticationError | AccessDenied | ConfigError):
        # No other order can succeed either: the same hint `whmcs-frames statuses` gives.
        return f"not attempted: the run stopped: {exc}"
    if row["outcome"] == "error" and stop_on_error:
        return f"not attempted: the run stopped after {where} failed (stop_on_error)"
    return None


def _rows(client: Client, name: str, ids: list[int], options: Mapping[str, Any], *,
          dry_run: bool, stop_on_error: bool, pause: float, progress: bool | None,
          check: bool) -> Iterator[dict[str, Any]]:
    from tqdm.auto import tqdm

    whmcs = ACTIONS[name].whmcs
    stopped: str | None = None
    with tqdm(total=len(ids), desc=whmcs, unit="orders",
              disable=not progress_wanted("progress", progress)) as bar:
        for position, orderid in enumerate(ids):
            if stopped:
                yield _row(orderid, whmcs, "skipped", False, stopped, None,
                           masked_params(order_params(name, orderid, options)))
                continue
            if position and pause and not dry_run:
                time.sleep(pause)  # be gentle with a live billing system
            row, exc = _one(client, name, orderid, options, dry_run=dry_run, check=check)
            bar.update()
            yield row
            stopped = _stop_reason(row, exc, stop_on_error)


def iter_bulk(client: Client, action: str, orders: Any, *, dry_run: bool = True,
              stop_on_error: bool = False, pause: float = 0.0, progress: bool | None = False,
              check: bool = True, **params: Any) -> Iterator[dict[str, Any]]:
    """Like :func:`bulk`, but yields each order's row as soon as it is done.

    Everything is validated before this returns, so a bad argument raises here and
    not at the first ``next()``.

    Examples
    --------
    >>> for row in iter_bulk(client, "fraud", [17, 18], dry_run=False):  # doctest: +SKIP
    ...     print(row["orderid"], row["outcome"])
    """
    name = bulk_action(action)
    ids = order_ids(orders)
    order_params(name, 1, params)  # unknown or bad options fail now, not per order
    # Safety flags are True or False: a truthy "no" or a falsy None must not decide
    # whether real writes are sent.
    return _rows(client, name, ids, params, dry_run=flag("dry_run", dry_run),
                 stop_on_error=flag("stop_on_error", stop_on_error),
                 pause=seconds("pause", pause), progress=progress_wanted("progress", progress),
                 check=flag("check", check))


def bulk(client: Client, action: str, orders: Any, *, dry_run: bool = True,
         stop_on_error: bool = False, pause: float = 0.0, progress: bool | None = None,
         check: bool = True, **params: Any) -> pd.DataFrame:
    """Run one order action over many orders; one outcome row per order.

    A dry run (the default) sends nothing at all and audits each order as
    ``"dry-run"``, showing what would be sent.

    Parameters
    ----------
    client : Client
        A connected client (:func:`whmcs_frames.connect`).
    action : str
        ``"accept"``, ``"cancel"``, ``"fraud"``, ``"pending"``, ``"fraud_check"`` or
        ``"delete"`` (``"accept_order"``, ``"AcceptOrder"`` and ``"fraud-check"`` work too).
    orders : DataFrame, Series, list of int
        A DataFrame's ``id`` column (else ``orderid``, as line items have it, else its
        index), a Series' values, or ids. Each distinct order is acted on once, in the
        order given.
    dry_run : bool
        Send nothing (default True).
    stop_on_error : bool
        Stop at the first failure; the rest are ``"skipped"``.
    pause : float
        Seconds to wait between orders.
    progress : bool, optional
        Show a progress bar; by default only when stderr is a terminal.
    check : bool
        Read each order fresh and refuse where WHMCS would (see the action functions).
    **params
        The action's own parameters, e.g. ``sendemail=False``; the same for every order.

    Returns
    -------
    pandas.DataFrame
        ``orderid`` (Int64), ``action``, ``outcome`` (category: dry-run, success, error,
        unknown, skipped), ``ok`` (boolean), ``message``, ``error`` (the exception's
        class name) and ``params`` (what was or would be sent, secrets as ``***``).

    Raises
    ------
    ValidationError
        An unknown action or parameter, or an order id that is not a positive integer:
        before anything is sent.

    Examples
    --------
    >>> pending = client.orders("Pending")  # doctest: +SKIP
    >>> wf.bulk(client, "accept", pending, sendemail=False)  # a dry run  # doctest: +SKIP
    >>> done = wf.bulk(client, "accept", pending, dry_run=False, pause=0.5)  # doctest: +SKIP
    >>> done[~done.ok]  # doctest: +SKIP
    """
    rows = iter_bulk(client, action, orders, dry_run=dry_run, stop_on_error=stop_on_error,
                     pause=pause, progress=progress, check=check, **params)
    return bulk_outcomes_frame(list(rows))
