"""Reader reports as services: storing, the queue (priority, claiming, leases), triage,
duplicates, asking for information, blocking, and erasing contact details."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from claims import services
from claims.models import Claim, Correction, Report, ReportEmail, Source
from tests.conftest import make_staff


@pytest.fixture
def other_reviewer(db):
    return make_staff("tweede", "Reviewer")


def make_report(article, message="Er klopt iets niet.", *, processed=True, **fields) -> Report:
    report = services.report_create(article=article, message=message, **fields)
    if processed:
        services.report_process(report_id=report.pk)
    report.refresh_from_db()
    return report


def age(report: Report, **delta) -> Report:
    """Pretend the report arrived earlier (and recompute its place)."""
    created = report.created_at - timezone.timedelta(**delta)
    Report.objects.filter(pk=report.pk).update(created_at=created)
    report.refresh_from_db()
    points, queue_at = services.report_priority(report, report.article)
    Report.objects.filter(pk=report.pk).update(priority=points, queue_at=queue_at)
    report.refresh_from_db()
    return report


def emails_of(report: Report) -> list[str]:
    return list(ReportEmail.objects.filter(report=report).values_list("kind", flat=True))


# --- Storing ------------------------------------------------------------------------


def test_a_report_is_saved_even_when_the_broker_is_down(
    seed_article, broker_unreachable, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        report = services.report_create(article=seed_article, message="Broker weg")

    assert len(sent) == 1  # the task was sent after commit, and failed quietly
    assert Report.objects.filter(pk=report.pk, processed_at__isnull=True).exists()
    assert "left to the sweeper" in caplog.text
    broker_unreachable()
    assert services.report_process(report_id=report.pk) is True
    assert services.report_process(report_id=report.pk) is False  # twice does no harm


def test_pending_reports_are_processed_in_bulk_once(seed_article):
    reports = [
        services.report_create(
            article=seed_article,
            message=f"melding {n}",
            claim=None,
            evidence_urls=["https://example.org/bewijs"] if n == 3 else None,
        )
        for n in range(7)
    ]

    assert services.reports_process_pending(chunk=3) == 7

    assert not Report.objects.filter(processed_at__isnull=True).exists()
    assert reports[3].evidence.count() == 1  # quarantined: the report's own, not a source
    assert not Source.objects.filter(url__startswith="https://example.org/").exists()
    assert services.reports_process_pending() == 0
    assert services.report_process(report_id=reports[0].pk) is False


def test_evidence_links_are_quarantined_until_the_report_is_accepted(seed_article, reviewer):
    report = make_report(
        seed_article, evidence_urls=["https://example.org/bewijs", "https://example.org/twee"]
    )
    evidence = list(report.evidence.order_by("position"))
    assert [e.url for e in evidence] == ["https://example.org/bewijs", "https://example.org/twee"]
    assert all(e.fetched_at is None for e in evidence)  # waiting for the reviewer's fetch
    assert not Source.objects.filter(url__startswith="https://example.org/").exists()

    services.report_claim(report_id=report.pk, user=reviewer)
    services.report_accept(report_id=report.pk, user=reviewer, correction_text="Hersteld.")

    sources = Source.objects.filter(reports=report).order_by("url")
    assert [s.url for s in sources] == ["https://example.org/bewijs", "https://example.org/twee"]
    assert {s.state for s in sources} == {Source.State.WAITING}
    assert all(s.next_check_at and s.enqueued_at for s in sources)  # sent to fetch at once


# --- Priority -----------------------------------------------------------------------


def test_priority_rises_with_duplicates_reach_and_age(seed_article, settings):
    settings.FACTCHECK_REPORT_PRIORITY_POINT_MINUTES = 60
    seed_article.published_at = timezone.now() - timezone.timedelta(days=30)
    seed_article.save()
    old = age(make_report(seed_article, "oud"), hours=5)
    fresh = make_report(seed_article, "nieuw")
    assert (old.priority, fresh.priority) == (0, 0)
    assert old.queue_at < fresh.queue_at  # age alone: the older first

    fresh.duplicate_count = 3  # 6 points: six hours earlier than its arrival
    points, queue_at = services.report_priority(fresh, seed_article)
    assert points == 6 and queue_at < old.queue_at

    seed_article.page_views = 1500
    assert services.article_reach_points(seed_article) == 6
    seed_article.page_views = 0
    seed_article.published_at = timezone.now() - timezone.timedelta(hours=3)
    assert services.article_reach_points(seed_article) == 4  # recent: reach by recency


def test_a_report_on_a_claim_ranks_above_one_on_the_article(seed_article):
    claim = services.claim_create(text="Een bewering", article=seed_article).claim
    plain = make_report(seed_article, "algemeen")
    on_claim = make_report(seed_article, "over de bewering", claim=claim)
    assert on_claim.priority == plain.priority + 1
    assert on_claim.queue_at < plain.queue_at


def test_page_views_are_counted_without_sql_and_flushed(
    reader, seed_article, django_assert_num_queries
):
    reader.get(seed_article.get_absolute_url())  # warm the page cache
    with django_assert_num_queries(1):
        reader.get(seed_article.get_absolute_url())
    reader.get(seed_article.get_absolute_url())

    assert services.article_views_flush() == 3
    seed_article.refresh_from_db()
    assert seed_article.page_views == 3
    assert services.article_views_flush() == 0  # counted once


def test_reprioritise_follows_the_articles_reach(seed_article):
    seed_article.published_at = timezone.now() - timezone.timedelta(days=60)
    seed_article.save()
    report = make_report(seed_article)
    assert report.priority == 0
    type(seed_article).objects.filter(pk=seed_article.pk).update(page_views=250)
    assert services.reports_reprioritise() == 1
    report.refresh_from_db()
    assert report.priority == 4


# --- Claiming -----------------------------------------------------------------------


def test_claim_next_hands_out_the_highest_priority_report_under_a_lease(
    seed_article, reviewer, settings
):
    settings.FACTCHECK_REPORT_LEASE_MINUTES = 20
    first = age(make_report(seed_article, "eerst"), hours=2)
    make_report(seed_article, "later")

    claimed = services.report_claim_next(user=reviewer)

    assert claimed.pk == first.pk
    claimed.refresh_from_db()
    assert claimed.state == Report.State.IN_REVIEW and claimed.assignee == reviewer
    lease = (claimed.lease_until - timezone.now()).total_seconds()
    assert 19 * 60 < lease <= 20 * 60
    assert claimed.history.first().history_change_reason == "claimed"
    assert claimed.history.first().history_user == reviewer


def test_a_reviewer_holds_one_report_at_a_time(seed_article, reviewer):
    make_report(seed_article, "een")
    make_report(seed_article, "twee")
    first = services.report_claim_next(user=reviewer)
    again = services.report_claim_next(user=reviewer)
    assert again.pk == first.pk
    assert Report.objects.filter(state=Report.State.IN_REVIEW).count() == 1


def test_second_reviewer_cannot_claim_a_held_report(seed_article, reviewer, other_reviewer):
    report = make_report(seed_article)
    assert services.report_claim_next(user=reviewer).pk == report.pk

    assert services.report_claim_next(user=other_reviewer) is None
    with pytest.raises(services.ReportActionRefused):
        services.report_claim(report_id=report.pk, user=other_reviewer)
    report.refresh_from_db()
    assert report.assignee == reviewer


def test_an_expired_lease_lets_another_reviewer_take_over(seed_article, reviewer, other_reviewer):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)
    Report.objects.filter(pk=report.pk).update(
        lease_until=timezone.now() - timezone.timedelta(seconds=1)
    )  # the first reviewer walked away

    assert services.report_lease_extend(report_id=report.pk, user=reviewer) is False
    taken = services.report_claim_next(user=other_reviewer)

    assert taken.pk == report.pk and taken.assignee == other_reviewer
    assert taken.history.first().history_change_reason == "claimed after an expired lease"
    with pytest.raises(services.ReportNotHeld):
        services.report_reject(report_id=report.pk, user=reviewer, reason="not_an_error")
    services.report_reject(report_id=report.pk, user=other_reviewer, reason="not_an_error")
    assert Report.objects.get(pk=report.pk).state == Report.State.REJECTED


def test_an_expired_lease_cannot_be_used_to_resolve(seed_article, reviewer):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)
    Report.objects.filter(pk=report.pk).update(lease_until=timezone.now())
    with pytest.raises(services.ReportNotHeld):
        services.report_accept(report_id=report.pk, user=reviewer, correction_text="Te laat")
    assert Correction.objects.count() == 0


def test_release_puts_the_report_back_at_its_place(seed_article, reviewer, other_reviewer):
    report = age(make_report(seed_article, "oud"), hours=3)
    make_report(seed_article, "nieuw")
    services.report_claim_next(user=reviewer)
    assert services.report_release(report_id=report.pk, user=other_reviewer) is False
    assert services.report_release(report_id=report.pk, user=reviewer) is True
    assert services.report_claim_next(user=other_reviewer).pk == report.pk


def test_claim_next_on_an_empty_queue_is_none(db, reviewer):
    assert services.report_claim_next(user=reviewer) is None


# --- Triage -------------------------------------------------------------------------


def test_accept_with_a_correction_publishes_it_and_tells_the_reader(seed_article, reviewer):
    report = make_report(seed_article, email="lezer@example.org", email_consent=True, language="en")
    services.report_claim_next(user=reviewer)

    correction = services.report_accept(
        report_id=report.pk,
        user=reviewer,
        correction_text="Het is 18%, niet 20%.",
        resolution="Dank, u had gelijk.",
    ).correction

    report.refresh_from_db()
    assert report.state == Report.State.ACCEPTED and report.resolved_at and not report.lease_until
    assert correction.article == seed_article and list(correction.reports.all()) == [report]
    assert correction.created_by == reviewer
    email = ReportEmail.objects.get(report=report)
    assert email.kind == "accepted"
    assert email.subject.startswith("Your report was accepted")  # the reader's language
    assert "Het is 18%, niet 20%." in email.body
    assert correction.get_absolute_url() in email.body
    assert report.get_absolute_url() in email.body


def test_accept_can_send_the_claim_back_to_rereview(seed_article, reviewer):
    claim = services.claim_create(text="Vijf uur gesprek", article=seed_article).claim
    claim.status = Claim.Status.PUBLISHED
    claim.save()
    report = make_report(seed_article, "Het waren er vier.", claim=claim)
    services.report_claim_next(user=reviewer)

    assert (
        services.report_accept(report_id=report.pk, user=reviewer, claim_rereview=True).correction
        is None
    )

    claim.refresh_from_db()
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert report.reference[:8] in claim.rereview_reason
    assert Report.objects.get(pk=report.pk).state == Report.State.ACCEPTED


def test_accept_needs_a_correction_or_a_rereview(seed_article, reviewer):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)
    with pytest.raises(services.ReportActionRefused):
        services.report_accept(report_id=report.pk, user=reviewer, correction_text="  ")
    with pytest.raises(services.ReportActionRefused):  # no claim to send back
        services.report_accept(report_id=report.pk, user=reviewer, claim_rereview=True)
    assert Report.objects.get(pk=report.pk).state == Report.State.IN_REVIEW


def test_reject_with_a_reason_and_public_explanation(seed_article, reviewer):
    report = make_report(seed_article, email="a@example.org", email_consent=True)
    services.report_claim_next(user=reviewer)
    with pytest.raises(services.ReportActionRefused):
        services.report_reject(report_id=report.pk, user=reviewer, reason="geen idee")

    services.report_reject(
        report_id=report.pk,
        user=reviewer,
        reason="no_evidence",
        resolution="De bron zegt 20%.",
        reviewer_note="lezer verwart twee cijfers",
    )

    report.refresh_from_db()
    assert (report.state, report.reject_reason) == (Report.State.REJECTED, "no_evidence")
    body = ReportEmail.objects.get(report=report).body
    assert "We konden de fout niet bevestigen" in body and "De bron zegt 20%." in body
    assert "verwart" not in body


def test_spam_with_block_files_the_reporters_waiting_reports_too(seed_article, reviewer):
    spam = make_report(seed_article, "koop nu", ip="198.51.100.5")
    waiting = make_report(seed_article, "koop nu 2", ip="198.51.100.5")
    honest = make_report(seed_article, "echte fout", ip="198.51.100.6")
    services.report_claim(report_id=spam.pk, user=reviewer)

    services.report_mark_spam(report_id=spam.pk, user=reviewer, block=True)

    states = dict(Report.objects.values_list("pk", "state"))
    assert states == {spam.pk: "spam", waiting.pk: "blocked", honest.pk: "new"}
    later = make_report(seed_article, "weer", ip="198.51.100.5")  # thanked, then held
    assert later.state == Report.State.BLOCKED
    assert later.public_state == Report.State.NEW
    assert later.history.first().history_change_reason == "reporter blocked"
    assert ReportEmail.objects.count() == 0


# --- Duplicates ---------------------------------------------------------------------


def test_duplicates_merge_their_counts_into_the_original(seed_article, reviewer, settings):
    settings.FACTCHECK_REPORT_PRIORITY_POINT_MINUTES = 60
    original = make_report(seed_article, "18% niet 20%", email="o@example.org", email_consent=True)
    b = make_report(seed_article, "ook 18%", email="b@example.org", email_consent=True)
    c = make_report(seed_article, "twintig klopt niet")
    d = make_report(seed_article, "idem", email="d@example.org", email_consent=True)
    queue_before = original.queue_at

    for duplicate, of in ((d, c), (b, original), (c, original)):
        services.report_claim(report_id=duplicate.pk, user=reviewer)
        services.report_mark_duplicate(report_id=duplicate.pk, original_id=of.pk, user=reviewer)

    original.refresh_from_db()
    assert original.duplicate_count == 3  # b, c, and d which came along with c
    assert set(original.duplicates.values_list("pk", flat=True)) == {b.pk, c.pk, d.pk}
    assert Report.objects.get(pk=c.pk).duplicate_count == 0
    assert original.priority >= 6
    assert original.queue_at <= queue_before - timezone.timedelta(hours=6)
    assert ReportEmail.objects.count() == 0  # nothing decided yet

    services.report_claim(report_id=original.pk, user=reviewer)
    correction = services.report_accept(
        report_id=original.pk, user=reviewer, correction_text="Het is 18%."
    ).correction

    assert set(correction.reports.values_list("pk", flat=True)) == {original.pk, b.pk, c.pk, d.pk}
    assert emails_of(original) == ["accepted"]
    assert emails_of(b) == ["duplicate"] and emails_of(d) == ["duplicate"]
    assert emails_of(c) == []  # no address given
    assert "Het is 18%." in ReportEmail.objects.get(report=b).body


def test_a_duplicate_of_a_decided_report_hears_the_outcome_at_once(seed_article, reviewer):
    original = make_report(seed_article, "eerste")
    services.report_claim_next(user=reviewer)
    services.report_reject(report_id=original.pk, user=reviewer, reason="opinion")
    late = make_report(seed_article, "tweede", email="l@example.org", email_consent=True)
    services.report_claim_next(user=reviewer)

    services.report_mark_duplicate(report_id=late.pk, original_id=original.pk, user=reviewer)

    email = ReportEmail.objects.get(report=late)
    assert email.kind == "duplicate"
    assert "Een kwestie van mening" in email.body


def test_duplicate_of_a_duplicate_points_at_the_root_and_spam_is_refused(seed_article, reviewer):
    root = make_report(seed_article, "a")
    middle = make_report(seed_article, "b")
    last = make_report(seed_article, "c")
    junk = make_report(seed_article, "d")
    services.report_claim(report_id=middle.pk, user=reviewer)
    services.report_mark_duplicate(report_id=middle.pk, original_id=root.pk, user=reviewer)
    services.report_claim(report_id=junk.pk, user=reviewer)
    services.report_mark_spam(report_id=junk.pk, user=reviewer)
    services.report_claim(report_id=last.pk, user=reviewer)

    with pytest.raises(services.ReportActionRefused):
        services.report_mark_duplicate(report_id=last.pk, original_id=last.pk, user=reviewer)
    with pytest.raises(services.ReportActionRefused):
        services.report_mark_duplicate(report_id=last.pk, original_id=junk.pk, user=reviewer)
    original = services.report_mark_duplicate(
        report_id=last.pk, original_id=middle.pk, user=reviewer
    )

    assert original.pk == root.pk
    assert Report.objects.get(pk=last.pk).duplicate_of_id == root.pk
    assert Report.objects.get(pk=root.pk).duplicate_count == 2


def test_duplicate_suggestions_find_overlapping_quotes_and_similar_text(seed_article):
    paragraph = seed_article.paragraphs.get(position=2)
    other_paragraph = seed_article.paragraphs.get(position=4)
    report = make_report(
        seed_article,
        "Het percentage klopt niet, het is minder.",
        quote="circa 20% van het Oekraïense grondgebied",
        paragraph=paragraph,
    )
    same_quote = make_report(
        seed_article, "Andere woorden helemaal.", quote="circa 20%", paragraph=paragraph
    )
    similar = make_report(seed_article, "Het percentage klopt niet, het is veel minder.")
    elsewhere = make_report(
        seed_article, "Spelfout in de naam.", quote="circa 20%", paragraph=other_paragraph
    )
    unrelated = make_report(seed_article, "De foto hoort bij een ander artikel.")

    found = services.report_duplicate_candidates(report=report)

    by_pk = {c.report.pk: c for c in found}
    assert found[0].report.pk == same_quote.pk and found[0].quote_overlap
    assert similar.pk in by_pk and not by_pk[similar.pk].quote_overlap
    assert elsewhere.pk not in by_pk and unrelated.pk not in by_pk


# --- Asking for more information ----------------------------------------------------


def test_ask_for_information_then_the_reader_answers(reader, seed_article, reviewer):
    report = make_report(seed_article, "vaag", email="v@example.org", email_consent=True)
    services.report_claim_next(user=reviewer)

    services.report_request_info(report_id=report.pk, user=reviewer, question="Welke alinea?")

    report.refresh_from_db()
    assert report.state == Report.State.WAITING and report.assignee is None
    assert services.report_claim_next(user=reviewer) is None  # out of the queue meanwhile
    email = ReportEmail.objects.get(report=report, kind="info_request")
    assert "Welke alinea?" in email.body and report.get_absolute_url() in email.body

    page = reader.get(report.get_absolute_url()).content.decode()
    assert "Welke alinea?" in page and 'name="reply"' in page
    response = reader.post(f"{report.get_absolute_url()}reply/", {"reply": "Alinea twee, de 20%."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.NEW and report.info_reply == "Alinea twee, de 20%."
    assert services.report_claim_next(user=reviewer).pk == report.pk
    again = reader.post(f"{report.get_absolute_url()}reply/", {"reply": "nog eens"})
    assert again.status_code == 302
    assert Report.objects.get(pk=report.pk).info_reply == "Alinea twee, de 20%."


def test_asking_needs_an_email_address(seed_article, reviewer):
    report = make_report(seed_article)
    services.report_claim_next(user=reviewer)
    with pytest.raises(services.ReportActionRefused):
        services.report_request_info(report_id=report.pk, user=reviewer, question="Waar?")


def test_an_unanswered_question_returns_the_report_to_the_queue(seed_article, reviewer, settings):
    settings.FACTCHECK_REPORT_INFO_WAIT_DAYS = 7
    report = make_report(seed_article, email="v@example.org", email_consent=True)
    services.report_claim_next(user=reviewer)
    services.report_request_info(report_id=report.pk, user=reviewer, question="Bron?")

    assert services.reports_waiting_release() == 0
    later = timezone.now() + timezone.timedelta(days=8)
    assert services.reports_waiting_release(now=later) == 1
    assert Report.objects.get(pk=report.pk).state == Report.State.NEW


# --- Erasure ------------------------------------------------------------------------


def test_contact_details_are_erased_after_the_retention_period(seed_article, reviewer, settings):
    settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS = 30
    contact = {"email": "lezer@example.org", "email_consent": True, "name": "Lezer"}
    old = make_report(seed_article, "oud", **contact)
    recent = make_report(seed_article, "recent", **contact)
    still_open = make_report(seed_article, "open", **contact)
    for report in (old, recent):
        services.report_claim(report_id=report.pk, user=reviewer)
        services.report_reject(report_id=report.pk, user=reviewer, reason="other")
    Report.objects.filter(pk=old.pk).update(
        resolved_at=timezone.now() - timezone.timedelta(days=31)
    )
    assert Report.history.filter(id=old.pk, email="lezer@example.org").exists()

    assert services.reports_erase_emails() == 1

    old.refresh_from_db()
    assert (old.email, old.name, old.email_consent) == ("", "", False)
    assert old.email_erased_at is not None
    assert not Report.history.filter(id=old.pk).exclude(email="").exists()
    said = Report.history.filter(id=old.pk).latest("history_date", "history_id")
    assert said.history_change_reason == "name and email erased: retention period of 30 days ended"
    assert (old.message, old.state) == ("oud", Report.State.REJECTED)  # nothing else
    assert Report.objects.get(pk=recent.pk).email == "lezer@example.org"
    assert Report.history.filter(id=recent.pk, email="lezer@example.org").exists()
    assert Report.objects.get(pk=still_open.pk).email == "lezer@example.org"
    assert services.reports_erase_emails() == 0


def test_a_duplicate_keeps_its_address_until_the_original_is_decided(
    seed_article, reviewer, settings
):
    settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS = 1
    original = make_report(seed_article, "origineel")
    duplicate = make_report(seed_article, "dubbel", email="d@example.org", email_consent=True)
    services.report_claim(report_id=duplicate.pk, user=reviewer)
    services.report_mark_duplicate(report_id=duplicate.pk, original_id=original.pk, user=reviewer)
    later = timezone.now() + timezone.timedelta(days=2)

    assert services.reports_erase_emails(now=later) == 0
    services.report_claim(report_id=original.pk, user=reviewer)
    services.report_reject(report_id=original.pk, user=reviewer, reason="other")
    assert services.reports_erase_emails(now=later + timezone.timedelta(days=2)) == 1
    assert len(mail.outbox) == 0  # mail goes out through the outbox task, not inline
