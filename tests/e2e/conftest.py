from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page

from claims.models import Article, Claim, Report
from tests.conftest import browser_log_in, logged_in


@pytest.fixture(autouse=True)
def _report_form_fill_time(settings):
    """Playwright fills a form in milliseconds, faster than the minimum fill time that
    keeps bots out (tested in tests/test_report_form.py); a person takes seconds."""
    settings.FACTCHECK_REPORT_MIN_FILL_SECONDS = 0


@pytest.fixture
def demo(db):
    """The demo newsroom, as ``make run`` serves it."""
    call_command("demo", stdout=StringIO())


def demo_log_in(page: Page, live_server, username: str) -> None:
    """As the demo's user (the login page itself is one of the reader pages)."""
    browser_log_in(page, live_server, logged_in(User.objects.get(username=username)))


def demo_reader_paths() -> list[str]:
    """Every page a reader of the demo can reach, the login page included."""
    article = Article.objects.get()
    return [
        "/",
        article.get_absolute_url(),
        "/claims/",
        Claim.objects.first().get_absolute_url(),
        "/corrections/",
        "/privacy/",
        Report.objects.first().get_absolute_url(),
        "/login/",
    ]
