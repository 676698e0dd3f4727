"""The reader's "found an error?" form: what it stores, and every input it refuses."""

from __future__ import annotations

import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from claims import services
from claims.forms import report_form_age, report_form_token
from claims.models import BlockedReporter, Report
from tests.conftest import report_form_data

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def report_url(article) -> str:
    return reverse("claims:report_create", kwargs={"slug": article.slug})


def post(client, article, htmx=False, ip="203.0.113.7", **fields):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(report_url(article), report_form_data(**fields), REMOTE_ADDR=ip, **headers)


@pytest.fixture
def claim(seed_article):
    paragraph = seed_article.paragraphs.get(position=2)
    claim = services.claim_create(
        text="Rusland bezet circa 20% van Oekraïne.",
        article=seed_article,
        paragraph=paragraph,
        quote="circa 20%",
    ).claim
    claim.status = claim.Status.PUBLISHED
    claim.save()
    return claim


# --- What it stores -----------------------------------------------------------------


@pytest.mark.parametrize("about", ["article", "paragraph", "claim"])
def test_a_report_is_about_the_article_a_paragraph_or_a_claim(reader, seed_article, claim, about):
    paragraph = seed_article.paragraphs.get(position=3)
    fields = {"message": "Klopt niet."}
    if about == "paragraph":
        fields["paragraph"] = paragraph.anchor
    if about == "claim":
        fields["claim"] = str(claim.pk)

    response = post(reader, seed_article, **fields)

    report = Report.objects.get()
    assert response.status_code == 302
    assert report.paragraph == (paragraph if about == "paragraph" else None)
    assert report.claim == (claim if about == "claim" else None)


def test_the_article_page_offers_its_claims_and_a_report_link_per_claim(
    reader, seed_article, claim
):
    html = reader.get(seed_article.get_absolute_url()).content.decode()
    assert f'<option value="{claim.pk}">' in html
    assert f'data-report-claim="{claim.pk}"' in html
    assert 'src="/static/js/report-form.js"' in html


def test_a_claim_from_another_article_is_refused(reader, seed_article, claim):
    other = services.claim_create(text="Elders", article=None).claim
    response = post(reader, seed_article, message="x", claim=str(other.pk))
    assert "geldige keuze" in response.content.decode()
    assert Report.objects.count() == 0


def test_evidence_links_are_normalised_deduplicated_and_not_fetched(reader, seed_article):
    response = post(
        reader,
        seed_article,
        message="Zie bronnen.",
        evidence_1="HTTPS://Example.ORG/stuk?utm_source=x&b=2&a=1#alinea",
        evidence_2="https://example.org/stuk?a=1&b=2",
        evidence_3="www.example.org/ander-stuk",
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.evidence_urls == [
        "https://example.org/stuk?a=1&b=2",
        "https://www.example.org/ander-stuk",
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_three_evidence_links_cost_no_dns_lookup_in_the_request(
    reader, seed_article, monkeypatch, htmx
):
    """The web process never resolves a reader's link: a slow resolver must not stall
    the site. The worker vets each address before it fetches anything."""
    post(reader, seed_article, message="Opwarmen.")  # connections to cache and database
    lookups = []

    def getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        raise AssertionError(f"DNS lookup of {host!r} in the web process")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    response = post(
        reader,
        seed_article,
        htmx=htmx,
        message="Zie drie bronnen.",
        evidence_1="https://nos.nl/artikel/1",
        evidence_2="https://www.rijksoverheid.nl/onderwerpen/oekraine",
        evidence_3="https://unresolvable-evidence.example/stuk",
    )

    assert lookups == []
    assert response.status_code == (200 if htmx else 302)
    report = Report.objects.latest("id")
    assert report.message == "Zie drie bronnen."
    assert len(report.evidence_urls) == 3


class CanaryHandler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        CanaryHandler.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_HEAD = do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    """A real HTTP server on loopback that counts every request it gets."""
    CanaryHandler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CanaryHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


SSRF = [
    ("http://127.0.0.1:{port}/admin", "niet op het openbare internet"),
    ("http://localhost:{port}/", "niet op het openbare internet"),
    ("http://[::1]:{port}/", "niet op het openbare internet"),
    ("http://[::ffff:127.0.0.1]:{port}/", "niet op het openbare internet"),
    ("http://2130706433:{port}/", "niet op het openbare internet"),
    ("http://0x7f000001:{port}/", "niet op het openbare internet"),
    ("http://127.1:{port}/", "niet op het openbare internet"),
    ("http://169.254.169.254/latest/meta-data/", "niet op het openbare internet"),
    ("http://10.0.0.5/intern", "niet op het openbare internet"),
    ("http://100.64.0.1/", "niet op het openbare internet"),
    ("http://[fd00::1]/", "niet op het openbare internet"),
    ("file:///etc/passwd", "Alleen weblinks"),
    ("javascript:alert(1)", "Alleen weblinks"),
    ("gopher://127.0.0.1:{port}/_x", "Alleen weblinks"),
    ("http://", "geen webadres"),
]


@pytest.mark.parametrize(("url", "error"), SSRF, ids=[u for u, _ in SSRF])
def test_hostile_evidence_links_are_refused_before_any_connection(
    reader, seed_article, canary, url, error
):
    response = post(reader, seed_article, message="Zie link.", evidence_2=url.format(port=canary))

    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert Report.objects.count() == 0
    assert CanaryHandler.hits == []


# --- What it refuses ----------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"message": "ok", "suggestion": "s" * 5001}, "niet meer dan 5000 tekens"),
        ({"message": "ok", "name": "n" * 101}, "niet meer dan 100 tekens"),
        ({"message": "ok", "email": "e" * 250 + "@example.org"}, "niet meer dan 254 tekens"),
        ({"message": "ok", "evidence_1": "https://example.org/" + "a" * 2000}, "2000 tekens"),
        ({"message": "ok", "evidence_3": "dit is geen link"}, "geen webadres"),
        ({"message": "ok", "website": "w" * 201}, "niet meer dan 200 tekens"),
    ],
    ids=["suggestion", "name", "email", "long-url", "not-a-url", "honeypot-size"],
)
def test_every_field_has_a_size_cap_and_a_clear_error(reader, seed_article, fields, error, htmx):
    response = post(reader, seed_article, htmx=htmx, **fields)

    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert Report.objects.count() == 0
    assert ("<html" in html) != htmx


