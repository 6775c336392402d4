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
from typing import TextIO

from ._cli_orders import add_order_commands
from ._client import Client, connect
from ._exceptions import ConfigError, ValidationError, WhmcsError

__all__ = ["main"]

EXIT_OK, EXIT_WHMCS, EXIT_USAGE = 0, 1, 2


_RECENT_COLUMNS = ["id", "date", "name", "amount", "currency", "paymentstatus", "status"]


def _print_statuses(client: Client, out: TextIO) -> None:
    print(client.order_statuses().to_string(index=False), file=out)


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from . import sandbox

    started = time.perf_counter()
    with sandbox.serve(orders=args.orders, seed=args.seed) as box, box.client() as client:
        print(f"WHMCS sandbox on {box.url} ({args.orders} synthetic orders, seed {args.seed})",
              file=out)
        read_started = time.perf_counter()
        orders = client.orders()
        lines = client.order_lines()
        print(f"Read {len(orders)} orders with {len(lines)} line items in "
              f"{time.perf_counter() - read_started:.2f} s\n", file=out)
        print("Orders by status", file=out)
        _print_statuses(client, out)
        print("\nMost recent orders", file=out)
        print(orders.nlargest(5, "date")[_RECENT_COLUMNS].to_string(index=False), file=out)
    print(f"\ndone in {time.perf_counter() - started:.1f} s", file=out)
    return EXIT_OK


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
        "demo", help="start the built-in sandbox and report on it",
        epilog="example: whmcs-frames demo --orders 500 --seed 3")
    demo.add_argument("--orders", type=int, default=2000, help="synthetic orders (default 2000)")
    demo.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    demo.add_argument("--out", default="whmcs-reports", help="report folder (default "
                      "./whmcs-reports; the CSV bundle arrives with the reports feature)")
    demo.set_defaults(run=_cmd_demo)

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
