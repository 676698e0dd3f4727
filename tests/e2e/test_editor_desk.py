"""Two editors in a real browser: one makes a claim from selected text, cites a source and
writes a verdict; the other approves it; the public claim page shows it with its JSON-LD."""

import re

import extruct
import pytest
from playwright.sync_api import Browser, Page, expect

from claims.models import Claim, Verdict

pytestmark = pytest.mark.browser

QUOTE = "de circa 20% van het Oekraïense grondgebied"


def log_in(page: Page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("pw-" + username)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))
    # The URL changes when the page starts to arrive; its deferred scripts (desk.js and
    # its selection listener) have run only once it has loaded.
    page.wait_for_load_state("load")


def select_text(page: Page, anchor: str, text: str) -> None:
    """Select ``text`` inside the paragraph the way a mouse drag does, then release."""
    page.evaluate(
        """([anchor, text]) => {
            const p = document.getElementById(anchor);
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.textContent.indexOf(text);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + text.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    p.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                    return;
                }
            }
            throw new Error("text not found in paragraph");
        }""",
        [anchor, text],
    )


def test_two_editors_check_a_claim_and_publish_it(
    page: Page, browser: Browser, live_server, seed_article, scale, editor, second_editor
):
    paragraph = seed_article.paragraphs.get(position=2)
    desk_url = f"/desk/articles/{seed_article.slug}/"

    # The first editor selects a passage and makes it a claim.
    log_in(page, live_server, editor.username, desk_url)
    form = page.locator("#claim-create")
    expect(form).to_be_hidden()
    select_text(page, paragraph.anchor, QUOTE)
    expect(form).to_be_visible()
    expect(page.get_by_label("Geselecteerde passage")).to_have_value(QUOTE)
    form.get_by_label("Bewering:", exact=True).fill("Rusland bezet circa 20% van Oekraïne.")
    form.get_by_label("Bewering van").fill("Joeri Oesjakov")
    page.get_by_role("button", name="Bewering aanmaken").click()
    expect(page.get_by_role("status")).to_contain_text("Bewering aangemaakt.")
    expect(form).to_be_hidden()
    assert page.url.endswith(desk_url)  # htmx swapped, no reload
    claim = Claim.objects.get()
    appearance = claim.appearances.get()
    assert paragraph.text[appearance.start : appearance.end] == QUOTE

    # ... cites a source with a quoted passage, and writes the verdict.
    page.get_by_role("link", name="Open de bewering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(claim.text)
    page.get_by_label("Bron:", exact=True).select_option(label="Steve Witkoff - Wikipedia")
    page.get_by_label("Geciteerde passage").fill("Witkoff was appointed in May 2025")
    page.get_by_role("button", name="Bron aanhalen").click()
    sources = page.locator("#claim-sources")
    expect(sources).to_contain_text("Witkoff was appointed in May 2025")
    expect(sources).to_contain_text("Citaatcontrole: Niet gecontroleerd")

    page.get_by_label("Oordeel:", exact=True).select_option(label="Grotendeels waar")
    page.get_by_label("Samenvatting in één regel").fill(
        "Schattingen liggen tussen 18 en 20 procent."
    )
    page.get_by_label("Toelichting").fill("<p>De <strong>Krim</strong> telt mee.</p>")
    page.get_by_label("Steve Witkoff - Wikipedia").check()
    page.get_by_role("button", name="Ter beoordeling voorleggen").click()
    expect(page.locator("#verdict-panel")).to_contain_text("In beoordeling")
    assert Verdict.objects.get().status == Verdict.Status.IN_REVIEW

    # The second editor approves it.
    context = browser.new_context(locale="nl-NL")
    second = context.new_page()
    log_in(second, live_server, second_editor.username, claim.get_desk_url())
    second.get_by_role("button", name="Publiceren").click()
    expect(second.get_by_role("status")).to_have_text("Het oordeel is gepubliceerd.")
    verdict = Verdict.objects.get()
    assert verdict.status == Verdict.Status.PUBLISHED
    assert (verdict.author.username, verdict.approved_by.username) == ("editor", "editor2")
    context.close()

    # Readers see it, with exactly one ClaimReview.
    page.goto(live_server.url + claim.get_absolute_url())
    expect(page.get_by_role("heading", level=2, name=re.compile("Oordeel"))).to_contain_text(
        "Grotendeels waar"
    )
    expect(page.locator(".explanation strong")).to_have_text("Krim")
    html = page.content()
    data = extruct.extract(html, base_url=page.url, syntaxes=["json-ld"])["json-ld"]
    assert len(data) == 1
    review = data[0]
    assert review["@type"] == "ClaimReview" and review["claimReviewed"] == claim.text
    assert review["reviewRating"]["alternateName"] == "Grotendeels waar"
    assert review["itemReviewed"]["author"]["name"] == "Joeri Oesjakov"

    # The article page highlights the claim and links to it.
    page.goto(live_server.url + seed_article.get_absolute_url())
    page.locator(f'a.claim-mark[data-claim="{claim.pk}"]').click()
    expect(page).to_have_url(re.compile(re.escape(claim.get_absolute_url()) + "$"))
