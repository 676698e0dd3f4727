import pytest


@pytest.fixture(autouse=True)
def _report_form_fill_time(settings):
    """Playwright fills a form in milliseconds, faster than the minimum fill time that
    keeps bots out (tested in tests/test_report_form.py); a person takes seconds."""
    settings.FACTCHECK_REPORT_MIN_FILL_SECONDS = 0
