"""The Procfile's web process, run as `make run` and production run it: its access log
names each request but never the reader's IP address, user agent or referrer (the
privacy page promises that no IP address is stored)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, free_port, wait_for, worker_env


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} process in the Procfile")


def privacy_page_status(port: int) -> int | None:
    """A reader's request for the privacy page, with a user agent and a referrer."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request(
            "GET",
            "/privacy/",
            headers={"User-Agent": "Lezer/1.0", "Referer": "https://example.org/"},
        )
        return conn.getresponse().status
    except OSError:
        return None


def test_the_web_access_log_keeps_no_ip_address(transactional_db, tmp_path):
    port = free_port()
    log = tmp_path / "web.log"
    env = {**worker_env(), "PORT": str(port), "WEB_CONCURRENCY": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # gunicorn
    with log.open("wb") as out:
        web = subprocess.Popen(
            ["sh", "-c", f"exec {procfile_command('web')}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: privacy_page_status(port),
                what="the web process to answer",
                timeout=30,
                detail=log.read_text,
            )
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(20)
    lines = [line for line in log.read_text().splitlines() if "GET /privacy/" in line]
    assert lines, log.read_text()[-2000:]
    assert "127.0.0.1" not in lines[0]
    assert "Lezer/1.0" not in lines[0] and "example.org" not in lines[0]
