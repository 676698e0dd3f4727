"""The admin for reports: blocking reporters, the outbox, and who sees addresses."""

import pytest

from claims import services
from claims.models import Article, BlockedReporter, Report, ReportEmail
from tests.conftest import logged_in, make_staff


@pytest.fixture
def report(seed_article):
    return services.report_create(
        article=seed_article,
        message="x",
        ip="198.51.100.4",
        email="lezer@example.org",
        email_consent=True,
    )


def test_the_report_pages_open_for_an_admin(report, admin_client):
    services.report_email_queue(report=report, kind=ReportEmail.Kind.REJECTED)
    services.reporter_block(ip_hash=report.ip_hash, user=None, reason="spam")
    for url, shows in [
        ("/admin/claims/report/", report.reference),
        (f"/admin/claims/report/{report.pk}/change/", report.reference),
        ("/admin/claims/blockedreporter/", report.ip_hash[:12]),
        ("/admin/claims/reportemail/", report.reference),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert shows in response.content.decode(), url


def test_a_moderator_blocks_reporters_from_the_report_list(report, moderator_client):
    blocked_list = "/admin/claims/blockedreporter/"
    assert report.ip_hash[:12] not in moderator_client.get(blocked_list).content.decode()
    action = {"action": "block_reporters", "_selected_action": [report.pk]}
    response = moderator_client.post("/admin/claims/report/", action)
    assert response.status_code == 200  # first: who used the address lately
    assert "verschillende melders" in response.content.decode()
    assert not BlockedReporter.objects.exists()
    response = moderator_client.post("/admin/claims/report/", {**action, "confirm": "yes"})
    assert response.status_code == 302
    assert BlockedReporter.objects.get().ip_hash == report.ip_hash
    assert Report.objects.get().state == Report.State.BLOCKED
    assert report.ip_hash[:12] in moderator_client.get(blocked_list).content.decode()


def test_only_those_allowed_see_the_reporters_address(report, reviewer_client, moderator_client):
    page = f"/admin/claims/report/{report.pk}/change/"
    assert "lezer@example.org" not in reviewer_client.get(page).content.decode()
    assert "lezer@example.org" in moderator_client.get(page).content.decode()


def test_a_reviewer_cannot_block(report, reviewer_client, moderator_client):
    block = {"action": "block_reporters", "_selected_action": [report.pk]}
    reviewer_client.post("/admin/claims/report/", block)
    assert not BlockedReporter.objects.exists()
    assert Report.objects.get().state == Report.State.NEW

    moderator_client.post("/admin/claims/report/", {**block, "confirm": "yes"})  # allowed
    assert BlockedReporter.objects.get().ip_hash == report.ip_hash


# --- Spam in bulk -------------------------------------------------------------------


def reports_from(seed_article, n: int, ip: str = "203.0.113.9") -> list[Report]:
    return [
        services.report_create(article=seed_article, message=f"spam {i}", ip=ip) for i in range(n)
    ]


def test_a_moderator_marks_reports_as_spam_and_back(seed_article, reviewer, moderator_client):
    reports = reports_from(seed_article, 3)
    held = services.report_claim(report_id=reports[2].pk, user=reviewer)
    accepted = services.report_create(article=seed_article, message="echt fout")
    other = make_staff("ander", "Reviewer")
    services.report_claim(report_id=accepted.pk, user=other)
    services.report_accept(report_id=accepted.pk, user=other, correction_text="Hersteld.")
    ids = [r.pk for r in reports] + [accepted.pk]

    response = moderator_client.post(
        "/admin/claims/report/", {"action": "mark_spam", "_selected_action": ids}, follow=True
    )

    assert "3 van 4 meldingen als spam gemarkeerd" in response.content.decode()
    states = dict(Report.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in reports] == [Report.State.SPAM] * 3
    assert states[accepted.pk] == Report.State.ACCEPTED
    held.refresh_from_db()
    assert (held.assignee, held.lease_until) == (None, None)
    change = Report.history.filter(id=held.pk).latest("history_date", "history_id")
    assert change.history_change_reason == "marked as spam by a moderator"
    assert change.history_user.username == "moderator"

    moderator_client.post(
        "/admin/claims/report/", {"action": "mark_not_spam", "_selected_action": ids[:2]}
    )
    assert [Report.objects.get(pk=pk).state for pk in ids[:3]] == ["new", "new", "spam"]
    assert services.report_claim_next(user=reviewer).pk in ids[:2]


def test_a_reviewer_has_no_spam_actions_in_the_admin(report, reviewer_client, moderator_client):
    mark_spam = {"action": "mark_spam", "_selected_action": [report.pk]}
    page = reviewer_client.get("/admin/claims/report/").content.decode()
    assert report.reference in page and 'value="mark_spam"' not in page
    reviewer_client.post("/admin/claims/report/", mark_spam)
    assert Report.objects.get().state == Report.State.NEW

    page = moderator_client.get("/admin/claims/report/").content.decode()
    assert 'value="mark_spam"' in page
    moderator_client.post("/admin/claims/report/", mark_spam)  # the same request, allowed
    assert Report.objects.get().state == Report.State.SPAM


# --- Masking and the CSV export -----------------------------------------------------


def test_reporter_emails_are_masked_without_the_permission(report, editor_client, moderator_client):
    for url in ["/admin/claims/report/", f"/admin/claims/report/{report.pk}/change/"]:
        masked = editor_client.get(url).content.decode()
        assert "lezer@example.org" not in masked
        assert "l•••@example.org" in masked
    shown = moderator_client.get("/admin/claims/report/").content.decode()
    assert "lezer@example.org" in shown


def test_searching_by_address_needs_the_permission(report, reviewer_client, moderator_client):
    url = "/admin/claims/report/?q=lezer%40example.org"
    assert report.reference not in reviewer_client.get(url).content.decode()
    assert report.reference in moderator_client.get(url).content.decode()


def export(client, ids) -> list[list[str]]:
    import csv

    response = client.post(
        "/admin/claims/report/", {"action": "export_csv", "_selected_action": ids}
    )
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(response.content.decode("utf-8-sig").splitlines()))


