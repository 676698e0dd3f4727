"""What every benchmark shares: its own database, interleaved timing, and ratio lines.

The machines are shared and noisy, so no benchmark prints a bare time as its result:
each figure is a ratio against a baseline measured in the same run, with the two sides
interleaved so that a burst of load hits both alike.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def django_setup() -> None:
    """Point Django at a database of the benchmark's own, migrated, then set up."""
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["FACTCHECK_VAR_DIR"] = "var/bench"
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = parts.path.lstrip("/") or "factcheck"
        if not name.endswith("_bench"):
            name += "_bench"
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
        _postgres_database_create(parts, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _postgres_database_create(parts, name: str) -> None:
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def interleaved(
    subject: Callable[[], object], baseline: Callable[[], object], *, rounds: int, warmup: int = 20
) -> tuple[float, float]:
    """Median seconds of subject and baseline, run alternately."""
    for _ in range(warmup):
        subject()
        baseline()
    a, b = [], []
    for n in range(rounds):
        first, second = (subject, baseline) if n % 2 else (baseline, subject)
        for fn in (first, second):
            start = time.perf_counter()
            fn()
            (a if fn is subject else b).append(time.perf_counter() - start)
        progress(n + 1, rounds)
    return statistics.median(a), statistics.median(b)


def progress(done: int, total: int, label: str = "") -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r  {label}[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\r" + " " * (width + 30) + "\r")
    sys.stderr.flush()


def report(name: str, ratio: float, *, target: str, detail: str = "") -> None:
    line = f"{name}: {ratio:.2f}x (target {target})"
    if detail:
        line += f"  [{detail}]"
    print(line, flush=True)
