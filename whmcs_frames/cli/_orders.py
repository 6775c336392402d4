"""``whmcs-frames order …``: the order actions from the command line.

Runs against the WHMCS configured in the environment (``wf.connect()``), one order at
a time through :func:`whmcs_frames.actions.iter_bulk`, so every attempt is validated,
status-checked and audited exactly as from Python. A real run asks for confirmation on
stdin unless ``--yes``; without a terminal to ask on, it refuses.

A dry run reads each order and says, per order, whether the write would be sent or
refused (wrong status, no such order).

Exit codes: 0 all done (or a dry run that found nothing in the way), 1 an order failed,
its outcome is unknown, a dry run predicts a refusal, or the confirmation was declined,
2 a usage or configuration error.

Example
-------
>>> from whmcs_frames.cli import main
>>> main(["order", "accept", "1234", "--dry-run"])  # doctest: +SKIP
0
"""

from __future__ import annotations

import argparse
import csv
import sys
import textwrap
from collections.abc import Mapping
from typing import Any, TextIO

from .._api.registry import ACTIONS
from .._client.facade import connect
from .._exceptions import ValidationError
from ..actions._bulk import iter_bulk
from ..actions._perform import bulk_action

__all__ = ["run_order"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_FAILED = ("error", "unknown", "skipped")



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
    if ACTIONS[name].irreversible:
        print("DeleteOrder is IRREVERSIBLE: each order's services, addons, domains and "
              "invoices are deleted with it.", file=err)
    print("Type 'yes' (or 'y') to go on, anything else stops: ", end="", file=err, flush=True)
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
    if row["outcome"] == "dry-run" and row["ok"]:
        message = f"would send {row['action']} {_shown(row['params'])}"
    return f"{row['orderid']:>8}  {row['action']:<15} {row['outcome']:<8} {message}".rstrip()


def _csv_ids(path: str, column: str | None) -> list[int]:
    """The order ids in one column of a CSV (``id``, else ``orderid``, unless named)."""
    try:
        # utf-8-sig reads our own bundles' byte-order mark and plain UTF-8 alike.
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            names = reader.fieldnames or []
            wanted = column or next((c for c in ("id", "orderid") if c in names), None)
            if wanted not in names:
                raise ValidationError("--from-csv", f"a CSV with an {column or 'id'!r} column"
                                      + ("" if column else " (or 'orderid')"),
                                      got_text=f"columns {names}")
            cells = [(n, row[wanted]) for n, row in enumerate(reader, start=2)]
    except OSError as exc:
        raise ValidationError("--from-csv", "a readable CSV file",
                              got_text=f"{path} ({exc.strerror or exc})") from None
    ids = []
    for line, cell in cells:
        text = (cell or "").strip()
        if not text.isdigit() or int(text) < 1:
            raise ValidationError(f"--from-csv line {line}", "an order id", got=cell)
        ids.append(int(text))
    return ids


def run_order(args: argparse.Namespace, out: TextIO) -> int:
    """Handle ``whmcs-frames order …``; returns the exit code."""
    name = bulk_action(args.order_action)
    from_csv = _csv_ids(args.from_csv, args.column) if args.from_csv else []
    ids = list(dict.fromkeys([*args.ids, *from_csv]))
    if not ids:
        raise ValidationError("ID", "at least one order id, or --from-csv FILE with some")
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
            failed = failed or row["outcome"] in _FAILED or not row["ok"]
    return EXIT_FAILED if failed else EXIT_OK
