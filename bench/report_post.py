"""The "found an error?" POST against a bare Django view that inserts one row.

1. In process, interleaved: the median time of the report POST (htmx, the path most
   readers take; and without JavaScript) against the bare view, as a throughput ratio.
2. Through a real HTTP server (gunicorn) on PostgreSQL: 10,000 report POSTs at
   concurrency 32, then 10,000 to the bare view, each with its real CSRF token and
   fill-time token; every answer must be a success and every report a row (none lost),
   and a real worker then drains their follow-up tasks. DESIGN.md's bar: >= 0.6.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bench.common import interleaved, progress, report

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-report-article"
POSTS = int(os.environ.get("BENCH_REPORT_POSTS", "10000"))
CONCURRENCY = 32
THREADS = 8  # per gunicorn worker: database and Redis waits overlap, as in production
# The server runs as in production (no debug cursor logging every query), over plain
# HTTP on loopback.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-" + "k" * 50,
    "SECURE_SSL_REDIRECT": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SETTINGS_MODULE": "factcheck.settings",
}
# The rate limits stay on (their counters are part of the cost), set too high to refuse
# one benchmark client posting from one IP.
LIMITS = {
    "FACTCHECK_REPORT_RATE_PER_IP": "100000000/h",
    "FACTCHECK_REPORT_RATE_PER_ARTICLE": "100000000/h",
}


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    """The baseline: read the POST, insert one report row, answer. No form, no checks."""
    from claims.models import Report

    now = timezone.now()
    Report.objects.bulk_create(
        [
            Report(
                reference=secrets.token_urlsafe(16),
                article_id=int(request.POST["article"]),
                message=request.POST["message"],
                created_at=now,
                queue_at=now,
            )
        ]
    )
    return HttpResponse("ok", status=201)


urlpatterns = [
    path("bare/insert/", bare_insert),
    path("", include("factcheck.urls")),
]


def bench_article():
    from django.conf import settings

    from claims import services
    from claims.importers.seed import seed_read
    from claims.management.commands.demo import SEED
    from claims.models import Article

    article = Article.objects.filter(slug=SLUG).first()
    if article is None:
        seed = seed_read(SEED.read_bytes(), max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES)
        seed.title = "Benchmark reports: " + seed.title
        article = services.article_import(seed=seed).article
        article.slug = SLUG
        article.save(update_fields=["slug"])
    return article


def in_process(article) -> None:
    from django.test import Client
    from django.test.utils import override_settings

    from claims.forms import report_form_token

    client = Client()
    report_url = f"/articles/{SLUG}/report/"
    started = report_form_token(time.time() - 60)
    fields = {"message": "Het is 18%, niet 20%.", "paragraph": "", "started": started}
    overrides = {"ROOT_URLCONF": __name__, "DEBUG": False, "ALLOWED_HOSTS": ["testserver"]}
    with override_settings(**overrides, **LIMITS):
        bare = lambda: client.post("/bare/insert/", {"article": article.pk, **fields})  # noqa: E731
        # Each form token is single-use (a nonce): every post carries its own, as every
        # reader's served form does.
        fresh = lambda: {**fields, "started": report_form_token(time.time() - 60)}  # noqa: E731
        plain = lambda: client.post(report_url, fresh())  # noqa: E731
        htmx = lambda: client.post(report_url, fresh(), HTTP_HX_REQUEST="true")  # noqa: E731
        assert bare().status_code == 201
        assert plain().status_code == 302, "the report POST did not succeed"
        assert htmx().status_code == 200
        for name, subject in (("htmx", htmx), ("no JavaScript", plain)):
            post, baseline = interleaved(subject, bare, rounds=300)
            report(
                f"report POST ({name}) throughput vs bare one-row insert, in process",
                baseline / post,
                target=">= 0.6",
                detail=f"median {post * 1000:.2f} ms vs {baseline * 1000:.2f} ms",
            )


# --- Through a real server ----------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving this module's URLconf on the benchmark database."""

    def __init__(self, workers: int) -> None:
        self.port = free_port()
        self.log = Path(os.environ["FACTCHECK_VAR_DIR"]) / "bench-gunicorn.log"
        env = {**os.environ, **LIMITS, **PRODUCTION, "BENCH_ROOT_URLCONF": __name__}
        subprocess.run(  # DEBUG=0 serves hashed static files: collect them first
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(THREADS),
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.log.read_text()[-2000:])

    def get(self, url: str, headers=None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", url, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def post(self, url: str, body: dict, headers: dict) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            data = urlencode(body)
            conn.request(
                "POST",
                url,
                body=data,
                headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
            )
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def csrf_pair(server: Server) -> tuple[str, str]:
    """A reader's CSRF cookie and the form token from the real article page."""
    import re

    status, headers, body = server.get(f"/articles/{SLUG}/")
    assert status == 200, status
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    return cookie, token


def hammer(server: Server, sides: dict[str, object]) -> dict[str, tuple[float, list[bool]]]:
    """POSTS calls of each side's ``send(n)`` at CONCURRENCY, in ten alternating rounds
    so that a burst of load from elsewhere on the machine hits both sides alike.
    Returns each side's (seconds, whether each call succeeded)."""
    rounds = 10
    per_round = POSTS // rounds
    results = {name: [0.0, [False] * POSTS] for name in sides}
    done = 0
    for r in range(rounds):
        order = list(sides.items()) if r % 2 == 0 else list(reversed(sides.items()))
        for name, send in order:
            codes = results[name][1]
            numbers = range(r * per_round, (r + 1) * per_round)

            def one(n: int, send=send, codes=codes) -> None:
                codes[n] = send(n)

            started = time.perf_counter()
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                list(pool.map(one, numbers))
            results[name][0] += time.perf_counter() - started
            done += per_round
            progress(done, POSTS * len(sides), "http ")
    return {name: (seconds, codes) for name, (seconds, codes) in results.items()}


def through_server(article) -> None:
    from django.conf import settings
    from django.core import signing

    from claims.forms import STARTED_SALT
    from claims.models import Report

    if not settings.DATABASE_IS_POSTGRES:
        print(
            "report POST at concurrency 32 through gunicorn: skipped "
            "(set DATABASE_URL=postgres://... to run it)",
            flush=True,
        )
        return
    run = secrets.token_hex(4)
    workers = max(2, 2 * (os.cpu_count() or 1))
    server = Server(workers=workers)
    try:
        cookie, token = csrf_pair(server)
        headers = {"Cookie": f"csrftoken={cookie}", "HX-Request": "true"}
        url = f"/articles/{SLUG}/report/"

        def report_post(n: int) -> bool:
            # A single-use token per post (a served form's nonce), signed by the server's key.
            started = signing.dumps(
                [int(time.time() - 60), f"{run}-{n}"],
                key=PRODUCTION["SECRET_KEY"],
                salt=STARTED_SALT,
            )
            body = {
                "csrfmiddlewaretoken": token,
                "started": started,
                "message": f"bench {run} report {n}: het is 18%, niet 20%.",
            }
            status, html = server.post(url, body, headers)
            return status == 200 and b'class="reference"' in html  # thanked, with reference

        def bare_post(n: int) -> bool:
            status, _html = server.post(
                "/bare/insert/", {"article": article.pk, "message": f"bench {run} bare {n}"}, {}
            )
            return status == 201

        before = Report.objects.count()
        results = hammer(server, {"report": report_post, "bare": bare_post})
        (report_seconds, report_codes), (bare_seconds, _codes) = results["report"], results["bare"]
        stored = Report.objects.filter(message__startswith=f"bench {run} report ").count()
        bare_stored = Report.objects.filter(message__startswith=f"bench {run} bare ").count()
    finally:
        server.stop()
    ok = sum(report_codes)
    lost = POSTS - stored
    report(
        f"report POST throughput vs bare one-row insert, {POSTS} each at concurrency "
        f"{CONCURRENCY} through gunicorn ({workers}x{THREADS} threads) on PostgreSQL",
        bare_seconds / report_seconds,
        target=">= 0.6",
        detail=(
            f"{POSTS / report_seconds:.0f} vs {POSTS / bare_seconds:.0f} posts/s; "
            f"{ok} thanked with a reference, {stored} stored, {lost} lost; "
            f"bare stored {bare_stored}"
        ),
    )
    assert Report.objects.count() - before == stored + bare_stored
    drain(run)


def drain(run: str) -> None:
    """A real worker takes the follow-up task of every report the run stored, so the
    broker is left empty and 'none lost' holds for the follow-up work too."""
    from claims.models import Report

    pending = Report.objects.filter(
        message__startswith=f"bench {run} report ", processed_at__isnull=True
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "-Q",
            "celery",
            "--concurrency",
            "4",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        left = pending.count()
        while left and time.monotonic() - started < 600:
            time.sleep(2)
            left = pending.count()
            progress(POSTS - left, POSTS, "drain  ")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    print(
        f"  follow-up tasks of the {POSTS} reports processed by a real worker: "
        f"{POSTS - left} in {time.monotonic() - started:.0f} s, {left} left",
        flush=True,
    )


def run() -> None:
    article = bench_article()
    in_process(article)
    through_server(article)
