"""The house style shared by every chart: one figure size, one palette, status colours,
legends outside the plot area, concise date axes and integer count axes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._exceptions import ValidationError
from ..reports._grouping import NONE_LABEL, as_labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__: list[str] = []

_STATUS_COLOURS = {"active": "#2ca02c", "pending": "#ff7f0e", "cancelled": "#7f7f7f",
                   "fraud": "#d62728", "in review": "#9467bd"}
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
            "#17becf", "#7f7f7f", "#d62728")
_PARTIAL_LABEL = "partial period (data covers only part of it)"


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=(10, 5.2), layout="constrained")
    return new


def _colour(label: str, index: int, *, by_status: bool = True) -> str:
    known = _STATUS_COLOURS.get(label.casefold()) if by_status else None
    return known or _PALETTE[index % len(_PALETTE)]


def _legend(ax: Axes, title: str) -> None:
    # Outside the plot area, so it never hides data; none when nothing was drawn.
    if not ax.get_legend_handles_labels()[0]:
        return
    ax.legend(title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
              frameon=False)


def _no_data(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what}", transform=ax.transAxes, ha="center", va="center",
            color="#555555")


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _count_axis(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _stacked_barh(ax: Axes, counts: pd.DataFrame, *, legend: str) -> None:
    """One horizontal bar per row, a segment per column, the total at the end."""
    y = np.arange(len(counts))
    left = np.zeros(len(counts))
    container = None
    for i, column in enumerate(counts.columns):
        values = counts[column].to_numpy(dtype=float)
        container = ax.barh(y, values, left=left, label=str(column),
                            color=_colour(str(column), i, by_status=False))
        left += values
    if container is not None:
        ax.bar_label(container, labels=[f"{int(t):,}" for t in left], padding=3)
    ax.set_yticks(y, [str(i) for i in counts.index])
    ax.invert_yaxis()  # largest first, at the top
    ax.set_xlim(0, max(left.max(initial=0) * 1.12, 1))
    _count_axis(ax.xaxis)
    _legend(ax, legend)


def _present_currency(frame: pd.DataFrame, currency: Any) -> str:
    """``currency`` as spelt in ``frame``; a currency it does not have raises, naming those
    it has, instead of drawing an empty chart."""
    present = sorted(c for c in as_labels(frame["currency"]).unique() if c != NONE_LABEL)
    wanted = currency.strip().casefold() if isinstance(currency, str) else None
    for code in present:
        if code.casefold() == wanted:
            return code
    raise ValidationError("currency", "one of " + (", ".join(present) or "(no currency: "
                                                   "the frame is empty)"), got=currency)


def _shade_partial(ax: Axes, table: pd.DataFrame, code: str) -> None:
    """Hatch the periods flagged ``partial``, with one legend entry saying what that means.

    Their totals cover only part of the period; drawn like the others, a current month
    ten days old would read as a collapse.
    """
    starts = pd.DatetimeIndex(table.loc[table["partial"], "period"].unique())
    for i, start in enumerate(sorted(starts)):
        end = (pd.Period(start, freq=code) + 1).start_time
        ax.axvspan(start, end, facecolor="#d9d9d9", edgecolor="#9a9a9a", hatch="///",
                   alpha=0.45, linewidth=0, zorder=0, label=_PARTIAL_LABEL if i == 0 else None)
