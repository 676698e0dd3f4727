"""The progress bar of the long management commands."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from tqdm import tqdm


def progress_bar(
    iterable: Iterable | None = None, *, unit: str, quiet: bool = False, total: int | None = None
) -> tqdm:
    """A tqdm bar on the terminal, or nothing when ``quiet`` (``--json``) or when stderr
    is not a terminal (a pipe, a log file, cron). It writes straight to stderr: Django's
    OutputWrapper ends every write with a newline, which would print each update on a line
    of its own."""
    disable = quiet or not sys.stderr.isatty()
    return tqdm(iterable, total=total, unit=unit, disable=disable, file=sys.stderr)
