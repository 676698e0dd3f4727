"""No raw code reaches a person: a rendered page in Dutch shows no fetch code (``dns``,
``refused_address``, ``ok``), no state value (``in_review``, ``needs_url``) and no
English rule tag, only their labels. A sibling of test_translations.py, which checks
the catalogue; this one checks what the pages actually render."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Claim, Report, ReportEvidence, Source
from claims.templatetags.labels import FETCH_LABELS
from tests.conftest import logged_in, make_staff

CODES = set(FETCH_LABELS) | {
    "needs_url", "in_review", "waiting", "fetching", "blocked", "not_checked",
    "number", "quantity", "attribution", "approximation", "ordinal", "admin",
}  # fmt: skip


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def raw_codes(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    words = set(re.findall(r"[a-z_0-9]+", " ".join(parser.parts)))
    return {code for code in CODES if code in words and code not in {"ok"}} | (
        {"ok"} if re.search(r"(?<![\w-])ok(?![\w-])", " ".join(parser.parts)) else set()
    )


def test_a_raw_code_on_a_page_is_caught():
    assert raw_codes("<p>Bron · dns</p>") == {"dns"}
    assert raw_codes("<p>Bron · <code>dns</code></p>") == set()  # code shown as code is staff's
    assert raw_codes('<p class="state-needs_url">geen link</p>') == set()


@pytest.fixture
def failing_pages(seed_article, editor):
    source = services.source_get_or_create(url="https://example.org/bron")
    Source.objects.filter(pk=source.pk).update(
        state=Source.State.FAILING, last_error="dns", last_checked_at=timezone.now()
    )
    claim = services.claim_create(
        text="Witkoff is sinds mei 2025 gezant.", article=seed_article, created_by=editor
    ).claim
    services.citation_add(claim=claim, source=Source.objects.get(pk=source.pk))
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)  # a public page
    report = services.report_create(
        article=seed_article, message="bron", evidence_urls=["https://example.org/bewijs"]
    )
    services.reports_process_pending()
    ReportEvidence.objects.update(fetched_at=timezone.now(), error="refused_address")
    BlockedReport = services.report_create(article=seed_article, message="x", ip="198.51.100.9")
    services.reporter_block(
        ip_hash=BlockedReport.ip_hash, user=None, reason="blocked by a moderator"
    )
    return {
        "source": source,
        "claim": claim,
        "report": report,
        "article": seed_article,
        "editor": editor,
    }


def test_pages_show_labels_not_codes(failing_pages):
    editor, reviewer, moderator = (
        Client(),
        logged_in(make_staff("reviewer", "Reviewer")),
        logged_in(make_staff("moderator", "Moderator")),
    )
    editor.force_login(failing_pages["editor"])
    pages = [
        (editor, reverse("claims:sources")),
        (editor, reverse("claims:source", kwargs={"pk": failing_pages["source"].pk})),
        (editor, reverse("claims:desk_claim", kwargs={"pk": failing_pages["claim"].pk})),
        (editor, reverse("claims:desk_article", kwargs={"slug": failing_pages["article"].slug})),
        (reviewer, failing_pages["report"].get_review_url()),
        (reviewer, reverse("claims:report_queue")),
        (moderator, "/admin/claims/report/"),
        (moderator, "/admin/claims/blockedreporter/"),
        (Client(), failing_pages["article"].get_absolute_url()),
    ]
    pages.append((Client(), failing_pages["claim"].get_absolute_url()))
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not raw_codes(response.content.decode()), (url, raw_codes(response.content.decode()))
    assert Report.objects.filter(state=Report.State.BLOCKED).exists()


@pytest.mark.parametrize("status", [403, 404])
def test_error_pages_are_in_the_sites_layout_and_language(status, seed_article):
    client = logged_in(make_staff("reviewer", "Reviewer")) if status == 403 else Client()
    response = client.get("/desk/" if status == 403 else "/bestaat-niet/")
    html = response.content.decode()
    assert response.status_code == status
    assert 'class="site-header"' in html and 'lang="nl"' in html
    assert "Forbidden" not in html and "Not Found" not in html


def test_the_500_page_is_in_the_sites_layout(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "Er ging iets mis" in html and "site-header" in html
