"""Each role's allowed and denied actions, as one table, tried through the pages and the
admin as that role would. The closing note of issue 6 prints the same table.

Object-level rules sit in the same table: nobody, not even Admin, resolves a report
another reviewer holds or approves a change to a verdict they wrote themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Article, BlockedReporter, Report, Verdict
from tests.conftest import logged_in, make_staff

ROLES = ["Editor", "Reviewer", "Moderator", "Admin"]
EMAIL = "lezer@example.org"


@dataclass
class World:
    article: Article
    report: Report
    held: Report  # held by another reviewer
    verdict: Verdict  # in review, written by another editor
    claim_pk: int
    source_pk: int


@pytest.fixture
def world(seed_article, seed_claim, scale, second_editor) -> World:
    report = services.report_create(
        article=seed_article, message="fout", ip="198.51.100.7", email=EMAIL, email_consent=True
    )
    held = services.report_create(article=seed_article, message="ook fout", ip="198.51.100.8")
    services.report_claim(report_id=held.pk, user=make_staff("collega", "Reviewer"))
    verdict = services.verdict_save(
        claim=seed_claim, rating=scale.ratings.first(), summary="Klopt.", author=second_editor
    )
    services.verdict_submit(verdict=verdict, user=second_editor)
    return World(
        article=seed_article,
        report=report,
        held=held,
        verdict=verdict,
        claim_pk=seed_claim.pk,
        source_pk=seed_article.citations.first().source_id,
    )


def ok(response) -> bool:
    assert response.status_code in (200, 302, 403), response.status_code
    return response.status_code != 403


def admin_action(client, model: str, action: str, pk: int):
    return client.post(f"/admin/claims/{model}/", {"action": action, "_selected_action": [pk]})


def own_change_approve(client, user, world) -> bool:
    services.verdict_approve(
        verdict=world.verdict, user=make_staff("hoofd", "Admin"), seen=world.verdict.content_token()
    )
    try:
        change = services.verdict_save(
            claim=world.verdict.claim,
            rating=world.verdict.rating,
            summary="Toch anders.",
            author=user,
        )
        services.verdict_submit(verdict=change, user=user)
        services.verdict_approve(verdict=change, user=user, seen=change.content_token())
    except (PermissionDenied, ValidationError):
        return False
    return True


def held_report_resolve(client, user, world) -> bool:
    try:
        services.report_reject(report_id=world.held.pk, user=user, reason="other")
    except (services.ReportNotHeld, PermissionDenied):
        return False
    return Report.objects.get(pk=world.held.pk).state == Report.State.REJECTED


Check = Callable[[Client, object, World], bool]
# action, the roles allowed it, how to try it
TABLE: list[tuple[str, set[str], Check]] = [
    (
        "open the editor desk",
        {"Editor", "Admin"},
        lambda c, u, w: ok(c.get(reverse("claims:desk"))),
    ),
    (
        "add a claim to an article",
        {"Editor", "Admin"},
        lambda c, u, w: ok(c.get(reverse("claims:desk_article", args=[w.article.slug]))),
    ),
    (
        "publish a verdict",
        {"Editor", "Admin"},
        lambda c, u, w: (
            c.post(
                reverse("claims:desk_verdict_review", args=[w.verdict.pk]),
                {"action": "approve", "seen": w.verdict.content_token()},
            )
            and Verdict.objects.get(pk=w.verdict.pk).status == Verdict.Status.PUBLISHED
        ),
    ),
    ("approve a change to their own verdict", set(), own_change_approve),
    (
        "see the sources",
        {"Editor", "Moderator", "Admin"},
        lambda c, u, w: ok(c.get(reverse("claims:sources"))),
    ),
    (
        "fetch a source now",
        {"Editor", "Moderator", "Admin"},
        lambda c, u, w: ok(c.post(reverse("claims:source_fetch", args=[w.source_pk]))),
    ),
    (
        "open the report queue",
        {"Reviewer", "Admin"},
        lambda c, u, w: ok(c.get(reverse("claims:report_queue"))),
    ),
    (
        "take the next report",
        {"Reviewer", "Admin"},
        lambda c, u, w: (
            c.post(reverse("claims:report_claim_next"))
            and Report.objects.filter(assignee=u).exists()
        ),
    ),
    ("resolve a report another reviewer holds", set(), held_report_resolve),
    ("see the dashboard", set(ROLES), lambda c, u, w: ok(c.get(reverse("claims:dashboard")))),
    ("open the admin", set(ROLES), lambda c, u, w: c.get("/admin/").status_code == 200),
    (
        "export reports as CSV (without personal data)",
        set(ROLES),
        lambda c, u, w: admin_action(c, "report", "export_csv", w.report.pk)[
            "Content-Type"
        ].startswith("text/csv"),
    ),
    (
        "see reporters' email addresses",
        {"Moderator", "Admin"},
        lambda c, u, w: (
            EMAIL in c.get(f"/admin/claims/report/{w.report.pk}/change/").content.decode()
        ),
    ),
    (
        "export or erase one reporter's data",
        {"Moderator", "Admin"},
        lambda c, u, w: ok(c.get("/admin/claims/report/reporter-data/", {"email": EMAIL})),
    ),
    (
        "mark reports as spam in the admin",
        {"Moderator", "Admin"},
        lambda c, u, w: (
            admin_action(c, "report", "mark_spam", w.report.pk)
            and Report.objects.get(pk=w.report.pk).state == Report.State.SPAM
        ),
    ),
    (
        "block a reporter",
        {"Moderator", "Admin"},
        lambda c, u, w: (
            c.post(  # the second, confirming step of the admin's block action
                "/admin/claims/report/",
                {"action": "block_reporters", "_selected_action": [w.report.pk], "confirm": "yes"},
            )
            and BlockedReporter.objects.exists()
        ),
    ),
    (
        "take an article off the site",
        {"Editor", "Moderator", "Admin"},
        lambda c, u, w: (
            admin_action(c, "article", "unpublish", w.article.pk)
            and Article.objects.get(pk=w.article.pk).status == Article.Status.DRAFT
        ),
    ),
    (
        "manage user accounts",
        {"Moderator", "Admin"},
        lambda c, u, w: ok(c.get("/admin/auth/user/add/")),
    ),
    (
        "change the rating scale",
        {"Admin"},
        lambda c, u, w: ok(c.get("/admin/claims/ratingscale/add/")),
    ),
]


PERSONAS = {
    "Editor": "editor",
    "Reviewer": "reviewer",
    "Moderator": "moderator",
    "Admin": "admin_user",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "allowed", "attempt"), TABLE, ids=[row[0] for row in TABLE])
def test_role_permissions(role, action, allowed, attempt, world, request):
    user = request.getfixturevalue(PERSONAS[role])
    client = logged_in(user)
    assert bool(attempt(client, user, world)) == (role in allowed), (role, action)


def test_every_role_is_in_the_table():
    from claims.roles import ADMIN_ROLE
    from claims.roles import ROLES as DEFINED

    assert set(ROLES) == set(PERSONAS) == {*DEFINED, ADMIN_ROLE}


@pytest.mark.django_db(transaction=True)
def test_the_roles_come_back_after_a_transactional_tests_flush():
    """A transactional test (live server, worker) ends with a flush of every table; the
    flush sends post_migrate, on which claims.roles.roles_ensure makes the role groups
    again, with exactly their permissions. The personas rely on it."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from claims.roles import ADMIN_ROLE
    from claims.roles import ROLES as DEFINED

    call_command("flush", interactive=False, verbosity=0)  # what the test's end does

    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    assert set(groups) == {*DEFINED, ADMIN_ROLE}
    for role, codenames in DEFINED.items():
        held = {f"{p.content_type.app_label}.{p.codename}" for p in groups[role].permissions.all()}
        assert held == set(codenames), role
