"""The ``whmcs-frames`` command line.

Exit codes: 0 ok, 1 a WHMCS or network error, 2 a usage or configuration error.
Expected errors print one line to stderr, never a traceback.

Examples
--------
>>> from whmcs_frames.cli import main
>>> main(["demo", "--orders", "200"])  # doctest: +SKIP
0
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from ._cli_orders import add_order_commands, positive_int
from ._client import Client, connect
from ._exceptions import ConfigError, ValidationError, WhmcsError
from ._grouping import as_labels

if TYPE_CHECKING:
    from ._bundle import Bundle

__all__ = ["main"]

EXIT_OK, EXIT_WHMCS, EXIT_USAGE = 0, 1, 2


def _print_statuses(client: Client, out: TextIO) -> None:
    print(client.order_statuses().to_string(index=False), file=out)


def _print_summary(bundle: Bundle, folder: str, out: TextIO) -> None:
    """What a person checks first: orders by status, revenue per currency, the files."""
    statuses = as_labels(bundle.frames["orders"]["status"]).value_counts()
    statuses = statuses.rename_axis("status").reset_index(name="orders")
    print("Orders by status", file=out)
    print(statuses.to_string(index=False) if len(statuses) else "(no orders)", file=out)
    revenue = bundle.tables["revenue_by_currency"]
    print("\nRevenue by currency (paid orders not Cancelled or Fraud; never converted)",
          file=out)
    print(revenue.to_string(index=False, formatters={
        "amount": "{:,.2f}".format, "revenue": "{:,.2f}".format}) if len(revenue)
          else "(no orders)", file=out)
    files = [(f["file"], "-" if f["rows"] is None else f"{f['rows']:,}")
             for f in bundle.manifest["files"]]
    width = max(len(name) for name, _ in files)
    print(f"\nFiles written to {folder}\n{'file':<{width}}  {'rows':>7}", file=out)
    for name, rows in files:
        print(f"{name:<{width}}  {rows:>7}", file=out)


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from . import sandbox
    from ._bundle import write_bundle

    started = time.perf_counter()
    with sandbox.serve(orders=args.orders, seed=args.seed) as box, box.client() as client:
        print(f"WHMCS sandbox on {box.url} ({args.orders} synthetic orders, seed {args.seed})",
              file=out, flush=True)
        bundle = write_bundle(client, args.out, encoding=_encoding(args),
                              charts=not args.no_charts, progress=not args.no_progress)
    _print_summary(bundle, args.out, out)
    print(f"\ndone in {time.perf_counter() - started:.1f} s", file=out)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from ._bundle import make_filters, write_bundle

    make_filters(args.since, args.until, args.status)  # bad dates fail before connecting
    started = time.perf_counter()
    with connect() as client:
        bundle = write_bundle(client, args.out, since=args.since, until=args.until,
                              status=args.status, encoding=_encoding(args),
                              charts=not args.no_charts, progress=not args.no_progress)
    print(f"WHMCS {client.host}: {len(bundle.frames['orders']):,} orders", file=out)
    _print_summary(bundle, args.out, out)
    print(f"\ndone in {time.perf_counter() - started:.1f} s", file=out)
    return EXIT_OK


def _encoding(args: argparse.Namespace) -> str:
    return "utf-8-sig" if args.excel else "utf-8"


def _bundle_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--excel", action="store_true",
                        help="write CSVs as utf-8-sig, which Excel opens as UTF-8")
    parser.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def _cmd_statuses(args: argparse.Namespace, out: TextIO) -> int:
    with connect() as client:
        _print_statuses(client, out)
    return EXIT_OK


def _cmd_sandbox(args: argparse.Namespace, out: TextIO) -> int:
    from . import sandbox

    with sandbox.serve(orders=args.orders, seed=args.seed, latency=args.latency_ms / 1000,
                       port=args.port) as box:
        print(f"WHMCS sandbox listening on {box.url} (Ctrl+C stops it). Connect with:\n"
              f"  export WHMCS_API_URL={box.url}\n"
              f"  export WHMCS_API_IDENTIFIER={box.identifier}\n"
              f"  export WHMCS_API_SECRET={box.secret}\n"
              "  python -c 'import whmcs_frames as wf; print(wf.connect())'", file=out,
              flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("sandbox stopped", file=out)
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="whmcs-frames",
        description="WHMCS orders as pandas DataFrames: reports, reviews and audited actions.",
        epilog="Configure a real WHMCS with WHMCS_API_URL, WHMCS_API_IDENTIFIER and "
               "WHMCS_API_SECRET; `whmcs-frames demo` needs none of them.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="start the built-in sandbox and write the full report bundle",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Start a WHMCS sandbox with synthetic orders, write every CSV, chart\n"
                    "and manifest.json into --out, and print a summary.",
        epilog="examples:\n  whmcs-frames demo\n"
               "  whmcs-frames demo --orders 500 --seed 3 --out /tmp/reports --excel")
    demo.add_argument("--orders", type=positive_int, default=2000,
                      help="synthetic orders (default 2000)")
    demo.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    demo.add_argument("--out", default="whmcs-reports", metavar="DIR",
                      help="report folder (default ./whmcs-reports)")
    _bundle_options(demo)
    demo.set_defaults(run=_cmd_demo)

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
               "--excel")
    export.add_argument("--out", required=True, metavar="DIR", help="report folder")
    export.add_argument("--since", metavar="YYYY-MM-DD",
                        help="orders placed on or after this day")
    export.add_argument("--until", metavar="YYYY-MM-DD",
                        help="orders placed on or before this day")
    export.add_argument("--status", action="append", metavar="STATUS",
                        help="only orders in this status (repeat for several)")
    _bundle_options(export)
    export.set_defaults(run=_cmd_export)

    statuses = commands.add_parser(
        "statuses", help="order counts per status on the configured WHMCS",
        epilog="example: WHMCS_API_URL=https://billing.example.com whmcs-frames statuses")
    statuses.set_defaults(run=_cmd_statuses)

    box = commands.add_parser(
        "sandbox", help="serve the WHMCS-compatible sandbox on 127.0.0.1 in the foreground",
        epilog="example: whmcs-frames sandbox --port 8765 --orders 5000 --latency-ms 25")
    box.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    box.add_argument("--orders", type=int, default=2000, help="synthetic orders (default 2000)")
    box.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    box.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    box.set_defaults(run=_cmd_sandbox)

    add_order_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when omitted.
    out : text stream, optional
        Where normal output goes (stdout by default); errors go to stderr.

    Returns
    -------
    int
        0 ok, 1 WHMCS or network error, 2 usage or configuration error.
    """
    out = out or sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help already
        return int(exc.code or 0)
    run: Callable[[argparse.Namespace, TextIO], int] = args.run
    try:
        return run(args, out)
    except (ConfigError, ValidationError) as exc:
        print(f"whmcs-frames: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WhmcsError as exc:
        print(f"whmcs-frames: {exc}", file=sys.stderr)
        return EXIT_WHMCS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
