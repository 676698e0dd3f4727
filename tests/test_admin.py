"""The admin for reports: blocking reporters, the outbox, and who sees addresses."""

import pytest
from django.test import Client

from claims import services
from claims.models import BlockedReporter, Report
from tests.conftest import make_staff


@pytest.fixture
def report(seed_article):
    return services.report_create(
        article=seed_article,
        message="x",
        ip="198.51.100.4",
        email="lezer@example.org",
        email_consent=True,
    )


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(make_staff(role.lower(), role))
    return client


def test_the_report_pages_open_for_an_admin(report):
    admin = client_for("Admin")
    for url in [
        "/admin/claims/report/",
        f"/admin/claims/report/{report.pk}/change/",
        "/admin/claims/blockedreporter/",
        "/admin/claims/reportemail/",
    ]:
        assert admin.get(url).status_code == 200, url


def test_a_moderator_blocks_reporters_from_the_report_list(report):
    moderator = client_for("Moderator")
    response = moderator.post(
        "/admin/claims/report/", {"action": "block_reporters", "_selected_action": [report.pk]}
    )
    assert response.status_code == 302
    assert BlockedReporter.objects.get().ip_hash == report.ip_hash
    assert Report.objects.get().state == Report.State.SPAM
    assert moderator.get("/admin/claims/blockedreporter/").status_code == 200


def test_only_those_allowed_see_the_reporters_address(report):
    page = f"/admin/claims/report/{report.pk}/change/"
    assert "lezer@example.org" not in client_for("Reviewer").get(page).content.decode()
    assert "lezer@example.org" in client_for("Moderator").get(page).content.decode()


def test_a_reviewer_cannot_block(report):
    reviewer = client_for("Reviewer")
    reviewer.post(
        "/admin/claims/report/", {"action": "block_reporters", "_selected_action": [report.pk]}
    )
    assert not BlockedReporter.objects.exists()