def test_the_csv_export_holds_personal_data_only_for_those_allowed(
    report, seed_article, reviewer_client, moderator_client
):
    formula = services.report_create(article=seed_article, message='=HYPERLINK("x")')
    ids = [report.pk, formula.pk]

    rows = export(reviewer_client, ids)
    assert rows[0][:3] == ["reference", "created_at", "state"]
    assert "email" not in rows[0] and "name" not in rows[0]
    assert "lezer@example.org" not in str(rows)
    assert {row[0] for row in rows[1:]} == {report.reference, formula.reference}
    assert '\'=HYPERLINK("x")' in [row[6] for row in rows[1:]]  # no formula runs

    rows = export(moderator_client, ids)
    assert rows[0][-2:] == ["name", "email"]
    assert "lezer@example.org" in [row[-1] for row in rows[1:]]


# --- One reporter's data ------------------------------------------------------------

DATA_URL = "/admin/claims/report/reporter-data/"


def test_a_moderator_exports_and_erases_one_reporters_data(report, seed_article, moderator_client):
    other = services.report_create(
        article=seed_article, message="y", email="ander@example.org", email_consent=True
    )
    moderator = moderator_client
    found = moderator.get(DATA_URL, {"email": "LEZER@example.org"}).content.decode()
    assert report.reference in found and other.reference not in found

    exported = moderator.post(DATA_URL, {"email": "lezer@example.org", "action": "export"})
    assert exported["Content-Disposition"].startswith("attachment")
    data = exported.json()
    assert [r["reference"] for r in data["reports"]] == [report.reference]
    assert data["reports"][0]["email"] == "lezer@example.org"

    refused = moderator.post(DATA_URL, {"email": "lezer@example.org", "action": "erase"})
    assert refused.status_code == 200  # the confirmation box was not ticked
    assert Report.objects.get(pk=report.pk).email == "lezer@example.org"

    moderator.post(DATA_URL, {"email": "lezer@example.org", "action": "erase", "confirm": "on"})
    report.refresh_from_db()
    assert (report.email, report.name, report.message) == ("", "", "x")
    assert not Report.history.filter(id=report.pk).exclude(email="").exists()
    said = Report.history.filter(id=report.pk).latest("history_date", "history_id")
    assert said.history_change_reason == "name and email erased at the reader's request"
    assert said.history_user.username == "moderator"
    assert Report.objects.get(pk=other.pk).email == "ander@example.org"


@pytest.mark.parametrize("persona", ["reviewer_client", "editor_client"])
def test_only_moderators_reach_a_reporters_data(report, persona, moderator_client, request):
    client = request.getfixturevalue(persona)
    erase = {"email": "lezer@example.org", "action": "erase", "confirm": "on"}
    assert client.get(DATA_URL, {"email": "lezer@example.org"}).status_code == 403
    client.post(DATA_URL, erase)
    assert Report.objects.get(pk=report.pk).email == "lezer@example.org"

    moderator_client.post(DATA_URL, erase)  # the same request, allowed
    assert Report.objects.get(pk=report.pk).email == ""


