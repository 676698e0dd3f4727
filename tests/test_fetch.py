"""The fetcher (claims/fetch.py) against real local HTTP servers: limits, redirects,
robots.txt, politeness, and hostile URLs refused before any connection."""

from __future__ import annotations

import itertools
import time

import pytest

from claims import fetch, services


def test_a_page_is_fetched_with_an_honest_user_agent(source_server, settings):
    result = fetch.url_fetch(source_server.url("/page"))

    assert result.ok, result.detail
    assert (result.status, result.error) == (200, "")
    assert result.content_type == "text/html" and result.charset == "utf-8"
    assert b"Testpagina voor bronnen" in result.body
    agent = dict(source_server.hits)["/page"]["User-Agent"]
    assert agent == settings.FACTCHECK_FETCH_USER_AGENT
    assert settings.FACTCHECK_FETCH_CONTACT_URL in agent


def test_text_and_pdf_are_accepted_and_other_types_refused(source_server):
    assert fetch.url_fetch(source_server.url("/text")).content_type == "text/plain"
    pdf = fetch.url_fetch(source_server.url("/pdf"))
    assert pdf.ok and pdf.is_pdf and pdf.body.startswith(b"%PDF")

    image = fetch.url_fetch(source_server.url("/image"))
    assert (image.ok, image.error, image.body) == (False, "bad_type", b"")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/status/404", 404, "http_4xx"),
        ("/status/410", 410, "http_4xx"),
        ("/status/500", 500, "http_5xx"),
        ("/status/503", 503, "http_5xx"),
        ("/status/429?retry_after=7", 429, "http_429"),
    ],
)
def test_http_errors_get_a_code_and_the_status(source_server, path, status, code):
    result = fetch.url_fetch(source_server.url(path))
    assert (result.ok, result.status, result.error) == (False, status, code)
    assert result.transient == (status >= 429 and status != 410 and status != 404)
    if status == 429:
        assert result.retry_after == 7


def test_retry_after_as_a_date():
    soon = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 120))
    assert 100 <= fetch.retry_after_seconds(soon) <= 120
    assert fetch.retry_after_seconds("30") == 30
    assert fetch.retry_after_seconds("nonsense") is None


def test_five_redirects_are_followed_and_a_sixth_refused(source_server):
    ok = fetch.url_fetch(source_server.url("/redirect/4"))  # 5 hops to /page
    assert ok.ok and ok.final_url == source_server.url("/page")
    assert len(ok.redirects) == 5

    too_many = fetch.url_fetch(source_server.url("/redirect/5"))
    assert (too_many.ok, too_many.error) == (False, "too_many_redirects")
    assert "/page" not in source_server.paths()[-1:]


def test_a_body_over_the_cap_stops_at_the_cap(source_server, settings):
    settings.FACTCHECK_FETCH_MAX_BYTES = 1024 * 1024
    declared = fetch.url_fetch(source_server.url("/huge"))
    chunked = fetch.url_fetch(source_server.url("/huge-chunked"))
    assert (declared.error, chunked.error) == ("too_large", "too_large")


def test_a_gzip_bomb_stops_at_the_cap_after_decompression(source_server, settings):
    import resource

    settings.FACTCHECK_FETCH_MAX_BYTES = 2 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = fetch.url_fetch(source_server.url("/gzip-bomb"))
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before

    assert (result.ok, result.error) == (False, "too_large")
    assert len(source_server.bomb) < 2 * 1024 * 1024  # small on the wire, 200 MB inflated
    assert grown_kb < 100 * 1024  # never held anything near the inflated size


def test_a_slow_server_hits_the_total_timeout(source_server, settings):
    settings.FACTCHECK_FETCH_TOTAL_TIMEOUT = 1
    slow = fetch.url_fetch(source_server.url("/slow?seconds=3"))
    drip = fetch.url_fetch(source_server.url("/drip"))

    assert (slow.error, drip.error) == ("timeout", "timeout")
    assert slow.transient
    assert drip.elapsed_ms < 5000  # a byte every 0.1 s does not stretch the deadline


