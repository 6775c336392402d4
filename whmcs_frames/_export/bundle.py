"""The report bundle behind :func:`whmcs_frames.reports.export_reports`.

Reads (or takes) the frames, applies the date and status filters to orders and their
lines, computes every aggregation, writes CSVs and PNG charts, and writes
``manifest.json`` last, so a folder with a manifest holds a complete bundle.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .. import plots, reports
from ..__version__ import __version__
from .._exceptions import ValidationError
from .._validate import listed
from ..frames import describe
from ..reports._grouping import casefolded
from .billing import (
    BILLING_FRAMES,
    BILLING_SCOPE,
    as_of,
    billing_charts,
    billing_tables,
    read_billing,
)
from .files import out_dir_for, remove_previous, write_file
from .safe_csv import ENCODINGS, write_csv
from .workbook import write_workbook

__all__ = ["Bundle", "Filters", "export_reports", "parse_bound", "write_bundle"]

FRAME_NAMES = ("orders", "order_lines", "products", "product_pricing", "promotions",
               "order_statuses")
_SCOPE = ("orders, order_lines and every aggregation and chart; products, product_pricing, "
          "promotions and order_statuses are the whole catalogue as WHMCS reports it")
_DATE_HELP = "a date as YYYY-MM-DD (or an ISO date-time)"


@dataclass(frozen=True)
class Filters:
    """Which orders a bundle covers; ``until`` is exclusive when ``until_exclusive``."""

    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None
    until_exclusive: bool = False
    statuses: tuple[str, ...] = ()
    given: dict[str, Any] = field(default_factory=dict)

    def select(self, orders: pd.DataFrame, lines: pd.DataFrame
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The orders these filters keep, and the lines of those orders."""
        keep = pd.Series(True, index=orders.index)
        if self.since is not None:
            keep &= (orders["date"] >= self.since).fillna(False)
        if self.until is not None:
            before = orders["date"] < self.until if self.until_exclusive \
                else orders["date"] <= self.until
            keep &= before.fillna(False)
        if self.statuses:
            wanted = [s.casefold() for s in self.statuses]  # WHMCS matches statuses so too
            keep &= casefolded(orders["status"]).isin(wanted).fillna(False)
        kept = orders[keep.astype(bool)].reset_index(drop=True)
        if len(kept) == len(orders):
            return kept, lines
        return kept, lines[lines["orderid"].isin(kept["id"])].reset_index(drop=True)


def parse_bound(value: str | date | datetime | None, name: str
                ) -> tuple[pd.Timestamp | None, bool]:
    """A ``since``/``until`` value as a timestamp, and whether it names a whole day.

    Examples
    --------
    >>> parse_bound("2024-02-01", "since")
    (Timestamp('2024-02-01 00:00:00'), True)
    """
    if value is None:
        return None, False
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(name, _DATE_HELP, got=value) from None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValidationError(name, "a naive date-time in the WHMCS server's time "
                                  "(WHMCS dates carry no time zone)", got=value)
        return pd.Timestamp(value), False
    if isinstance(value, date):
        return pd.Timestamp(value), True
    raise ValidationError(name, _DATE_HELP, got_text=f"a {type(value).__name__}")


def _statuses(status: str | Sequence[str] | None) -> tuple[str, ...]:
    if status is not None and not isinstance(status, str | list | tuple | set | frozenset):
        raise ValidationError("status", "an order status or a list of them", got=status)
    items = [status] if isinstance(status, str) else list(status or ())
    if any(not isinstance(s, str) or not s.strip() for s in items):
        raise ValidationError("status", "an order status or a list of them", got=status)
    return tuple(dict.fromkeys(s.strip() for s in items))


def make_filters(since: Any, until: Any, status: Any) -> Filters:
    """Check and normalise the filters; raises :class:`ValidationError` on bad input."""
    start, _ = parse_bound(since, "since")
    end, whole_day = parse_bound(until, "until")
    if whole_day and end is not None:
        end += timedelta(days=1)  # "until 2024-03-31" includes all of that day
    if start is not None and end is not None and start >= end:
        raise ValidationError("until", "a date after since", got=until)
    statuses = _statuses(status)
    given = {"since": None if since is None else str(since),
             "until": None if until is None else str(until), "status": list(statuses)}
    return Filters(start, end, whole_day, statuses, given)


def _known_statuses(filters: Filters, known: Callable[[str], str]) -> Filters:
    """The filters with each status spelt as WHMCS lists it; an unknown one raises.

    WHMCS answers an unknown status with no orders, which would make an empty bundle.
    """
    if not filters.statuses:
        return filters
    statuses = tuple(dict.fromkeys(known(s) for s in filters.statuses))
    return replace(filters, statuses=statuses, given={**filters.given, "status": list(statuses)})