# --- Articles -----------------------------------------------------------------------


def test_an_editor_takes_an_article_off_the_site_and_back(seed_article, reader, editor_client):
    url = seed_article.get_absolute_url()
    assert reader.get(url).status_code == 200
    first_published = seed_article.published_at

    editor_client.post(
        "/admin/claims/article/", {"action": "unpublish", "_selected_action": [seed_article.pk]}
    )
    assert reader.get(url).status_code == 404
    editor_client.post(
        "/admin/claims/article/", {"action": "publish", "_selected_action": [seed_article.pk]}
    )
    assert reader.get(url).status_code == 200
    seed_article.refresh_from_db()
    assert seed_article.published_at == first_published
    reasons = list(seed_article.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["published", "unpublished"]


def test_a_reviewer_cannot_unpublish(seed_article, reader, reviewer_client, editor_client):
    unpublish = {"action": "unpublish", "_selected_action": [seed_article.pk]}
    url = seed_article.get_absolute_url()
    reviewer_client.post("/admin/claims/article/", unpublish)
    page = reader.get(url)
    assert page.status_code == 200 and seed_article.title in page.content.decode()
    assert Article.objects.get(pk=seed_article.pk).status == Article.Status.PUBLISHED

    editor_client.post("/admin/claims/article/", unpublish)  # the same request, allowed
    assert reader.get(url).status_code == 404


# --- Verdicts and history are read-only here -----------------------------------------


def test_history_is_shown_but_never_reverted_from_the_admin(report, admin_client):
    services.reports_mark_spam(ids=[report.pk], user=None)
    old = Report.history.filter(id=report.pk).earliest("history_date", "history_id")
    history = admin_client.get(f"/admin/claims/report/{report.pk}/history/")
    assert history.status_code == 200
    assert "marked as spam by a moderator" in history.content.decode()

    revert = f"/admin/claims/report/{report.pk}/history/{old.history_id}/"
    assert admin_client.post(revert, {"reviewer_note": "terug"}).status_code == 403
    assert Report.objects.get(pk=report.pk).state == Report.State.SPAM


# --- Users: no privilege escalation -------------------------------------------------


def user_form(user, groups) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [g.pk for g in groups],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "last_login_0": "",
        "last_login_1": "",
    }


def test_a_moderator_gives_roles_they_hold_but_never_admin(moderator_client):
    from django.contrib.auth.models import Group, User

    newcomer = User.objects.create_user("nieuw", "nieuw@example.org", "pw-nieuw-12345")
    url = f"/admin/auth/user/{newcomer.pk}/change/"
    admin_role = Group.objects.get(name="Admin")
    moderator_role = Group.objects.get(name="Moderator")
    choices = moderator_client.get(url).context["adminform"].form.fields["groups"].queryset
    assert admin_role not in choices
    assert moderator_role in choices

    moderator_client.post(url, user_form(newcomer, [admin_role]))
    assert not newcomer.groups.exists()
    moderator_client.post(url, {**user_form(newcomer, []), "is_superuser": "on"})
    newcomer.refresh_from_db()
    assert not newcomer.is_superuser

    moderator_client.post(url, user_form(newcomer, [moderator_role]))  # a role they hold
    assert list(newcomer.groups.all()) == [moderator_role]


def test_a_moderator_cannot_take_over_an_admin_account(moderator_client, admin_user):
    new_password = {"password1": "overgenomen-123!", "password2": "overgenomen-123!"}
    takeover = f"/admin/auth/user/{admin_user.pk}/password/"
    assert moderator_client.get(takeover).status_code == 403
    assert moderator_client.post(takeover, new_password).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.check_password("pw-admin")

    # The same form for an account that holds no more than the moderator works.
    colleague = make_staff("collega", "Moderator")
    moderator_client.post(f"/admin/auth/user/{colleague.pk}/password/", new_password)
    colleague.refresh_from_db()
    assert colleague.check_password("overgenomen-123!")


# --- Pinned query counts ------------------------------------------------------------