def test_robots_txt_is_obeyed_and_cached(source_server):
    refused = fetch.url_fetch(source_server.url("/private/page"))
    allowed = fetch.url_fetch(source_server.url("/page"))

    assert (refused.ok, refused.error) == (False, "robots")
    assert allowed.ok
    assert source_server.paths().count("/robots.txt") == 1  # cached after the first
    assert "/private/page" not in source_server.paths()


def test_a_missing_robots_txt_allows_everything(source_server):
    source_server.pages["/robots.txt"] = (404, "text/html", b"nope")
    assert fetch.url_fetch(source_server.url("/private/page")).ok


def test_an_unreachable_robots_txt_disallows_for_a_while(source_server):
    source_server.pages["/robots.txt"] = (503, "text/html", b"down")
    result = fetch.url_fetch(source_server.url("/page"))
    assert result.error == "robots"
    assert "/page" not in source_server.paths()


@pytest.fixture(params=["database", "redis"])
def turns(request, db) -> fetch.TurnStore:
    """Both places the per-host turns can live: the database (no Redis) and Redis."""
    if request.param == "redis":
        return fetch.RedisTurns(request.getfixturevalue("redis_url"))
    return services.DatabaseTurns()


def test_requests_to_one_host_keep_their_distance(source_server, settings, turns):
    settings.FACTCHECK_FETCH_DOMAIN_INTERVAL_MS = 500
    for _ in range(3):
        assert fetch.url_fetch(source_server.url("/text"), turns=turns).ok
    starts = source_server.hit_times
    assert len(starts) == 4  # robots.txt and three pages
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Turns are booked 0.5 s apart before each request is sent; the server sees them
    # later by however long sending took, so a loaded machine may shave some off a gap.
    assert min(gaps) >= 0.35, gaps
    assert starts[-1] - starts[0] >= 1.3, gaps


def test_without_a_turn_store_nothing_waits(source_server, settings):
    settings.FACTCHECK_FETCH_DOMAIN_INTERVAL_MS = 60_000
    for _ in range(2):  # check_url: a one-off fetch never waits for a turn
        assert fetch.url_fetch(source_server.url("/text")).ok


def test_a_host_whose_turn_is_far_away_is_left_for_later(settings, turns):
    settings.FACTCHECK_FETCH_DOMAIN_INTERVAL_MS = 60_000
    host = f"busy-{time.monotonic_ns()}.example"  # Redis keeps turns between tests
    assert fetch.host_turn(turns, host, interval=60, max_wait=5) == 0
    with pytest.raises(fetch._Failed) as busy:
        fetch.host_turn(turns, host, interval=60, max_wait=5)
    assert busy.value.code == "busy" and busy.value.retry_after >= 55
    assert fetch.host_turn(turns, "other-" + host, interval=60, max_wait=5) == 0


# --- Hostile URLs -------------------------------------------------------------------

