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
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from .._exceptions import ConfigError, ValidationError, WhmcsError
from ._parser import build_parser

__all__ = ["main"]

EXIT_OK, EXIT_WHMCS, EXIT_USAGE = 0, 1, 2


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
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help already
        return int(exc.code or 0)
    module, function = args.handler
    # Loaded only now, so that --help and usage errors never import pandas.
    run: Callable[[argparse.Namespace, TextIO], int] = getattr(
        importlib.import_module(f"{__name__}.{module}"), function)
    try:
        return run(args, out)
    except (ConfigError, ValidationError) as exc:
        print(f"whmcs-frames: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WhmcsError as exc:
        print(f"whmcs-frames: {exc}", file=sys.stderr)
        return EXIT_WHMCS
