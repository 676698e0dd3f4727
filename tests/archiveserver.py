"""A fake Save Page Now 2 on loopback, for the archive tests.

POST /save answers a job id for the ``url`` in its form (or, while ``save_replies`` has
any, the next scripted reply: ``(status, json_or_text)``). GET /save/status/<job> answers
the job's scripted steps one by one, the last repeating: ``"pending"``, ``"success"``,
``("error", "error:blocked")`` or ``(http_status, json_or_text)``. GET /web/<ts>/<url>
serves a small archived page. Every request is recorded with its time and headers, so a
test can count captures per minute across worker processes.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEFAULT_SCRIPT = ("pending", "pending", "success")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ArchiveServer

    def log_message(self, *args) -> None:
        pass

    def reply(self, status: int, body) -> None:
        if isinstance(body, (dict, list)):
            data, ctype = json.dumps(body).encode(), "application/json"
        else:
            data, ctype = str(body).encode(), "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        srv = self.server
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        with srv.lock:
            srv.saves.append((time.time(), form, dict(self.headers)))
            scripted = srv.save_replies.pop(0) if srv.save_replies else None
            if scripted is None:
                srv.counter += 1
                job = f"spn2-{srv.counter:04d}"
                srv.jobs[job] = {"url": form.get("url", ""), "steps": list(srv.script)}
        if urlsplit(self.path).path != "/save":
            return self.reply(404, "not found")
        if scripted is not None:
            return self.reply(*scripted)
        return self.reply(200, {"url": form.get("url", ""), "job_id": job})

    def do_GET(self) -> None:
        srv = self.server
        path = urlsplit(self.path).path
        with srv.lock:
            srv.gets.append((time.time(), path, dict(self.headers)))
        if path.startswith("/save/status/"):
            job = path.rsplit("/", 1)[1]
            with srv.lock:
                entry = srv.jobs.get(job)
                step = None
                if entry is not None:
                    steps = entry["steps"]
                    step = steps.pop(0) if len(steps) > 1 else steps[0]
            if entry is None:
                return self.reply(200, {"status": "error", "status_ext": "error:not-found"})
            return self.answer(job, entry["url"], step)
        if path.startswith("/web/"):
            return self.reply(200, "<!doctype html><title>Archived copy</title><p>Archived.</p>")
        return self.reply(404, "not found")

    def answer(self, job: str, url: str, step) -> None:
        if step == "pending":
            return self.reply(200, {"status": "pending", "job_id": job, "resources": []})
        if step == "success":
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
            body = {
                "status": "success",
                "job_id": job,
                "original_url": url,
                "timestamp": stamp,
                "duration_sec": 1.5,
                "http_status": 200,
            }
            return self.reply(200, body)
        kind, detail = step
        if kind == "error":
            body = {"status": "error", "job_id": job, "status_ext": detail, "message": detail}
            return self.reply(200, body)
        return self.reply(kind, detail)


class ArchiveServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), Handler)
        self.lock = threading.Lock()
        self.reset()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        self.saves: list[tuple[float, dict, dict]] = []
        self.gets: list[tuple[float, str, dict]] = []
        self.jobs: dict[str, dict] = {}
        self.save_replies: list[tuple[int, object]] = []
        self.script = list(DEFAULT_SCRIPT)
        self.counter = 0

    @property
    def pair(self) -> str:
        return f"{self.server_address[0]}:{self.server_address[1]}"

    @property
    def base(self) -> str:
        return f"http://{self.pair}"

    def status_calls(self) -> list[str]:
        with self.lock:
            return [path for _, path, _ in self.gets if path.startswith("/save/status/")]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
