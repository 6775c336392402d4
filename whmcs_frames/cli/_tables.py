"""``whmcs-frames orders | audit``: the analyst's daily questions, as tables on stdout."""

from __future__ import annotations

import argparse
from typing import TextIO

import pandas as pd

from .._client.facade import connect
from .._export.bundle import parse_bound
from .._export.safe_csv import write_csv
from ..actions._audit import read_audit_log

__all__ = ["run_audit", "run_orders"]

EXIT_OK = 0
_SHOWN = ("id", "date", "age", "status", "name", "amount", "currency", "paymentmethod",
          "paymentstatus", "fraud_score")
_AUDIT_SHOWN = ("time", "user", "analyst", "host", "action", "orderid", "outcome", "message")


def _age(dates: pd.Series, now: pd.Timestamp) -> pd.Series:
    """``3d 4h``-style ages, or blank for an order without a date."""
    seconds = (now - dates).dt.total_seconds()
    days, hours = seconds // 86400, (seconds % 86400) // 3600
    text = days.astype("Int64").astype(str) + "d " + hours.astype("Int64").astype(str) + "h"
    return text.where(dates.notna(), "")


def _table(frame: pd.DataFrame, columns: tuple[str, ...], limit: int | None) -> str:
    shown = frame[[c for c in columns if c in frame.columns]]
    if limit is not None:
        shown = shown.head(limit)
    return shown.to_string(index=False, na_rep="", formatters={
        "amount": "{:,.2f}".format, "fraud_score": lambda v: "" if pd.isna(v) else f"{v:g}"})


def run_orders(args: argparse.Namespace, out: TextIO) -> int:
    """Handle ``whmcs-frames orders``; returns the exit code."""
    # WHMCS dates are the server's local time without a zone; so is this clock.
    now = pd.Timestamp.now()
    with connect() as client:
        orders = client.orders(args.status, progress=None)
    if args.older_than is not None:
        cutoff = now - pd.Timedelta(seconds=args.older_than)
        orders = orders[(orders["date"] < cutoff).fillna(False)]
    orders = orders.sort_values("date", ascending=False, na_position="last")
    orders = orders.reset_index(drop=True)
    if args.csv:
        write_csv(orders, args.csv)
    if orders.empty:
        print("(no orders)", file=out)
    else:
        print(_table(orders.assign(age=_age(orders["date"], now)), _SHOWN, args.limit),
              file=out)
    more = f", all {len(orders):,} in {args.csv}" if args.csv else ""
    print(f"{len(orders):,} order(s){more}", file=out)
    return EXIT_OK


def run_audit(args: argparse.Namespace, out: TextIO) -> int:
    """Handle ``whmcs-frames audit``; returns the exit code."""
    since, _ = parse_bound(args.since, "since")
    log = read_audit_log(args.log)
    if since is not None and len(log):
        log = log[(log["time"] >= since.tz_localize("UTC")).fillna(False)]
    if log.empty:
        print("(no write attempts)", file=out)
        return EXIT_OK
    log = log.assign(time=log["time"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    print(_table(log, _AUDIT_SHOWN, None), file=out)
    print(f"{len(log):,} attempt(s)", file=out)
    return EXIT_OK
