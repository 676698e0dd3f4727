"""A reader in a real browser: a claim whose source is now dead links the copy the verdict
relied on, and that copy shows the captured text and its date. The Robust Links menu
works from the keyboard, and without JavaScript the plain link to the copy is there.

With FACTCHECK_SCREENSHOTS=<folder> the pages are also saved at 390 and 1280 px wide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from claims import services
from claims.models import Snapshot, Source

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("FACTCHECK_SCREENSHOTS", "")


def shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def login(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def dead_claim(seed_claim, scale, editor, source_server):
    url = source_server.url("/page")
    source = Source.objects.create(
        key=url,
        url=url,
        title="Voorjaarsnota: defensie-uitgaven",
        state="waiting",
        next_check_at=timezone.now(),
    )
    services.source_fetch(source_id=source.pk)
    citation = services.citation_add(claim=seed_claim, source=source, user=editor)
    services.verdict_publish(
        claim=seed_claim,
        rating=scale.ratings.get(code="true"),
        summary="Klopt: de nota noemt het bedrag.",
        citations=[citation],
        author=editor,
    )
    services.source_mark_dead(source=source)
    return seed_claim, source, Snapshot.objects.get(source=source)


def test_a_reader_follows_a_dead_sources_archived_copy(page: Page, live_server, dead_claim):
    claim, _source, capture = dead_claim
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + claim.get_absolute_url())

    notice = page.locator(".copy-notice")
    expect(notice).to_contain_text("Deze bron is niet meer bereikbaar.")
    day = timezone.localtime(capture.fetched_at)
    expect(notice).to_contain_text(f"Het oordeel steunde op de kopie van {day.day} ")
    shoot(page, "claim-dead-source")

    notice.get_by_role("link", name="onze kopie van de tekst").click()

    expect(page).to_have_url(live_server.url + capture.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Testpagina voor bronnen")
    expect(page.locator(".captured-text")).to_contain_text(
        "Het kabinet maakte dinsdag bekend dat de uitgaven aan defensie"
    )
    date = page.locator("time.capture-date")
    expect(date).to_have_attribute("datetime", timezone.localtime(capture.fetched_at).isoformat())
    expect(date).to_contain_text(str(day.year))
    expect(page.get_by_role("status")).to_contain_text("niet meer bereikbaar")
    shoot(page, "capture-page")


def test_the_copy_menu_works_from_the_keyboard(page: Page, live_server, dead_claim):
    claim, source, capture = dead_claim
    page.goto(live_server.url + claim.get_absolute_url())
    page.wait_for_load_state("load")  # the deferred script has run

    toggle = page.get_by_role("button", name=f"Andere versies van “{source.title}”")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")

    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = page.locator(".robust-menu")
    expect(menu.get_by_role("link", name="De pagina zoals die nu is")).to_have_attribute(
        "href", source.url
    )
    copy = menu.get_by_role("link", name="kopie van")
    expect(copy).to_have_attribute("href", capture.get_absolute_url())
    expect(menu.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()


def test_without_javascript_the_copy_is_a_plain_link(browser, live_server, dead_claim):
    claim, _source, capture = dead_claim
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.goto(live_server.url + claim.get_absolute_url())
    fallback = page.locator("a.robust-fallback")
    expect(fallback).to_have_attribute("href", capture.get_absolute_url())
    expect(page.locator(".robust-toggle")).to_have_count(0)
    context.close()


def test_staff_see_captures_and_archive_requests(page: Page, live_server, dead_claim, editor):
    _claim, source, _capture = dead_claim
    login(page, live_server, editor)
    page.goto(f"{live_server.url}/desk/sources/")
    row = page.get_by_role("row").filter(has_text=source.title)
    expect(row.locator("td.copies")).to_contain_text("1 vastlegging")
    shoot(page, "sources-list")
    page.goto(f"{live_server.url}/desk/sources/{source.pk}/")
    copies = page.locator("section.copies")
    expect(copies.get_by_role("link", name="Download het WARC-bestand")).to_be_visible()
    expect(copies).to_contain_text("bewaard (")
    shoot(page, "source-detail")
