"""A reader opens the seed article in a real browser, reports an error and sees the reference."""

import re

import pytest
from playwright.sync_api import Page, expect

from claims.models import Report

pytestmark = pytest.mark.browser


def test_reader_reports_an_error_and_sees_the_reference(page: Page, live_server, seed_article):
    page.goto(live_server.url + seed_article.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(seed_article.title)
    expect(page.get_by_text("Bewerkt door: gaya ❤️ one")).to_be_visible()

    page.get_by_label("Wat klopt er niet?").fill("Het gaat om 18%, niet om circa 20%.")
    page.get_by_label("Waar in het artikel?").select_option(label="Alinea 2")
    page.get_by_role("button", name="Melding versturen").click()

    expect(page.get_by_role("status")).to_contain_text("Bedankt. Je melding is ontvangen.")
    status = page.locator(".report-sent")  # announced above, shown here, in view
    reference = status.locator(".reference").inner_text()
    report = Report.objects.get()
    assert reference == report.reference
    assert report.paragraph.position == 2
    assert page.url.endswith(seed_article.get_absolute_url())  # htmx swapped, no reload

    status.get_by_role("link", name="Volg je melding").click()
    expect(page).to_have_url(re.compile(re.escape(report.get_absolute_url()) + "$"))
    expect(page.locator(".reference")).to_have_text(reference)


def test_an_empty_report_shows_the_error_in_place(page: Page, live_server, seed_article):
    page.goto(live_server.url + seed_article.get_absolute_url())
    page.get_by_label("Wat klopt er niet?").fill("   ")  # passes the browser's `required`
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("alert")).to_have_text("Verbeter de fouten hieronder.")
    expect(page.get_by_text("Vertel ons wat er niet klopt.")).to_be_visible()
    assert Report.objects.count() == 0


def test_reader_without_javascript_still_reports(browser, live_server, seed_article):
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.goto(live_server.url + seed_article.get_absolute_url())
    page.get_by_label("Wat klopt er niet?").fill("Zonder JavaScript.")
    page.get_by_role("button", name="Melding versturen").click()

    report = Report.objects.get()
    expect(page).to_have_url(re.compile(re.escape(report.get_absolute_url()) + "$"))
    expect(page.locator(".reference")).to_have_text(report.reference)
    context.close()
