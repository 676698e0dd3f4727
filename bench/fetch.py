"""Fetching 1,000 URLs through real Celery workers from a local server that answers
after 100 ms, spread over 20 host names (127.0.0.2 ... 127.0.0.21, aliases of loopback,
listed in FACTCHECK_FETCH_ALLOW for this run only).

The limit is what the worker concurrency and the per-host politeness allow:
min(concurrency / latency, hosts / interval) pages per second. DESIGN.md's bar: the
achieved throughput is at least 0.8 of that limit. Both sides are measured in this run.

Then the cost of WARC capture: the whole fetch service (fetch, extraction, quote checks,
database, WARC file) run here on the shared test pages (real news and fact-check pages,
served gzipped with no latency, so nothing hides the cost), batches with capture and
without interleaved. DESIGN.md's bar: throughput with capture at least 0.9 of without.
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import progress, report
from factcheck.celery import worker_command

URLS = 1000
HOSTS = 20
LATENCY = 0.1  # seconds before the server answers
CONCURRENCY = int(os.environ.get("BENCH_FETCH_CONCURRENCY", "8"))
# Per host: at 1 s, politeness (20 hosts/s) is the binding limit, as in production.
INTERVAL_MS = int(os.environ.get("BENCH_FETCH_INTERVAL_MS", "1000"))
ROOT = Path(__file__).resolve().parent.parent
PAGE = (
    "<!doctype html><html lang='nl'><head><title>Bron {n}</title></head><body><article>"
    "<h1>Bron {n}</h1><p>Dit is bron nummer {n}. Het kabinet maakte dinsdag bekend dat de "
    "uitgaven aan defensie stijgen; de Kamer debatteert er volgende week over.</p>"
    "</article></body></html>"
)


class Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(LATENCY)
        if self.path == "/robots.txt":
            body, status, ctype = b"User-agent: *\nAllow: /\n", 200, "text/plain"
        else:
            body, status, ctype = PAGE.format(n=self.path).encode(), 200, "text/html"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def servers_start() -> list[ThreadingHTTPServer]:
    servers = []
    for n in range(HOSTS):
        server = ThreadingHTTPServer((f"127.0.0.{n + 2}", 0), Slow)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def worker_start(env: dict[str, str]) -> subprocess.Popen:
    log = open(ROOT / "var" / "bench" / "fetch-worker.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        worker_command(queues="fetch", concurrency=CONCURRENCY, loglevel="warning"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc


def run() -> None:
    throughput()
    capture_cost()


def throughput() -> None:
    import signal

    from django.utils import timezone

    from claims import services
    from claims.models import Snapshot, SnapshotText, Source
    from factcheck.celery import app

    servers = servers_start()
    pairs = [f"{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    # This process sends the tasks; the worker fetches with the bench's allow list.
    env = dict(os.environ)
    env.update(
        FACTCHECK_FETCH_ALLOW=",".join(pairs),
        FACTCHECK_FETCH_DOMAIN_INTERVAL_MS=str(INTERVAL_MS),
        FACTCHECK_VAR_DIR="var/bench",  # django_setup() pointed DATABASE_URL at the bench DB
        FACTCHECK_ARCHIVE_SPN_URL="",  # never ask the real web archive from a benchmark
        PYTHONUNBUFFERED="1",
    )
    Snapshot.objects.filter(source__key__startswith="http://127.0.0.").delete()
    Source.objects.filter(key__startswith="http://127.0.0.").delete()
    SnapshotText.objects.filter(text__startswith="Bron ").delete()
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("fetch")
    now = timezone.now()
    Source.objects.bulk_create(
        Source(key=url, url=url, domain=url.split("/")[2], state="waiting", next_check_at=now)
        for n in range(URLS)
        for url in [f"http://{pairs[n % HOSTS]}/bron/{n}"]
    )
    ids = set(Source.objects.filter(key__startswith="http://127.0.0.").values_list("pk", flat=True))

    worker = worker_start(env)
    try:
        time.sleep(8)  # let the worker boot before the clock starts
        start = time.perf_counter()
        sent = services.sources_enqueue_due()
        assert set(sent) >= ids, "the due-check did not send every source"
        done = 0
        while done < URLS:
            done = Source.objects.filter(pk__in=ids, last_checked_at__isnull=False).count()
            progress(done, URLS, "fetch ")
            if time.perf_counter() - start > 600:
                raise RuntimeError(f"only {done} of {URLS} fetched after 10 minutes")
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        for server in servers:
            server.shutdown()
    live = Source.objects.filter(pk__in=ids, state="live").count()
    achieved = URLS / elapsed
    by_workers = CONCURRENCY / LATENCY
    by_politeness = HOSTS / (INTERVAL_MS / 1000)
    limit = min(by_workers, by_politeness)
    report(
        f"fetch {URLS} URLs over {HOSTS} hosts vs min(concurrency, politeness) limit",
        achieved / limit,
        target=">= 0.8",
        detail=(
            f"{achieved:.1f}/s achieved, limit {limit:.0f}/s (workers {CONCURRENCY}/"
            f"{LATENCY:.1f}s = {by_workers:.0f}/s, politeness {HOSTS}/{INTERVAL_MS}ms = "
            f"{by_politeness:.0f}/s), {live} live, {elapsed:.1f} s"
        ),
    )


# --- The cost of WARC capture ----------------------------------------------------------

CAPTURE_BATCH = 20  # fetches per batch
CAPTURE_ROUNDS = int(os.environ.get("BENCH_CAPTURE_ROUNDS", "8"))
PAGES = ROOT.parent / "shared" / "data" / "html"


class Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: list[bytes] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body, headers = b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}
        else:
            number = int(self.path.rsplit("/", 1)[1])
            body = self.bodies[number % len(self.bodies)]
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def capture_cost() -> None:
    from django.conf import settings
    from django.utils import timezone

    from claims import services
    from claims.models import Snapshot, Source

    files = sorted(PAGES.rglob("*.html"))
    if not files:
        print(f"fetch with WARC capture: skipped ({PAGES} is not there)", flush=True)
        return
    Pages.bodies = [gzip.compress(f.read_bytes()) for f in files]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pair = f"127.0.0.1:{server.server_address[1]}"
    settings.FACTCHECK_FETCH_ALLOW = [pair]
    settings.FACTCHECK_FETCH_DOMAIN_INTERVAL_MS = 0
    settings.FACTCHECK_ARCHIVE_SPN_URL = ""
    prefix = f"http://{pair}/capture-bench/"
    counter = iter(range(10**9))

    def batch(capture: bool) -> float:
        settings.FACTCHECK_WARC_CAPTURE = capture
        now = timezone.now()
        urls = [f"{prefix}{next(counter)}" for _ in range(CAPTURE_BATCH)]
        Source.objects.bulk_create(
            Source(key=url, url=url, domain="127.0.0.1", state="waiting", next_check_at=now)
            for url in urls
        )
        ids = list(Source.objects.filter(key__in=urls).values_list("pk", flat=True))
        start = time.perf_counter()
        for source_id in ids:
            done = services.source_fetch(source_id=source_id, force=True)
            assert done.outcome == "live", done
        return time.perf_counter() - start

    def cleanup() -> None:
        names = list(
            Snapshot.objects.filter(source__key__startswith=prefix)
            .exclude(warc_name="")
            .values_list("warc_name", flat=True)
        )
        for name in names:
            services.captures_storage().delete(name)
        Snapshot.objects.filter(source__key__startswith=prefix).delete()
        Source.objects.filter(key__startswith=prefix).delete()

    try:
        cleanup()
        batch(True), batch(False)  # warm up: robots.txt, connections, extraction
        with_capture, without = [], []
        for n in range(CAPTURE_ROUNDS):
            order = (True, False) if n % 2 else (False, True)
            for capture in order:
                (with_capture if capture else without).append(batch(capture))
            progress(n + 1, CAPTURE_ROUNDS, "capture ")
        stored = sum(
            Snapshot.objects.filter(source__key__startswith=prefix)
            .values_list("warc_size", flat=True)
            .exclude(warc_size=None)
        )
        fetches = Snapshot.objects.filter(source__key__startswith=prefix).exclude(warc_name="")
        count = fetches.count()
    finally:
        cleanup()
        server.shutdown()
    on = CAPTURE_BATCH / statistics.median(with_capture)
    off = CAPTURE_BATCH / statistics.median(without)
    report(
        "fetch with WARC capture vs without (whole fetch service, in process)",
        on / off,
        target=">= 0.9",
        detail=(
            f"{on:.1f}/s with, {off:.1f}/s without; {len(files)} real pages served gzipped; "
            f"{count} captures, {stored / max(count, 1) / 1024:.0f} KB of WARC each"
        ),
    )
