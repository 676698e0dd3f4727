"""An editor presses "fetch now" in a real browser and watches the state change live:
htmx polls the state panel until the fetch is done, then stops (status 286)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from claims import services
from claims.models import Source
from tests.conftest import browser_log_in

pytestmark = pytest.mark.browser


def test_fetch_now_updates_the_state_live(page: Page, live_server, editor_client, source_server):
    url = source_server.url("/page")
    source = Source.objects.create(key=url, url=url, title="Testbron", state="waiting")
    browser_log_in(page, live_server, editor_client)
    page.goto(f"{live_server.url}/desk/sources/{source.pk}/")
    panel = page.locator("#source-state")
    expect(panel).to_contain_text("Wacht")

    with page.expect_response(lambda r: r.url.endswith("/fetch/")):
        page.get_by_role("button", name="Nu ophalen").click()
    expect(panel).to_have_attribute("hx-trigger", "every 2s")  # polling while queued

    services.source_fetch(source_id=source.pk)  # what the worker does

    expect(panel.locator(".state")).to_have_text("Bereikbaar", timeout=15_000)
    expect(panel).not_to_have_attribute("hx-trigger", "every 2s")
    expect(panel).to_contain_text("200")
