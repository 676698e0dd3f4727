"""A real local HTTP server for fetch tests: the shared pages plus hostile routes.

Routes: /html/<path> (files under ../shared/data/html), /page, /text, /pdf, /image,
/slow?seconds=N, /drip, /huge, /huge-chunked, /gzip-bomb, /redirect/<n>,
/redirect-to?url=U, /status/<code>[?retry_after=N], /flaky/<key>?fail=N&code=C,
/changing, /robots.txt (disallows /private/), /private/..., /hold/<key> (blocks until
``release(key)``), and anything a test puts in ``pages``. Every request is recorded in
``hits`` (path, headers), so a canary instance can prove nobody reached it.
"""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAGE = b"""<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Testpagina voor bronnen</title>
<link rel="canonical" href="https://example.org/testpagina"></head>
<body><header><nav>Home | Nieuws</nav></header>
<article><h1>Testpagina voor bronnen</h1>
<p>Het kabinet maakte dinsdag bekend dat de uitgaven aan defensie in 2026 met 2,1 miljard euro
stijgen. Dat staat in de voorjaarsnota die de minister van Financi\xc3\xabn naar de Kamer
stuurde.</p>
<p>Volgens het Centraal Planbureau groeit de economie volgend jaar met ongeveer 1,5 procent,
iets minder dan eerder werd verwacht. De werkloosheid blijft laag, rond de 3,8 procent.</p>
</article><footer>Contact</footer></body></html>"""

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
BOMB_SIZE = 200 * 1024 * 1024  # decompressed; about 200 KB on the wire


def _bomb() -> bytes:
    out = gzip.compress(b"\0" * (16 * 1024 * 1024), compresslevel=9)
    # Concatenated gzip members decompress to their sum.
    return out * (BOMB_SIZE // (16 * 1024 * 1024))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SourceServer

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        srv = self.server
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        with srv.lock:
            srv.hits.append((self.path, dict(self.headers)))
            srv.hit_times.append(time.monotonic())
        if srv.latency:
            time.sleep(srv.latency)
        if path in srv.pages:
            status, ctype, body, *extra = srv.pages[path]
            return self.reply(status, ctype, body, headers=extra[0] if extra else None)
        if path == "/robots.txt":
            return self.reply(200, "text/plain", srv.robots)
        if path == "/page" or path.startswith("/private/"):
            return self.reply(200, "text/html; charset=utf-8", PAGE)
        if path.startswith("/html/"):
            file = (srv.root / path.removeprefix("/html/")).resolve()
            if srv.root in file.parents and file.is_file():
                return self.reply(200, "text/html", file.read_bytes())
            return self.reply(404, "text/plain", b"not found")
        if path == "/text":
            return self.reply(200, "text/plain; charset=utf-8", "Platte tekst, één regel.".encode())
        if path == "/pdf":
            return self.reply(200, "application/pdf", b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\n%%EOF")
        if path == "/image":
            return self.reply(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
        if path == "/slow":
            time.sleep(float(query.get("seconds", ["3"])[0]))
            return self.reply(200, "text/html", PAGE)
        if path == "/drip":
            return self.drip()
        if path == "/huge":
            return self.huge(chunked=False)
        if path == "/huge-chunked":
            return self.huge(chunked=True)
        if path == "/gzip-bomb":
            return self.reply(200, "text/html", srv.bomb, headers={"Content-Encoding": "gzip"})
        if path.startswith("/redirect/"):
            n = int(path.rsplit("/", 1)[1])
            target = "/page" if n <= 0 else f"/redirect/{n - 1}"
            return self.reply(302, "text/plain", b"", headers={"Location": target})
        if path == "/redirect-to":
            return self.reply(302, "text/plain", b"", headers={"Location": query["url"][0]})
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            headers = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else None
            return self.reply(code, "text/html", b"<p>status</p>", headers=headers)
        if path.startswith("/flaky/"):
            key = path.rsplit("/", 1)[1]
            with srv.lock:
                srv.counters[key] = srv.counters.get(key, 0) + 1
                n = srv.counters[key]
            if n <= int(query.get("fail", ["1"])[0]):
                code = int(query.get("code", ["503"])[0])
                after = query.get("retry_after")
                headers = {"Retry-After": after[0]} if after else None
                return self.reply(code, "text/html", b"<p>later</p>", headers=headers)
            return self.reply(200, "text/html; charset=utf-8", PAGE)
        if path == "/changing":
            with srv.lock:
                srv.counters["changing"] = srv.counters.get("changing", 0) + 1
                n = srv.counters["changing"]
            body = PAGE.replace(b"2,1 miljard", f"{n},1 miljard".encode())
            return self.reply(200, "text/html; charset=utf-8", body)
        if path.startswith("/hold/"):
            event = srv.holds.setdefault(path.rsplit("/", 1)[1], threading.Event())
            event.wait(60)
            return self.reply(200, "text/html; charset=utf-8", PAGE)
        return self.reply(404, "text/html", b"<p>not found</p>")

    def reply(self, status: int, ctype: str, body: bytes, *, headers=None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def drip(self) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(100000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def huge(self, *, chunked: bool) -> None:
        block = b"<p>" + b"a" * 65530 + b"</p>"
        total = 100 * 1024 * 1024
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(total))
            self.end_headers()
            sent = 0
            while sent < total:
                if chunked:
                    self.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                else:
                    self.wfile.write(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            pass


class SourceServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), Handler)
        self.root = root.resolve()
        self.lock = threading.Lock()
        self.bomb = _bomb()
        self.latency = 0.0
        self.reset()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        self.hits: list[tuple[str, dict]] = []
        self.hit_times: list[float] = []
        self.pages: dict[str, tuple] = {}
        self.counters: dict[str, int] = {}
        self.holds: dict[str, threading.Event] = {}
        self.robots = ROBOTS

    @property
    def host(self) -> str:
        return self.server_address[0]

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def pair(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.hits]

    def release(self, key: str) -> None:
        self.holds.setdefault(key, threading.Event()).set()

    def stop(self) -> None:
        for event in self.holds.values():
            event.set()
        self.shutdown()
        self.server_close()
