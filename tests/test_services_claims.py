"""The verdict workflow and its permissions (claims/services/claims.py)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from claims import services
from claims.models import Claim, Correction, Notification, RatingScale, Verdict


def rating(scale, code):
    return scale.ratings.get(code=code)


def publish_first(claim, scale, editor, code="mostly-true"):
    verdict = services.verdict_save(
        claim=claim, rating=rating(scale, code), summary="Bijna.", author=editor
    )
    services.verdict_submit(verdict=verdict, user=editor)
    return services.verdict_approve(verdict=verdict, user=editor, seen=verdict.content_token())


def test_draft_then_review_then_published(seed_claim, scale, editor):
    source = services.source_get_or_create(title="CGTN", url="https://news.cgtn.com/x")
    citation = services.citation_add(claim=seed_claim, source=source, quote="about 20 percent")
    verdict = services.verdict_save(
        claim=seed_claim,
        rating=rating(scale, "mostly-true"),
        summary="  Schattingen   liggen tussen 18 en 20 procent. ",
        explanation="<p>Zie <a href='https://example.org'>bron</a>.</p>",
        citations=[citation],
        author=editor,
    )
    assert (verdict.status, seed_claim.status) == (Verdict.Status.DRAFT, Claim.Status.DRAFT)
    assert verdict.summary == "Schattingen liggen tussen 18 en 20 procent."
    assert list(verdict.citations.all()) == [citation]

    services.verdict_submit(verdict=verdict, user=editor)
    seed_claim.refresh_from_db()
    assert seed_claim.status == Claim.Status.IN_REVIEW

    services.verdict_approve(
        verdict=verdict, user=editor, seen=verdict.content_token()
    )  # a first verdict: no second editor
    verdict.refresh_from_db()
    seed_claim.refresh_from_db()
    assert verdict.status == Verdict.Status.PUBLISHED and verdict.published_at
    assert verdict.approved_by == editor
    assert seed_claim.status == Claim.Status.PUBLISHED
    reasons = list(verdict.history.values_list("history_change_reason", flat=True))
    assert {"draft written", "sent for review", "published"} <= set(reasons)
    assert Correction.objects.count() == 0


def test_a_changed_verdict_needs_a_second_editor(seed_claim, scale, editor, second_editor):
    first = publish_first(seed_claim, scale, editor)
    change = services.verdict_save(
        claim=seed_claim,
        rating=rating(scale, "misleading"),
        summary="Toch misleidend.",
        author=editor,
    )
    change = services.verdict_submit(verdict=change, user=editor)
    assert not services.verdict_can_publish(change, editor)
    assert services.verdict_can_publish(change, second_editor)

    with pytest.raises(PermissionDenied):
        services.verdict_approve(verdict=change, user=editor, seen=change.content_token())
    change.refresh_from_db()
    assert change.status == Verdict.Status.IN_REVIEW
    assert seed_claim.verdicts.published().get() == first

    services.verdict_approve(verdict=change, user=second_editor, seen=change.content_token())
    first.refresh_from_db()
    change.refresh_from_db()
    assert first.status == Verdict.Status.SUPERSEDED
    assert (change.status, change.supersedes, change.approved_by) == (
        Verdict.Status.PUBLISHED,
        first,
        second_editor,
    )
    correction = Correction.objects.get()
    assert correction.kind == Correction.Kind.VERDICT_CHANGE
    assert correction.claim == seed_claim
    assert correction.article == seed_claim.appearances.get().article
    assert "Grotendeels waar" in correction.text and "Misleidend" in correction.text


def test_a_reviewer_can_neither_write_nor_publish(seed_claim, scale, editor, reviewer):
    with pytest.raises(PermissionDenied):
        services.verdict_save(
            claim=seed_claim, rating=rating(scale, "true"), summary="x", author=reviewer
        )
    verdict = services.verdict_save(
        claim=seed_claim, rating=rating(scale, "true"), summary="Klopt.", author=editor
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    assert services.verdict_can_publish(verdict, editor)
    assert not services.verdict_can_publish(verdict, reviewer)
    with pytest.raises(PermissionDenied):
        services.verdict_approve(verdict=verdict, user=reviewer, seen=verdict.content_token())
    assert not Verdict.objects.published().exists()


def test_editing_a_verdict_in_review_sends_it_back_to_draft(seed_claim, scale, editor):
    verdict = services.verdict_save(
        claim=seed_claim, rating=rating(scale, "true"), summary="Klopt.", author=editor
    )
    services.verdict_submit(verdict=verdict, user=editor)
    again = services.verdict_save(
        claim=seed_claim, rating=rating(scale, "false"), summary="Klopt niet.", author=editor
    )
    assert again.pk == verdict.pk and again.status == Verdict.Status.DRAFT
    with pytest.raises(ValidationError):
        services.verdict_approve(verdict=again, user=editor, seen=again.content_token())


def test_sending_back_keeps_the_note_in_history(seed_claim, scale, editor, second_editor):
    verdict = services.verdict_save(
        claim=seed_claim, rating=rating(scale, "true"), summary="Klopt.", author=editor
    )
    services.verdict_submit(verdict=verdict, user=editor)
    services.verdict_return(verdict=verdict, user=second_editor, note="Bron ontbreekt")
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.DRAFT
    assert verdict.history.first().history_change_reason == "sent back: Bron ontbreekt"
    assert verdict.history.first().history_user == second_editor


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>ok<script>alert(1)</script></p>", "<p>ok</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<p onclick="x()">Zie <b>dit</b></p>', "<p>Zie <b>dit</b></p>"),
        ("<img src=x onerror=alert(1)>", ""),
    ],
)
def test_explanations_are_sanitised(dirty, clean):
    assert services.explanation_clean(dirty) == clean


def test_ratings_of_an_old_scale_version_are_refused(seed_claim, scale, editor):
    old_true = rating(scale, "true")
    services.rating_scale_version_create(
        scale=scale,
        fields={},
        ratings=[{"code": "true", "label_nl": "Klopt", "label_en": "Correct", "value": 5}],
    )
    with pytest.raises(ValidationError):
        services.verdict_save(claim=seed_claim, rating=old_true, summary="x", author=editor)


def test_a_new_scale_version_leaves_old_verdicts_their_label(seed_claim, scale, editor):
    verdict = publish_first(seed_claim, scale, editor, code="true")
    new = services.rating_scale_version_create(
        scale=scale,
        fields={"best_value": 5, "worst_value": 1},
        ratings=[{"code": "true", "label_nl": "Klopt", "label_en": "Correct", "value": 5}],
    )
    verdict.refresh_from_db()
    assert (new.version, new.is_active) == (2, True)
    assert not RatingScale.objects.get(pk=scale.pk).is_active
    assert verdict.rating.label_nl == "Waar"
    assert new.ratings.get().label_nl == "Klopt"


def test_assigning_notifies_the_editor_once(seed_claim, editor, second_editor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.claim_assign(claim=seed_claim, assignee=second_editor, user=editor)
    services.claim_assign(claim=seed_claim, assignee=second_editor, user=editor)  # no change
    notification = Notification.objects.get()
    assert notification.recipient == second_editor and notification.claim == seed_claim
    assert services.notification_send(notification_id=notification.pk)
    assert not services.notification_send(notification_id=notification.pk)  # runs twice, sends once
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["editor2@example.org"]
    assert seed_claim.get_desk_url() in mail.outbox[0].body


def test_only_editors_can_be_assigned(seed_claim, editor, reviewer):
    with pytest.raises(ValidationError):
        services.claim_assign(claim=seed_claim, assignee=reviewer, user=editor)


def test_a_sweep_resends_unsent_notifications(seed_claim, editor, second_editor):
    services.claim_assign(claim=seed_claim, assignee=second_editor, user=editor)
    Notification.objects.update(created_at=Notification.objects.get().created_at.replace(year=2020))
    assert services.notifications_sweep() == 1


def test_a_verdict_published_at_once_rests_only_on_the_claims_own_sources(
    seed_claim, seed_article, scale, editor
):
    source = services.source_get_or_create(title="CGTN", url="https://news.cgtn.com/x")
    other = services.claim_create(text="Een andere bewering.", article=seed_article).claim
    foreign = services.citation_add(claim=other, source=source)
    with pytest.raises(ValidationError):
        services.verdict_publish(
            claim=seed_claim, rating=rating(scale, "true"), summary="Ja.", citations=[foreign]
        )
    assert not seed_claim.verdicts.exists()

    own = services.citation_add(claim=seed_claim, source=source)
    verdict = services.verdict_publish(
        claim=seed_claim, rating=rating(scale, "true"), summary="Ja.", citations=[own]
    )
    assert list(verdict.citations.all()) == [own]


def test_approval_is_bound_to_the_version_the_approver_saw(
    seed_claim, scale, editor, second_editor
):
    publish_first(seed_claim, scale, editor)
    change = services.verdict_save(
        claim=seed_claim,
        rating=rating(scale, "misleading"),
        summary="Toch misleidend.",
        author=editor,
        submit=True,
    )
    seen = change.content_token()  # editor B opens the change
    # editor A saves and submits a different rating meanwhile
    services.verdict_save(
        claim=seed_claim,
        rating=rating(scale, "false"),
        summary="Onwaar.",
        author=editor,
        submit=True,
    )

    with pytest.raises(ValidationError) as stale:  # B approves from the page loaded earlier
        services.verdict_approve(verdict=change, user=second_editor, seen=seen)

    assert stale.value.code == "stale"
    assert seed_claim.verdicts.published().get().rating.code == "mostly-true"  # nothing published
    change.refresh_from_db()
    assert (change.status, change.rating.code, change.approved_by) == ("in_review", "false", None)
    # B looks again and approves what is there now
    services.verdict_approve(verdict=change, user=second_editor, seen=change.content_token())
    assert seed_claim.verdicts.published().get().rating.code == "false"


def test_a_stale_approval_on_the_desk_shows_the_new_version(
    seed_claim, scale, editor, second_editor
):
    from django.test import Client
    from django.urls import reverse

    publish_first(seed_claim, scale, editor)
    change = services.verdict_save(
        claim=seed_claim,
        rating=rating(scale, "misleading"),
        summary="Eerst.",
        author=editor,
        submit=True,
    )
    approver = Client()
    approver.force_login(second_editor)
    page = approver.get(seed_claim.get_desk_url()).content.decode()
    assert f'name="seen" value="{change.content_token()}"' in page
    seen = change.content_token()
    services.verdict_save(
        claim=seed_claim,
        rating=rating(scale, "false"),
        summary="Later.",
        author=editor,
        submit=True,
    )

    answer = approver.post(
        reverse("claims:desk_verdict_review", args=[change.pk]),
        {"action": "approve", "seen": seen},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    assert "gewijzigd nadat je het opende" in answer
    assert "Later." in answer  # the new version, to compare and approve again
    assert seed_claim.verdicts.published().get().summary == "Bijna."


def test_saving_and_submitting_is_one_call(seed_claim, scale, editor):
    verdict = services.verdict_save(
        claim=seed_claim,
        rating=rating(scale, "true"),
        summary="Klopt.",
        author=editor,
        submit=True,
    )
    assert verdict.status == Verdict.Status.IN_REVIEW
    seed_claim.refresh_from_db()
    assert seed_claim.status == Claim.Status.IN_REVIEW


def test_a_claim_created_twice_is_linked_not_duplicated(seed_article, editor):
    paragraph = seed_article.paragraphs.get(position=5)
    text = "Het 28-puntenplan werd op 23 november 2025 in Genève herzien naar 19 punten."
    first = services.claim_create(text=text, match=True, created_by=editor)
    again = services.claim_create(
        text=text,
        article=seed_article,
        paragraph=paragraph,
        quote="op 23 november 2025 in Genève herzien naar 19 punten",
        match=True,
        created_by=editor,
    )
    assert (first.linked, again.linked) == (False, True)
    assert again.claim == first.claim and Claim.objects.count() == 1


def test_a_citation_from_a_url_is_one_call_and_says_who(seed_claim, editor):
    citation = services.citation_add(
        claim=seed_claim, url="HTTPS://News.CGTN.com/a?utm_source=x", quote="20%", user=editor
    )
    assert citation.source.url == "https://news.cgtn.com/a"
    assert citation.source.state == "waiting"
    entry = seed_claim.history.first()
    assert entry.history_user == editor
    assert entry.history_change_reason == f"source {citation.source_id} cited"


def test_a_merge_records_who_merged(seed_article, editor, second_editor):
    keep = services.claim_create(text="Crime went up 20% last year.", created_by=editor).claim
    fold = services.claim_create(text="Crime rose 20% last year.", created_by=editor).claim
    fold_id = fold.pk
    services.claim_merge(claim=fold, into=keep, user=second_editor)
    assert not Claim.objects.filter(pk=fold_id).exists()
    kept = keep.history.first()
    assert (kept.history_user, kept.history_change_reason) == (
        second_editor,
        f"claim {fold_id} merged into this one",
    )
    gone = Claim.history.filter(id=fold_id).first()
    assert gone.history_type == "-" and gone.history_user == second_editor
