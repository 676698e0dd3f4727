"""Every public and staff page of the demo, scanned by axe-core (WCAG 2 A/AA and best
practice rules) in Chromium: no violations of any impact. The Django admin's own pages
are Django's and are left out."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims import services
from claims.models import Article, Claim, Source
from tests.e2e.conftest import demo_log_in as log_in
from tests.e2e.conftest import demo_reader_paths

pytestmark = pytest.mark.browser


def violations(page: Page) -> list[str]:
    """One line per rule broken on the page as it is now, naming up to three elements."""
    found = Axe().run(page).response["violations"]
    return [
        f"{page.url}: {rule['id']} ({rule['impact']}) {rule['help']}: "
        + ", ".join(str(node["target"]) for node in rule["nodes"][:3])
        for rule in found
    ]


def scan(page: Page, base: str, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.url == base + path, f"{path} went to {page.url}"  # not to the login
        found += violations(page)
    return found


def test_reader_pages_have_no_accessibility_violations(page: Page, live_server, demo):
    article = Article.objects.get()
    found = scan(page, live_server.url, demo_reader_paths())

    # The report form as a reader meets it after a mistake, and after sending.
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_label("Wat klopt er niet?").fill("   ")  # passes the browser, not the server
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("#report-form")).to_contain_text("Vertel ons wat er niet klopt.")
    found += violations(page)
    page.get_by_label("Wat klopt er niet?").fill("Het is 18%, niet 20%.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Je melding is ontvangen")
    found += violations(page)

    assert not found, "\n".join(found)


def test_editor_pages_have_no_accessibility_violations(page: Page, live_server, demo):
    article = Article.objects.get()
    claim = Claim.objects.first()
    source = Source.objects.first()
    log_in(page, live_server, "editor")
    paths = [
        "/desk/",
        f"/desk/articles/{article.slug}/",
        claim.get_desk_url(),
        "/desk/sources/",
        f"/desk/sources/{source.pk}/",
        "/staff/dashboard/",
    ]
    found = scan(page, live_server.url, paths)
    assert not found, "\n".join(found)


def test_reviewer_pages_have_no_accessibility_violations(page: Page, live_server, demo):
    reviewer = User.objects.get(username="reviewer")
    held = services.report_claim_next(user=reviewer)
    log_in(page, live_server, "reviewer")
    found = scan(page, live_server.url, ["/review/", held.get_review_url()])
    assert not found, "\n".join(found)
