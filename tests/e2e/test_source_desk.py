"""An editor presses "fetch now" in a real browser and watches the state change live:
htmx polls the state panel until the fetch is done, then stops (status 286)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Page, expect

from claims import services
from claims.models import Source

pytestmark = pytest.mark.browser


def login(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_fetch_now_updates_the_state_live(
    page: Page, live_server, roles_restored, editor, source_server
):
    url = source_server.url("/page")
    source = Source.objects.create(key=url, url=url, title="Testbron", state="waiting")
    login(page, live_server, editor)
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
