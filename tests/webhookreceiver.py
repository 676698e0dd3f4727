"""A real local HTTP server that receives webhooks: it records every POST (path, headers,
body) and answers with the status a test scripts per path (``fail(path, n)``: the first
n POSTs get 500)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: WebhookReceiver

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        srv = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with srv.lock:
            srv.received.append((self.path, dict(self.headers), body))
            failing = srv.failures.get(self.path, 0)
            if failing:
                srv.failures[self.path] = failing - 1
        status, answer = (500, b"not now") if failing else srv.answers.get(self.path, (200, b"ok"))
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class WebhookReceiver(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), Handler)
        self.lock = threading.Lock()
        self.received: list[tuple[str, dict, bytes]] = []
        self.failures: dict[str, int] = {}
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def pair(self) -> str:
        return f"{self.server_address[0]}:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return f"http://{self.pair}{path}"

    def fail(self, path: str, times: int) -> None:
        with self.lock:
            self.failures[path] = times

    def posts(self, path: str | None = None) -> list[tuple[str, dict, bytes]]:
        with self.lock:
            return [r for r in self.received if path is None or r[0] == path]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