# Queries to show each admin list to a superuser, with the demo data and with more of
# everything: session and user, the page's count and rows, each filter's choices. A
# change that adds a query per row, or a filter that costs one more, breaks its pin.
ADMIN_LIST_QUERIES = {
    "auth.group": 5,
    "auth.user": 9,
    "axes.accessattempt": 8,
    "axes.accessfailurelog": 8,
    "axes.accesslog": 8,
    "claims.article": 7,
    "claims.blockedreporter": 8,
    "claims.citation": 5,
    "claims.claim": 7,
    "claims.claimmatch": 5,
    "claims.claimsuggestion": 5,
    "claims.correction": 7,
    "claims.externalreview": 9,
    "claims.memento": 8,
    "claims.notification": 7,
    "claims.rating": 6,
    "claims.ratingscale": 6,
    "claims.report": 7,
    "claims.reportemail": 7,
    "claims.snapshot": 8,
    "claims.source": 7,
    "claims.verdict": 8,
    "claims.event": 7,
    "claims.follow": 7,
    "claims.opendatadump": 5,
    "claims.partnerkey": 5,
    "claims.webhookdelivery": 8,
    "claims.webhookendpoint": 5,
}


def admin_list_queries(client) -> dict[str, int]:
    from django.contrib import admin
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        client.get(url)  # warm the caches that the first request fills
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[model._meta.label_lower] = len(queries)
    return counts


def admin_data_grow(reviewer) -> None:
    """More of everything the lists show: rows that an N+1 query would multiply."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from claims.models import Article, Claim, ReportEmail, Snapshot, Source
    from tests.conftest import shared_file

    article = Article.objects.first()
    sources = list(Source.objects.all())
    for n in range(8):
        report = services.report_create(
            article=article,
            message=f"fout {n}",
            ip=f"198.51.100.{n + 10}",
            email=f"lezer{n}@example.org",
            email_consent=True,
            name=f"Lezer {n}",
        )
        services.report_email_queue(report=report, kind=ReportEmail.Kind.REJECTED)
        if n < 3:
            services.reporter_block(ip_hash=report.ip_hash, user=reviewer, reason="test")
        claim = services.claim_create(
            text=f"Bewering nummer {n} over het klimaat.", article=article
        ).claim
        services.citation_add(claim=claim, source=sources[n % len(sources)], quote="x")
        services.correction_publish(article=article, text=f"Hersteld {n}.", claim=claim)
        Snapshot.objects.create(source=sources[n % len(sources)], ok=True, status_code=200)
        user = User.objects.create_user(f"staf{n}", is_staff=True)
        user.groups.add(
            *__import__("django.contrib.auth.models").contrib.auth.models.Group.objects.all()[:2]
        )
    Claim.objects.update(assignee=reviewer, created_by=reviewer)
    path = shared_file("data", "claimreview", "real_claimreviews.jsonl")
    services.claimreview_import(data=path.read_bytes())
    Report.objects.update(assignee=reviewer, lease_until=timezone.now())


def test_admin_lists_keep_their_pinned_query_counts(reviewer):
    from io import StringIO

    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("demo", stdout=StringIO())
    # A superuser, not the Admin persona: the pins leave out permission lookups.
    client = logged_in(User.objects.create_superuser("baas", "baas@example.org", "pw"))

    assert admin_list_queries(client) == ADMIN_LIST_QUERIES
    admin_data_grow(reviewer)
    assert admin_list_queries(client) == ADMIN_LIST_QUERIES


# --- A claim's status changes only through the desk ----------------------------------


def test_a_claims_status_cannot_be_changed_in_the_admin(seed_claim, editor_client):
    from claims.models import Claim

    Claim.objects.filter(pk=seed_claim.pk).update(
        status=Claim.Status.NEEDS_REREVIEW, rereview_reason="Bron veranderd."
    )
    url = f"/admin/claims/claim/{seed_claim.pk}/change/"
    client = editor_client
    page = client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="rereview_reason"' not in page
    assert 'name="claimant"' in page  # the rest of the form is editable

    client.post(
        url,
        {
            "text": seed_claim.text,
            "slug": seed_claim.slug,
            "claimant": "Iemand anders",
            "language": "nl",
            "status": "published",
            "rereview_reason": "",
            "appearances-TOTAL_FORMS": "0",
            "appearances-INITIAL_FORMS": "0",
        },
    )

    seed_claim.refresh_from_db()
    assert seed_claim.claimant == "Iemand anders"  # the save went through...
    assert seed_claim.status == Claim.Status.NEEDS_REREVIEW  # ...but not the status
    assert seed_claim.rereview_reason == "Bron veranderd."
