"""Long commands show a progress bar on a terminal, and only there: never in --json
output, never when stderr is a pipe or a log file."""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios

import pytest

from claims.models import Article, ExternalReview
from tests.conftest import ROOT, SEED_PATH, shared_file, worker_env


def run_on_a_terminal(*args: str) -> tuple[str, str]:
    """``manage.py ARGS`` with stderr on a pseudo-terminal, on the test database.
    Returns (stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    proc = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=worker_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end closed: the command is done
            break
        if not chunk:
            break
        shown += chunk
    out = proc.communicate(timeout=120)[0]
    os.close(master)
    return out.decode(), shown.decode(errors="replace")


@pytest.fixture
def three_files(tmp_path):
    shared_file("seeds", SEED_PATH.name)
    text = SEED_PATH.read_text(encoding="utf-8-sig")
    for n in range(3):
        title, rest = text.split("\n", 1)
        (tmp_path / f"{n}.txt").write_text(f"{title} {n}\n{rest}", encoding="utf-8")
    return tmp_path


def test_import_articles_shows_its_progress_on_a_terminal(transactional_db, three_files):
    out, terminal = run_on_a_terminal("import_articles", str(three_files))
    assert "3/3" in terminal and "file" in terminal  # the bar, finished
    assert "3 imported" in out and "3/3" not in out  # the summary, without the bar
    assert Article.objects.count() == 3


def test_no_bar_with_json_or_off_a_terminal(transactional_db, three_files):
    out, terminal = run_on_a_terminal("import_articles", str(three_files), "--json")
    assert "3/3" not in terminal and out.lstrip().startswith("{")
    piped = subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(three_files)],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "3 unchanged" in piped.stdout and "it/s" not in piped.stderr + piped.stdout


def test_import_claimreview_counts_reviews_on_a_terminal(transactional_db, tmp_path):
    feed = tmp_path / "reviews.jsonl"
    shutil.copy(shared_file("data", "claimreview", "real_claimreviews.jsonl"), feed)
    out, terminal = run_on_a_terminal("import_claimreview", str(feed))
    assert "51/51" in terminal and "review" in terminal
    assert "49 imported" in out
    assert ExternalReview.objects.count() == 49
