"""A moderator, in the admin, files three reports from one reader as spam and blocks
that reader, after seeing who else used the address; the reader's next report is
accepted politely and held in the blocked list."""

import re

import pytest
from playwright.sync_api import Page, expect

from claims import services
from claims.models import BlockedReporter, Report

pytestmark = pytest.mark.browser


def test_a_moderator_files_spam_and_blocks_the_reporter(
    page: Page, live_server, seed_article, moderator
):
    # The spammer's browser comes from 127.0.0.1, like the one below.
    spam = [
        services.report_create(article=seed_article, message=f"Koop nu! {n}", ip="127.0.0.1")
        for n in range(3)
    ]
    honest = services.report_create(article=seed_article, message="Typfout", ip="192.0.2.1")

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Gebruikersnaam").fill(moderator.username)
    page.get_by_label("Wachtwoord").fill("pw-" + moderator.username)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Meldingen", exact=True).first.click()
    for report in spam:
        page.locator(f'input[name="_selected_action"][value="{report.pk}"]').check()
    page.get_by_label("Actie:").select_option("mark_spam")
    page.get_by_role("button", name="Uitvoeren").click()
    expect(page.locator(".messagelist")).to_contain_text("3 van 3 meldingen als spam")
    assert [Report.objects.get(pk=r.pk).state for r in spam] == ["spam"] * 3
    assert Report.objects.get(pk=honest.pk).state == "new"

    page.locator(f'input[name="_selected_action"][value="{spam[0].pk}"]').check()
    page.get_by_label("Actie:").select_option("block_reporters")
    page.get_by_role("button", name="Uitvoeren").click()
    # First who used the address lately: three reports, none with a name or address (so
    # nobody to tell apart); nothing is blocked yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze melders blokkeren?")
    summary = page.locator("table.block-summary tbody tr")
    expect(summary).to_have_count(1)
    expect(summary.locator("td").nth(1)).to_have_text("3")
    expect(summary.locator("td").nth(2)).to_have_text("0")
    expect(summary.locator("td").nth(3)).to_have_text("3")
    assert not BlockedReporter.objects.exists()
    page.get_by_role("button", name="Ja, blokkeer").click()
    expect(page.locator(".messagelist")).to_contain_text("1 melder geblokkeerd voor 30 dagen")
    assert BlockedReporter.objects.get().ip_hash == spam[0].ip_hash

    # The blocked reader reports again: thanked as ever, held out of sight.
    reader = page.context.browser.new_context(locale="nl-NL").new_page()
    reader.goto(live_server.url + seed_article.get_absolute_url())
    reader.get_by_label("Wat klopt er niet?").fill("Nog meer reclame.")
    reader.get_by_role("button", name="Melding versturen").click()
    expect(reader.get_by_role("status")).to_contain_text("Je melding is ontvangen")
    services.reports_process_pending()
    latest = Report.objects.get(message="Nog meer reclame.")
    assert latest.state == Report.State.BLOCKED

    page.goto(live_server.url + "/admin/claims/report/?state__exact=blocked")
    expect(page.locator("#result_list")).to_contain_text(latest.reference[:8])
    expect(page.locator("#result_list")).to_contain_text("Nog meer reclame.")
    expect(page).to_have_title(re.compile("melding"))
