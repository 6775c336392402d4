"""The ``whmcs-frames`` argument parser: every command, option and help text.

It imports nothing but the standard library, so ``whmcs-frames --help`` (and a usage
error) answers without loading pandas; each command names the module and function that
runs it, which :func:`whmcs_frames.cli.main` loads only once the arguments parsed.

Examples
--------
>>> build_parser().parse_args(["order", "fraud", "7", "--dry-run"]).handler
('_orders', 'run_order')
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from ..__version__ import __version__

__all__ = ["SANDBOX_FLAVOURS", "age", "build_parser", "positive_int"]

#: ``wf.sandbox.FLAVOURS``, written out so --help needs no import (a test keeps them equal).
SANDBOX_FLAVOURS = ("8", "7", "quirks")

_EXAMPLES = """\
examples:
  whmcs-frames order accept 1234 1235 --no-send-email
  whmcs-frames order cancel 1234 --cancel-sub --dry-run
  whmcs-frames order delete 1234 --yes   (irreversible)
  whmcs-frames order cancel --from-csv stale.csv

Every attempt, dry runs included, is appended to the audit log
(WHMCS_FRAMES_AUDIT_LOG, default in your data directory)."""


def _whole_number(text: str, minimum: int, wanted: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise argparse.ArgumentTypeError(f"not {wanted}: {text!r}")
    return value


def positive_int(text: str) -> int:
    """An argparse ``type`` for counts and ids: a whole number of at least 1."""
    return _whole_number(text, 1, "a positive integer")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):  # inf would sleep forever mid-run
        raise argparse.ArgumentTypeError(f"not a finite number of seconds: {text!r}")
    return value


def _count(text: str) -> int:
    """A whole number of at least 0."""
    return _whole_number(text, 0, "a whole number >= 0")


def _port(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    value = _count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port from 0 to 65535: {text!r}")
    return value


_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def age(text: str) -> float:
    """An argparse ``type`` for ``--older-than``: ``90m``, ``12h``, ``3d``, ``2w`` → seconds."""
    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if unit not in _UNITS or not value.isdigit():
        raise argparse.ArgumentTypeError(
            f"not an age such as 3d, 12h, 90m or 2w: {text!r}")
    return int(value) * _UNITS[unit]


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("ids", metavar="ID", nargs="*", type=positive_int,
                        help="order ids (or --from-csv)")
    parent.add_argument("--from-csv", metavar="FILE",
                        help="also the ids in this CSV's id (or orderid) column, e.g. a "
                             "file `whmcs-frames orders --csv` wrote")
    parent.add_argument("--column", metavar="NAME",
                        help="the --from-csv column holding the ids (default: id, else "
                             "orderid)")
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
    order.set_defaults(handler=("_orders", "run_order"))


def _bundle_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--utf8", action="store_true",
                        help="plain UTF-8 CSVs (default: UTF-8 with the byte-order mark "
                             "Excel needs to read accents)")
    parser.add_argument("--excel", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--xlsx", action="store_true",
                        help="also write reports.xlsx, one sheet per table (needs "
                             "pip install 'whmcs-frames[excel]')")
    parser.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    bars = parser.add_mutually_exclusive_group()
    bars.add_argument("--no-progress", action="store_true", help="no progress bars")
    bars.add_argument("--progress", action="store_true",
                      help="progress bars even when stderr is not a terminal (default: "
                           "only on a terminal)")
    parser.add_argument("--no-billing", action="store_true",
                        help="orders only: leave out clients, services, invoices, "
                             "transactions and the recurring-revenue and cash reports")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="whmcs-frames",
        description="WHMCS orders as pandas DataFrames: reports, reviews and audited actions.",
        epilog="Configure a real WHMCS with WHMCS_API_URL, WHMCS_API_IDENTIFIER and "
               "WHMCS_API_SECRET; `whmcs-frames demo` needs none of them.")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="start the built-in sandbox and write the full report bundle",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Start a WHMCS sandbox with synthetic orders, write every CSV, chart\n"
                    "and manifest.json into --out, and print a summary.",
        epilog="examples:\n  whmcs-frames demo\n"
               "  whmcs-frames demo --orders 500 --seed 3 --out /tmp/reports --xlsx")
    demo.add_argument("--orders", type=positive_int, default=2000,
                      help="synthetic orders (default 2000)")
    demo.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    demo.add_argument("--out", default="whmcs-reports", metavar="DIR",
                      help="report folder (default ./whmcs-reports)")
    _bundle_options(demo)
    demo.set_defaults(handler=("_reports", "run_demo"))

    export = commands.add_parser(
        "export", help="write the report bundle from the configured WHMCS",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read orders, lines, products, pricing, promotions and statuses from\n"
                    "the WHMCS configured in WHMCS_API_URL, WHMCS_API_IDENTIFIER and\n"
                    "WHMCS_API_SECRET, and write the CSV/PNG bundle with manifest.json\n"
                    "into --out. Exit codes: 0 ok, 1 WHMCS or network error, 2 usage or\n"
                    "configuration error.",
        epilog="examples:\n  whmcs-frames export --out reports/\n"
               "  whmcs-frames export --out q1/ --since 2024-01-01 --until 2024-03-31\n"
               "  whmcs-frames export --out review/ --status Pending --status 'In Review' "
               "--xlsx")
    export.add_argument("--out", required=True, metavar="DIR", help="report folder")
    export.add_argument("--since", metavar="YYYY-MM-DD",
                        help="orders placed on or after this day")
    export.add_argument("--until", metavar="YYYY-MM-DD",
                        help="orders placed on or before this day")
    export.add_argument("--status", action="append", metavar="STATUS",
                        help="only orders in this status (repeat for several)")
    _bundle_options(export)
    export.set_defaults(handler=("_reports", "run_export"))

    statuses = commands.add_parser(
        "statuses", help="order counts per status on the configured WHMCS",
        epilog="example: WHMCS_API_URL=https://billing.example.com whmcs-frames statuses")
    statuses.set_defaults(handler=("_reports", "run_statuses"))

    box = commands.add_parser(
        "sandbox", help="serve the WHMCS-compatible sandbox on 127.0.0.1 in the foreground",
        epilog="example: whmcs-frames sandbox --port 8765 --orders 5000 --latency-ms 25")
    box.add_argument("--port", type=_port, default=8765,
                     help="port on 127.0.0.1, 0 for any free one (default 8765)")
    box.add_argument("--orders", type=_count, default=2000,
                     help="synthetic orders (default 2000)")
    box.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    box.add_argument("--latency-ms", type=_seconds, default=0.0, metavar="MS",
                     help="added to every request")
    box.add_argument("--per-order-ms", type=_seconds, default=0.0, metavar="MS",
                     help="added per order a GetOrders page holds (a production-like cost)")
    box.add_argument("--flavour", choices=SANDBOX_FLAVOURS, default=SANDBOX_FLAVOURS[0],
                     help="which WHMCS to imitate on the wire: 8 (integers, as the current "
                          "reference shows), 7 (strings) or quirks (every untidy shape); "
                          "default 8")
    box.set_defaults(handler=("_reports", "run_sandbox"))

    _table_commands(commands)
    add_order_commands(commands)
    return parser


def _table_commands(commands: Any) -> None:
    """``orders`` and ``audit``: the daily questions, answered as a table on stdout."""
    orders = commands.add_parser(
        "orders", help="list orders from the configured WHMCS as a table",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Orders of the configured WHMCS, newest first, as a table on stdout\n"
                    "(id, date, age, status, client, amount, currency, payment, fraud score).",
        epilog="examples:\n  whmcs-frames orders --status Pending --older-than 3d\n"
               "  whmcs-frames orders --status Pending --older-than 3d --csv stale.csv\n"
               "  whmcs-frames order cancel --from-csv stale.csv")
    orders.add_argument("--status", metavar="STATUS",
                        help="only orders in this status (checked against WHMCS's list)")
    orders.add_argument("--older-than", type=age, metavar="AGE",
                        help="only orders placed more than AGE ago: 90m, 12h, 3d, 2w")
    orders.add_argument("--csv", metavar="FILE",
                        help="also write every column of those orders to FILE")
    orders.add_argument("--limit", type=positive_int, metavar="N",
                        help="show at most N rows (the CSV has them all)")
    orders.set_defaults(handler=("_tables", "run_orders"))

    audit = commands.add_parser(
        "audit", help="the audit log of write attempts as a table",
        description="Every write attempt in the audit log (WHMCS_FRAMES_AUDIT_LOG, default "
                    "in your data directory), one row per attempt, oldest first.",
        epilog="example: whmcs-frames audit --since 2024-06-01")
    audit.add_argument("--since", metavar="YYYY-MM-DD",
                       help="attempts on or after this day (UTC)")
    audit.add_argument("--log", metavar="FILE", help="another audit log file")
    audit.set_defaults(handler=("_tables", "run_audit"))
