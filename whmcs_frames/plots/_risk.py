"""The fraud-signal chart: how well each of :mod:`whmcs_frames.risk`'s signals separates
decided orders."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._exceptions import ValidationError
from ._style import _PALETTE, _axes, _legend, _no_data

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["risk_evaluation"]


def risk_evaluation(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Precision and recall of each fraud signal, from :func:`whmcs_frames.risk.evaluate`.

    One pair of horizontal bars per signal (precision, recall on decided orders), the
    combined ``risk_flagged`` and ``risk_rank`` rows last and labelled in bold, so
    the effect of changing a rule shows at a glance. A signal that flagged nothing has no
    precision bar.

    Parameters
    ----------
    table : pandas.DataFrame
        ``wf.risk.evaluate(...)``: columns ``signal``, ``precision``, ``recall``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValidationError
        A table without those columns.

    Examples
    --------
    >>> ax = risk_evaluation(wf.risk.evaluate(client.orders()))  # doctest: +SKIP
    """
    missing = {"signal", "precision", "recall"} - set(getattr(table, "columns", ()))
    if missing:
        raise ValidationError("table", "the frame wf.risk.evaluate returns (signal, "
                              "precision, recall)", got=f"no {', '.join(sorted(missing))}")
    ax = _axes(ax)
    rows = table.iloc[::-1]  # barh draws bottom-up; keep the table's order top-down
    y = np.arange(len(rows))
    height = 0.38
    ax.barh(y + height / 2, rows["precision"].fillna(0.0), height, label="precision",
            color=_PALETTE[0])
    ax.barh(y - height / 2, rows["recall"].fillna(0.0), height, label="recall",
            color=_PALETTE[1])
    ax.set_yticks(y, labels=[str(s) for s in rows["signal"]])
    combined = [i for i, name in enumerate(rows["signal"]) if name in ("risk_flagged",
                                                                      "risk_rank")]
    for i in combined:
        ax.get_yticklabels()[i].set_fontweight("bold")
    if combined and max(combined) + 1 < len(rows):  # a rule between signals and combined
        ax.axhline(max(combined) + 0.5, color="#999999", linewidth=0.8)
    if not len(rows):
        _no_data(ax, "evaluated signals")
    decided, fraud = table.attrs.get("decided"), table.attrs.get("fraud")
    title = "Fraud signals on decided orders"
    if decided is not None and fraud is not None:
        title += f" ({fraud:,} Fraud of {decided:,})"
    ax.set_title(title)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share (precision: flagged that were Fraud; recall: Fraud that were flagged)")
    _legend(ax, "")
    return ax
