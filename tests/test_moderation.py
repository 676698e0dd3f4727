"""Issue 12: moderation and abuse resistance that hold behind a proxy. One test (or
more) per finding: the client IP from one place, blocks that cannot silence innocent
readers, quarantined evidence, admin privacy, single-use form tokens, body caps, a
cached deep health check, the salt, and bad query values that never give 500."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from claims import services
from claims.access import client_ip, login_ip_hashed
from claims.forms import report_form_token
from claims.models import BlockedReporter, Report, ReportEvidence, Source
from tests.conftest import logged_in, make_staff, report_form_data


def post_report(client, article, *, forwarded: str, remote: str = "10.0.0.2", **fields):
    url = reverse("claims:report_create", kwargs={"slug": article.slug})
    data = report_form_data(message=fields.pop("message", "Er klopt iets niet."), **fields)
    return client.post(url, data, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


# --- 2. Behind a proxy, one block hits every reader ---------------------------------


@override_settings(FACTCHECK_TRUSTED_PROXIES=1)
def test_two_readers_behind_one_trusted_proxy_are_two_reporters(reader, seed_article):
    post_report(reader, seed_article, forwarded="203.0.113.10", message="Eerste lezer.")
    post_report(reader, seed_article, forwarded="203.0.113.20", message="Tweede lezer.")
    first, second = Report.objects.order_by("pk")
    assert first.ip_hash != second.ip_hash
    assert first.ip_hash == services.ip_hash("203.0.113.10")

    services.reporter_block(ip_hash=first.ip_hash, reason="spam")
    post_report(reader, seed_article, forwarded="203.0.113.20", message="Nog een fout.")
    services.reports_process_pending()
    assert Report.objects.filter(ip_hash=second.ip_hash, state=Report.State.NEW).count() == 2
    assert Report.objects.get(pk=first.pk).state == Report.State.BLOCKED


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.7"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "remote", "client"),
    [
        (1, "203.0.113.5", "10.0.0.2", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "10.0.0.2", "203.0.113.5"),  # a spoofed left end
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.3", "10.0.0.2", "203.0.113.5"),
        (("10.0.0.0/8",), "6.6.6.6, 203.0.113.5", "10.0.0.2", "203.0.113.5"),
        (("10.0.0.0/8",), "203.0.113.5", "198.51.100.9", "198.51.100.9"),  # not our proxy
        (2, "203.0.113.5", "10.0.0.2", "10.0.0.2"),  # a chain shorter than promised
    ],
)
def test_the_client_ip_skips_only_the_trusted_proxies(settings, trusted, forwarded, remote, client):
    settings.FACTCHECK_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == client


@override_settings(FACTCHECK_TRUSTED_PROXIES=1)
def test_rate_limits_and_lockouts_count_the_reader_not_the_proxy(settings):
    from django_ratelimit.core import _get_ip

    one = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1")
    two = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert _get_ip(one) != _get_ip(two)
    assert login_ip_hashed(one) != login_ip_hashed(two)


@override_settings(FACTCHECK_TRUSTED_PROXIES=1, FACTCHECK_REPORT_RATE_PER_IP="2/h")
def test_the_per_ip_limit_applies_to_one_reader_not_the_whole_readership(reader, seed_article):
    for _ in range(2):
        assert post_report(reader, seed_article, forwarded="203.0.113.10").status_code == 302
    assert post_report(reader, seed_article, forwarded="203.0.113.10").status_code == 429
    assert post_report(reader, seed_article, forwarded="203.0.113.11").status_code == 302


def test_a_block_shows_who_shares_the_address_first_and_expires(seed_article, settings):
    for n, email in enumerate(["a@example.org", "b@example.org", "", ""]):
        services.report_create(
            article=seed_article,
            message=f"melding {n}",
            ip="198.51.100.50",
            email=email,
            email_consent=bool(email),
        )
    summary = services.reporter_address_summary(ip_hash=services.ip_hash("198.51.100.50"))
    assert (summary.reports, summary.reporters, summary.anonymous) == (4, 2, 2)
    assert summary.shared and not summary.blocked

    services.reporter_block(ip_hash=summary.ip_hash, days=30)
    block = BlockedReporter.objects.get()
    assert 29 <= (block.expires_at - block.created_at).days <= 30
    assert Report.objects.filter(state=Report.State.BLOCKED).count() == 4

    BlockedReporter.objects.update(expires_at=block.created_at)  # the block ran out
    later = services.report_create(article=seed_article, message="later", ip="198.51.100.50")
    services.reports_process_pending()
    later.refresh_from_db()
    assert later.state == Report.State.NEW


def test_moderators_release_reports_held_by_a_block(seed_article):
    report = services.report_create(article=seed_article, message="echt", ip="198.51.100.60")
    services.reporter_block(ip_hash=report.ip_hash)
    moderator = logged_in(make_staff("moderator", "Moderator"))
    listing = moderator.get("/admin/claims/report/?state__exact=blocked").content.decode()
    assert "echt" in listing
    moderator.post(
        "/admin/claims/report/", {"action": "release_blocked", "_selected_action": [report.pk]}
    )
    report.refresh_from_db()
    assert report.state == Report.State.NEW
    assert report.history.first().history_change_reason == (
        "released from the blocked list by a moderator"
    )


def test_the_tracking_page_of_a_held_report_says_received(reader, seed_article):
    report = services.report_create(article=seed_article, message="x", ip="198.51.100.61")
    services.reporter_block(ip_hash=report.ip_hash)
    assert "Ontvangen" in reader.get(report.get_absolute_url()).content.decode()


# --- 3. Evidence links from spam reports become newsroom sources --------------------


def test_a_spam_reports_evidence_never_becomes_a_source(seed_article, reviewer):
    report = services.report_create(
        article=seed_article, message="koop nu", evidence_urls=["https://spam.example.org/x"]
    )
    services.reports_process_pending()
    evidence = ReportEvidence.objects.get(report=report)
    services.report_claim(report_id=report.pk, user=reviewer)
    services.report_mark_spam(report_id=report.pk, user=reviewer)

    assert services.report_evidence_fetch(evidence_id=evidence.pk) == ""  # never fetched
    assert services.report_evidence_sweep(older_than_seconds=0) == 0
    assert not Source.objects.filter(url__contains="spam.example.org").exists()
    editor = logged_in(make_staff("editor", "Editor"))
    assert "spam.example.org" not in editor.get(reverse("claims:sources")).content.decode()
    assert "spam.example.org" not in editor.get(reverse("claims:dashboard")).content.decode()


def test_evidence_is_fetched_for_the_reviewer_through_the_guarded_fetcher(
    seed_article, reviewer, source_server
):
    url = source_server.url("/html/factcheck_pages/afp.html")
    report = services.report_create(article=seed_article, message="zie bron", evidence_urls=[url])
    services.reports_process_pending()
    evidence = ReportEvidence.objects.get(report=report)
    assert services.report_evidence_fetch(evidence_id=evidence.pk) == "ok"
    evidence.refresh_from_db()
    assert evidence.fetched_at and evidence.status == 200 and not evidence.error
    assert not Source.objects.filter(url=url).exists()  # still the report's own
    staff = Client()
    staff.force_login(reviewer)
    page = staff.get(report.get_review_url()).content.decode()
    assert "bereikbaar" in page
    assert page.count(f'href="{url}"') == 1  # listed once


def test_private_evidence_is_refused_by_the_fetcher(seed_article):
    report = services.report_create(
        article=seed_article, message="x", evidence_urls=["http://localhost.example.invalid/"]
    )
    services.reports_process_pending()
    evidence = ReportEvidence.objects.get(report=report)
    assert services.report_evidence_fetch(evidence_id=evidence.pk) == "dns"


# --- 1. Reporters' emails leak through the admin's lookups -------------------------


@pytest.mark.parametrize("role", ["Reviewer", "Editor"])
@pytest.mark.parametrize(
    "query",
    ["email__startswith=j", "email=jan@example.org", "name__istartswith=J", "email__gt=a"],
)
def test_reviewer_and_editor_cannot_narrow_the_report_list_by_reporter(seed_article, role, query):
    services.report_create(
        article=seed_article, message="x", name="Jan", email="jan@example.org", email_consent=True
    )
    response = logged_in(make_staff(role.lower(), role)).get(f"/admin/claims/report/?{query}")
    assert response.status_code == 400  # refused, not narrowed
    assert "result_list" not in response.content.decode()


def test_a_moderator_may_look_reporters_up(seed_article):
    services.report_create(
        article=seed_article, message="x", name="Jan", email="jan@example.org", email_consent=True
    )
    response = logged_in(make_staff("moderator", "Moderator")).get(
        "/admin/claims/report/?email__startswith=j"
    )
    assert response.status_code == 200 and "jan@example.org" in response.content.decode()


@pytest.mark.parametrize("role", ["Reviewer", "Moderator"])
def test_a_bad_pattern_lookup_is_refused_not_a_500(seed_article, role):
    services.report_create(article=seed_article, message="x")
    assert (
        logged_in(make_staff(role.lower(), role))
        .get("/admin/claims/report/?email__regex=(")
        .status_code
        == 400
    )


# --- 6. CSV formula injection ---------------------------------------------------------


def test_every_csv_cell_goes_through_the_formula_guard(seed_article):
    seed_article.title = '=HYPERLINK("http://evil.example","klik")'
    seed_article.save()
    report = services.report_create(article=seed_article, message="@SUM(1+1)")
    response = logged_in(make_staff("reviewer", "Reviewer")).post(
        "/admin/claims/report/", {"action": "export_csv", "_selected_action": [report.pk]}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells), cells
    assert "'=HYPERLINK" in cells[3]


# --- 7. Replayed tokens and large bodies ----------------------------------------------


def test_a_replayed_form_token_is_refused_kindly(reader, seed_article):
    url = reverse("claims:report_create", kwargs={"slug": seed_article.slug})
    data = {"started": report_form_token(time.time() - 60), "message": "Eén keer."}
    assert reader.post(url, data).status_code == 302
    again = reader.post(url, data)
    assert again.status_code == 200
    html = again.content.decode()
    assert "al verstuurd" in html  # kindly: what happened and what to do
    assert Report.objects.count() == 1
    fresh = html.split('name="started" value="', 1)[1].split('"', 1)[0]
    assert fresh != data["started"]  # a new token to send another report with


def test_a_20_mb_post_is_refused_before_it_is_read(reader, seed_article):
    from django.core.handlers.wsgi import WSGIRequest

    url = reverse("claims:report_create", kwargs={"slug": seed_article.slug})

    class Unread(io.BytesIO):
        read_bytes = 0

        def read(self, *args):
            data = super().read(*args)
            Unread.read_bytes += len(data)
            return data

    body = Unread(b"x" * (20 * 1024 * 1024))
    environ = RequestFactory()._base_environ(
        PATH_INFO=url,
        REQUEST_METHOD="POST",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(20 * 1024 * 1024),
        **{"wsgi.input": body},
    )
    from django.core.handlers.wsgi import WSGIHandler

    statuses = []
    WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    assert statuses[0].startswith("413")
    assert Unread.read_bytes == 0
    assert WSGIRequest  # the real handler, as gunicorn calls it


# --- 8. Deep health checks from anonymous callers ------------------------------------


def test_anonymous_deep_health_checks_share_one_cached_answer(reader, db, monkeypatch):
    from claims.views import health

    calls = []
    monkeypatch.setattr(health, "_worker_ok", lambda timeout: calls.append(1) or True)
    for _ in range(5):
        assert reader.get("/healthz?deep=1").json()["worker"] is True
    assert len(calls) == 1


def test_staff_and_the_token_get_a_fresh_deep_check(reader, db, monkeypatch, settings):
    from claims.views import health

    settings.FACTCHECK_HEALTHZ_TOKEN = "geheim-token"
    calls = []
    monkeypatch.setattr(health, "_worker_ok", lambda timeout: calls.append(1) or True)
    for _ in range(3):
        reader.get("/healthz?deep=1", HTTP_X_HEALTHZ_TOKEN="geheim-token")
    assert len(calls) == 3


# --- 9. The salt ------------------------------------------------------------------------


def test_the_ip_salt_is_derived_from_the_secret_key_and_never_equals_it(settings):
    assert settings.FACTCHECK_IP_SALT != settings.SECRET_KEY
    assert settings.SECRET_KEY not in settings.FACTCHECK_IP_SALT


def test_the_salt_is_hidden_on_the_debug_page(settings):
    from claims.debug import SafeExceptionReporterFilter

    shown = SafeExceptionReporterFilter().get_safe_settings()
    assert shown["FACTCHECK_IP_SALT"] != settings.FACTCHECK_IP_SALT
    assert "*" in shown["FACTCHECK_IP_SALT"]


def test_make_run_binds_localhost_unless_told_otherwise():
    from tests.conftest import ROOT

    procfile = (ROOT / "Procfile").read_text()
    assert "0.0.0.0" not in procfile
    assert "${BIND_ADDRESS:-127.0.0.1}" in procfile
    assert "BIND_ADDRESS ?= 127.0.0.1" in (ROOT / "Makefile").read_text()


# --- 10. Staff-only 500s ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["assignee=99999999999999999999999", "assignee=-1", "state=nonsense", "page=x"]
)
def test_bad_desk_filters_never_give_500(query, db):
    assert logged_in(make_staff("editor", "Editor")).get(f"/desk/?{query}").status_code == 200


# --- 4/5. Address checks everywhere a URL is taken ---------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/",
        "http://[::ffff:0:7f00:1]/",
        "http://[fec0::1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[2002:c0a8:1::]/",
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",
        "http://user@example.org/",
        "http://user:pw@example.org/",
    ],
)
def test_check_url_json_refuses_each_ipv6_form_and_credentials(url, capsys, db):
    with pytest.raises(SystemExit):
        call_command("check_url", url, "--json")
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["ok"] is False
    assert outcome["error"] in {"refused_address", "bad_url"}


def test_claimreview_import_keeps_only_http_links(db):
    record = {
        "@type": "ClaimReview",
        "url": "javascript:alert(1)",
        "claimReviewed": "De zon draait om de aarde.",
        "author": {"@type": "Organization", "name": "X", "url": "javascript:alert(2)"},
        "reviewRating": {"@type": "Rating", "alternateName": "Onwaar"},
        "itemReviewed": {"@type": "Claim", "appearance": ["http://10.0.0.1/a", "ftp://x.org/"]},
    }
    from claims.importers.claimreview import claimreview_records

    (review,) = list(claimreview_records(json.dumps(record).encode()))
    kept = [review.url, review.first_appearance_url, *review.appearance_urls]
    kept += [author.get("url", "") for author in review.authors]
    assert kept and not any(kept), kept


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x", "http://[::ffff:10.0.0.1]/", "http://user@example.org/"]
)
def test_the_desk_citation_url_is_checked_like_the_source_url(url):
    from claims.forms.sources import source_url_clean

    with pytest.raises(Exception) as refused:
        source_url_clean(url)
    assert "ValidationError" in type(refused.value).__name__
