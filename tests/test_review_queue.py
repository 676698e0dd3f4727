"""The reviewer queue's pages: list and filters, claim next, in-place triage with htmx."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Article, Correction, Report
from tests.conftest import logged_in, make_staff

QUEUE = reverse("claims:report_queue")
NEXT = reverse("claims:report_claim_next")


def triage_url(report) -> str:
    return reverse("claims:report_triage", kwargs={"pk": report.pk})


def make_report(article, message="Klopt niet.", **fields) -> Report:
    report = services.report_create(article=article, message=message, **fields)
    services.report_process(report_id=report.pk)
    report.refresh_from_db()
    return report


@pytest.fixture
def second_article(db) -> Article:
    return Article.objects.create(
        title="Tweede artikel",
        slug="tweede",
        status="published",
        published_at=timezone.now(),
        language="en",
    )


def test_the_queue_lists_open_reports_most_urgent_first_with_their_wait(
    reviewer_client, seed_article
):
    old = make_report(seed_article, "Een oude melding")
    Report.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=3),
        queue_at=timezone.now() - timezone.timedelta(days=3),
    )
    make_report(seed_article, "Een nieuwe melding")
    done = make_report(seed_article, "Al afgehandeld")
    Report.objects.filter(pk=done.pk).update(state=Report.State.REJECTED)

    html = reviewer_client.get(QUEUE).content.decode()

    assert html.index("Een oude melding") < html.index("Een nieuwe melding")
    assert "Al afgehandeld" not in html
    assert "3 dagen" in html  # how long it has waited
    assert "Volgende oppakken" in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"state": "rejected"}, ["MELDING-AFGEWEZEN"], ["MELDING-NL", "MELDING-EN"]),
        ({"language": "en"}, ["MELDING-EN"], ["MELDING-NL"]),
        ({"waited": "3"}, ["MELDING-OUD"], ["MELDING-NL", "MELDING-EN"]),
        ({"state": "all"}, ["MELDING-AFGEWEZEN", "MELDING-NL"], []),
    ],
    ids=["state", "language", "age", "all"],
)
def test_the_queue_filters_by_state_language_and_age(
    reviewer_client, seed_article, second_article, params, shown, hidden
):
    make_report(seed_article, "MELDING-NL")
    make_report(second_article, "MELDING-EN", language="en")
    rejected = make_report(seed_article, "MELDING-AFGEWEZEN")
    Report.objects.filter(pk=rejected.pk).update(state=Report.State.REJECTED)
    old = make_report(seed_article, "MELDING-OUD")
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=4))

    html = reviewer_client.get(QUEUE, params).content.decode()

    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_the_queue_filters_by_article_and_answers_htmx_with_the_list_only(
    reviewer_client, seed_article, second_article
):
    make_report(seed_article, "over het eerste")
    make_report(second_article, "over het tweede")

    response = reviewer_client.get(
        QUEUE, {"article": second_article.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="report-list"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report-list">')
    assert "over het tweede" in html and "over het eerste" not in html


def test_the_queue_query_count_is_fixed(reviewer_client, seed_article, django_assert_num_queries):
    claim = services.claim_create(text="Bewering", article=seed_article).claim
    paragraph = seed_article.paragraphs.first()
    for n in range(30):
        make_report(
            seed_article, f"melding {n}", claim=claim if n % 2 else None, paragraph=paragraph
        )
    # session, user, two for the permission check, page count, state counts, held
    # report, the article filter's choices, the page of reports with what they show,
    # the inbox count in the navigation
    with django_assert_num_queries(10):
        response = reviewer_client.get(QUEUE)
    assert response.content.decode().count("<tr>") == 31


def test_claim_next_takes_the_reviewer_to_the_report(reviewer_client, reviewer, seed_article):
    report = make_report(seed_article)

    response = reviewer_client.post(NEXT)

    assert response.status_code == 302 and response["Location"] == report.get_review_url()
    page = reviewer_client.get(report.get_review_url()).content.decode()
    assert "Deze melding is van jou tot" in page
    assert "Aanvaarden" in page and "Afwijzen" in page


def test_claim_next_on_an_empty_queue_says_so(reviewer_client, db):
    response = reviewer_client.post(NEXT, follow=True)
    assert "De wachtrij is leeg" in response.content.decode()


@pytest.mark.parametrize(
    ("action", "data", "state", "said"),
    [
        (
            "accept",
            {"correction_kind": "correction", "correction_text": "18%."},
            "accepted",
            "Aanvaard.",
        ),
        ("reject", {"reason": "opinion", "resolution": "Mening."}, "rejected", "Afgewezen."),
        ("spam", {}, "spam", "Als spam afgehandeld."),
    ],
)
def test_triage_happens_in_place_with_htmx(
    reviewer_client, reviewer, seed_article, action, data, state, said
):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)

    response = reviewer_client.post(
        triage_url(report), {"action": action, **data}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="triage-panel"')
    assert "<html" not in html
    assert said in html
    assert Report.objects.get(pk=report.pk).state == state


def test_triage_without_javascript_redirects_back(reviewer_client, reviewer, seed_article):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)
    response = reviewer_client.post(
        triage_url(report), {"action": "reject", "reason": "not_an_error"}
    )
    assert response.status_code == 302 and response["Location"] == report.get_review_url()


def test_an_invalid_decision_shows_the_errors_and_changes_nothing(
    reviewer_client, reviewer, seed_article
):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)

    response = reviewer_client.post(
        triage_url(report), {"action": "accept", "correction_text": " "}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Schrijf een correctie" in response.content.decode()
    assert Report.objects.get(pk=report.pk).state == Report.State.IN_REVIEW
    assert Correction.objects.count() == 0


def test_only_the_holder_can_resolve(reviewer, seed_article):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)
    other = logged_in(make_staff("ander", "Reviewer"))

    page = other.get(report.get_review_url()).content.decode()
    response = other.post(
        triage_url(report), {"action": "reject", "reason": "other"}, HTTP_HX_REQUEST="true"
    )

    assert "reviewer heeft deze melding tot" in page or "heeft deze melding tot" in page
    assert "niet meer van jou" in response.content.decode()
    assert Report.objects.get(pk=report.pk).state == Report.State.IN_REVIEW


def test_claim_release_and_extend_from_the_report_page(reviewer_client, reviewer, seed_article):
    report = make_report(seed_article)
    reviewer_client.post(triage_url(report), {"action": "claim"})
    assert Report.objects.get(pk=report.pk).assignee == reviewer

    reviewer_client.post(triage_url(report), {"action": "extend"})
    reviewer_client.post(triage_url(report), {"action": "release"})
    assert Report.objects.get(pk=report.pk).state == Report.State.NEW


def test_duplicate_suggestions_are_offered_and_mark_in_one_click(
    reviewer_client, reviewer, seed_article
):
    paragraph = seed_article.paragraphs.get(position=2)
    original = make_report(
        seed_article, "Twintig klopt niet", quote="circa 20%", paragraph=paragraph
    )
    duplicate = make_report(seed_article, "Dat is 18", quote="circa 20%", paragraph=paragraph)
    services.report_claim(report_id=duplicate.pk, user=reviewer)

    page = reviewer_client.get(duplicate.get_review_url()).content.decode()
    assert f"Dubbel van #{original.pk}" in page and "zelfde passage" in page

    reviewer_client.post(
        triage_url(duplicate),
        {"action": "duplicate", "original": str(original.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert Report.objects.get(pk=original.pk).duplicate_count == 1


def test_a_reviewer_does_not_see_the_reporters_address_but_an_admin_does(
    reviewer_client, admin_client, seed_article
):
    report = make_report(seed_article, email="geheim@example.org", email_consent=True, name="Jan")

    assert "geheim@example.org" not in reviewer_client.get(report.get_review_url()).content.decode()
    assert "geheim@example.org" in admin_client.get(report.get_review_url()).content.decode()


def test_blocking_needs_its_own_permission(reviewer_client, admin_client, seed_article):
    report = make_report(seed_article, ip="198.51.100.1")
    block = reverse("claims:report_block", kwargs={"pk": report.pk})
    assert reviewer_client.post(block).status_code == 403

    response = admin_client.post(block, {"next": report.get_review_url()})
    assert response.status_code == 200  # first: what else came from that address
    assert Report.objects.get(pk=report.pk).state == Report.State.NEW
    response = admin_client.post(block, {"next": report.get_review_url(), "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == report.get_review_url()
    assert Report.objects.get(pk=report.pk).state == Report.State.BLOCKED


def test_the_reviewer_sees_the_history(reviewer_client, reviewer, seed_article):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)
    services.report_release(report_id=report.pk, user=reviewer)
    html = reviewer_client.get(report.get_review_url()).content.decode()
    assert "in behandeling genomen" in html and "teruggegeven aan de wachtrij" in html
