"""Corrections that correct, in a real browser: a reader reports the seed's real error
with the right wording, a reviewer accepts it and fixes the paragraph in the same step,
and readers see the corrected text, what it said before, the feed item and the
structured data. And the second editor's inbox with a verdict change."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from claims import services
from claims.models import ArticleRevision, Correction, Report
from tests.e2e.test_report_review import SELECT_PASSAGE

pytestmark = pytest.mark.browser

OLD, NEW = "sinds mei 2025", "sinds januari 2025"


def log_in(browser, live_server, user):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill("pw-" + user.username)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    return context, page


def test_a_reader_report_fixes_the_text_and_readers_see_what_changed(
    page: Page, browser, live_server, seed_article, reviewer
):
    article_url = live_server.url + seed_article.get_absolute_url()
    paragraph = seed_article.paragraphs.get(position=3)

    # 1. The reader reports "sinds mei 2025" and proposes the right wording.
    page.goto(article_url)
    page.wait_for_load_state("load")
    assert page.evaluate(SELECT_PASSAGE, OLD)
    page.get_by_role("button", name="Meld een fout in deze passage").click()
    page.get_by_label("Wat klopt er niet?").fill(
        "Witkoff is al sinds januari 2025 gezant, niet sinds mei."
    )
    page.get_by_label("Voorgestelde correctie (optioneel)").fill(NEW)
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Je melding is ontvangen")
    report = Report.objects.get()
    assert (report.quote, report.suggestion, report.paragraph_id) == (OLD, NEW, paragraph.pk)

    # 2. A reviewer claims it and accepts it with the text fix, pre-filled from the reader.
    staff, desk = log_in(browser, live_server, reviewer)
    desk.goto(live_server.url + report.get_review_url())
    desk.wait_for_load_state("load")
    desk.get_by_role("button", name="Deze melding oppakken").click()
    expect(desk.get_by_text("Deze melding is van jou tot")).to_be_visible()
    fix = desk.get_by_label("De alinea zoals hij moet luiden")
    expect(fix).to_have_value(paragraph.text.replace(OLD, NEW))
    expect(desk.get_by_label("Pas de tekst van de alinea aan")).to_be_checked()
    expect(desk.locator(".current-text")).to_contain_text(OLD)  # the text now, beside it
    correction_text = desk.get_by_label("Correctie (openbaar, bovenaan het artikel)")
    expect(correction_text).to_have_value(re.compile(f"“{OLD}”.*“{NEW}”"))
    desk.get_by_role("button", name="Aanvaarden", exact=True).click()
    expect(desk.locator("#triage-panel")).to_contain_text("de alinea is gecorrigeerd")
    staff.close()
    revision = ArticleRevision.objects.get()
    correction = Correction.objects.get()
    assert correction.revision == revision and correction.anchors == [paragraph.anchor]

    # 3. The article reads "sinds januari 2025", marked, with a link to its correction.
    page.goto(article_url)
    third = page.locator(f"#{paragraph.anchor}")
    expect(third).to_contain_text(NEW)
    expect(third).not_to_contain_text(OLD)
    expect(third).to_have_class(re.compile("corrected"))
    third.get_by_role("link", name=re.compile("^Gecorrigeerd")).click()
    expect(page).to_have_url(re.compile(f"#correction-{correction.pk}$"))

    # 4. The correction shows the old and the new wording, without needing colour.
    notice = page.locator(f"#correction-{correction.pk}")
    expect(notice.locator("del")).to_contain_text("mei")
    expect(notice.locator("ins")).to_contain_text("januari")
    expect(notice).to_contain_text("Er stond:")
    expect(notice).to_contain_text("Er staat nu:")

    # 5. The corrections RSS has the item.
    rss = page.request.get(live_server.url + "/corrections/rss/").text()
    assert f"#correction-{correction.pk}</link>" in rss and "januari" in rss

    # 6. The JSON-LD's dateModified is later than datePublished.
    data = json.loads(page.locator('script[type="application/ld+json"]').first.inner_text())
    assert datetime.fromisoformat(data["dateModified"]) > datetime.fromisoformat(
        data["datePublished"]
    )
    assert "“mei” → “januari”" in data["correction"][0]["text"]


def test_the_second_editor_finds_the_change_in_the_inbox_and_approves_it(
    browser, live_server, seed_claim, scale, editor, second_editor
):
    services.verdict_publish(
        claim=seed_claim, rating=scale.ratings.get(code="true"), summary="Klopt."
    )
    change = services.verdict_save(
        claim=seed_claim,
        rating=scale.ratings.get(code="misleading"),
        summary="Misleidend: het is eerder 18%.",
        author=editor,
        submit=True,
    )

    # The author's own inbox has nothing to approve.
    context, own = log_in(browser, live_server, editor)
    expect(own.get_by_role("link", name=re.compile("^Inbox"))).to_have_text("Inbox")
    context.close()

    context, page = log_in(browser, live_server, second_editor)
    inbox = page.get_by_role("link", name=re.compile("^Inbox"))
    expect(inbox).to_contain_text("1")
    inbox.click()
    table = page.locator("table.compare")
    expect(table).to_contain_text("Klopt.")  # published now
    expect(table).to_contain_text("Misleidend: het is eerder 18%.")  # proposed
    page.get_by_role("button", name="Goedkeuren en publiceren").click()
    expect(page.get_by_text("Het oordeel is gepubliceerd.")).to_be_visible()
    change.refresh_from_db()
    assert change.status == "published" and change.approved_by == second_editor
    page.goto(live_server.url + "/staff/inbox/")
    expect(page.get_by_text("Er wacht geen oordeel op je.")).to_be_visible()
    context.close()