def _read_client(client: Any, filters: Filters, progress: bool | None,
                 billing: bool) -> dict[str, pd.DataFrame]:
    # One status can be asked of WHMCS directly: fewer pages from somebody's billing system.
    server_status = filters.statuses[0] if len(filters.statuses) == 1 else None
    # Newest first, a read can stop once whole pages are older than since.
    since = None if filters.since is None else filters.since.to_pydatetime()
    frames = {
        "orders": client.orders(server_status, since=since, progress=progress),
        "order_lines": client.order_lines(server_status, since=since, progress=progress),
        "products": client.products(), "product_pricing": client.product_pricing(),
        "promotions": client.promotions(), "order_statuses": client.order_statuses(),
    }
    return {**frames, **read_billing(client, progress)} if billing else frames


def _given_frames(source: Any) -> dict[str, pd.DataFrame]:
    get: Callable[[str], Any] = source.get if isinstance(source, Mapping) \
        else (lambda name: getattr(source, name, None))
    found = {name: get(name) for name in (*FRAME_NAMES, *BILLING_FRAMES)}
    if found["orders"] is None or found["order_lines"] is None:
        raise ValidationError("source", "a Client, or frames by name with at least "
                              "'orders' and 'order_lines'", got_text=f"a {type(source).__name__}")
    for name, frame in found.items():
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise ValidationError(f"source[{name!r}]", "a DataFrame",
                                  got_text=f"a {type(frame).__name__}")
    return {name: frame for name, frame in found.items() if frame is not None}


