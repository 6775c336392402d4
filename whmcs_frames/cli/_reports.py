"""``whmcs-frames demo | export | statuses | sandbox``: the report commands."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from .. import sandbox
from .._client.facade import Client, connect
from .._export.bundle import Bundle, make_filters, write_bundle
from ..reports._grouping import as_labels

__all__ = ["run_demo", "run_export", "run_sandbox", "run_statuses"]

EXIT_OK, EXIT_WHMCS = 0, 1


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


def run_demo(args: argparse.Namespace, out: TextIO) -> int:
    started = time.perf_counter()
    with sandbox.serve(orders=args.orders, seed=args.seed) as box, box.client() as client:
        print(f"WHMCS sandbox on {box.url} ({args.orders} synthetic orders, seed {args.seed})",
              file=out, flush=True)
        bundle = write_bundle(client, args.out, encoding=_encoding(args), xlsx=args.xlsx,
                              charts=not args.no_charts, progress=_progress(args),
                              billing=not args.no_billing)
    _print_summary(bundle, args.out, out)
    print(f"\ndone in {time.perf_counter() - started:.1f} s", file=out)
    return EXIT_OK


def run_export(args: argparse.Namespace, out: TextIO) -> int:
    make_filters(args.since, args.until, args.status)  # bad dates fail before connecting
    started = time.perf_counter()
    with connect() as client:
        bundle = write_bundle(client, args.out, since=args.since, until=args.until,
                              status=args.status, encoding=_encoding(args), xlsx=args.xlsx,
                              charts=not args.no_charts, progress=_progress(args),
                              billing=not args.no_billing)
    print(f"WHMCS {client.host}: {len(bundle.frames['orders']):,} orders", file=out)
    _print_summary(bundle, args.out, out)
    print(f"\ndone in {time.perf_counter() - started:.1f} s", file=out)
    return EXIT_OK


def _progress(args: argparse.Namespace) -> bool | None:
    """``--progress`` forces bars, ``--no-progress`` stops them; else only on a terminal."""
    return True if args.progress else False if args.no_progress else None


def _encoding(args: argparse.Namespace) -> str:
    return "utf-8" if args.utf8 else "utf-8-sig"


def run_statuses(args: argparse.Namespace, out: TextIO) -> int:
    with connect() as client:
        _print_statuses(client, out)
    return EXIT_OK


def run_sandbox(args: argparse.Namespace, out: TextIO) -> int:
    try:
        box = sandbox.Sandbox(orders=args.orders, seed=args.seed,
                              latency=args.latency_ms / 1000, port=args.port,
                              flavour=args.flavour)
    except OSError as exc:  # the port is taken, or not ours to bind
        print(f"whmcs-frames: cannot serve the sandbox on 127.0.0.1:{args.port}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return EXIT_WHMCS
    with box:
        box.faults.per_record = args.per_order_ms / 1000
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
