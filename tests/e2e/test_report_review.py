"""The whole loop in a real browser: a reader reports a passage, a reviewer logs in,
claims it and accepts it with a correction; the reader's tracking page and the article
show the correction."""

import re

import pytest
from playwright.sync_api import Page, expect

from claims.models import Claim, Correction, Report

pytestmark = pytest.mark.browser

SELECT_PASSAGE = """(phrase) => {
  const body = document.querySelector(".article-body");
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const at = walker.currentNode.textContent.indexOf(phrase);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(walker.currentNode, at);
      range.setEnd(walker.currentNode, at + phrase.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      walker.currentNode.parentElement.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
      return true;
    }
  }
  return false;
}"""


def test_a_report_becomes_a_correction_the_reader_can_see(
    page: Page, browser, live_server, seed_article, reviewer
):
    article_url = live_server.url + seed_article.get_absolute_url()
    paragraph = seed_article.paragraphs.get(position=2)

    # The reader selects a passage and reports it.
    page.goto(article_url)
    assert page.evaluate(SELECT_PASSAGE, "circa 20% van het Oekraïense grondgebied")
    page.get_by_role("button", name="Meld een fout in deze passage").click()
    expect(page.get_by_label("Geciteerde passage (optioneel)")).to_have_value(
        "circa 20% van het Oekraïense grondgebied"
    )
    expect(page.get_by_label("Waar in het artikel?")).to_have_value(paragraph.anchor)
    expect(page.get_by_label("Wat klopt er niet?")).to_be_focused()
    page.get_by_label("Wat klopt er niet?").fill("Volgens de bronnen is het 18%.")
    page.get_by_label("Link naar bewijs 1").fill("https://example.org/bezetting")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Bedankt. Je melding is ontvangen.")
    status = page.locator(".report-sent")  # announced above, shown here, in view
    reference = status.locator(".reference").inner_text()
    report = Report.objects.get(reference=reference)
    assert (report.quote, report.paragraph_id) == (
        "circa 20% van het Oekraïense grondgebied",
        paragraph.pk,
    )
    assert report.evidence_urls == ["https://example.org/bezetting"]

    # A reviewer logs in with the login form, claims it and accepts it.
    staff = browser.new_context(locale="nl-NL")
    desk = staff.new_page()
    desk.goto(live_server.url + "/login/")
    desk.get_by_label("Gebruikersnaam").fill(reviewer.username)
    desk.get_by_label("Wachtwoord").fill("pw-" + reviewer.username)
    desk.get_by_role("button", name="Inloggen").click()
    desk.get_by_role("link", name="Meldingen van lezers").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Meldingen van lezers")
    expect(desk.get_by_text("Volgens de bronnen is het 18%.")).to_be_visible()
    desk.get_by_role("button", name="Volgende oppakken").click()
    expect(desk).to_have_url(re.compile(re.escape(report.get_review_url()) + "$"))
    desk.wait_for_load_state("load")  # htmx (a deferred script) is ready for the triage
    expect(desk.get_by_text("Deze melding is van jou tot")).to_be_visible()
    desk.get_by_label("Correctie (openbaar, bovenaan het artikel)").fill(
        "Rusland bezet circa 18% van Oekraïne, niet 20%."
    )
    desk.get_by_label("Bericht aan de lezer (openbaar)").fill("Dank voor je scherpe oog.")
    review_url = desk.url
    desk.get_by_role("button", name="Aanvaarden", exact=True).click()
    expect(desk.locator("#triage-panel")).to_contain_text(
        "Aanvaard. De lezer liet geen adres achter; de uitkomst staat op zijn of haar volgpagina."
    )
    assert desk.url == review_url  # swapped in place, no reload
    report.refresh_from_db()
    assert report.state == Report.State.ACCEPTED and report.assignee == reviewer
    correction = Correction.objects.get()
    staff.close()

    # The reader's tracking page and the article show it.
    status.get_by_role("link", name="Volg je melding").click()
    expect(page.locator(".state")).to_have_text("Aanvaard")
    expect(page.locator(".resolution")).to_have_text("Dank voor je scherpe oog.")
    expect(page.locator(".corrections-published")).to_contain_text(
        "Rusland bezet circa 18% van Oekraïne, niet 20%."
    )
    page.get_by_role("link", name=re.compile("^Correctie,")).click()
    expect(page).to_have_url(re.compile(f"#correction-{correction.pk}$"))
    corrections = page.get_by_role("complementary", name="Correcties")
    expect(corrections).to_contain_text("Rusland bezet circa 18% van Oekraïne, niet 20%.")


def test_a_claims_report_link_picks_the_claim_in_the_form(page: Page, live_server, seed_article):
    from claims import services

    claim = services.claim_create(text="Het gesprek duurde vijf uur.", article=seed_article).claim
    claim.status = Claim.Status.PUBLISHED
    claim.save()

    page.goto(live_server.url + seed_article.get_absolute_url())
    page.get_by_role(
        "link", name=re.compile(r"^Meld een fout\W+Het gesprek duurde vijf uur")
    ).click()

    expect(page.get_by_label("Over een gecontroleerde bewering? (optioneel)")).to_have_value(
        str(claim.pk)
    )
    expect(page.get_by_label("Wat klopt er niet?")).to_be_focused()
    page.get_by_label("Wat klopt er niet?").fill("Het waren er vier.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Je melding is ontvangen")
    assert Report.objects.get().claim == claim