def test_the_whole_request_body_is_capped(reader, seed_article, settings):
    response = reader.post(report_url(seed_article), report_form_data(message="x" * (300 * 1024)))
    assert response.status_code == 400
    assert Report.objects.count() == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_filled_honeypot_is_thanked_then_filed_as_spam(reader, seed_article, htmx):
    response = post(
        reader, seed_article, htmx=htmx, message="Koop nu!", website="http://spam.example"
    )

    report = Report.objects.get()
    assert report.state == Report.State.SPAM
    assert "verborgen" in report.reviewer_note or "hidden" in report.reviewer_note
    assert report.processed_at is not None  # no follow-up work for spam
    if htmx:
        assert report.reference in response.content.decode()
    else:
        assert response["Location"] == report.get_absolute_url()
    track = reader.get(report.get_absolute_url()).content.decode()
    assert "Ontvangen" in track and "Spam" not in track
    assert services.report_claim_next(user=_reviewer()) is None


def _reviewer():
    from tests.conftest import make_staff

    return make_staff("queue-reviewer", "Reviewer")


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_too_fast_submit_is_refused_kindly_with_a_fresh_token(reader, seed_article, htmx):
    data = report_form_data(message="Snel!", started=report_form_token())
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = reader.post(report_url(seed_article), data, **headers)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Dat ging snel" in html
    assert "Snel!" in html  # what the reader wrote is still there
    assert Report.objects.count() == 0
    token = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert token  # a token to try again with, its clock running from now


# Named ids: the stale token holds the time of collection, which differs between the
# processes of a parallel run, and pytest-xdist refuses to run differing collections.
@pytest.mark.parametrize(
    "token",
    ["", "vervalst", report_form_token(time.time() - 3 * 86400)],
    ids=["missing", "forged", "stale"],
)
def test_a_missing_forged_or_stale_token_asks_to_send_again(reader, seed_article, token):
    response = reader.post(report_url(seed_article), report_form_data(message="x", started=token))

    html = response.content.decode()
    assert "lang open" in html
    assert Report.objects.count() == 0
    fresh = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert fresh != token
    assert 0 <= report_form_age(fresh) < 60  # valid, its clock running from now


def test_a_blocked_reporter_is_thanked_then_held_for_the_moderators(reader, seed_article):
    BlockedReporter.objects.create(ip_hash=services.ip_hash("198.51.100.66"))

    response = post(reader, seed_article, ip="198.51.100.66", message="Weer ik.")

    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert services.reports_process_pending() == 1  # the follow-up work holds it
    report.refresh_from_db()
    assert report.state == Report.State.BLOCKED
    assert "Ontvangen" in reader.get(report.get_absolute_url()).content.decode()
    post(reader, seed_article, ip="198.51.100.67", message="Iemand anders.")
    services.reports_process_pending()
    assert Report.objects.filter(state=Report.State.NEW).count() == 1


def test_the_ip_is_stored_only_as_a_salted_hash(reader, seed_article, settings):
    post(reader, seed_article, ip="203.0.113.99", message="x")
    first = Report.objects.get().ip_hash
    settings.FACTCHECK_IP_SALT = "een ander zout"
    assert services.ip_hash("203.0.113.99") != first
    assert "203.0.113.99" not in str(Report.objects.values().get())


# --- Rate limits --------------------------------------------------------------------