def aggregations(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every aggregation the bundle writes, by file stem."""
    orders, lines = frames["orders"], frames["order_lines"]
    return {
        "revenue_by_month": reports.revenue_by_month(orders),
        "revenue_by_week": reports.revenue_by_period(orders, freq="week"),
        "revenue_by_currency": reports.revenue_by_currency(orders),
        "orders_by_month": reports.orders_by_period(orders, freq="month"),
        "orders_by_week": reports.orders_by_period(orders, freq="week"),
        "orders_by_day": reports.orders_by_period(orders, freq="day", by="currency"),
        "status_summary": reports.status_summary(orders),
        "paid_vs_unpaid": reports.paid_vs_unpaid(orders),
        "payment_methods": reports.payment_methods(orders),
        "product_mix": reports.product_mix(lines),
        "product_revenue": reports.product_revenue(lines),
        "promotion_usage": reports.promotion_usage(orders, frames.get("promotions")),
        "fraud_scores": reports.fraud_score_distribution(orders),
        "conversion_by_month": reports.conversion_by_cohort(orders, freq="month"),
    }


def _draw_charts(frames: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Every chart of :mod:`whmcs_frames.plots` as a PNG."""
    # A bare Figure, not pyplot: no GUI backend, no global figure list to close.
    from matplotlib.figure import Figure

    charts = (("orders_over_time", plots.orders_over_time, "orders"),
              ("revenue_by_month", plots.revenue_by_month, "orders"),
              ("status_breakdown", plots.status_breakdown, "orders"),
              ("payment_methods", plots.payment_methods, "orders"),
              ("product_mix", plots.product_mix, "order_lines"),
              ("product_revenue", plots.product_revenue, "order_lines"),
              ("promotion_usage", plots.promotion_usage, "orders"),
              ("fraud_scores", plots.fraud_scores, "orders"))
    drawn: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = [
        (name, draw, (frames[frame],), {}) for name, draw, frame in charts]
    paths = []
    for name, draw, args, kwargs in (*drawn, *billing_charts(frames)):
        figure = Figure(figsize=(10, 5.2), dpi=100, layout="constrained")
        draw(*args, ax=figure.subplots(), **kwargs)
        paths.append(write_file(folder, f"{name}.png",
                                 partial(figure.savefig, format="png"))[0])
    return paths


@dataclass
class Bundle:
    """What :func:`write_bundle` wrote: paths, the manifest, and the tables behind it."""

    paths: list[Path]
    manifest: dict[str, Any]
    frames: dict[str, pd.DataFrame]
    tables: dict[str, pd.DataFrame]


def _manifest(filters: Filters, host: str | None, encoding: str,
              files: list[dict[str, Any]], conversion: dict[str, Any] | None,
              frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    day = as_of(frames)
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "whmcs_host": host, "generator": f"whmcs_frames {__version__}",
        "filters": filters.given, "filters_apply_to": _SCOPE,
        "not_filtered": BILLING_SCOPE, "encoding": encoding,
        "as_of": None if day is None else day.date().isoformat(),
        "revenue_definition": reports.REVENUE_DEFINITION,
        "time_to_accept": reports.TIME_TO_ACCEPT,
        "partial_periods": "Time series flag periods the data covers only in part "
                           "(partial=True): their totals are not comparable with full ones.",
        "conversion": conversion,
        "files": files,
    }


def _converted(tables: dict[str, pd.DataFrame], rates: Any, to: Any
               ) -> tuple[dict[str, pd.DataFrame], dict[str, Any] | None]:
    """Every money table with its converted columns, and what the manifest records."""
    if rates is None and to is None:
        return tables, None
    if rates is None or to is None:
        raise ValidationError("rates" if rates is None else "to",
                              "given together with " + ("to" if rates is None else "rates"))
    out, recorded = {}, None
    for name, table in tables.items():
        money = [c for c in reports.MONEY_COLUMNS if c in table.columns]
        if "currency" in table.columns and money:
            table = reports.convert(table, rates=rates, to=to)
            recorded = {"to": table.attrs["conversion"]["to"],
                        "rates": table.attrs["conversion"]["rates"]}
        out[name] = table
    return out, recorded


def _sidecars(folder: Path, frames: Mapping[str, pd.DataFrame],
              tables: Mapping[str, pd.DataFrame], encoding: str, xlsx: bool
              ) -> list[tuple[Path, pd.DataFrame | None]]:
    """``columns.csv`` (the frames' column dictionary) and, if asked, ``reports.xlsx``."""
    dictionary = describe()
    dictionary = dictionary[dictionary["frame"].isin(list(frames))].reset_index(drop=True)
    written: list[tuple[Path, pd.DataFrame | None]] = [(write_file(
        folder, "columns.csv", partial(write_csv, dictionary, encoding=encoding))[0],
        dictionary)]
    if xlsx:
        workbook = {**frames, **tables, "columns": dictionary}
        written.append((write_file(folder, "reports.xlsx",
                                    partial(write_workbook, workbook))[0], None))
    return written


def write_bundle(source: Any, out_dir: str | os.PathLike[str], *, since: Any = None,
                 until: Any = None, status: Any = None, encoding: str = "utf-8-sig",
                 charts: bool = True, progress: bool | None = None, host: str | None = None,
                 xlsx: bool = False, rates: Mapping[str, float] | None = None,
                 to: str | None = None, billing: bool = True) -> Bundle:
    """Do :func:`export_reports`' work; see there."""
    if encoding not in ENCODINGS:
        raise ValidationError("encoding", " or ".join(map(repr, ENCODINGS)), got=encoding)
    filters = make_filters(since, until, status)
    folder = out_dir_for(out_dir)
    is_client = callable(getattr(source, "orders", None)) and hasattr(source, "host")
    if is_client:
        filters = _known_statuses(filters, source.known_status)
        frames = _read_client(source, filters, progress, billing)
    else:
        frames = _given_frames(source)
        if "order_statuses" in frames:
            titles = frames["order_statuses"]["title"].dropna().tolist()
            filters = _known_statuses(filters, lambda s: listed("status", s, titles,
                                                                what="order status"))
    frames["orders"], frames["order_lines"] = filters.select(frames["orders"],
                                                             frames["order_lines"])
    tables, conversion = _converted({**aggregations(frames), **billing_tables(frames)},
                                    rates, to)
    paths: list[Path] = []
    files: list[dict[str, Any]] = []
    try:
        # An old manifest would vouch for a half-rewritten folder if this run failed,
        # and the last bundle's files (charts this run skips) would pass for this one's.
        remove_previous(folder)
        for name, frame in (*frames.items(), *tables.items()):
            path, rows = write_file(folder, f"{name}.csv", partial(
                write_csv, frame, encoding=encoding))
            paths.append(path)
            files.append({"file": path.name, "rows": rows,
                          "columns": [str(c) for c in frame.columns]})
        for path, table in _sidecars(folder, frames, tables, encoding, xlsx):
            paths.append(path)
            files.append({"file": path.name, "rows": None if table is None else len(table),
                          "columns": None if table is None else list(table.columns)})
        if charts:
            for path in _draw_charts(frames, folder):
                paths.append(path)
                files.append({"file": path.name, "rows": None, "columns": None})
        manifest = _manifest(filters, host or (source.host if is_client else None),
                             encoding, files, conversion, frames)
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        paths.append(write_file(folder, "manifest.json",
                                 lambda p: p.write_text(text, encoding="utf-8"))[0])
    except OSError as exc:
        raise ValidationError("out_dir", "a folder that can be written",
                              got_text=f"{folder} ({exc.strerror or exc})") from None
    return Bundle(paths, manifest, frames, tables)


def export_reports(
    source: Any,
    out_dir: str | os.PathLike[str],
    *,
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    status: str | Sequence[str] | None = None,
    encoding: Literal["utf-8", "utf-8-sig"] = "utf-8-sig",
    charts: bool = True,
    progress: bool | None = None,
    host: str | None = None,
    xlsx: bool = False,
    rates: Mapping[str, float] | None = None,
    to: str | None = None,
    billing: bool = True,
) -> list[Path]:
    """Write the report bundle: frames and aggregations as CSV, charts as PNG, a manifest.

    Files: ``orders.csv``, ``order_lines.csv``, ``products.csv``,
    ``product_pricing.csv``, ``promotions.csv``, ``order_statuses.csv``, ``columns.csv``
    (what each column means and where it comes from), every
    aggregation of :mod:`whmcs_frames.reports` (``revenue_by_month.csv``, ``status_summary.csv``…),
    and beyond orders ``clients.csv`` (e-mail domains only), ``services.csv`` (no
    credentials), ``invoices.csv``, ``transactions.csv``, ``cancellations.csv``,
    ``service_history.csv`` with ``mrr``, ``mrr_movements``, ``churn``,
    ``service_lifetimes``, ``retention_by_cohort``, ``cash_by_month``, ``days_to_pay``,
    ``invoice_ageing`` and ``invoices_vs_orders``; the charts of :mod:`whmcs_frames.plots`
    as PNG, and ``manifest.json`` (files, row counts, filters, revenue definition, the
    ``as_of`` day ageing and cohorts are measured at, time generated, WHMCS host),
    written last.

    CSV cells are spreadsheet-safe: text that would run as a formula (starting with
    ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading ``'``; numbers are
    left as numbers, money has two decimals, dates are ISO 8601 and columns keep the
    frames' schema order. The frames hold nothing secret, so nothing secret is written.

    Parameters
    ----------
    source : Client or mapping
        A :class:`~whmcs_frames.Client` (read through its methods), or already-read
        frames by name (a mapping or namespace with at least ``orders`` and
        ``order_lines``; missing catalogue frames are skipped and not listed).
    out_dir : path
        The folder to write into (created 0750 if needed; an empty path is refused).
        The files the folder's previous ``manifest.json`` listed are removed first,
        anything else in it is left alone. Each file is written to a temporary file
        and renamed into place, so a symlink planted in the folder is replaced, never
        followed; files are created 0640 (less if the umask says so): they hold
        customer names, IP addresses and notes.
    since, until : str, date or datetime, optional
        Keep orders placed from ``since`` to ``until`` (WHMCS server time). A date (or
        ``"YYYY-MM-DD"``) includes the whole day; a datetime is an exact bound.
    status : str or sequence of str, optional
        Keep only orders in these statuses (and their lines).
    encoding : {"utf-8-sig", "utf-8"}
        ``"utf-8-sig"`` (the default) starts each CSV with the byte-order mark that makes
        Excel read UTF-8, so "Liam Côté" is not garbled; pandas, Python's csv module and
        LibreOffice read it too. ``"utf-8"`` for tools that would keep the mark as text.
    xlsx : bool
        Also write ``reports.xlsx``: one sheet per CSV, typed cells, frozen header (needs
        the ``excel`` extra, openpyxl).
    rates, to : mapping and str, optional
        Give both to add converted money columns (``revenue_usd``…) to every money table
        via :func:`whmcs_frames.reports.convert`; the rates go into the manifest.
    charts : bool
        Also draw the PNG charts.
    progress : bool, optional
        Progress bars while reading from a client; by default only when stderr is a
        terminal.
    host : str, optional
        The WHMCS host for the manifest; a client's own host by default.
    billing : bool
        Also read (from a client) and write the frames beyond orders and their tables
        and charts. GetTransactions is one unpaginated request: on a very large book,
        ``billing=False`` leaves it out.

    Returns
    -------
    list of pathlib.Path
        Every file written, ``manifest.json`` last.

    Raises
    ------
    ValidationError
        For a bad filter, encoding or source, or an ``out_dir`` that cannot be written.
    WhmcsError
        When reading from WHMCS fails.

    Examples
    --------
    >>> paths = wf.export_reports(client, "reports/", since="2024-01-01")  # doctest: +SKIP
    >>> [p.name for p in paths][-1]  # doctest: +SKIP
    'manifest.json'
    """
    return write_bundle(source, out_dir, since=since, until=until, status=status,
                        encoding=encoding, charts=charts, progress=progress, host=host,
                        xlsx=xlsx, rates=rates, to=to, billing=billing).paths
