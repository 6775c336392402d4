"""``whmcs-frames order …``: the order actions from the command line.

Runs against the WHMCS configured in the environment (``wf.connect()``), one order at
a time through :func:`whmcs_frames.actions.iter_bulk`, so every attempt is validated,
status-checked and audited exactly as from Python. A real run asks for confirmation on
stdin unless ``--yes``; without a terminal to ask on, it refuses.

Exit codes: 0 all done (or a dry run), 1 an order failed, its outcome is unknown, or
the confirmation was declined, 2 a usage or configuration error.

Example
-------
>>> from whmcs_frames.cli import main
>>> main(["order", "accept", "1234", "--dry-run"])  # doctest: +SKIP
0
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Mapping
from typing import Any, TextIO

from ._bulk import iter_bulk
from ._client import connect
from ._registry import ACTIONS
from ._writes import bulk_action

__all__ = ["add_order_commands", "positive_int"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_FAILED = ("error", "unknown", "skipped")
_EXAMPLES = """\
examples:
  whmcs-frames order accept 1234 1235 --no-send-email
  whmcs-frames order cancel 1234 --cancel-sub --dry-run
  whmcs-frames order delete 1234 --yes   (irreversible)

Every attempt, dry runs included, is appended to the audit log
(WHMCS_FRAMES_AUDIT_LOG, default in your data directory)."""


def positive_int(text: str) -> int:
    """An argparse ``type`` for counts and ids: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive integer: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("ids", metavar="ID", nargs="+", type=positive_int, help="order ids")
    parent.add_argument("--dry-run", action="store_true",
                        help="send nothing; log and show what would be sent")
    parent.add_argument("-y", "--yes", action="store_true",
                        help="do not ask for confirmation (needed without a terminal)")
    parent.add_argument("--stop-on-error", action="store_true",
                        help="stop at the first order that fails")
    parent.add_argument("--pause", type=_seconds, default=0.0, metavar="SECONDS",
                        help="wait between orders (default 0)")
    return parent


def _verbs(orders: Any, parent: argparse.ArgumentParser) -> None:
    def verb(name: str, text: str) -> argparse.ArgumentParser:
        sub = orders.add_parser(name, parents=[parent], help=text, description=text,
                                epilog=_EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.set_defaults(order_action=name)
        return sub

    accept = verb("accept", "accept Pending orders (AcceptOrder)")
    flags = (("--send-email", "sendemail", "send the welcome e-mails"),
             ("--autosetup", "autosetup", "run the product modules' setup"),
             ("--send-registrar", "sendregistrar", "send domains to the registrar"))
    for option, dest, text in flags:
        accept.add_argument(option, dest=dest, action=argparse.BooleanOptionalAction,
                            default=None, help=f"{text} (default: WHMCS's setting)")
    accept.add_argument("--server-id", dest="serverid", type=positive_int, metavar="ID",
                        help="put the services on this server")
    accept.add_argument("--registrar", help="registrar module for the domains")
    cancel = verb("cancel", "cancel Pending orders (CancelOrder)")
    fraud = verb("fraud", "mark orders as Fraud (FraudOrder)")
    for sub in (cancel, fraud):
        sub.add_argument("--cancel-sub", dest="cancelsub", action="store_const", const=True,
                         help="also cancel the payment subscription")
    cancel.add_argument("--no-email", dest="noemail", action="store_const", const=True,
                        help="do not send the invoice-paid e-mail")
    verb("pending", "set orders back to Pending (PendingOrder)")
    check = verb("fraud-check", "run the fraud module on orders (OrderFraudCheck)")
    check.add_argument("--ip-address", dest="ipaddress", metavar="IP",
                       help="check this IP instead of the order's")
    verb("delete", "delete Cancelled or Fraud orders and all tied to them (DeleteOrder; "
                   "irreversible)")


def add_order_commands(subparsers: Any) -> None:
    """Register ``order accept|cancel|fraud|pending|fraud-check|delete ID...``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_order_commands(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["order", "fraud", "7", "--dry-run"]).order_action
    'fraud'
    """
    order = subparsers.add_parser(
        "order", help="accept, cancel, fraud, pending, fraud-check or delete orders",
        description="Act on orders in the configured WHMCS, one at a time, audited. "
                    "Asks for confirmation unless --yes or --dry-run.",
        epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = order.add_subparsers(dest="order_action", required=True, metavar="ACTION")
    _verbs(verbs, _common())
    order.set_defaults(run=run_order)


def _options(args: argparse.Namespace, name: str) -> dict[str, Any]:
    allowed = set(ACTIONS[name].params) - {"orderid"}
    return {k: v for k, v in vars(args).items() if k in allowed and v is not None}


def _shown(params: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def _confirmed(name: str, ids: list[int], host: str, options: Mapping[str, Any]) -> bool:
    err = sys.stderr
    whmcs = ACTIONS[name].whmcs
    listed = textwrap.fill(", ".join(map(str, ids)), width=88, initial_indent="  ",
                           subsequent_indent="  ")
    print(f"About to send {whmcs} to {host} for {len(ids)} order(s):\n{listed}", file=err)
    if options:
        print(f"  with {_shown(options)}", file=err)
    if name == "delete_order":
        print("DeleteOrder is IRREVERSIBLE: each order's services, addons, domains and "
              "invoices are deleted with it.", file=err)
    print("Type 'yes' to go on: ", end="", file=err, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def _can_ask() -> bool:
    stdin = sys.stdin
    try:
        return stdin is not None and not stdin.closed and stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _line(row: Mapping[str, Any]) -> str:
    message = row["message"]
    if row["outcome"] == "dry-run":
        message = f"would send {row['action']} {_shown(row['params'])}"
    return f"{row['orderid']:>8}  {row['action']:<15} {row['outcome']:<8} {message}".rstrip()


def run_order(args: argparse.Namespace, out: TextIO) -> int:
    """Handle ``whmcs-frames order …``; returns the exit code."""
    name = bulk_action(args.order_action)
    ids = list(dict.fromkeys(args.ids))
    options = _options(args, name)
    with connect() as client:
        if not (args.dry_run or args.yes):
            if not _can_ask():
                print("whmcs-frames: refusing to act without confirmation: no terminal "
                      "to ask on. Pass --yes (or --dry-run).", file=sys.stderr)
                return EXIT_USAGE
            if not _confirmed(name, ids, client.host, options):
                print("Not confirmed: nothing was sent.", file=sys.stderr)
                return EXIT_FAILED
        rows = iter_bulk(client, name, ids, dry_run=args.dry_run, progress=False,
                         stop_on_error=args.stop_on_error, pause=args.pause, **options)
        failed = False
        for row in rows:
            print(_line(row), file=out, flush=True)
            failed = failed or row["outcome"] in _FAILED
    return EXIT_FAILED if failed else EXIT_OK