def test_the_per_ip_rate_limit_answers_with_a_friendly_429(reader, seed_article, settings):
    settings.FACTCHECK_REPORT_RATE_PER_IP = "2/h"
    for n in range(2):
        assert post(reader, seed_article, message=f"melding {n}").status_code == 302

    plain = post(reader, seed_article, message="derde melding")
    htmx = post(reader, seed_article, htmx=True, message="vierde melding")

    assert plain.status_code == 429
    assert "in korte tijd" in plain.content.decode() and "derde melding" in plain.content.decode()
    assert htmx.status_code == 200  # htmx swaps only 2xx
    assert "in korte tijd" in htmx.content.decode() and "vierde melding" in htmx.content.decode()
    assert Report.objects.count() == 2
    # Another reader is not affected.
    assert post(reader, seed_article, ip="203.0.113.200", message="ander").status_code == 302


def test_the_per_article_rate_limit_holds_across_ips(reader, seed_article, settings):
    settings.FACTCHECK_REPORT_RATE_PER_ARTICLE = "3/h"
    codes = [
        post(reader, seed_article, ip=f"203.0.113.{n}", message=f"m{n}").status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert Report.objects.count() == 3


def test_invalid_submissions_do_not_use_up_the_rate_limit(reader, seed_article, settings):
    settings.FACTCHECK_REPORT_RATE_PER_IP = "1/h"
    for _ in range(3):
        assert post(reader, seed_article, message="").status_code == 200
    assert post(reader, seed_article, message="nu goed").status_code == 302


def test_a_report_gets_through_when_the_cache_is_down(reader, seed_article, settings):
    from tests.conftest import free_port

    settings.FACTCHECK_REPORT_RATE_PER_IP = "1/h"
    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": closed,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "counters": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": closed,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        },
    }
    assert post(reader, seed_article, message="een").status_code == 302
    assert post(reader, seed_article, message="twee").status_code == 302
    assert Report.objects.count() == 2
    assert reader.get(seed_article.get_absolute_url()).status_code == 200


# --- CSRF ---------------------------------------------------------------------------


def test_a_wrong_csrf_token_is_refused_plain_and_htmx(seed_article):
    client = Client(enforce_csrf_checks=True)
    client.get(seed_article.get_absolute_url())  # sets the CSRF cookie
    data = report_form_data(message="met een vals token", csrfmiddlewaretoken="x" * 32)

    plain = client.post(report_url(seed_article), data)
    htmx = client.post(report_url(seed_article), data, HTTP_HX_REQUEST="true")

    assert plain.status_code == 403
    assert "Probeer het opnieuw" in plain.content.decode()
    assert htmx.status_code == 403 and htmx["HX-Refresh"] == "true"
    assert Report.objects.count() == 0


def test_the_right_csrf_token_from_the_cached_page_is_accepted(seed_article):
    client = Client(enforce_csrf_checks=True)
    Client().get(seed_article.get_absolute_url())  # another reader warms the page cache
    html = client.get(seed_article.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert "slot" not in token and "slot" not in started

    time.sleep(0.01)
    response = client.post(
        report_url(seed_article),
        {"message": "echt", "csrfmiddlewaretoken": token, "started": started},
    )
    # Sent at once, so refused as too fast: the token itself was fine.
    assert response.status_code == 200 and "Dat ging snel" in response.content.decode()


# --- Hostile text -------------------------------------------------------------------


def test_html_and_script_in_every_field_are_stored_as_text_and_shown_escaped(
    reader, seed_article, claim, admin_user, admin_client
):
    response = post(
        reader,
        seed_article,
        message=HOSTILE,
        quote=HOSTILE,
        suggestion=HOSTILE,
        name=HOSTILE[:100],
        email="lezer@example.org",
        email_consent="on",
        evidence_1='https://example.org/?q=<script>alert("x")</script>',
        claim=str(claim.pk),
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.message, report.quote, report.suggestion) == (HOSTILE, HOSTILE, HOSTILE)
    assert report.name == HOSTILE[:100]

    services.report_claim(report_id=report.pk, user=admin_user)
    pages = {
        "tracking": reader.get(report.get_absolute_url()),
        "queue": admin_client.get(reverse("claims:report_queue")),
        "review": admin_client.get(report.get_review_url()),
    }
    services.report_accept(
        report_id=report.pk, user=admin_user, correction_text=HOSTILE, resolution=HOSTILE
    )
    pages["tracking-after"] = reader.get(report.get_absolute_url())
    pages["article"] = reader.get(seed_article.get_absolute_url())
    pages["log"] = reader.get(reverse("claims:corrections"))
    pages["rss"] = reader.get(reverse("claims:corrections_rss"))

    for name, page in pages.items():
        html = page.content.decode()
        assert page.status_code == 200, name
        assert "<script>alert" not in html, name
        assert "<img src=x" not in html, name
        if name == "rss":  # the description is HTML inside XML: escaped, then escaped again
            assert "&amp;lt;script&amp;gt;alert" in html, name
            continue
        assert "&lt;script&gt;alert" in html or "\\u003Cscript\\u003Ealert" in html, name
