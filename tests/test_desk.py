"""The editor desk's views: htmx partials, permissions, and the full workflow."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimSuggestion, Notification, Source, Verdict
from tests.conftest import logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_desk_lists_claims_by_state_and_assignee(
    seed_claim, seed_article, editor, second_editor, django_assert_num_queries
):
    other = services.claim_create(
        text="Een tweede bewering over 19 punten", article=seed_article
    ).claim
    services.claim_assign(claim=other, assignee=second_editor, user=editor)
    client = logged_in(second_editor)

    page = client.get(reverse("claims:desk")).content.decode()
    assert seed_claim.text in page and other.text in page
    assert "editor wees je de bewering" in page  # the notification
    assert seed_article.title in page

    # session, user, the user's and the group's permissions, count, page, open verdicts
    with django_assert_num_queries(7):
        mine = client.get(reverse("claims:desk"), {"assignee": "me"}, **HTMX).content.decode()
    assert mine.lstrip().startswith('<div id="desk-claims">')
    assert other.text in mine and seed_claim.text not in mine
    drafts = client.get(reverse("claims:desk"), {"status": "published"}, **HTMX).content.decode()
    assert "Geen beweringen hier." in drafts


def test_a_reviewer_cannot_use_the_desk(reviewer_client, editor_client, seed_claim):
    for url in (reverse("claims:desk"), seed_claim.get_desk_url()):
        assert reviewer_client.get(url).status_code == 403
        allowed = editor_client.get(url)  # the same page, for an editor
        assert allowed.status_code == 200 and seed_claim.text in allowed.content.decode()


def test_selected_text_becomes_a_claim_anchored_to_its_span(seed_article, editor, editor_client):
    paragraph = seed_article.paragraphs.get(position=2)
    quote = "de circa 20% van het Oekraïense grondgebied"
    response = editor_client.post(
        reverse("claims:desk_claim_create", args=[seed_article.slug]),
        {
            "text": "Rusland bezet circa 20% van Oekraïne.",
            "claimant": "Joeri Oesjakov",
            "quote": quote,
            "paragraph": paragraph.anchor,
            "start": paragraph.text.index(quote),
        },
        **HTMX,
    )
    html = response.content.decode()
    claim = Claim.objects.get()
    appearance = claim.appearances.get()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="article-claims"')
    assert claim.get_desk_url() in html and response["HX-Trigger"] == "claim-created"
    assert (claim.claimant, claim.created_by, claim.language) == ("Joeri Oesjakov", editor, "nl")
    assert paragraph.text[appearance.start : appearance.end] == quote
    assert claim.history.get().history_user == editor


def test_a_selection_that_is_not_in_the_paragraph_is_refused(seed_article, editor_client):
    response = editor_client.post(
        reverse("claims:desk_claim_create", args=[seed_article.slug]),
        {
            "text": "x",
            "quote": "niet in de tekst",
            "paragraph": seed_article.paragraphs.first().anchor,
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert "niet in die alinea" in response.content.decode()
    assert Claim.objects.count() == 0


def test_the_article_desk_marks_suggestions_and_accepts_one(seed_article, editor_client):
    client = editor_client
    html = client.get(reverse("claims:desk_article", args=[seed_article.slug])).content.decode()
    assert html.count('class="suggestion"') >= 7
    assert 'src="/static/js/desk.js"' in html and "<script>" not in html
    suggestion = ClaimSuggestion.objects.get(text__contains="19 tot 27 punten")
    response = client.post(
        reverse("claims:desk_suggestion", args=[suggestion.pk]),
        {
            "action": "accept",
            "text": "De VS presenteerden een plan van 19 tot 27 punten.",
            "claimant": "VS",
        },
        **HTMX,
    )
    assert response.status_code == 200
    claim = Claim.objects.get()
    assert claim.text == "De VS presenteerden een plan van 19 tot 27 punten."
    assert claim.get_desk_url() in response.content.decode()
    dismissed = ClaimSuggestion.objects.filter(status="new").first()
    client.post(
        reverse("claims:desk_suggestion", args=[dismissed.pk]), {"action": "dismiss"}, **HTMX
    )
    dismissed.refresh_from_db()
    assert dismissed.status == ClaimSuggestion.Status.DISMISSED


def test_citing_a_source_shows_its_quote_check_state(seed_claim, editor_client):
    source = Source.objects.get(title="Steve Witkoff")
    client = editor_client
    response = client.post(
        reverse("claims:desk_citations", args=[seed_claim.pk]),
        {"source": source.pk, "quote": "special envoy since May 2025"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="claim-sources"')
    assert "special envoy since May 2025" in html and "Niet gecontroleerd" in html
    citation = seed_claim.citations.get()
    citation.quote_status, citation.quote_score = "close", 0.91
    citation.save()
    page = client.get(seed_claim.get_desk_url()).content.decode()
    assert "Citaatcontrole: Bijna gelijk (0,91)" in page

    new = client.post(
        reverse("claims:desk_citations", args=[seed_claim.pk]),
        {"url": "https://www.example.org/report?utm_source=x", "quote": ""},
        **HTMX,
    )
    assert new.status_code == 200
    assert seed_claim.citations.filter(source__url="https://www.example.org/report").exists()
    empty = client.post(reverse("claims:desk_citations", args=[seed_claim.pk]), {}, **HTMX)
    assert "Kies een bron" in empty.content.decode()


def test_verdict_workflow_through_the_desk(
    seed_claim, scale, editor_client, second_editor, reviewer_client
):
    author, approver = editor_client, logged_in(second_editor)
    rating = scale.ratings.get(code="mostly-true")
    url = reverse("claims:desk_verdict", args=[seed_claim.pk])
    form = {
        "rating": rating.pk,
        "summary": "Bijna: 18 tot 20 procent.",
        "explanation": "<p>Uitleg</p><script>x</script>",
    }

    saved = author.post(url, {**form, "action": "save"}, **HTMX)
    assert saved.content.decode().lstrip().startswith('<section id="verdict-panel"')
    verdict = Verdict.objects.get()
    assert (verdict.status, verdict.explanation) == ("draft", "<p>Uitleg</p>")

    author.post(url, {**form, "action": "submit"}, **HTMX)
    verdict.refresh_from_db()
    assert verdict.status == "in_review"
    review_url = reverse("claims:desk_verdict_review", args=[verdict.pk])
    seen = {"action": "approve", "seen": verdict.content_token()}
    assert reviewer_client.post(review_url, seen).status_code == 403

    published = author.post(review_url, seen, **HTMX)
    assert "gepubliceerd" in published.content.decode()
    verdict.refresh_from_db()
    assert verdict.status == "published"

    # A change: the author cannot approve it, the second editor can.
    change = {**form, "rating": scale.ratings.get(code="false").pk, "summary": "Onwaar."}
    author.post(url, {**change, "action": "submit"}, **HTMX)
    new = Verdict.objects.get(status="in_review")
    panel = author.get(seed_claim.get_desk_url()).content.decode()
    assert "Je schreef deze wijziging" in panel
    seen = {"action": "approve", "seen": new.content_token()}
    refused = author.post(reverse("claims:desk_verdict_review", args=[new.pk]), seen, **HTMX)
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    new.refresh_from_db()
    assert new.status == "in_review"
    approved = approver.post(reverse("claims:desk_verdict_review", args=[new.pk]), seen, **HTMX)
    assert approved.status_code == 200
    new.refresh_from_db()
    assert (new.status, new.approved_by) == ("published", second_editor)
    assert seed_claim.corrections.get().kind == "verdict_change"


def test_assigning_from_the_desk_notifies(seed_claim, editor_client, second_editor):
    response = editor_client.post(
        reverse("claims:desk_claim_assign", args=[seed_claim.pk]),
        {"assignee": second_editor.pk},
        **HTMX,
    )
    assert response.status_code == 200 and 'id="assignment"' in response.content.decode()
    seed_claim.refresh_from_db()
    assert seed_claim.assignee == second_editor
    notification = Notification.objects.get(recipient=second_editor)
    read = logged_in(second_editor).post(
        reverse("claims:desk_notification_read", args=[notification.pk]), **HTMX
    )
    assert read.status_code == 200
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_editing_the_claim_records_history(seed_claim, editor_client):
    response = editor_client.post(
        seed_claim.get_desk_url(),
        {
            "text": "Rusland bezet ongeveer 20% van Oekraïne.",
            "claimant": "Oesjakov",
            "claim_date": "2025-12-02",
            "language": "nl",
        },
        **HTMX,
    )
    assert response.status_code == 200 and "Opgeslagen." in response.content.decode()
    seed_claim.refresh_from_db()
    assert seed_claim.claimant == "Oesjakov"
    assert seed_claim.history.first().history_change_reason == "edited"
    page = editor_client.get(seed_claim.get_desk_url()).content.decode()
    assert "— bewerkt" in page  # the reason, in the page's language


def test_oversized_claim_text_is_refused(seed_claim, editor_client):
    response = editor_client.post(
        seed_claim.get_desk_url(), {"text": "x" * 2001, "language": "nl"}, **HTMX
    )
    assert response.status_code == 200 and "2000" in response.content.decode()
    seed_claim.refresh_from_db()
    assert seed_claim.text.startswith("Rusland")


@pytest.mark.parametrize("name", ["desk_verdict", "desk_citations", "desk_claim_assign"])
def test_csrf_is_enforced_on_desk_forms(seed_claim, editor, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse(f"claims:{name}", args=[seed_claim.pk])
    assert client.post(url, {}, **HTMX).status_code == 403

    client.get(seed_claim.get_desk_url())  # the desk page sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(url, {}, HTTP_X_CSRFTOKEN=token, **HTMX)  # as htmx sends it
    assert accepted.status_code == 200  # the view's own answer: its panel again
    assert accepted.content.decode().lstrip().startswith("<section id=")


def test_an_outside_appearance_is_added_and_published_in_the_claimreview(
    seed_claim, editor_client, scale
):
    client = editor_client
    url = reverse("claims:desk_appearances", args=[seed_claim.pk])
    response = client.post(
        url, {"url": "https://x.com/post/1", "appeared_at": "2025-11-30"}, **HTMX
    )
    assert response.content.decode().lstrip().startswith('<section id="appearances"')
    assert seed_claim.appearances.filter(url="https://x.com/post/1").exists()
    bad = client.post(url, {"url": "javascript:alert(1)"}, **HTMX)
    assert 'role="alert"' in bad.content.decode()
    services.verdict_publish(claim=seed_claim, rating=scale.ratings.get(code="true"), summary="Ja.")
    item = services.claimreview_for_claim(seed_claim)["itemReviewed"]
    assert item["firstAppearance"] == {"@type": "CreativeWork", "url": "https://x.com/post/1"}
    assert len(item["appearance"]) == 2
