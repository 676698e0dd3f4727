"""Layout in Chromium (issue 12): no page is wider than the screen at 390 px, the staff
navigation fits on one line at 1280 px, the moderation list shows state, date, article,
message and the masked reporter at 1280 px, and the thank-you after sending a report
with JavaScript on lands in the viewport, focused, and announced outside the swap."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims import services
from claims.models import Article, Claim, Source
from tests.e2e.conftest import demo_log_in as log_in
from tests.e2e.conftest import demo_reader_paths

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def overflowing(page: Page, base: str, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            found.append(f"{path}: {extra} px too wide")
    return found


def test_no_page_is_wider_than_a_phone(page: Page, live_server, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    article = Article.objects.get()
    claim = Claim.objects.first()
    source = Source.objects.first()
    # A long URL, as the claim page and the sources page met it.
    long = services.source_get_or_create(url="https://example.org/" + "lang-pad/" * 30)
    services.citation_add(claim=claim, source=long)
    editor = User.objects.get(username="editor")
    revision = services.article_revise(
        article_id=article.pk,
        user=editor,
        paragraphs=[p.text.replace("2025", "2025 ", 1) for p in article.paragraphs.all()],
        note="Een lange notitie over wat er veranderde " * 5,
    ).revision
    found = overflowing(page, live_server.url, demo_reader_paths())
    log_in(page, live_server, "editor")
    found += overflowing(
        page,
        live_server.url,
        [
            "/desk/",
            f"/desk/articles/{article.slug}/",
            f"/desk/articles/{article.slug}/edit/",
            revision.get_absolute_url(),
            claim.get_desk_url(),
            "/desk/sources/",
            f"/desk/sources/{source.pk}/",
            f"/desk/sources/{long.pk}/",
            "/staff/dashboard/",
            "/staff/inbox/",
        ],
    )
    page.context.clear_cookies()
    reviewer = User.objects.get(username="reviewer")
    held = services.report_claim_next(user=reviewer)
    log_in(page, live_server, "reviewer")
    found += overflowing(page, live_server.url, ["/review/", held.get_review_url()])
    assert not found, "\n".join(found)


def test_the_staff_nav_fits_and_the_moderation_list_shows_what_matters(
    page: Page, live_server, demo
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "admin")
    page.goto(live_server.url + "/")
    tops = page.eval_on_selector_all(".nav > li", "items => items.map(i => i.offsetTop)")
    assert len(set(tops)) == 1, tops  # one line

    page.goto(live_server.url + "/admin/claims/report/")
    headers = page.locator("#result_list thead th")
    wanted = ["Status", "Aangemaakt op", "Artikel", "Wat er niet klopt", "Melder"]
    texts = [t.strip().lower() for t in headers.all_inner_texts()]
    for name in wanted:
        assert any(name.lower() in t for t in texts), (name, texts)
        header = headers.filter(has_text=name).first
        box = header.bounding_box()
        assert box and box["x"] + box["width"] <= 1280, (name, box)


def test_the_confirmation_is_in_the_viewport_after_sending(page: Page, live_server, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    article = Article.objects.get()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_load_state("load")
    page.get_by_label("Wat klopt er niet?").fill("Het is 18%, niet 20%.")
    page.get_by_role("button", name="Melding versturen").click()
    sent = page.locator("#report-form .report-sent")
    expect(sent).to_be_visible()
    expect(sent).to_be_in_viewport()
    expect(sent).to_be_focused()
    live = page.locator("#report-announce")
    expect(live).to_contain_text("Je melding is ontvangen")
    assert page.evaluate("document.querySelector('#report-form #report-announce')") is None