HOSTILE = [
    "http://127.0.0.1:{c}/",
    "http://localhost:{c}/",
    "http://localhost.:{c}/",
    "http://LOCALHOST:{c}/",
    "http://[::1]:{c}/",
    "http://[::]:{c}/",
    "http://0.0.0.0:{c}/",
    "http://0:{c}/",
    "http://2130706433:{c}/",
    "http://0x7f000001:{c}/",
    "http://0x7f.0.0.1:{c}/",
    "http://0177.0.0.1:{c}/",
    "http://017700000001:{c}/",
    "http://127.1:{c}/",
    "http://127.0.1:{c}/",
    "http://user:pw@127.0.0.1:{c}/",
    "http://example.org@127.0.0.1:{c}/",
    "http://127.0.0.1:{s}@127.0.0.1:{c}/",
    "http://%31%32%37.0.0.1:{c}/",
    "http://127.0.0.1%2f@127.0.0.1:{c}/",
    "http://[::ffff:127.0.0.1]:{c}/",
    "http://[::ffff:7f00:1]:{c}/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:{c}/",
    "http://[64:ff9b::7f00:1]:{c}/",
    "http://[2002:7f00:1::]:{c}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]:{c}/",
    "http://10.0.0.1:{c}/",
    "http://192.168.1.1:{c}/",
    "http://100.64.0.1:{c}/",
    "http://224.0.0.1:{c}/",
    "ftp://127.0.0.1:{c}/",
    "gopher://127.0.0.1:{c}/_GET",
    "file:///etc/passwd",
    "dict://127.0.0.1:{c}/info",
    "http://localhost:{s}/page",  # the allowed port, but not the allowed name
    # Redirects from the allowed server to anything else on loopback.
    "http://127.0.0.1:{s}/redirect-to?url=http://127.0.0.1:{c}/",
    "http://127.0.0.1:{s}/redirect-to?url=http://localhost:{c}/",
    "http://127.0.0.1:{s}/redirect-to?url=http://[::1]:{c}/",
    "http://127.0.0.1:{s}/redirect-to?url=http://2130706433:{c}/",
    "http://127.0.0.1:{s}/redirect-to?url=//127.0.0.1:{c}/",
    "http://127.0.0.1:{s}/redirect-to?url=file:///etc/passwd",
    "http://127.0.0.1:{s}/redirect-to?url=http://169.254.169.254/",
]
REFUSALS = {"refused_address", "bad_scheme", "bad_url", "dns"}


def test_hostile_urls_are_refused_before_any_connection(source_server, canary_server):
    assert len(HOSTILE) >= 25
    outcomes = {}
    for template in HOSTILE:
        url = template.format(c=canary_server.port, s=source_server.port)
        result = fetch.url_fetch(url)
        outcomes[url] = result.error
        assert not result.ok, url
        assert result.error in REFUSALS, (url, result.error, result.detail)
        assert result.elapsed_ms < 5000, url  # refused at once, no connect timeout
    assert canary_server.hits == []
    # Only the redirect routes reached the allowed server; nothing went past it.
    assert all(path.startswith(("/redirect-to", "/robots.txt")) for path in source_server.paths())


def test_url_refusal_still_vets_links_without_fetching(source_server, canary_server):
    assert fetch.url_refusal(f"http://127.0.0.1:{canary_server.port}/") == "refused_address"
    assert fetch.url_refusal(source_server.url("/page")) is None
    assert source_server.hits == []


def test_an_untrusted_certificate_is_a_tls_error(tmp_path, settings):
    import shutil
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tests.conftest import service_missing

    if not shutil.which("openssl"):
        service_missing("needs the openssl command to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.FACTCHECK_FETCH_ALLOW = [f"127.0.0.1:{server.server_address[1]}"]
        result = fetch.url_fetch(f"https://127.0.0.1:{server.server_address[1]}/page")
    finally:
        server.shutdown()
        server.server_close()
    assert (result.ok, result.error) == (False, "tls")


def test_each_request_resolves_once_and_connects_to_the_checked_address(
    source_server, settings, monkeypatch
):
    """DNS rebinding: the name answers loopback (allowed for this pair) when checked and a
    private address on any later lookup. Connecting to the checked address means the second
    answer is never asked for or used."""
    import socket

    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            lookups.append(host)
            answer = "127.0.0.1" if len(lookups) <= 2 else "10.0.0.1"
            return real(answer, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    settings.FACTCHECK_FETCH_ALLOW = [f"rebind.test:{source_server.port}"]

    result = fetch.url_fetch(f"http://rebind.test:{source_server.port}/page")

    assert result.ok, result.detail
    assert len(lookups) == 2  # robots.txt and the page: one lookup each, none by urllib3
    assert dict(source_server.hits)["/page"]["Host"] == f"rebind.test:{source_server.port}"
