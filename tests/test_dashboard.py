"""The newsroom dashboard: right numbers, fixed query count, staff only."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from claims import services, stats
from claims.models import Correction, Report, Source
from tests.conftest import logged_in

URL = reverse("claims:dashboard")


def test_reports_waiting_are_bucketed_by_age(seed_article):
    now = timezone.now()
    for age in [timedelta(minutes=5), timedelta(hours=3), timedelta(days=2), timedelta(days=30)]:
        report = services.report_create(article=seed_article, message="x")
        Report.objects.filter(pk=report.pk).update(created_at=now - age)
    done = services.report_create(article=seed_article, message="done")
    Report.objects.filter(pk=done.pk).update(state=Report.State.REJECTED)

    assert [bar.value for bar in stats.reports_waiting_by_age(now)] == [1, 1, 1, 1]


def test_median_time_to_resolve_per_week(seed_article):
    now = timezone.now()
    for hours in (1, 3, 8):
        report = services.report_create(article=seed_article, message="x")
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.ACCEPTED,
            created_at=now - timedelta(hours=hours),
            resolved_at=now,
        )
    bars = stats.median_hours_to_resolve_per_week(now=now)
    assert len(bars) == 12
    assert bars[-1].value == 3.0
    # A week in which nothing was resolved has no median, which is not "0 hours".
    assert [bar.value for bar in bars[:-1]] == [None] * 11


def test_sources_by_state_count_those_still_needing_work(db):
    for n, state in enumerate(["live", "live", "dead", "needs_url", "waiting", "fetching"]):
        url = "" if state == "needs_url" else f"https://example.org/{n}"
        Source.objects.create(key=url or f"s{n}", title=f"s{n}", url=url, state=state)
    bars = {bar.label: bar.value for bar in stats.sources_by_state()}
    assert bars == {
        "Bereikbaar": 2,
        "Haperend": 0,
        "Dood": 1,
        "Gewijzigd": 0,
        "Wacht op URL": 1,
        "Nog niet gecontroleerd": 2,
    }


def test_dashboard_renders_the_demo_with_a_fixed_number_of_queries(db, django_assert_num_queries):
    call_command("demo", stdout=StringIO())
    editor = User.objects.get(username="editor")
    Source.objects.filter(title="Aktual24").update(
        url="https://aktual24.ro/x", state=Source.State.DEAD, last_failed_at=timezone.now()
    )
    Correction.objects.create(article=Report.objects.first().article, text="Hersteld.")
    client = logged_in(editor)  # the demo's editor
    client.get(URL)  # warm the session and permission caches

    # session, user, two permission lookups, one query per figure (archive coverage too),
    # the inbox count, the open-data dump's age
    with django_assert_num_queries(13):
        response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 6  # with the archive coverage
    assert html.count('class="chart-data"') == 6
    assert "Waar" in html  # the demo's verdicts by rating
    assert "aktual24.ro" in html  # the newest dead link
    dead = Source.objects.get(title="Aktual24")
    assert f'href="{reverse("claims:source", args=[dead.pk])}"' in html  # its desk page
    assert "niets te meten" in html  # weeks without a resolved report


def test_the_dashboard_links_dead_sources_only_for_those_who_may_open_them(
    reviewer_client, editor_client
):
    url = "https://example.org/weg"
    dead = Source.objects.create(key=url, title="Weg", url=url, state=Source.State.DEAD)
    html = reviewer_client.get(URL).content.decode()
    assert "https://example.org/weg" in html
    assert reverse("claims:source", args=[dead.pk]) not in html
    assert reverse("claims:source", args=[dead.pk]) in editor_client.get(URL).content.decode()


@pytest.mark.parametrize(
    "persona", ["reviewer_client", "moderator_client", "editor_client", "admin_client"]
)
def test_every_role_sees_the_dashboard_count_a_new_report(persona, request, seed_article):
    client = request.getfixturevalue(persona)
    before = client.get(URL)
    assert before.status_code == 200
    assert "<title>korter dan een uur: 0</title>" in before.content.decode()

    services.report_create(article=seed_article, message="Klopt niet.")

    after = client.get(URL).content.decode()
    assert "<title>korter dan een uur: 1</title>" in after
    assert after.count('class="chart-data"') == 6  # every figure, with its table
